// A consult's page, opened from the agenda (`#consult/<day>/<appointment id>`): who, why, when and its status; by
// status, start it (inside its join window), record that the patient did not come, or cancel it with a reason; once
// started, the structured note that ends it, signed by the API with her token; then addenda to that signed note. The
// patient's history is read only when she asks, since every read is recorded in the record's audit log.
import { useEffect, useRef, useState } from "preact/hooks";
import { call, fieldMessages, type Api, type Schemas, type Shown } from "./client";
import { FollowUp } from "./followup";
import type { NoteText, VitalSign } from "./i18n";
import { ConsultDetails } from "./nurse";
import { formatDateTime, formatTime, joinWindow } from "./time";
import {
  Checkbox,
  Field,
  LoadingOrFailed,
  ProblemView,
  failureOf,
  TextArea,
  numberOf,
  useFocusFirstInvalid,
  useFocusOnMount,
  useNow,
  useSubmission,
  useTexts,
} from "./ui";
import { VideoRoom } from "./video";

type Appointment = Schemas["AppointmentWithReason"];
type Changed = Schemas["AppointmentOut"];
type Entry = Schemas["Entry"];
type Note = Schemas["ConsultNote-Input"];
type VitalSigns = Schemas["VitalSigns-Input"];

type Loaded = { status: "loading" } | { status: "failed"; shown: Shown } | { status: "ready" };

export function ConsultPage({ api, day, id }: { api: Api; day: string; id: string }) {
  const { lang, t } = useTexts();
  const heading = useFocusOnMount<HTMLHeadingElement>();
  const now = useNow(15_000);
  const [loaded, setLoaded] = useState<Loaded>({ status: "loading" });
  const [item, setItem] = useState<Appointment | null>(null);
  const [signed, setSigned] = useState<Entry | null>(null);
  const [said, setSaid] = useState("");
  const [reloads, setReloads] = useState(0);

  useEffect(() => {
    let current = true;
    setLoaded({ status: "loading" });
    call(api.GET("/v1/nurse/appointments/{appointment_id}", { params: { path: { appointment_id: id } } }))
      .then((found) => {
        if (current) {
          setItem(found);
          setLoaded({ status: "ready" });
        }
      })
      .catch((thrown: unknown) => {
        const shown = failureOf(thrown);
        if (current && shown) {
          setLoaded({ status: "failed", shown });
        }
      });
    return () => {
      current = false;
    };
  }, [api, id, reloads]);

  const changed = (answer: Changed, message: string) => {
    setItem((previous) => (previous ? { ...previous, ...answer } : previous));
    setSaid(message);
  };

  return (
    <>
      <p class="back">
        <a href={`#agenda/${day}`}>
          <span aria-hidden="true">‹ </span>
          {t.backToAgenda}
        </a>
      </p>
      <h1 tabIndex={-1} ref={heading}>
        {t.consultTitle}
        {item && (
          <span class="title-detail">
            {" · "}
            <time dateTime={item.start}>{formatDateTime(new Date(item.start), lang)}</time>
          </span>
        )}
      </h1>
      <LoadingOrFailed loaded={loaded} retry={() => setReloads((count) => count + 1)} />
      {loaded.status === "ready" && item && (
        <div class="consult-page">
          <section class="card" aria-labelledby="consult-summary">
            <h2 id="consult-summary" class="consult-head">
              <span>
                <time dateTime={item.start}>{formatTime(new Date(item.start), lang)}</time>
                {" – "}
                <time dateTime={item.end}>{formatTime(new Date(item.end), lang)}</time>
              </span>
              <span class={`badge badge-${item.status}`}>{t.appointmentStatus[item.status]}</span>
            </h2>
            <ConsultDetails item={item} now={now} />
            <p class="muted">{t.timesNote}</p>
          </section>
          <div aria-live="polite">{said && <p class="notice notice-ok">{said}</p>}</div>
          <VideoRoom api={api} item={item} now={now} />
          {item.status === "booked" && <BookedActions api={api} item={item} now={now} onChanged={changed} />}
          {item.status === "arrived" && (
            <NoteForm
              api={api}
              item={item}
              onSigned={(entry) => {
                setSigned(entry);
                setItem({ ...item, status: "fulfilled" });
                setSaid(""); // the signed note's heading takes the focus and says it
              }}
            />
          )}
          {signed && <SignedNote api={api} entry={signed} />}
          {item.status === "fulfilled" && !signed && <p class="note">{t.fulfilledElsewhere}</p>}
          <FollowUp api={api} appointment={item} />
          {item.status !== "cancelled" && (
            <PatientHistory api={api} item={item} signedHere={signed?.entry_id ?? null} />
          )}
        </div>
      )}
    </>
  );
}

interface ActionsProps {
  api: Api;
  item: Appointment;
  now: Date;
  onChanged: (answer: Changed, message: string) => void;
}

/** A booked consult: start it inside its join window, record the patient's no-show (from the time the API gives, after
 * a confirmation), or cancel it with a reason. The API still decides: its 409 is shown as it comes. */
function BookedActions({ api, item, now, onChanged }: ActionsProps) {
  const { lang, t } = useTexts();
  const [asking, setAsking] = useState<"none" | "noshow" | "cancel">("none");
  const [reason, setReason] = useState("");
  const { busy, problem, failures, run } = useSubmission();
  const section = useRef<HTMLElement>(null);
  useFocusFirstInvalid(section, failures);
  const join = joinWindow(new Date(item.join_opens_at), new Date(item.end), now);
  const path = { params: { path: { appointment_id: item.appointment_id } } };

  const act = (request: () => Promise<Changed>, done: string) => run(async () => onChanged(await request(), done));
  const start = () => act(() => call(api.POST("/v1/nurse/appointments/{appointment_id}/start", path)), t.started);
  const absent = () =>
    act(() => call(api.POST("/v1/nurse/appointments/{appointment_id}/noshow", path)), t.patientAbsentRecorded);
  const cancel = (event: Event) => {
    event.preventDefault();
    void act(
      () => call(api.POST("/v1/nurse/appointments/{appointment_id}/cancel", { ...path, body: { reason } })),
      t.cancelled,
    );
  };

  return (
    <section ref={section} class="card" aria-labelledby="consult-actions">
      <h2 id="consult-actions">{t.actionsTitle}</h2>
      {join.state === "open" ? (
        <button type="button" class="primary" disabled={busy} onClick={start}>
          {t.startConsult}
        </button>
      ) : (
        <p class="note">
          {join.state === "not-yet"
            ? t.startFrom(formatTime(join.opens, lang), formatTime(join.closes, lang))
            : t.startClosed}
        </p>
      )}
      <div class="actions">
        {asking === "noshow" ? (
          <div class="confirm" role="group" aria-labelledby="noshow-question">
            <p id="noshow-question">{t.patientAbsentConfirm}</p>
            <button type="button" disabled={busy} onClick={absent}>
              {t.patientAbsentYes}
            </button>
            <button type="button" onClick={() => setAsking("none")}>
              {t.goBack}
            </button>
          </div>
        ) : (
          asking === "none" && (
            <>
              {now >= new Date(item.noshow_from) ? (
                <button type="button" onClick={() => setAsking("noshow")}>
                  {t.patientAbsent}
                </button>
              ) : (
                <p class="note">{t.patientAbsentFrom(formatTime(new Date(item.noshow_from), lang))}</p>
              )}
              <button type="button" onClick={() => setAsking("cancel")}>
                {t.cancelConsult}
              </button>
            </>
          )
        )}
      </div>
      {asking === "cancel" && (
        <form class="confirm" noValidate onSubmit={cancel}>
          <TextArea
            id="cancel-reason"
            label={t.cancelReason}
            hint={t.cancelReasonHint}
            value={reason}
            onInput={setReason}
            errors={fieldMessages(problem, "reason")}
          />
          <button type="submit" disabled={busy}>
            {busy ? t.working : t.confirmCancel}
          </button>{" "}
          <button type="button" onClick={() => setAsking("none")}>
            {t.keepConsult}
          </button>
        </form>
      )}
      {problem && <ProblemView shown={problem} fields={asking === "cancel" ? ["reason"] : []} />}
    </section>
  );
}

const NOTE_TEXTS: readonly NoteText[] = ["reason", "symptoms", "assessment", "plan", "recommendations", "prognosis"];
const VITALS: readonly VitalSign[] = [
  "temperature_c",
  "heart_rate_bpm",
  "respiratory_rate_rpm",
  "systolic_mmhg",
  "diastolic_mmhg",
  "oxygen_saturation_pct",
  "glucose_mg_dl",
  "weight_kg",
  "height_cm",
];
const DECIMALS: readonly VitalSign[] = ["temperature_c", "weight_kg", "height_cm"];

/** The structured note (POST …/end): sent as typed (the API checks it), vital signs left empty are left out. */
function NoteForm({ api, item, onSigned }: { api: Api; item: Appointment; onSigned: (entry: Entry) => void }) {
  const { t } = useTexts();
  const form = useRef<HTMLFormElement>(null);
  const [texts, setTexts] = useState<Record<NoteText, string>>(() => ({
    reason: item.reason, // the member's words when booking, for her to confirm or rewrite
    symptoms: "",
    assessment: "",
    plan: "",
    recommendations: "",
    prognosis: "",
    free_text: "",
  }));
  const [vitals, setVitals] = useState<Record<VitalSign, string>>(
    () => Object.fromEntries(VITALS.map((name) => [name, ""])) as Record<VitalSign, string>,
  );
  const [refer, setRefer] = useState(false);
  const [why, setWhy] = useState("");
  const [local, setLocal] = useState<Partial<Record<VitalSign, string>>>({});
  const { busy, problem, failures, refuse, run } = useSubmission();
  useFocusFirstInvalid(form, failures);

  const at = (field: string) => fieldMessages(problem, field);
  const inline = [
    ...NOTE_TEXTS,
    "free_text",
    "vital_signs",
    ...VITALS.map((name) => `vital_signs.${name}`),
    "referral",
    "referral.to_family_medicine_unit",
    "referral.why",
  ];

  const submit = async (event: Event) => {
    event.preventDefault();
    const measured: VitalSigns = {};
    const wrong: Partial<Record<VitalSign, string>> = {};
    for (const name of VITALS) {
      const value = numberOf(vitals[name]);
      if (value === null) {
        wrong[name] = t.notANumber;
      } else if (value !== undefined) {
        measured[name] = value;
      }
    }
    setLocal(wrong);
    if (Object.keys(wrong).length > 0) {
      refuse(null);
      return;
    }
    const note: Note = {
      reason: texts.reason,
      symptoms: texts.symptoms,
      assessment: texts.assessment,
      plan: texts.plan,
      recommendations: texts.recommendations,
      prognosis: texts.prognosis,
      referral: { to_family_medicine_unit: refer, why },
      ...(Object.keys(measured).length > 0 ? { vital_signs: measured } : {}),
      ...(texts.free_text.trim() ? { free_text: texts.free_text } : {}),
    };
    await run(async () =>
      onSigned(
        await call(
          api.POST("/v1/nurse/appointments/{appointment_id}/end", {
            params: { path: { appointment_id: item.appointment_id } },
            body: note,
          }),
        ),
      ),
    );
  };

  const text = (name: NoteText, rows = 3) => (
    <TextArea
      id={`note-${name}`}
      label={t.noteText[name]}
      rows={rows}
      value={texts[name]}
      onInput={(value) => setTexts((previous) => ({ ...previous, [name]: value }))}
      errors={at(name)}
    />
  );

  return (
    <form ref={form} class="card form" noValidate onSubmit={submit} aria-labelledby="note-title">
      <h2 id="note-title">{t.noteTitle}</h2>
      <p class="note">{t.noteIntro}</p>
      <div class="note-grid">
        {text("reason", 2)}
        {text("symptoms")}
      </div>
      <fieldset class="group" aria-describedby={at("vital_signs").length ? "vital-signs-error" : undefined}>
        <legend>{t.vitalsLegend}</legend>
        <p class="hint">{t.vitalsHint}</p>
        {at("vital_signs").length > 0 && (
          <p id="vital-signs-error" class="field-error">
            {at("vital_signs").join(" ")}
          </p>
        )}
        <div class="vitals">
          {VITALS.map((name) => (
            <Field
              key={name}
              id={`vital-${name}`}
              label={t.vitalSign[name]}
              inputMode={DECIMALS.includes(name) ? "decimal" : "numeric"}
              value={vitals[name]}
              onInput={(value) => setVitals((previous) => ({ ...previous, [name]: value }))}
              errors={local[name] ? [local[name]] : at(`vital_signs.${name}`)}
            />
          ))}
        </div>
      </fieldset>
      <div class="note-grid">
        {text("assessment")}
        {text("plan")}
        {text("recommendations")}
        {text("prognosis", 2)}
      </div>
      <fieldset class="group" aria-describedby={at("referral").length ? "referral-error" : undefined}>
        <legend>{t.referralLegend}</legend>
        {at("referral").length > 0 && (
          <p id="referral-error" class="field-error">
            {at("referral").join(" ")}
          </p>
        )}
        <Checkbox
          id="referral-to-unit"
          label={t.referToUnit}
          checked={refer}
          onChange={setRefer}
          errors={at("referral.to_family_medicine_unit")}
        />
        <TextArea id="referral-why" label={t.referralWhy} value={why} onInput={setWhy} errors={at("referral.why")} />
      </fieldset>
      {text("free_text")}
      {problem && <ProblemView shown={problem} fields={inline} />}
      <button type="submit" class="primary" disabled={busy}>
        {busy ? t.signing : t.signNote}
      </button>
    </form>
  );
}

/** Who signed an entry, when, and its hash: the confirmation that it is in the record. */
function Signature({ entry }: { entry: Entry }) {
  const { lang, t } = useTexts();
  return (
    <dl class="consult-details">
      <div>
        <dt>{t.signedAt}</dt>
        <dd>
          <time dateTime={entry.recorded_at}>{formatDateTime(new Date(entry.recorded_at), lang)}</time>
        </dd>
      </div>
      <div>
        <dt>{t.signedBy}</dt>
        <dd>
          {entry.signed_by.full_name}
          <span class="muted">{`, ${t.cedula(entry.signed_by.cedula_profesional)}`}</span>
        </dd>
      </div>
      <div>
        <dt>{t.entryId}</dt>
        <dd>{t.entryNumber(entry.seq)}</dd>
      </div>
      <div>
        <dt>{t.entryHash}</dt>
        <dd>
          <code class="hash">{entry.hash}</code>
        </dd>
      </div>
    </dl>
  );
}

function SignedNote({ api, entry }: { api: Api; entry: Entry }) {
  const { t } = useTexts();
  const heading = useFocusOnMount<HTMLHeadingElement>(); // the form she sent is gone: her focus goes to its result
  return (
    <section class="card signed" aria-labelledby="signed-title">
      <h2 id="signed-title" tabIndex={-1} ref={heading}>
        {t.noteSigned}
      </h2>
      <Signature entry={entry} />
      <AddendumForm api={api} entry={entry} />
    </section>
  );
}

/** A signed addendum to an entry (POST …/addenda); the entry itself never changes. */
function AddendumForm({ api, entry }: { api: Api; entry: Entry }) {
  const { lang, t } = useTexts();
  const form = useRef<HTMLFormElement>(null);
  const [text, setText] = useState("");
  const { busy, problem, failures, run } = useSubmission();
  const [addenda, setAddenda] = useState<Entry[]>([]);
  useFocusFirstInvalid(form, failures);
  const id = `addendum-${entry.entry_id}`;

  const submit = async (event: Event) => {
    event.preventDefault();
    await run(async () => {
      const added = await call(
        api.POST("/v1/nurse/records/{patient_id}/entries/{entry_id}/addenda", {
          params: { path: { patient_id: entry.patient_id, entry_id: entry.entry_id } },
          body: { text },
        }),
      );
      setAddenda((previous) => [...previous, added]);
      setText("");
    });
  };

  return (
    <form ref={form} class="addendum" noValidate onSubmit={submit} aria-labelledby={`${id}-title`}>
      <h3 id={`${id}-title`}>{t.addendumTitle}</h3>
      <div aria-live="polite">
        {addenda.map((added) => (
          <div key={added.entry_id} class="notice notice-ok">
            <p>{t.addendumSigned(formatTime(new Date(added.recorded_at), lang))}</p>
            <p>
              {t.entryHash}: <code class="hash">{added.hash}</code>
            </p>
          </div>
        ))}
      </div>
      <TextArea
        id={`${id}-text`}
        label={t.addendumText}
        hint={t.addendumHint}
        value={text}
        onInput={setText}
        errors={fieldMessages(problem, "text")}
      />
      {problem && <ProblemView shown={problem} fields={["text"]} />}
      <button type="submit" disabled={busy}>
        {busy ? t.signing : t.signAddendum}
      </button>
    </form>
  );
}

type History = { entries: Entry[]; next: number | null };

/** The patient's record, newest first, read on request (GET /v1/nurse/patients/{id}/record: audited). */
function PatientHistory({ api, item, signedHere }: { api: Api; item: Appointment; signedHere: string | null }) {
  const { lang, t } = useTexts();
  const [history, setHistory] = useState<History | null>(null);
  const [problem, setProblem] = useState<Shown | null>(null);
  const [busy, setBusy] = useState(false);

  const read = async (before: number | null) => {
    setBusy(true);
    setProblem(null);
    try {
      const page = await call(
        api.GET("/v1/nurse/patients/{patient_id}/record", {
          params: { path: { patient_id: item.patient_id }, query: before === null ? {} : { before } },
        }),
      );
      setHistory((previous) => ({
        entries: [...(before === null ? [] : (previous?.entries ?? [])), ...page.items],
        next: page.next,
      }));
    } catch (thrown) {
      setProblem(failureOf(thrown));
    } finally {
      setBusy(false);
    }
  };

  const seqOf = (entryId: string | null) => history?.entries.find((entry) => entry.entry_id === entryId)?.seq;

  return (
    <section class="card" aria-labelledby="history-title">
      <h2 id="history-title">{t.historyTitle}</h2>
      <p class="note">{t.historyNotice}</p>
      {history === null ? (
        <button type="button" disabled={busy} onClick={() => void read(null)}>
          {busy ? t.loading : t.showHistory}
        </button>
      ) : history.entries.length === 0 ? (
        <p class="muted">{t.historyEmpty}</p>
      ) : (
        <ol class="history">
          {history.entries.map((entry) => {
            const content = entry.content;
            const amended = entry.amends === null ? undefined : seqOf(entry.amends);
            return (
              <li key={entry.entry_id}>
                <h3>
                  {t.entryKind[entry.kind]} · {t.entryNumber(entry.seq)}
                </h3>
                <p class="muted">
                  <time dateTime={entry.occurred_at}>{formatDateTime(new Date(entry.occurred_at), lang)}</time>
                  {` · ${entry.signed_by.full_name}`}
                  {amended !== undefined && ` · ${t.amends(amended)}`}
                </p>
                {"text" in content ? (
                  <p class="reason">{content.text}</p>
                ) : (
                  <dl class="consult-details">
                    {(["reason", "assessment", "plan"] as const).map((name) => (
                      <div key={name}>
                        <dt>{t.noteText[name]}</dt>
                        <dd class="reason">{content[name]}</dd>
                      </div>
                    ))}
                    <div>
                      <dt>{t.referralLegend}</dt>
                      <dd>{content.referral.to_family_medicine_unit ? t.referredYes : t.referredNo}</dd>
                    </div>
                  </dl>
                )}
                {entry.kind === "consult-note" &&
                  entry.appointment_id === item.appointment_id &&
                  entry.entry_id !== signedHere && <AddendumForm api={api} entry={entry} />}
              </li>
            );
          })}
        </ol>
      )}
      {history?.next !== null && history?.next !== undefined && (
        <button type="button" disabled={busy} onClick={() => void read(history.next)}>
          {t.olderEntries}
        </button>
      )}
      {problem && <ProblemView shown={problem} />}
    </section>
  );
}
