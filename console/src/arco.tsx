// The data-rights (ARCO) requests: open requests, earliest legal deadline first, with the business days left
// (GET /v1/operators/arco-requests, paged); those due within 5 business days are highlighted. Opening one reads it
// (GET …/{id}); answering a closure, after a confirmation (POST …/{id}/complete), erases what no law keeps and
// closes the account; the answer names what was erased and what is kept, under which law and until when. The API
// decides; its problem is shown as it comes.
import { useEffect, useRef, useState } from "preact/hooks";
import { call, type Api, type Schemas } from "./client";
import { formatDateTime, formatDay } from "./time";
import { LoadingOrFailed, ProblemView, useFocusOnMount, useLoaded, usePagedList, useSubmission, useTexts } from "./ui";
import { QueueList } from "./queue";
import "./queues.css";
import "./people.css";
import "./arco.css";

type Closure = Schemas["ClosureOut"];

const PAGE_SIZE = 50;
/** At or under this many business days left, a request is highlighted. */
const URGENT_DAYS = 5;

export function ArcoRequests({ api }: { api: Api }) {
  const { lang, t } = useTexts();
  // Focused on opening the page and again on returning to the list.
  const heading = useRef<HTMLHeadingElement>(null);
  useEffect(() => heading.current?.focus(), []);
  // `lang`: asked again in the new language, so a problem is shown in it.
  const list = usePagedList<Closure>(
    (after) => call(api.GET("/v1/operators/arco-requests", { params: { query: { limit: PAGE_SIZE, after } } })),
    (item) => item.request_id,
    [api, lang],
  );
  const [open, setOpen] = useState<string | null>(null);

  const backToList = () => {
    setOpen(null);
    heading.current?.focus();
  };

  return (
    <>
      <h1 tabIndex={-1} ref={heading}>
        {t.arcoTitle}
      </h1>
      {open ? (
        <ArcoCase
          api={api}
          requestId={open}
          onAnswered={(answer) => list.remove(answer.request_id)}
          onBack={backToList}
        />
      ) : (
        <QueueList
          list={list}
          texts={{ intro: t.arcoIntro, empty: t.arcoEmpty, count: t.arcoCount, more: t.arcoMore }}
          onReload={list.reload}
          keyOf={(item) => item.request_id}
          card={(item) => (
            <>
              <h2 id={`arco-${item.request_id}`} class="queue-title">
                {t.arcoRight[item.right]}
                <span class="title-detail">
                  {" · "}
                  <code>{item.member_id}</code>
                </span>
              </h2>
              <dl class="queue-details">
                <Deadline request={item} />
                <div>
                  <dt>{t.arcoRequestedAt}</dt>
                  <dd>
                    <time dateTime={item.requested_at}>{formatDateTime(new Date(item.requested_at), lang)}</time>
                  </dd>
                </div>
                <div>
                  <dt>{t.arcoRequestId}</dt>
                  <dd>
                    <code>{item.request_id}</code>
                  </dd>
                </div>
              </dl>
              <button
                type="button"
                aria-describedby={`arco-${item.request_id}`}
                onClick={() => setOpen(item.request_id)}
              >
                {t.arcoOpen}
              </button>
            </>
          )}
        />
      )}
    </>
  );
}

/** The legal deadline and the business days left, as two rows of the request's details; within URGENT_DAYS (or
 * overdue) highlighted, and said in words too. */
function Deadline({ request }: { request: Closure }) {
  const { lang, t } = useTexts();
  const urgent = request.business_days_left <= URGENT_DAYS;
  return (
    <>
      <div>
        <dt>{t.arcoDeadline}</dt>
        <dd>
          <time dateTime={request.deadline}>{formatDay(request.deadline, lang, true)}</time>
        </dd>
      </div>
      <div>
        <dt>{t.arcoDaysLeftLabel}</dt>
        <dd>
          <span class={`arco-days-left${urgent ? " arco-urgent" : ""}`}>
            {t.arcoDaysLeft(request.business_days_left)}
          </span>
          {urgent && <span class="badge arco-urgent-badge">{t.arcoUrgent}</span>}
        </dd>
      </div>
    </>
  );
}

interface CaseProps {
  api: Api;
  requestId: string;
  onAnswered: (answer: Closure) => void;
  onBack: () => void;
}

/** One request: its state and deadline; open, the answer behind a confirmation; answered, what was erased and kept. */
function ArcoCase({ api, requestId, onAnswered, onBack }: CaseProps) {
  const { lang, t } = useTexts();
  const [loaded, retry] = useLoaded<Closure>(
    () => call(api.GET("/v1/operators/arco-requests/{request_id}", { params: { path: { request_id: requestId } } })),
    [api, requestId, lang],
  );
  const [answer, setAnswer] = useState<Closure | null>(null);
  const [asking, setAsking] = useState(false);
  const { busy, problem, run } = useSubmission();
  const heading = useFocusOnMount<HTMLHeadingElement>();
  const said = useRef<HTMLParagraphElement>(null);
  const answerButton = useRef<HTMLButtonElement>(null);
  const confirmButton = useRef<HTMLButtonElement>(null);

  useEffect(() => {
    if (answer) {
      said.current?.focus(); // what happened, then the answer's lists under it
    }
  }, [answer]);
  useEffect(() => {
    if (asking) {
      confirmButton.current?.focus();
    }
  }, [asking]);

  const request = answer ?? (loaded.status === "loaded" ? loaded.value : null);

  const complete = () =>
    run(async () => {
      const answered = await call(
        api.POST("/v1/operators/arco-requests/{request_id}/complete", { params: { path: { request_id: requestId } } }),
      );
      setAsking(false);
      setAnswer(answered);
      onAnswered(answered);
    });

  const goBack = () => {
    setAsking(false);
    // After the buttons' group is gone, the keyboard user lands on the button that opened it.
    setTimeout(() => answerButton.current?.focus(), 0);
  };

  return (
    <section aria-labelledby="arco-title" class="claim-case">
      <p class="back">
        <button type="button" class="back-link" onClick={onBack}>
          <span aria-hidden="true">‹ </span>
          {t.arcoBack}
        </button>
      </p>
      <h2 id="arco-title" tabIndex={-1} ref={heading}>
        {t.arcoCaseTitle}
      </h2>
      <div aria-live="polite">
        {answer && (
          <p ref={said} tabIndex={-1} class="notice notice-ok">
            {t.arcoAnswered}
          </p>
        )}
      </div>
      {!answer && <LoadingOrFailed loaded={loaded} retry={retry} />}
      {request && (
        <>
          <div class="card">
            <dl class="queue-details">
              <div>
                <dt>{t.arcoRightLabel}</dt>
                <dd>{t.arcoRight[request.right]}</dd>
              </div>
              <div>
                <dt>{t.arcoStatusLabel}</dt>
                <dd>{t.arcoStatus[request.status]}</dd>
              </div>
              <div>
                <dt>{t.arcoMember}</dt>
                <dd>
                  <code>{request.member_id}</code>
                </dd>
              </div>
              <div>
                <dt>{t.arcoStatusBefore}</dt>
                <dd>{t.memberStatus[request.status_before]}</dd>
              </div>
              <div>
                <dt>{t.arcoRequestedAt}</dt>
                <dd>
                  <time dateTime={request.requested_at}>{formatDateTime(new Date(request.requested_at), lang)}</time>
                </dd>
              </div>
              {request.completed_at && (
                <div>
                  <dt>{t.arcoCompletedAt}</dt>
                  <dd>
                    <time dateTime={request.completed_at}>{formatDateTime(new Date(request.completed_at), lang)}</time>
                  </dd>
                </div>
              )}
              {request.completed_by && (
                <div>
                  <dt>{t.arcoCompletedBy}</dt>
                  <dd>
                    <code>{request.completed_by}</code>
                  </dd>
                </div>
              )}
              {request.status === "open" && <Deadline request={request} />}
            </dl>
          </div>
          {request.status === "open" ? (
            <div class="card">
              {asking ? (
                <div class="confirm-panel" role="group" aria-labelledby="arco-confirm-title">
                  <h3 id="arco-confirm-title">{t.arcoConfirmTitle}</h3>
                  <ul>
                    {t.arcoConfirmEffects.map((effect) => (
                      <li key={effect}>{effect}</li>
                    ))}
                  </ul>
                  <p class="note">{t.arcoConfirmKept}</p>
                  {problem && <ProblemView shown={problem} />}
                  <div class="actions">
                    <button type="button" class="danger" ref={confirmButton} disabled={busy} onClick={complete}>
                      {busy ? t.arcoConfirming : t.arcoConfirm}
                    </button>
                    <button type="button" onClick={goBack}>
                      {t.arcoKeep}
                    </button>
                  </div>
                </div>
              ) : (
                <button type="button" ref={answerButton} onClick={() => setAsking(true)}>
                  {t.arcoAnswer}
                </button>
              )}
            </div>
          ) : (
            <Answer request={request} />
          )}
        </>
      )}
    </section>
  );
}

/** What the answer erased, and what it keeps: the data, the law and the end date. */
function Answer({ request }: { request: Closure }) {
  const { lang, t } = useTexts();
  return (
    <>
      <section class="card" aria-labelledby="arco-erased">
        <h3 id="arco-erased">{t.arcoErasedTitle}</h3>
        {request.erased.length === 0 ? (
          <p class="muted">{t.arcoErasedNone}</p>
        ) : (
          <ul class="arco-erased">
            {request.erased.map((name) => (
              <li key={name}>{t.arcoErased[name] ?? name}</li>
            ))}
          </ul>
        )}
      </section>
      <section class="card" aria-labelledby="arco-kept">
        <h3 id="arco-kept">{t.arcoKeptTitle}</h3>
        <div class="table-scroll">
          <table aria-labelledby="arco-kept">
            <thead>
              <tr>
                <th scope="col">{t.arcoKeptData}</th>
                <th scope="col">{t.arcoKeptLaw}</th>
                <th scope="col">{t.arcoKeptUntil}</th>
              </tr>
            </thead>
            <tbody>
              {request.kept.map((kept) => (
                <tr key={kept.data}>
                  <th scope="row">{t.arcoKept[kept.data]}</th>
                  <td>{kept.law}</td>
                  <td>
                    <time dateTime={kept.ends_on}>{formatDay(kept.ends_on, lang, true)}</time>
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      </section>
    </>
  );
}
