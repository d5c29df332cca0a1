// The unmatched-payments queue (GET /v1/operators/payments/unmatched, oldest first, paged): money a partner reported
// that matched no open reference. The operator applies one to a member (found by CURP or NSS: POST
// /v1/operators/members/lookup, never in a URL) and months, or marks it for refund, with a note (POST …/resolve; the
// API keeps who and when). Every rule — which months, whether the member exists — is the API's; its 422 or 409 is
// shown on the field it names.
import { useEffect, useRef, useState } from "preact/hooks";
import { call, fieldMessages, type Api, type Schemas } from "./client";
import { formatters, type Lang } from "./i18n";
import { formatDateTime, formatMonth, mexicoCityDay } from "./time";
import {
  Field,
  ProblemView,
  Select,
  TextArea,
  useFocusFirstInvalid,
  useFocusOnMount,
  usePagedList,
  useSubmission,
  useTexts,
} from "./ui";
import { QueueList } from "./queue";
import "./queues.css";

type Unmatched = Schemas["UnmatchedPayment"];
type Resolution = Schemas["Resolution"];
type Resolved = Schemas["ResolvedPayment"];
type Profile = Schemas["MemberProfile"];
type MemberStatus = Schemas["MemberStatus"];
type Action = Resolution["action"];

const PAGE_SIZE = 50;
const MONTHS_OFFERED = 13; // this month and the next twelve (a resolution takes at most 12)

/** An amount as the API sends it (a decimal string; null only for a reversal that arrived first). */
function moneyOf(amount: string | null, lang: Lang): string {
  return amount === null ? "—" : formatters(lang).money(amount);
}

/** YYYY-MM months from this Mexico City month on. */
function monthsFromNow(count: number): string[] {
  const [year = 1970, month = 1] = mexicoCityDay(new Date()).split("-").map(Number);
  return Array.from({ length: count }, (_, index) => {
    const date = new Date(Date.UTC(year, month - 1 + index, 1));
    return date.toISOString().slice(0, 7);
  });
}

export function UnmatchedPayments({ api }: { api: Api }) {
  const { lang, t } = useTexts();
  // Focused on opening the page and again on returning to the list, which the decision just announced changed.
  const heading = useRef<HTMLHeadingElement>(null);
  useEffect(() => heading.current?.focus(), []);
  // `lang`: asked again in the new language, so a problem is shown in it.
  const list = usePagedList<Unmatched>(
    (after) => call(api.GET("/v1/operators/payments/unmatched", { params: { query: { limit: PAGE_SIZE, after } } })),
    (item) => item.payment_id,
    [api, lang],
  );
  const [open, setOpen] = useState<Unmatched | null>(null);
  const [said, setSaid] = useState("");

  const backToList = () => {
    setOpen(null);
    heading.current?.focus();
  };

  const done = (payment: Resolved) => {
    list.remove(payment.payment_id);
    const amount = moneyOf(payment.amount_mxn, lang);
    setSaid(
      payment.status === "applied"
        ? t.paymentsApplied(amount, payment.months.map((month) => formatMonth(month, lang)).join(", "))
        : t.paymentsRefunded(amount),
    );
    backToList();
  };

  return (
    <>
      <h1 tabIndex={-1} ref={heading}>
        {t.paymentsTitle}
      </h1>
      <div aria-live="polite">{said && <p class="notice notice-ok">{said}</p>}</div>
      {open ? (
        <ResolvePayment api={api} payment={open} onResolved={done} onBack={backToList} />
      ) : (
        <QueueList
          list={list}
          texts={{
            intro: t.paymentsIntro,
            empty: t.paymentsEmpty,
            count: t.paymentsCount,
            more: t.paymentsMore,
          }}
          onReload={() => {
            setSaid("");
            list.reload();
          }}
          keyOf={(item) => item.payment_id}
          card={(item) => (
            <>
              <h2 id={`payment-${item.payment_id}`} class="queue-title">
                {moneyOf(item.amount_mxn, lang)}
                <span class="title-detail"> · {item.partner}</span>
              </h2>
              <PaymentDetails payment={item} />
              <button
                type="button"
                aria-describedby={`payment-${item.payment_id}`}
                onClick={() => {
                  setSaid("");
                  setOpen(item);
                }}
              >
                {t.paymentsResolve}
              </button>
            </>
          )}
        />
      )}
    </>
  );
}

/** What the partner reported, as it came: amount, who and when, the reference or NSS as sent, and why it waits. */
function PaymentDetails({ payment }: { payment: Unmatched }) {
  const { lang, t } = useTexts();
  return (
    <dl class="queue-details">
      <div>
        <dt>{t.paymentsReceivedAt}</dt>
        <dd>
          <time dateTime={payment.received_at}>{formatDateTime(new Date(payment.received_at), lang)}</time>
        </dd>
      </div>
      {payment.paid_at && (
        <div>
          <dt>{t.paymentsPaidAt}</dt>
          <dd>
            <time dateTime={payment.paid_at}>{formatDateTime(new Date(payment.paid_at), lang)}</time>
          </dd>
        </div>
      )}
      <div>
        <dt>{t.paymentsPartner}</dt>
        <dd>
          {payment.partner} ({payment.channel})
        </dd>
      </div>
      <div>
        <dt>{t.paymentsReference}</dt>
        <dd>{payment.reference ? <code>{payment.reference}</code> : t.paymentsNone}</dd>
      </div>
      {payment.nss && (
        <div>
          <dt>{t.paymentsNss}</dt>
          <dd>
            <code>{payment.nss}</code>
          </dd>
        </div>
      )}
      <div>
        <dt>{t.paymentsTransaction}</dt>
        <dd>
          <code>{payment.partner_transaction_id}</code>
        </dd>
      </div>
      <div>
        <dt>{t.paymentsReason}</dt>
        <dd>{payment.reason ? (t.paymentsReasons[payment.reason] ?? payment.reason) : t.paymentsNone}</dd>
      </div>
      {payment.member_id && (
        <div>
          <dt>{t.paymentsNamedMember}</dt>
          <dd>
            <code>{payment.member_id}</code>
          </dd>
        </div>
      )}
    </dl>
  );
}

interface ResolveProps {
  api: Api;
  payment: Unmatched;
  onResolved: (payment: Resolved) => void;
  onBack: () => void;
}

/** The decision on one payment: apply it (member found by CURP or NSS, months chosen) or refund it, with a note. */
function ResolvePayment({ api, payment, onResolved, onBack }: ResolveProps) {
  const { lang, t } = useTexts();
  const heading = useFocusOnMount<HTMLHeadingElement>();
  const form = useRef<HTMLFormElement>(null);
  const [action, setAction] = useState<Action>("apply");
  const [member, setMember] = useState<Profile | null>(null);
  const [months, setMonths] = useState<string[]>([]);
  const [note, setNote] = useState("");
  const { busy, problem, failures, run } = useSubmission();
  useFocusFirstInvalid(form, failures);
  const offered = monthsFromNow(MONTHS_OFFERED);

  const at = (field: string) => fieldMessages(problem, field);
  const monthErrors =
    problem?.kind === "api"
      ? (problem.problem.errors ?? [])
          .filter((item) => /^months(\[\d+\])?$/.test(item.field))
          .map((item) => item.message)
      : [];
  const sentMonths = [...months].sort();
  const inline = ["action", "body", "member_id", "note", "months", ...sentMonths.map((_, index) => `months[${index}]`)];
  const wholeErrors = [...at("action"), ...at("body")];

  const submit = (event: Event) => {
    event.preventDefault();
    const body: Resolution =
      action === "apply"
        ? { action, member_id: member?.member_id ?? payment.member_id, months: sentMonths, note }
        : { action, member_id: null, months: [], note };
    void run(async () =>
      onResolved(
        await call(
          api.POST("/v1/operators/payments/{payment_id}/resolve", {
            params: { path: { payment_id: payment.payment_id } },
            body,
          }),
        ),
      ),
    );
  };

  return (
    <section aria-labelledby="resolve-title">
      <p class="back">
        <button type="button" class="back-link" onClick={onBack}>
          <span aria-hidden="true">‹ </span>
          {t.paymentsBack}
        </button>
      </p>
      <div class="card">
        <h2 id="resolve-title" tabIndex={-1} ref={heading}>
          {t.paymentsResolveTitle(moneyOf(payment.amount_mxn, lang))}
        </h2>
        <PaymentDetails payment={payment} />
      </div>
      <form ref={form} class="form queue-form" noValidate onSubmit={submit}>
        <fieldset class="group" aria-describedby={wholeErrors.length ? "action-error" : undefined}>
          <legend>{t.paymentsDecision}</legend>
          <div class="queue-choices">
            {(["apply", "refund"] as const).map((choice) => (
              <label key={choice} class="queue-choice">
                <input
                  type="radio"
                  name="action"
                  value={choice}
                  checked={action === choice}
                  onChange={() => setAction(choice)}
                  aria-invalid={wholeErrors.length ? "true" : undefined}
                />
                {choice === "apply" ? t.paymentsApply : t.paymentsRefund}
              </label>
            ))}
          </div>
          {wholeErrors.length > 0 && (
            <p id="action-error" class="field-error">
              {wholeErrors.join(" ")}
            </p>
          )}
        </fieldset>

        {action === "apply" && (
          <>
            <MemberFinder
              api={api}
              payment={payment}
              member={member}
              onFound={(found) => {
                setMember(found);
                setMonths([]);
              }}
              errors={at("member_id")}
            />
            <fieldset class="group" aria-describedby={monthErrors.length ? "months-error" : undefined}>
              <legend>{t.paymentsMonths}</legend>
              <p class="hint">{t.paymentsMonthsHint}</p>
              {monthErrors.length > 0 && (
                <p id="months-error" class="field-error">
                  {monthErrors.join(" ")}
                </p>
              )}
              <div class="month-grid">
                {offered.map((month) => {
                  const covered = member?.covered_months.includes(month) ?? false;
                  return (
                    <label key={month} class="queue-choice">
                      <input
                        type="checkbox"
                        name="months"
                        value={month}
                        checked={months.includes(month)}
                        onChange={(event) => {
                          const checked = event.currentTarget.checked;
                          setMonths((previous) =>
                            checked ? [...previous, month] : previous.filter((other) => other !== month),
                          );
                        }}
                        aria-invalid={monthErrors.length ? "true" : undefined}
                      />
                      {formatMonth(month, lang)}
                      {covered && <span class="muted"> ({t.paymentsCovered})</span>}
                    </label>
                  );
                })}
              </div>
            </fieldset>
          </>
        )}

        <TextArea
          id="resolution-note"
          label={t.paymentsNote}
          hint={t.paymentsNoteHint}
          value={note}
          onInput={setNote}
          errors={at("note")}
        />
        {problem && <ProblemView shown={problem} fields={inline} />}
        <button type="submit" class="primary" disabled={busy}>
          {busy ? t.working : action === "apply" ? t.paymentsSubmitApply : t.paymentsSubmitRefund}
        </button>
      </form>
    </section>
  );
}

type LookupBy = "curp" | "nss";

interface FinderProps {
  api: Api;
  payment: Unmatched;
  member: Profile | null;
  onFound: (member: Profile) => void;
  /** The resolution's errors about the member (`member_id`). */
  errors: readonly string[];
}

/** Finds the member by CURP or NSS (in the request's body), starting from the NSS the payment carried, if any. */
function MemberFinder({ api, payment, member, onFound, errors }: FinderProps) {
  const { lang, t } = useTexts();
  const [by, setBy] = useState<LookupBy>(payment.nss ? "nss" : "curp");
  const [value, setValue] = useState(payment.nss ?? "");
  const lookup = useSubmission();

  const find = () =>
    lookup.run(async () => {
      const body = by === "curp" ? { curp: value, nss: null } : { curp: null, nss: value };
      onFound(await call(api.POST("/v1/operators/members/lookup", { body })));
    });
  const shown = lookup.problem;
  const valueErrors = [...fieldMessages(shown, by), ...fieldMessages(shown, "body")];

  return (
    <fieldset class="group" aria-describedby={errors.length ? "member-error" : undefined}>
      <legend>{t.paymentsMember}</legend>
      <p class="hint">{t.paymentsMemberHint}</p>
      {errors.length > 0 && (
        <p id="member-error" class="field-error">
          {errors.join(" ")}
        </p>
      )}
      {!member && payment.member_id && <p class="notice">{t.paymentsNamedDefault(payment.member_id)}</p>}
      <div
        class="row-fields"
        onKeyDown={(event) => {
          if (event.key === "Enter" && event.target instanceof HTMLInputElement) {
            event.preventDefault(); // Enter in the lookup finds the member; it does not decide the payment
            void find();
          }
        }}
      >
        <Select
          id="lookup-by"
          label={t.paymentsLookupBy}
          value={by}
          options={[
            { value: "curp", label: "CURP" },
            { value: "nss", label: t.paymentsNss },
          ]}
          onChange={(next) => setBy(next as LookupBy)}
          errors={[]}
        />
        <Field
          id="lookup-value"
          label={by === "curp" ? "CURP" : t.paymentsNss}
          value={value}
          onInput={setValue}
          errors={valueErrors}
          invalid={errors.length > 0}
          autoComplete="off"
        />
        <button type="button" disabled={lookup.busy} onClick={() => void find()}>
          {lookup.busy ? t.working : t.paymentsFind}
        </button>
      </div>
      {shown && <ProblemView shown={shown} fields={["curp", "nss", "body"]} />}
      <div aria-live="polite">
        {member && (
          <div class="queue-found">
            <p class="queue-found-title">{t.paymentsFound}</p>
            <dl class="queue-details">
              <div>
                <dt>{t.paymentsMemberId}</dt>
                <dd>
                  <code>{member.member_id}</code>
                </dd>
              </div>
              <div>
                <dt>CURP</dt>
                <dd>
                  <code>{member.curp}</code>
                </dd>
              </div>
              <div>
                <dt>{t.paymentsNss}</dt>
                <dd>
                  <code>{member.nss}</code>
                </dd>
              </div>
              <div>
                <dt>{t.status}</dt>
                <dd>{t.memberStatus[member.status as MemberStatus] ?? member.status}</dd>
              </div>
              <div>
                <dt>{t.paymentsCoveredMonths}</dt>
                <dd>
                  {member.covered_months.length
                    ? member.covered_months.map((month) => formatMonth(month, lang)).join(", ")
                    : t.paymentsNone}
                </dd>
              </div>
            </dl>
          </div>
        )}
      </div>
    </fieldset>
  );
}
