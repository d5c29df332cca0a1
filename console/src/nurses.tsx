// The operators' nurses: invite one (POST /v1/operators/nurses: her Cognito account, e-mailed a temporary password,
// and her profile), the roster page by page (GET /v1/operators/nurses), and deactivating one after a confirmation
// that says what follows (POST …/{nurse_id}/deactivate: account disabled, free slots removed, booked future consults
// cancelled with the members notified). Every rule is the API's: its field errors are shown on the fields it names.
import { useEffect, useRef, useState } from "preact/hooks";
import { call, fieldMessages, type Api, type Schemas } from "./client";
import { formatStamp } from "./time";
import {
  Field,
  ProblemView,
  TextArea,
  useFocusFirstInvalid,
  useFocusOnMount,
  useLoaded,
  useSubmission,
  useTexts,
} from "./ui";
import "./people.css";

type Nurse = Schemas["Nurse"];
type NursePage = Schemas["NursePage"];
type Invitation = Schemas["NurseRequest"];
type Language = Invitation["languages"][number];
type InviteField = Exclude<keyof Invitation, "languages">;
type Deactivation = Schemas["NurseDeactivation"];

const INVITE_FIELDS: readonly InviteField[] = ["full_name", "username", "email", "cedula_profesional"];
const LANGUAGES_FIELD = "languages";
const NOTHING_TYPED: Record<InviteField, string> = { full_name: "", username: "", email: "", cedula_profesional: "" };

export function NurseRoster({ api }: { api: Api }) {
  const { lang, t } = useTexts();
  const heading = useFocusOnMount<HTMLHeadingElement>();
  const [first, reload] = useLoaded<NursePage>(() => call(api.GET("/v1/operators/nurses", {})), [api]);
  const [later, setLater] = useState<NursePage[]>([]);
  // Invited here (the API's answer is her profile: the roster is not read again, so a confirmation being typed stays).
  const [invited, setInvited] = useState<Nurse[]>([]);
  const [changed, setChanged] = useState<Record<string, Nurse>>({}); // as deactivated here, over the pages loaded
  const more = useSubmission();

  // A failed load is asked again in the new language, so its problem is shown in it; a loaded roster stays as it is
  // (reloading it would close a confirmation being typed).
  useEffect(() => {
    if (first.status === "failed") {
      reload();
    }
  }, [lang]); // eslint-disable-line react-hooks/exhaustive-deps -- only on a language switch

  const retry = () => {
    setLater([]);
    reload();
  };
  const pages = first.status === "loaded" ? [first.value, ...later] : [];
  const listed = pages.flatMap((page) => page.items);
  const nurses = [...listed, ...invited.filter((nurse) => !listed.some((other) => other.nurse_id === nurse.nurse_id))]
    .map((nurse) => changed[nurse.nurse_id] ?? nurse);
  const next = pages.at(-1)?.next ?? null;

  const showMore = (after: string) =>
    more.run(async () => {
      const page = await call(api.GET("/v1/operators/nurses", { params: { query: { after } } }));
      setLater((previous) => [...previous, page]);
    });

  return (
    <>
      <h1 tabIndex={-1} ref={heading}>
        {t.rosterTitle}
      </h1>
      <InviteForm api={api} onInvited={(nurse) => setInvited((previous) => [...previous, nurse])} />
      <section class="card roster" aria-labelledby="roster-title">
        <h2 id="roster-title">{t.rosterListTitle}</h2>
        <div aria-live="polite" aria-busy={first.status === "loading" ? "true" : "false"}>
          {first.status === "loading" && <p class="loading">{t.loading}</p>}
          {first.status === "failed" && (
            <>
              <ProblemView shown={first.shown} />
              <button type="button" onClick={retry}>
                {t.retry}
              </button>
            </>
          )}
        </div>
        {first.status === "loaded" &&
          (nurses.length === 0 ? (
            <p class="muted">{t.rosterEmpty}</p>
          ) : (
            <RosterTable
              api={api}
              nurses={nurses}
              onDeactivated={({ nurse }) => setChanged((previous) => ({ ...previous, [nurse.nurse_id]: nurse }))}
            />
          ))}
        {next !== null && (
          <button type="button" disabled={more.busy} onClick={() => void showMore(next)}>
            {more.busy ? t.loading : t.rosterMore}
          </button>
        )}
        {more.problem && <ProblemView shown={more.problem} />}
      </section>
    </>
  );
}

/** The invitation: sent as typed (the API checks it); on success the form empties for the next one. */
function InviteForm({ api, onInvited }: { api: Api; onInvited: (nurse: Nurse) => void }) {
  const { t } = useTexts();
  const form = useRef<HTMLFormElement>(null);
  const [draft, setDraft] = useState(NOTHING_TYPED);
  const [languages, setLanguages] = useState<Language[]>(["es"]);
  const [invited, setInvited] = useState<Nurse | null>(null);
  const { busy, problem, failures, run } = useSubmission();
  useFocusFirstInvalid(form, failures);

  const offered = Object.keys(t.rosterLanguage) as Language[];
  // The API names a language as `languages` (none, too many) or `languages[i]`, i being its place in what was sent.
  const languageErrors = (problem?.kind === "api" ? (problem.problem.errors ?? []) : [])
    .filter((item) => item.field === LANGUAGES_FIELD || item.field.startsWith(`${LANGUAGES_FIELD}[`))
    .map((item) => item.message);
  const inline = [...INVITE_FIELDS, LANGUAGES_FIELD, ...offered.map((_, index) => `${LANGUAGES_FIELD}[${index}]`)];

  const submit = async (event: Event) => {
    event.preventDefault();
    setInvited(null);
    // In the catalogue's order, whatever order they were ticked in.
    const body: Invitation = { ...draft, languages: offered.filter((code) => languages.includes(code)) };
    await run(async () => {
      const nurse = await call(api.POST("/v1/operators/nurses", { body }));
      setInvited(nurse);
      setDraft(NOTHING_TYPED);
      setLanguages(["es"]);
      onInvited(nurse);
    });
  };

  return (
    <form ref={form} class="card form" noValidate onSubmit={submit} aria-labelledby="invite-title">
      <h2 id="invite-title">{t.rosterInviteTitle}</h2>
      <p class="note">{t.rosterInviteIntro}</p>
      <div class="invite-fields">
        {INVITE_FIELDS.map((name) => (
          <Field
            key={name}
            id={`invite-${name}`}
            label={t.rosterField[name]}
            hint={t.rosterFieldHint[name]}
            value={draft[name]}
            onInput={(value) => setDraft((previous) => ({ ...previous, [name]: value }))}
            inputMode={name === "cedula_profesional" ? "numeric" : undefined}
            autoComplete="off" // someone else's details: not the operator's own to fill in
            errors={fieldMessages(problem, name)}
          />
        ))}
      </div>
      <fieldset class="group" aria-describedby={languageErrors.length ? "invite-languages-error" : undefined}>
        <legend>{t.rosterLanguages}</legend>
        {languageErrors.length > 0 && (
          <p id="invite-languages-error" class="field-error">
            {languageErrors.join(" ")}
          </p>
        )}
        <div class="languages">
          {offered.map((code) => (
            <div key={code} class="field checkbox">
              <input
                id={`invite-language-${code}`}
                type="checkbox"
                checked={languages.includes(code)}
                onChange={(event) => {
                  const checked = event.currentTarget.checked;
                  setLanguages((previous) => (checked ? [...previous, code] : previous.filter((c) => c !== code)));
                }}
                aria-invalid={languageErrors.length > 0 ? "true" : undefined}
              />
              <label for={`invite-language-${code}`}>{t.rosterLanguage[code]}</label>
            </div>
          ))}
        </div>
      </fieldset>
      {problem && <ProblemView shown={problem} fields={inline} />}
      <div aria-live="polite">
        {invited && <p class="notice notice-ok">{t.rosterInvited(invited.full_name, invited.username)}</p>}
      </div>
      <button type="submit" class="primary" disabled={busy}>
        {busy ? t.rosterInviting : t.rosterInvite}
      </button>
    </form>
  );
}

interface TableProps {
  api: Api;
  nurses: Nurse[];
  onDeactivated: (answer: Deactivation) => void;
}

const COLUMNS = 5;

function RosterTable({ api, nurses, onDeactivated }: TableProps) {
  const { lang, t } = useTexts();
  const [asking, setAsking] = useState<Nurse | null>(null);
  const [done, setDone] = useState<Deactivation | null>(null);
  const said = useRef<HTMLParagraphElement>(null);
  const returnTo = useRef<string | null>(null);

  // Back from a confirmation, the keyboard user lands on the button that opened it; after a deactivation, on what
  // happened (that button is gone).
  useEffect(() => {
    if (asking === null && done !== null) {
      said.current?.focus();
    } else if (asking === null && returnTo.current) {
      document.getElementById(returnTo.current)?.focus();
      returnTo.current = null;
    }
  }, [asking, done]);

  // Her profile lists languages as text: one the console has no name for yet is shown by its code.
  const language = (code: string) => (t.rosterLanguage as Record<string, string>)[code] ?? code;

  return (
    <>
      <div aria-live="polite">
        {done && (
          <p ref={said} tabIndex={-1} class="notice notice-ok">
            {t.rosterDeactivated(done.nurse.full_name, done.consults_cancelled, done.slots_removed)}
          </p>
        )}
      </div>
      <div class="table-scroll">
        <table class="roster-table" aria-labelledby="roster-title">
          <thead>
            <tr>
              <th scope="col">{t.rosterName}</th>
              <th scope="col">{t.rosterCedula}</th>
              <th scope="col">{t.rosterLanguagesColumn}</th>
              <th scope="col">{t.rosterStatusColumn}</th>
              <th scope="col">{t.rosterActionsColumn}</th>
            </tr>
          </thead>
          <tbody>
            {nurses.map((nurse) => {
              const button = `deactivate-${nurse.nurse_id}`;
              return [
                <tr key={nurse.nurse_id} class={`nurse-${nurse.status}`}>
                  <th scope="row">
                    {nurse.full_name}
                    <span class="cell-detail">
                      {t.rosterUsername}: {nurse.username}
                    </span>
                    <span class="cell-detail">
                      {t.rosterId}: <code>{nurse.nurse_id}</code>
                    </span>
                  </th>
                  <td>{nurse.cedula_profesional}</td>
                  <td>{nurse.languages.map(language).join(", ")}</td>
                  <td>
                    <span class={`badge nurse-badge-${nurse.status}`}>{t.rosterStatus[nurse.status]}</span>
                    {nurse.status === "inactive" && nurse.deactivated_at && (
                      <span class="cell-detail">{formatStamp(nurse.deactivated_at, lang)}</span>
                    )}
                    {nurse.status === "inactive" && nurse.deactivation_reason && (
                      <span class="cell-detail reason">{nurse.deactivation_reason}</span>
                    )}
                    {nurse.status === "active" && (
                      <span class="cell-detail">{t.rosterSince(formatStamp(nurse.created_at, lang))}</span>
                    )}
                  </td>
                  <td>
                    {nurse.status === "active" && asking?.nurse_id !== nurse.nurse_id && (
                      <button
                        type="button"
                        id={button}
                        aria-label={t.rosterDeactivateLabel(nurse.full_name)}
                        onClick={() => {
                          setDone(null);
                          setAsking(nurse);
                        }}
                      >
                        {t.rosterDeactivate}
                      </button>
                    )}
                  </td>
                </tr>,
                asking?.nurse_id === nurse.nurse_id && (
                  <tr key={`${nurse.nurse_id}-confirm`} class="confirm-row">
                    <td colSpan={COLUMNS}>
                      <DeactivateForm
                        api={api}
                        nurse={nurse}
                        onBack={() => {
                          returnTo.current = button;
                          setAsking(null);
                        }}
                        onDone={(answer) => {
                          setDone(answer);
                          setAsking(null);
                          onDeactivated(answer);
                        }}
                      />
                    </td>
                  </tr>
                ),
              ];
            })}
          </tbody>
        </table>
      </div>
    </>
  );
}

interface DeactivateProps {
  api: Api;
  nurse: Nurse;
  onBack: () => void;
  onDone: (answer: Deactivation) => void;
}

/** The confirmation: what deactivating her does, and the reason the API requires. */
function DeactivateForm({ api, nurse, onBack, onDone }: DeactivateProps) {
  const { t } = useTexts();
  const form = useRef<HTMLFormElement>(null);
  const [reason, setReason] = useState("");
  const { busy, problem, failures, run } = useSubmission();
  useFocusFirstInvalid(form, failures);
  const id = `deactivate-${nurse.nurse_id}`;

  useEffect(() => document.getElementById(`${id}-reason`)?.focus(), [id]); // where she acts next: the reason

  const submit = async (event: Event) => {
    event.preventDefault();
    await run(async () =>
      onDone(
        await call(
          api.POST("/v1/operators/nurses/{nurse_id}/deactivate", {
            params: { path: { nurse_id: nurse.nurse_id } },
            body: { reason },
          }),
        ),
      ),
    );
  };

  return (
    <form ref={form} class="confirm-panel" noValidate onSubmit={submit} aria-labelledby={`${id}-title`}>
      <h3 id={`${id}-title`}>{t.rosterConfirmTitle(nurse.full_name)}</h3>
      <ul>
        {t.rosterConfirmEffects.map((effect) => (
          <li key={effect}>{effect}</li>
        ))}
      </ul>
      <p class="note">{t.rosterConfirmKept}</p>
      <TextArea
        id={`${id}-reason`}
        label={t.rosterReason}
        hint={t.rosterReasonHint}
        value={reason}
        onInput={setReason}
        errors={fieldMessages(problem, "reason")}
      />
      {problem && <ProblemView shown={problem} fields={["reason"]} />}
      <div class="actions">
        <button type="submit" class="danger" disabled={busy}>
          {busy ? t.rosterConfirming : t.rosterConfirm}
        </button>
        <button type="button" onClick={onBack}>
          {t.rosterKeep}
        </button>
      </div>
    </form>
  );
}
