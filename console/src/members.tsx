// The operators' member lookup (POST /v1/operators/members/lookup): by CURP or NSS, sent in the body and kept only in
// this page's memory (never in the address, the hash or any storage); the member's profile as the API answers it.
// "Not found" is the API's problem, shown as it comes.
import type { ComponentChildren } from "preact";
import { useRef, useState } from "preact/hooks";
import { call, fieldMessages, type Api, type Schemas } from "./client";
import { formatters, locale, type Lang } from "./i18n";
import { formatDay, formatMonth, formatTime, mexicoCityDay } from "./time";
import { Field, ProblemView, Segmented, useFocusFirstInvalid, useFocusOnMount, useSubmission, useTexts } from "./ui";
import "./people.css";

type Profile = Schemas["MemberProfile"];
type Lookup = Schemas["MemberLookup"];
type By = keyof Lookup;

/** An instant as Mexico City's date (with its year: records outlive a year) and clock. */
function formatMoment(instant: string, lang: Lang): string {
  const date = new Date(instant);
  return `${formatDay(mexicoCityDay(date), lang, true)}, ${formatTime(date, lang)}`;
}

/** A term and its description, in a `dl.consult-details`. */
function Detail({ term, children }: { term: string; children: ComponentChildren }) {
  return (
    <div>
      <dt>{term}</dt>
      <dd>{children}</dd>
    </div>
  );
}

export function MemberLookup({ api }: { api: Api }) {
  const { t } = useTexts();
  const heading = useFocusOnMount<HTMLHeadingElement>();
  const form = useRef<HTMLFormElement>(null);
  const [by, setBy] = useState<By>("curp");
  // Each identifier keeps what was typed for it, so switching between them loses nothing.
  const [typed, setTyped] = useState<Record<By, string>>({ curp: "", nss: "" });
  const [found, setFound] = useState<Profile | null>(null);
  const { busy, problem, failures, run } = useSubmission();
  useFocusFirstInvalid(form, failures);

  const submit = async (event: Event) => {
    event.preventDefault();
    setFound(null); // a profile left on screen under a failed search would read as its answer
    const body: Lookup = by === "curp" ? { curp: typed.curp, nss: null } : { curp: null, nss: typed.nss };
    await run(async () => setFound(await call(api.POST("/v1/operators/members/lookup", { body }))));
  };

  return (
    <>
      <h1 tabIndex={-1} ref={heading}>
        {t.lookupTitle}
      </h1>
      <p class="note">{t.lookupIntro}</p>
      <form ref={form} class="card search-form" noValidate onSubmit={submit} aria-label={t.lookupTitle}>
        <div class="search-fields">
          <Segmented
            legend={t.lookupBy}
            name="lookup-by"
            options={[
              { value: "curp", label: t.lookupByCurp },
              { value: "nss", label: t.lookupByNss },
            ]}
            value={by}
            onChange={setBy}
          />
          <Field
            key={by}
            id={`lookup-${by}`}
            class="identifier"
            label={by === "curp" ? t.lookupCurp : t.lookupNss}
            value={typed[by]}
            onInput={(value) => setTyped((previous) => ({ ...previous, [by]: value }))}
            autoComplete="off" // an identifier must not be kept in the browser's form history
            errors={fieldMessages(problem, by)}
          />
          <button type="submit" class="primary search-submit" disabled={busy}>
            {busy ? t.lookupSearching : t.lookupSubmit}
          </button>
        </div>
        {problem && <ProblemView shown={problem} fields={[by]} />}
      </form>
      {found && <MemberProfileView key={found.member_id} profile={found} />}
    </>
  );
}

function MemberProfileView({ profile }: { profile: Profile }) {
  const { lang, t } = useTexts();
  const heading = useFocusOnMount<HTMLHeadingElement>(); // the answer to her search: announced, and where she reads on
  const { money } = formatters(lang);
  const country = new Intl.DisplayNames([locale(lang)], { type: "region", fallback: "code" });
  const { residence, relative_in_mexico: relative } = profile;

  return (
    <section class="card profile" aria-labelledby="profile-title">
      <h2 id="profile-title" tabIndex={-1} ref={heading} class="profile-head">
        <span>
          {t.lookupProfileTitle} <code>{profile.curp}</code>
        </span>
        <span class={`badge member-status-${profile.status}`}>{t.memberStatus[profile.status]}</span>
      </h2>
      <p class="notice">
        <strong>{t.lookupNextStep}:</strong> {profile.next_step.message}
      </p>
      {profile.warnings.length > 0 && (
        <div class="notice notice-warning">
          <p>
            <strong>{t.lookupWarnings}</strong>
          </p>
          <ul>
            {profile.warnings.map((warning) => (
              <li key={`${warning.field}:${warning.message}`}>
                <code>{warning.field}</code>: {warning.message}
              </li>
            ))}
          </ul>
        </div>
      )}
      <div class="profile-sections">
        <section aria-labelledby="profile-coverage">
          <h3 id="profile-coverage">{t.lookupCoverage}</h3>
          <dl class="consult-details">
            <Detail term={t.lookupStatus}>{t.memberStatus[profile.status]}</Detail>
            <Detail term={t.lookupCoveredThrough}>
              {profile.covered_through ? formatMonth(profile.covered_through, lang) : t.lookupNone}
            </Detail>
            <Detail term={t.lookupCoveredMonths}>
              {profile.covered_months.length === 0 ? (
                t.lookupNoCoverage
              ) : (
                <ul class="months">
                  {profile.covered_months.map((month) => (
                    <li key={month}>{formatMonth(month, lang)}</li>
                  ))}
                </ul>
              )}
            </Detail>
            <Detail term={t.lookupOpenReference}>
              {profile.open_reference ? <code>{profile.open_reference}</code> : t.lookupNone}
            </Detail>
          </dl>
        </section>
        <section aria-labelledby="profile-identity">
          <h3 id="profile-identity">{t.lookupIdentity}</h3>
          <dl class="consult-details">
            <Detail term={t.lookupCurpLabel}>
              <code>{profile.curp}</code>
            </Detail>
            <Detail term={t.lookupNssLabel}>
              <code>{profile.nss}</code>
            </Detail>
            <Detail term={t.lookupRfc}>{profile.rfc ? <code>{profile.rfc}</code> : t.lookupNone}</Detail>
            <Detail term={t.lookupMemberId}>
              <code>{profile.member_id}</code>
            </Detail>
            <Detail term={t.lookupPersonId}>
              <code>{profile.person_id}</code>
            </Detail>
            <Detail term={t.lookupLinkedAt}>{formatMoment(profile.linked_at, lang)}</Detail>
          </dl>
        </section>
        <section aria-labelledby="profile-contact">
          <h3 id="profile-contact">{t.lookupContact}</h3>
          <dl class="consult-details">
            <Detail term={t.lookupEmail}>{profile.email ?? t.lookupErased}</Detail>
            <Detail term={t.lookupPhone}>{profile.phone ?? t.lookupErased}</Detail>
            {residence ? (
              <>
                <Detail term={t.lookupResidence}>{country.of(residence.country) ?? residence.country}</Detail>
                {residence.state && <Detail term={t.lookupResidenceState}>{residence.state}</Detail>}
                <Detail term={t.lookupTimeZone}>{residence.time_zone}</Detail>
              </>
            ) : (
              <Detail term={t.lookupResidence}>{t.lookupErased}</Detail>
            )}
          </dl>
        </section>
        <section aria-labelledby="profile-relative">
          <h3 id="profile-relative">{t.lookupRelative}</h3>
          {relative ? (
            <dl class="consult-details">
              <Detail term={t.lookupRelativeName}>{relative.name}</Detail>
              <Detail term={t.lookupRelativePhone}>{relative.phone}</Detail>
              <Detail term={t.lookupRelativeAddress}>
                <address>
                  {relative.address.street} {relative.address.exterior_number}
                  {relative.address.interior_number && `, ${t.lookupInterior(relative.address.interior_number)}`}
                  <br />
                  {relative.address.colonia}, {relative.address.municipio}, {relative.address.state},{" "}
                  {t.lookupPostalCode(relative.address.postal_code)}
                </address>
              </Detail>
            </dl>
          ) : (
            <p>{t.lookupErased}</p>
          )}
        </section>
        <section aria-labelledby="profile-insurance">
          <h3 id="profile-insurance">{t.lookupContribution}</h3>
          <dl class="consult-details">
            <Detail term={t.lookupIncome}>{money(profile.monthly_income_mxn)}</Detail>
            <Detail term={t.lookupZone}>{t.lookupZoneName[profile.zone]}</Detail>
            <Detail term={t.lookupAutoRenewal}>{profile.auto_renewal ? t.lookupYes : t.lookupNo}</Detail>
            <Detail term={t.lookupOccupation}>{profile.occupation}</Detail>
          </dl>
        </section>
        <section aria-labelledby="profile-record">
          <h3 id="profile-record">{t.lookupRecord}</h3>
          <dl class="consult-details">
            <Detail term={t.lookupRegisteredAt}>{formatMoment(profile.registered_at, lang)}</Detail>
            <Detail term={t.lookupUpdatedAt}>{formatMoment(profile.updated_at, lang)}</Detail>
            <Detail term={t.lookupConsents}>
              <ul class="months">
                {profile.consents.map((consent) => (
                  <li key={consent.kind}>
                    {t.lookupConsentKind[consent.kind]}:{" "}
                    {t.lookupConsentLine(
                      consent.version,
                      formatDay(mexicoCityDay(new Date(consent.accepted_at)), lang, true),
                    )}
                  </li>
                ))}
              </ul>
            </Detail>
          </dl>
        </section>
      </div>
    </section>
  );
}
