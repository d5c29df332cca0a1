// The end of a consult: the nurse books the patient's next teleconsult. She looks for free times, hers or any nurse's,
// over a range of Mexico City days (GET …/follow-up/slots), chooses one and gives a reason (POST …/follow-up). The API
// books it under the members' own rules (covered month, consent, the patient free then, at most 3 upcoming), notifies
// the member, who may cancel or reschedule it; its 409 names the cause and is shown as it comes.
import { useEffect, useRef, useState } from "preact/hooks";
import type { operations } from "./api";
import { ApiFailure, call, fieldMessages, type Api, type Schemas } from "./client";
import { addDays, formatDateTime, formatDay, formatTime, mexicoCityDay } from "./time";
import {
  Field,
  ProblemView,
  TextArea,
  failureOf,
  useFocusFirstInvalid,
  useFocusOnMount,
  useSubmission,
  useTexts,
} from "./ui";
import "./followup.css";

type Appointment = Schemas["AppointmentWithReason"];
type Booked = Schemas["AppointmentOut"];
type Slot = Schemas["SlotOut"];
type Whom = NonNullable<operations["follow_up_slots"]["parameters"]["query"]["nurse"]>;

/** A follow-up is booked from a consult that took place: once she started it (the API says so too, with a 409). */
const STARTED: readonly Appointment["status"][] = ["arrived", "fulfilled"];
/** The range first offered: a week, from a week after the consult's day. */
const FIRST_DAY_AFTER = 7;
const DAYS_SHOWN = 7;
const SEARCH_FIELDS = ["query.from", "query.to"];
const BOOKING_FIELDS = ["slot_id", "reason"];

interface Search {
  whom: Whom;
  from: string;
  to: string;
}

/** The free times of the last search, pages appended as she asks for more. */
interface Found {
  search: Search;
  slots: Slot[];
  next: string | null;
}

/** The booking sent last: a retry of the same choice reuses its key, so a retry after a lost answer books once. */
interface Attempt {
  slotId: string;
  reason: string;
  key: string;
}

export function FollowUp({ api, appointment }: { api: Api; appointment: Appointment }) {
  return STARTED.includes(appointment.status) ? <FollowUpBooking api={api} appointment={appointment} /> : null;
}

function FollowUpBooking({ api, appointment }: { api: Api; appointment: Appointment }) {
  const { lang, t } = useTexts();
  const consultDay = mexicoCityDay(new Date(appointment.start));
  const [whom, setWhom] = useState<Whom>("me");
  const [from, setFrom] = useState(() => addDays(consultDay, FIRST_DAY_AFTER));
  const [to, setTo] = useState(() => addDays(consultDay, FIRST_DAY_AFTER + DAYS_SHOWN - 1));
  const [found, setFound] = useState<Found | null>(null);
  const [slotId, setSlotId] = useState("");
  const [reason, setReason] = useState("");
  const [unchosen, setUnchosen] = useState(false);
  const [booked, setBooked] = useState<Booked | null>(null);
  const [firstNew, setFirstNew] = useState<number | null>(null);
  const attempt = useRef<Attempt | null>(null);
  const searchForm = useRef<HTMLFormElement>(null);
  const bookingForm = useRef<HTMLFormElement>(null);
  const searching = useSubmission();
  const booking = useSubmission();
  useFocusFirstInvalid(searchForm, searching.failures);
  useFocusFirstInvalid(bookingForm, booking.failures);

  // After "more times", the first time added takes the focus (the button may be gone: it was the last page).
  useEffect(() => {
    if (firstNew !== null) {
      document.getElementById(slotElementId(firstNew))?.focus();
    }
  }, [firstNew]);

  const slotsOf = (search: Search, cursor: string | null) =>
    call(
      api.GET("/v1/nurse/appointments/{appointment_id}/follow-up/slots", {
        params: {
          path: { appointment_id: appointment.appointment_id },
          query: { from: search.from, to: search.to, nurse: search.whom, ...(cursor ? { cursor } : {}) },
        },
      }),
    );

  /** The first page of `search`; the chosen time is kept if it is still free. */
  const list = async (search: Search) => {
    const page = await slotsOf(search, null);
    setFound({ search, slots: page.items, next: page.next });
    setFirstNew(null);
    setSlotId((chosen) => (page.items.some((slot) => slot.slot_id === chosen) ? chosen : ""));
  };

  const search = (event: Event) => {
    event.preventDefault();
    void searching.run(() => list({ whom, from, to }));
  };

  const more = (shown: Found) =>
    void searching.run(async () => {
      const page = await slotsOf(shown.search, shown.next);
      setFound({ ...shown, slots: [...shown.slots, ...page.items], next: page.next });
      setFirstNew(page.items.length > 0 ? shown.slots.length : null);
    });

  const book = (event: Event) => {
    event.preventDefault();
    setUnchosen(!slotId);
    if (!slotId) {
      booking.refuse(null);
      return;
    }
    const previous = attempt.current;
    const same = previous !== null && previous.slotId === slotId && previous.reason === reason;
    const key = same ? previous.key : crypto.randomUUID();
    attempt.current = { slotId, reason, key };
    void booking.run(async () => {
      try {
        setBooked(
          await call(
            api.POST("/v1/nurse/appointments/{appointment_id}/follow-up", {
              params: { path: { appointment_id: appointment.appointment_id }, header: { "Idempotency-Key": key } },
              body: { slot_id: slotId, reason },
            }),
          ),
        );
      } catch (thrown) {
        const shown = failureOf(thrown);
        // Taken first by someone else (the problem then carries `alternatives`): the list is asked again, and the
        // problem says so in the nurse's terms rather than the member's.
        if (shown?.kind === "api" && "alternatives" in shown.problem && found) {
          await list(found.search);
          throw new ApiFailure({ kind: "api", problem: { ...shown.problem, detail: t.followUpSlotTaken } });
        }
        throw thrown;
      }
    });
  };

  if (booked) {
    return <Confirmation booked={booked} />;
  }

  const slotErrors = unchosen ? [t.followUpChooseSlot] : fieldMessages(booking.problem, "slot_id");
  const days = found ? byDay(found.slots) : [];

  return (
    <section class="card follow-up" aria-labelledby="follow-up-title">
      <h2 id="follow-up-title">{t.followUpTitle}</h2>
      <p class="note">{t.followUpIntro}</p>
      <form ref={searchForm} class="follow-up-search" noValidate onSubmit={search}>
        <fieldset class="segmented">
          <legend>{t.followUpWithLegend}</legend>
          <div class="options">
            {(["me", "any"] as const).map((option) => (
              <label key={option}>
                <input
                  type="radio"
                  name="follow-up-whom"
                  value={option}
                  checked={whom === option}
                  onChange={() => setWhom(option)}
                />
                <span>{option === "me" ? t.followUpWithMe : t.followUpWithAny}</span>
              </label>
            ))}
          </div>
        </fieldset>
        <div class="follow-up-range">
          <Field
            id="follow-up-from"
            label={t.followUpFrom}
            type="date"
            value={from}
            onInput={setFrom}
            errors={fieldMessages(searching.problem, "query.from")}
            describedBy="follow-up-range-hint"
          />
          <Field
            id="follow-up-to"
            label={t.followUpTo}
            type="date"
            value={to}
            onInput={setTo}
            errors={fieldMessages(searching.problem, "query.to")}
            describedBy="follow-up-range-hint"
          />
          <button type="submit" disabled={searching.busy}>
            {searching.busy ? t.followUpSearching : t.followUpSearch}
          </button>
        </div>
        <p id="follow-up-range-hint" class="hint">
          {t.followUpRangeHint}
        </p>
        {searching.problem && <ProblemView shown={searching.problem} fields={SEARCH_FIELDS} />}
      </form>
      <p class="follow-up-count" role="status">
        {found && (found.slots.length > 0 ? t.followUpSlotsFound(found.slots.length) : t.followUpNoSlots)}
      </p>
      {found && found.slots.length > 0 && (
        <form ref={bookingForm} class="form" noValidate onSubmit={book}>
          <fieldset class="group" aria-describedby={slotErrors.length ? "follow-up-slot-error" : undefined}>
            <legend>{t.followUpSlotsLegend}</legend>
            {slotErrors.length > 0 && (
              <p id="follow-up-slot-error" class="field-error">
                {slotErrors.join(" ")}
              </p>
            )}
            <div class="follow-up-days">
              {days.map(({ day, slots }) => (
                <fieldset key={day} class="follow-up-day">
                  <legend>{formatDay(day, lang)}</legend>
                  {slots.map(({ slot, index }) => (
                    <label key={slot.slot_id} class="follow-up-slot">
                      <input
                        id={slotElementId(index)}
                        type="radio"
                        name="follow-up-slot"
                        value={slot.slot_id}
                        checked={slotId === slot.slot_id}
                        onChange={() => {
                          setSlotId(slot.slot_id);
                          setUnchosen(false);
                        }}
                        aria-invalid={slotErrors.length > 0 ? "true" : undefined}
                      />
                      <time dateTime={slot.start}>{formatTime(new Date(slot.start), lang)}</time>
                      {found.search.whom === "any" && <span class="follow-up-nurse">{` · ${slot.nurse.full_name}`}</span>}
                    </label>
                  ))}
                </fieldset>
              ))}
            </div>
            {found.next !== null && (
              <button type="button" disabled={searching.busy} onClick={() => more(found)}>
                {searching.busy ? t.loading : t.followUpMoreSlots}
              </button>
            )}
          </fieldset>
          <TextArea
            id="follow-up-reason"
            label={t.followUpReason}
            hint={t.followUpReasonHint}
            value={reason}
            onInput={setReason}
            errors={fieldMessages(booking.problem, "reason")}
          />
          {booking.problem && <ProblemView shown={booking.problem} fields={BOOKING_FIELDS} />}
          <button type="submit" class="primary" disabled={booking.busy}>
            {booking.busy ? t.followUpBooking : t.followUpBook}
          </button>
        </form>
      )}
    </section>
  );
}

/** The booked follow-up: when and with whom, and that the member was told and may change it. */
function Confirmation({ booked }: { booked: Booked }) {
  const { lang, t } = useTexts();
  const heading = useFocusOnMount<HTMLHeadingElement>(); // the form she sent is gone: her focus goes to its result
  return (
    <section class="card signed" aria-labelledby="follow-up-booked">
      <h2 id="follow-up-booked" tabIndex={-1} ref={heading}>
        {t.followUpBooked}
      </h2>
      <dl class="consult-details">
        <div>
          <dt>{t.followUpBookedWhen}</dt>
          <dd>
            <time dateTime={booked.start}>{formatDateTime(new Date(booked.start), lang)}</time>
          </dd>
        </div>
        <div>
          <dt>{t.followUpBookedWith}</dt>
          <dd>{booked.nurse_name}</dd>
        </div>
      </dl>
      <p class="notice notice-ok">{t.followUpBookedNotice}</p>
    </section>
  );
}

function slotElementId(index: number): string {
  return `follow-up-slot-${index}`;
}

/** The times by Mexico City day, in the order the API gives them, each with its place in the whole list. */
function byDay(slots: readonly Slot[]): { day: string; slots: { slot: Slot; index: number }[] }[] {
  const days: { day: string; slots: { slot: Slot; index: number }[] }[] = [];
  slots.forEach((slot, index) => {
    const day = mexicoCityDay(new Date(slot.start));
    const last = days[days.length - 1];
    if (last?.day === day) {
      last.slots.push({ slot, index });
    } else {
      days.push({ day, slots: [{ slot, index }] });
    }
  });
  return days;
}
