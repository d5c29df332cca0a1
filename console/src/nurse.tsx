// The nurse's home: her consults of a Mexico City day or week (GET /v1/nurse/agenda, one day per call), each with a
// link to its page (consult.tsx), and her days off (GET /v1/nurse/availability).
import type { ComponentChildren } from "preact";
import { useState } from "preact/hooks";
import { ApiFailure, call, fieldMessages, type Api, type Schemas } from "./client";
import {
  addDays,
  formatDay,
  formatShortDay,
  formatTime,
  isDay,
  joinWindow,
  mexicoCityDay,
  weekOf,
} from "./time";
import { Field, ProblemView, Segmented, useFocusOnMount, useLoaded, useNow, useTexts } from "./ui";

type Appointment = Schemas["AppointmentWithReason"];

/** How the API names the agenda's `date` query parameter in a problem's `errors`. */
const DATE_FIELD = "query.date";
type View = "day" | "week";

interface Day {
  day: string;
  off: boolean;
  items: Appointment[];
}


/** Her days off; none when she has not published availability yet (404). */
async function daysOff(api: Api): Promise<Set<string>> {
  try {
    return new Set((await call(api.GET("/v1/nurse/availability"))).days_off ?? []);
  } catch (thrown) {
    if (thrown instanceof ApiFailure && thrown.shown.kind === "api" && thrown.shown.problem.status === 404) {
      return new Set();
    }
    throw thrown;
  }
}

/** `day`: the day to show first (coming back from a consult); today otherwise. */
export function NurseAgenda({ api, day: first }: { api: Api; day?: string | undefined }) {
  const { lang, t } = useTexts();
  const heading = useFocusOnMount<HTMLHeadingElement>();
  const now = useNow(30_000);
  const [view, setView] = useState<View>("day");
  const [day, setDay] = useState(() => first ?? mexicoCityDay(new Date()));
  const [typed, setTyped] = useState(day);
  // `lang`: asked again in the new language, so a problem is shown in it.
  const [loaded, retry] = useLoaded<Day[]>(async () => {
    const days = view === "day" ? [day] : weekOf(day);
    const [off, ...lists] = await Promise.all([
      daysOff(api),
      ...days.map((date) => call(api.GET("/v1/nurse/agenda", { params: { query: { date } } }))),
    ]);
    return days.map((date, index) => ({
      day: date,
      off: off.has(date),
      items: [...(lists[index]?.items ?? [])].sort((a, b) => a.start.localeCompare(b.start)),
    }));
  }, [api, view, day, lang]);

  const go = (next: string) => {
    setDay(next);
    setTyped(next);
  };
  const step = view === "day" ? 1 : 7;
  const problem = loaded.status === "failed" ? loaded.shown : null;
  const week = weekOf(day);

  return (
    <>
      <h1 tabIndex={-1} ref={heading}>
        {t.agendaTitle}
      </h1>
      <div class="toolbar">
        <Segmented
          legend={t.viewLabel}
          name="view"
          options={[
            { value: "day", label: t.viewDay },
            { value: "week", label: t.viewWeek },
          ]}
          value={view}
          onChange={setView}
        />
        <div class="date-nav">
          <button type="button" onClick={() => go(addDays(day, -step))}>
            <span aria-hidden="true">‹ </span>
            {view === "day" ? t.previousDay : t.previousWeek}
          </button>
          <Field
            id="date"
            label={t.dateLabel}
            type="date"
            value={typed}
            onInput={(value) => {
              setTyped(value);
              if (isDay(value)) {
                setDay(value);
              }
            }}
            errors={fieldMessages(problem, DATE_FIELD)}
          />
          <button type="button" onClick={() => go(addDays(day, step))}>
            {view === "day" ? t.nextDay : t.nextWeek}
            <span aria-hidden="true"> ›</span>
          </button>
          <button type="button" onClick={() => go(mexicoCityDay(new Date()))}>
            {t.today}
          </button>
          <button type="button" onClick={retry}>
            {t.reload}
          </button>
        </div>
      </div>
      <p class="note">
        {view === "week" && `${t.weekOf(formatShortDay(week[0] ?? day, lang), formatShortDay(week[6] ?? day, lang))}. `}
        {t.timesNote}
      </p>
      <div aria-live="polite" aria-busy={loaded.status === "loading" ? "true" : "false"}>
        {loaded.status === "loading" && <p class="loading">{t.loading}</p>}
        {loaded.status === "failed" && <ProblemView shown={loaded.shown} fields={[DATE_FIELD]} />}
        {loaded.status === "loaded" && (
          <div class={view === "week" ? "week" : "day"}>
            {loaded.value.map((entry) => (
              <DayAgenda key={entry.day} entry={entry} now={now} isToday={entry.day === mexicoCityDay(now)} />
            ))}
          </div>
        )}
      </div>
    </>
  );
}

function DayAgenda({ entry, now, isToday }: { entry: Day; now: Date; isToday: boolean }) {
  const { lang, t } = useTexts();
  const titleId = `day-${entry.day}`;
  return (
    <section class={isToday ? "day-card today" : "day-card"} aria-labelledby={titleId}>
      <h2 id={titleId}>
        <time dateTime={entry.day}>{formatDay(entry.day, lang)}</time>
        {isToday && <span class="tag">{t.today}</span>}
        {entry.off && <span class="tag tag-off">{t.dayOff}</span>}
      </h2>
      <p class="count">{entry.items.length ? t.consultCount(entry.items.length) : t.noConsults}</p>
      {entry.items.length > 0 && (
        <ol class="consults">
          {entry.items.map((item) => (
            <Consult key={item.appointment_id} item={item} now={now} />
          ))}
        </ol>
      )}
    </section>
  );
}

function Consult({ item, now }: { item: Appointment; now: Date }) {
  const { lang, t } = useTexts();
  const start = new Date(item.start);
  return (
    <li class={`consult status-${item.status}`}>
      <div class="consult-head">
        <p class="consult-time">
          <time dateTime={item.start}>{formatTime(start, lang)}</time>
          {" – "}
          <time dateTime={item.end}>{formatTime(new Date(item.end), lang)}</time>
        </p>
        <span class={`badge badge-${item.status}`}>{t.appointmentStatus[item.status]}</span>
      </div>
      <ConsultDetails item={item} now={now} />
      <p class="consult-open">
        <a href={consultHref(item)}>{t.openConsult(formatTime(start, lang))}</a>
      </p>
    </li>
  );
}

/** The consult's own page: `#consult/<Mexico City day>/<appointment id>` (the day is where "back" returns). */
export function consultHref(item: Appointment): string {
  return `#consult/${mexicoCityDay(new Date(item.start))}/${encodeURIComponent(item.appointment_id)}`;
}

/** Patient, reason, join window (while it can still be attended) and how it ended: in the agenda and on its page. */
export function ConsultDetails({ item, now, children }: { item: Appointment; now: Date; children?: ComponentChildren }) {
  const { lang, t } = useTexts();
  const end = new Date(item.end);
  const open = item.status === "booked" || item.status === "arrived";
  const join = joinWindow(new Date(item.join_opens_at), end, now);
  const joinState = { "not-yet": t.joinNotYet, open: t.joinOpenNow, closed: t.joinClosed }[join.state];
  return (
    <dl class="consult-details">
      {children}
      <div>
        <dt>{t.patient}</dt>
        <dd>
          {item.patient_name ?? t.memberPatient}
          {item.patient_age !== null && <span class="muted">{`, ${t.years(item.patient_age)}`}</span>}
        </dd>
      </div>
      <div>
        <dt>{t.reason}</dt>
        <dd class="reason">{item.reason}</dd>
      </div>
      {open && (
        <div>
          <dt>{t.joinWindow}</dt>
          <dd>
            <time dateTime={join.opens.toISOString()}>{formatTime(join.opens, lang)}</time>
            {" – "}
            <time dateTime={join.closes.toISOString()}>{formatTime(join.closes, lang)}</time>
            {" · "}
            <strong class={`join join-${join.state}`}>{joinState}</strong>
          </dd>
        </div>
      )}
      {item.started_at && (
        <div>
          <dt>{t.startedAt}</dt>
          <dd>
            <time dateTime={item.started_at}>{formatTime(new Date(item.started_at), lang)}</time>
          </dd>
        </div>
      )}
      {item.status === "cancelled" && (
        <div>
          <dt>{t.status}</dt>
          <dd>
            {item.cancelled_by &&
              t.cancelledBy(item.cancelled_by === "member" ? t.cancelledByMember : t.cancelledByNurse)}
            {item.cancel_reason && `: ${item.cancel_reason}`}
          </dd>
        </div>
      )}
      {item.status === "noshow" && item.noshow_party && (
        <div>
          <dt>{t.status}</dt>
          <dd>{t.noshowBy(item.noshow_party === "patient" ? t.noshowPatient : t.noshowNurse)}</dd>
        </div>
      )}
    </dl>
  );
}
