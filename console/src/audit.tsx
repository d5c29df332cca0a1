// The operators' record-audit search (POST /v1/operators/record-audit/search): by a patient's CURP (in the body, never
// in the address; kept only in this page's memory) or by the user who acted, newest first, a page at a time. Who
// read, exported or wrote in whose record, when, and the consult that justified it; never any clinical content.
import { useEffect, useRef, useState } from "preact/hooks";
import { call, fieldMessages, type Api, type Schemas } from "./client";
import { formatStamp } from "./time";
import {
  Field,
  ProblemView,
  Segmented,
  Select,
  useFocusFirstInvalid,
  useFocusOnMount,
  useLoaded,
  useSubmission,
  useTexts,
} from "./ui";
import "./people.css";

type AuditQuery = Schemas["AuditQuery"];
type AuditEvent = Schemas["AuditEvent"];
type NursePage = Schemas["NursePage"];
type By = "curp" | "actor_id";

const PAGE_SIZES = ["10", "20", "50", "100"];
const DEFAULT_PAGE_SIZE = "50";

/** The nurses' names by id, to say who acted: the roster is small, so it is read whole, a page at a time. */
async function nurseNames(api: Api): Promise<Map<string, string>> {
  const names = new Map<string, string>();
  let after: string | null = null;
  do {
    const query = { limit: 100, ...(after === null ? {} : { after }) };
    const page: NursePage = await call(api.GET("/v1/operators/nurses", { params: { query } }));
    for (const nurse of page.items) {
      names.set(nurse.nurse_id, nurse.full_name);
    }
    after = page.next;
  } while (after !== null);
  return names;
}

/** What a search found so far, and the query it answers (asked again with `before` for the next page). */
interface Found {
  search: number;
  query: AuditQuery;
  events: AuditEvent[];
  next: string | null;
}

export function RecordAudit({ api }: { api: Api }) {
  const { t } = useTexts();
  const heading = useFocusOnMount<HTMLHeadingElement>();
  const form = useRef<HTMLFormElement>(null);
  const [by, setBy] = useState<By>("curp");
  const [typed, setTyped] = useState<Record<By, string>>({ curp: "", actor_id: "" });
  const [limit, setLimit] = useState(DEFAULT_PAGE_SIZE);
  const [found, setFound] = useState<Found | null>(null);
  const [firstNew, setFirstNew] = useState<string | null>(null);
  const searches = useRef(0); // each search's results are new: their heading takes the focus
  const search = useSubmission();
  const more = useSubmission();
  useFocusFirstInvalid(form, search.failures);
  // Without the roster (it failed to load), who acted is still said by role and id.
  const [roster] = useLoaded(() => nurseNames(api), [api]);
  const names = roster.status === "loaded" ? roster.value : new Map<string, string>();

  // After "show more", the keyboard user goes on reading at the first access it added.
  useEffect(() => {
    if (firstNew) {
      document.getElementById(`audit-${firstNew}`)?.focus();
    }
  }, [firstNew]);

  const find = async (query: AuditQuery) => {
    setFound(null); // results left on screen under a failed search would read as its answer
    setFirstNew(null);
    await search.run(async () => {
      const page = await call(api.POST("/v1/operators/record-audit/search", { body: query }));
      searches.current += 1;
      setFound({ search: searches.current, query, events: page.items, next: page.next });
    });
  };

  const submit = (event: Event) => {
    event.preventDefault();
    void find({
      curp: by === "curp" ? typed.curp : null,
      actor_id: by === "actor_id" ? typed.actor_id : null,
      before: null,
      limit: Number(limit),
    });
  };

  const byActor = (actorId: string) => {
    setBy("actor_id");
    setTyped((previous) => ({ ...previous, actor_id: actorId }));
    void find({ curp: null, actor_id: actorId, before: null, limit: Number(limit) });
  };

  const showMore = (shown: Found, before: string) =>
    more.run(async () => {
      const page = await call(api.POST("/v1/operators/record-audit/search", { body: { ...shown.query, before } }));
      setFound({ ...shown, events: [...shown.events, ...page.items], next: page.next });
      setFirstNew(page.items[0]?.event_id ?? null);
    });

  return (
    <>
      <h1 tabIndex={-1} ref={heading}>
        {t.auditTitle}
      </h1>
      <p class="note">{t.auditIntro}</p>
      <form ref={form} class="card search-form" noValidate onSubmit={submit} aria-label={t.auditTitle}>
        <div class="search-fields">
          <Segmented
            legend={t.auditBy}
            name="audit-by"
            options={[
              { value: "curp", label: t.auditByPatient },
              { value: "actor_id", label: t.auditByActor },
            ]}
            value={by}
            onChange={setBy}
          />
          <Field
            key={by}
            id={`audit-${by}`}
            class="identifier"
            label={by === "curp" ? t.auditCurp : t.auditActor}
            hint={by === "curp" ? t.auditCurpHint : t.auditActorHint}
            value={typed[by]}
            onInput={(value) => setTyped((previous) => ({ ...previous, [by]: value }))}
            autoComplete="off" // a CURP must not be kept in the browser's form history
            errors={fieldMessages(search.problem, by)}
          />
          <Select
            id="audit-limit"
            label={t.auditLimit}
            value={limit}
            options={PAGE_SIZES.map((size) => ({ value: size, label: size }))}
            onChange={setLimit}
            errors={fieldMessages(search.problem, "limit")}
          />
          <button type="submit" class="primary search-submit" disabled={search.busy}>
            {search.busy ? t.auditSearching : t.auditSearch}
          </button>
        </div>
        {search.problem && <ProblemView shown={search.problem} fields={[by, "limit"]} />}
      </form>
      {found && (
        <AuditResults
          key={found.search}
          found={found}
          names={names}
          onActor={byActor}
          moreBusy={more.busy}
          onMore={(before) => void showMore(found, before)}
        />
      )}
      {more.problem && <ProblemView shown={more.problem} />}
    </>
  );
}

interface ResultsProps {
  found: Found;
  names: Map<string, string>;
  onActor: (actorId: string) => void;
  moreBusy: boolean;
  onMore: (before: string) => void;
}

function AuditResults({ found, names, onActor, moreBusy, onMore }: ResultsProps) {
  const { lang, t } = useTexts();
  const heading = useFocusOnMount<HTMLHeadingElement>(); // the answer to her search: announced, and where she reads on
  const { events, query, next } = found;

  return (
    <section class="card" aria-labelledby="audit-results">
      <h2 id="audit-results" tabIndex={-1} ref={heading}>
        {t.auditResults}
      </h2>
      <p class="muted" aria-live="polite">
        {events.length === 0 ? t.auditEmpty : t.auditShown(events.length)}
      </p>
      {events.length > 0 && (
        <div class="table-scroll">
          <table class="audit-table" aria-labelledby="audit-results">
            <thead>
              <tr>
                <th scope="col">{t.auditWhen}</th>
                <th scope="col">{t.auditWho}</th>
                <th scope="col">{t.auditAction}</th>
                <th scope="col">{t.auditPatient}</th>
                <th scope="col">{t.auditWhy}</th>
              </tr>
            </thead>
            <tbody>
              {events.map((event) => (
                <tr key={event.event_id}>
                  <th scope="row" id={`audit-${event.event_id}`} tabIndex={-1}>
                    <time dateTime={event.at}>{formatStamp(event.at, lang, true)}</time>
                  </th>
                  <td>
                    {names.get(event.actor_id) ?? t.auditRole[event.actor_role]}
                    <span class="cell-detail">
                      {names.has(event.actor_id) && `${t.auditRole[event.actor_role]} · `}
                      <code>{event.actor_id}</code>
                    </span>
                    {query.actor_id !== event.actor_id && (
                      <button
                        type="button"
                        class="link-button"
                        aria-label={t.auditActorSearchLabel(event.actor_id)}
                        onClick={() => onActor(event.actor_id)}
                      >
                        {t.auditActorSearch}
                      </button>
                    )}
                  </td>
                  <td>{t.auditActionName[event.action]}</td>
                  <td>
                    <code>{event.patient_id}</code>
                  </td>
                  <td>
                    {event.appointment_id ? (
                      <>
                        {t.auditConsult}
                        <span class="cell-detail">
                          <code>{event.appointment_id}</code>
                        </span>
                      </>
                    ) : event.actor_role === "member" ? (
                      t.auditOwnAccess
                    ) : (
                      "—"
                    )}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      {next !== null && (
        <button type="button" disabled={moreBusy} onClick={() => onMore(next)}>
          {moreBusy ? t.loading : t.auditMore}
        </button>
      )}
    </section>
  );
}
