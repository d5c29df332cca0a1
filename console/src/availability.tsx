// The nurse's availability (GET and PUT /v1/nurse/availability): weekly windows in Mexico City time, the slot
// settings and days off. Every rule (the programme's hours, 5-minute steps, overlaps, ranges) is the API's: its 422
// names the fields (`windows[1]`, `windows[0].start`, `slot_minutes`, `days_off[0]`) and each is shown on its input.
import { useEffect, useRef, useState } from "preact/hooks";
import { ApiFailure, call, fieldMessages, shownOf, type Api, type Schemas, type Shown } from "./client";
import type { AvailabilitySetting } from "./i18n";
import { formatDay } from "./time";
import {
  Field,
  LoadingOrFailed,
  ProblemView,
  Select,
  numberOf,
  useFocusFirstInvalid,
  useFocusOnMount,
  useTexts,
} from "./ui";

type Availability = Schemas["Availability"];
type PublishResult = Schemas["PublishResult"];

const SETTINGS: readonly AvailabilitySetting[] = ["slot_minutes", "buffer_minutes", "lead_minutes", "horizon_weeks"];
/** A problem with the pattern as a whole (two windows overlapping on a day) is named `body`: shown with the windows. */
const WHOLE = "body";

interface WindowRow {
  key: number;
  weekday: string;
  start: string;
  end: string;
}

interface DayOffRow {
  key: number;
  day: string;
}

/** The form as typed: text, so a failed submit keeps every character. */
interface Draft {
  windows: WindowRow[];
  settings: Record<AvailabilitySetting, string>;
  daysOff: DayOffRow[];
}

/** The rows of the last submit, in the order sent: a problem's `windows[1]` is the row that was second then. */
interface Sent {
  windows: number[];
  daysOff: number[];
}

type Loaded = { status: "loading" } | { status: "failed"; shown: Shown } | { status: "ready"; published: boolean };

let lastKey = 0;
const newKey = () => ++lastKey;

function draftOf(availability: Availability | null): Draft {
  const settings = {} as Record<AvailabilitySetting, string>;
  for (const name of SETTINGS) {
    const value = availability?.[name];
    settings[name] = value === undefined || value === null ? "" : String(value);
  }
  return {
    windows: (availability?.windows ?? []).map((window) => ({
      key: newKey(),
      weekday: String(window.weekday),
      start: window.start.slice(0, 5), // HH:MM, as the time input shows it
      end: window.end.slice(0, 5),
    })),
    settings,
    daysOff: (availability?.days_off ?? []).map((day) => ({ key: newKey(), day })),
  };
}

/** Her availability, or null when she has not published one yet (404). */
async function published(api: Api): Promise<Availability | null> {
  try {
    return await call(api.GET("/v1/nurse/availability"));
  } catch (thrown) {
    if (thrown instanceof ApiFailure && thrown.shown.kind === "api" && thrown.shown.problem.status === 404) {
      return null;
    }
    throw thrown;
  }
}

export function NurseAvailability({ api }: { api: Api }) {
  const { lang, t } = useTexts();
  const heading = useFocusOnMount<HTMLHeadingElement>();
  const form = useRef<HTMLFormElement>(null);
  const [loaded, setLoaded] = useState<Loaded>({ status: "loading" });
  const [reloads, setReloads] = useState(0);
  const [draft, setDraft] = useState<Draft>(() => draftOf(null));
  const [sent, setSent] = useState<Sent>({ windows: [], daysOff: [] });
  const [problem, setProblem] = useState<Shown | null>(null);
  const [local, setLocal] = useState<Partial<Record<AvailabilitySetting, string>>>({});
  const [failures, setFailures] = useState(0);
  const [busy, setBusy] = useState(false);
  const [result, setResult] = useState<PublishResult | null>(null);
  useFocusFirstInvalid(form, failures);

  useEffect(() => {
    let current = true;
    setLoaded({ status: "loading" });
    published(api)
      .then((availability) => {
        if (current) {
          setDraft(draftOf(availability));
          setLoaded({ status: "ready", published: availability !== null });
        }
      })
      .catch((thrown: unknown) => {
        if (current) {
          try {
            setLoaded({ status: "failed", shown: shownOf(thrown) });
          } catch {
            // the session ended: the app is returning to sign-in
          }
        }
      });
    return () => {
      current = false;
    };
  }, [api, reloads]);

  const at = (field: string | null) => (field === null ? [] : fieldMessages(problem, field));
  const windowField = (key: number, part = "") => {
    const index = sent.windows.indexOf(key);
    return index < 0 ? null : `windows[${index}]${part && `.${part}`}`;
  };
  const dayOffField = (key: number) => {
    const index = sent.daysOff.indexOf(key);
    return index < 0 ? null : `days_off[${index}]`;
  };
  // Fields shown next to their inputs; any other field error is listed with the problem.
  const inline = [
    WHOLE,
    "windows",
    "days_off",
    ...SETTINGS,
    ...draft.windows.flatMap((row) =>
      ["", "weekday", "start", "end"].map((part) => windowField(row.key, part)).filter((f): f is string => f !== null),
    ),
    ...draft.daysOff.map((row) => dayOffField(row.key)).filter((f): f is string => f !== null),
  ];

  const change = (next: Partial<Draft>) => setDraft((previous) => ({ ...previous, ...next }));
  const changeWindow = (key: number, next: Partial<WindowRow>) =>
    setDraft((previous) => ({
      ...previous,
      windows: previous.windows.map((row) => (row.key === key ? { ...row, ...next } : row)),
    }));
  const changeDayOff = (key: number, day: string) =>
    setDraft((previous) => ({
      ...previous,
      daysOff: previous.daysOff.map((row) => (row.key === key ? { ...row, day } : row)),
    }));

  const submit = async (event: Event) => {
    event.preventDefault();
    // The settings are numbers the body must carry (the API's type has them all): an empty or non-numeric one is
    // named here, next to its field; their ranges are the API's to check.
    const settings = {} as Record<AvailabilitySetting, number>;
    const wrong: Partial<Record<AvailabilitySetting, string>> = {};
    for (const name of SETTINGS) {
      const value = numberOf(draft.settings[name]);
      if (value === undefined || value === null) {
        wrong[name] = value === undefined ? t.required : t.notANumber;
      } else {
        settings[name] = value;
      }
    }
    setLocal(wrong);
    setResult(null);
    const body: Availability = {
      windows: draft.windows.map((row) => ({ weekday: Number(row.weekday), start: row.start, end: row.end })),
      days_off: draft.daysOff.map((row) => row.day),
      ...settings,
    };
    if (Object.keys(wrong).length > 0) {
      setProblem(null);
      setFailures((count) => count + 1);
      return;
    }
    const rows: Sent = { windows: draft.windows.map((row) => row.key), daysOff: draft.daysOff.map((row) => row.key) };
    setBusy(true);
    try {
      const answer = await call(api.PUT("/v1/nurse/availability", { body }));
      setProblem(null);
      setResult(answer);
      try {
        // What is stored now, as the API gives it back.
        setDraft(draftOf(await published(api)));
        setLoaded({ status: "ready", published: true });
      } catch {
        // the form keeps what she sent
      }
    } catch (thrown) {
      try {
        setProblem(shownOf(thrown));
      } catch {
        return; // the session ended: the app is returning to sign-in
      }
      setSent(rows);
      setFailures((count) => count + 1);
    } finally {
      setBusy(false);
    }
  };

  const wholeErrors = [...at(WHOLE), ...at("windows")];

  return (
    <>
      <h1 tabIndex={-1} ref={heading}>
        {t.availabilityTitle}
      </h1>
      <p class="note">{t.availabilityIntro}</p>
      <LoadingOrFailed loaded={loaded} retry={() => setReloads((count) => count + 1)} />
      {loaded.status === "ready" && (
        <form ref={form} class="card form" noValidate onSubmit={submit}>
          {!loaded.published && <p class="notice">{t.notPublishedYet}</p>}
          <fieldset class="group">
            <legend>{t.windowsLegend}</legend>
            <p id="program-hours" class="hint">
              {t.programHours}
            </p>
            {wholeErrors.length > 0 && (
              <p id="windows-error" class="field-error">
                {wholeErrors.join(" ")}
              </p>
            )}
            {draft.windows.length === 0 ? (
              <p class="muted">{t.noWindows}</p>
            ) : (
              <ol class="rows">
                {draft.windows.map((row, index) => {
                  const id = `window-${index}`;
                  const rowErrors = at(windowField(row.key));
                  const describedBy = [rowErrors.length ? `${id}-error` : "", wholeErrors.length ? "windows-error" : ""]
                    .filter(Boolean)
                    .join(" ");
                  const invalid = rowErrors.length > 0 || wholeErrors.length > 0;
                  return (
                    <li key={row.key}>
                      <fieldset class="row">
                        <legend>{t.windowLabel(index + 1)}</legend>
                        <div class="row-fields">
                          <Select
                            id={`${id}-weekday`}
                            label={t.weekday}
                            value={row.weekday}
                            options={t.weekdays.map((name, day) => ({ value: String(day), label: name }))}
                            onChange={(weekday) => changeWindow(row.key, { weekday })}
                            errors={at(windowField(row.key, "weekday"))}
                          />
                          <Field
                            id={`${id}-start`}
                            label={t.from}
                            type="time"
                            value={row.start}
                            onInput={(start) => changeWindow(row.key, { start })}
                            errors={at(windowField(row.key, "start"))}
                            invalid={invalid}
                            describedBy={describedBy || undefined}
                          />
                          <Field
                            id={`${id}-end`}
                            label={t.until}
                            type="time"
                            value={row.end}
                            onInput={(end) => changeWindow(row.key, { end })}
                            errors={at(windowField(row.key, "end"))}
                            invalid={invalid}
                            describedBy={describedBy || undefined}
                          />
                          <button
                            type="button"
                            class="remove"
                            aria-label={t.removeWindow(index + 1)}
                            onClick={() => change({ windows: draft.windows.filter((other) => other.key !== row.key) })}
                          >
                            {t.remove}
                          </button>
                        </div>
                        {rowErrors.length > 0 && (
                          <p id={`${id}-error`} class="field-error">
                            {rowErrors.join(" ")}
                          </p>
                        )}
                      </fieldset>
                    </li>
                  );
                })}
              </ol>
            )}
            <button
              type="button"
              onClick={() => change({ windows: [...draft.windows, { key: newKey(), weekday: "0", start: "", end: "" }] })}
            >
              {t.addWindow}
            </button>
          </fieldset>

          <fieldset class="group">
            <legend>{t.settingsLegend}</legend>
            <div class="settings">
              {SETTINGS.map((name) => (
                <Field
                  key={name}
                  id={name}
                  label={t.availabilitySetting[name]}
                  inputMode="numeric"
                  value={draft.settings[name]}
                  onInput={(value) => change({ settings: { ...draft.settings, [name]: value } })}
                  errors={local[name] ? [local[name]] : at(name)}
                />
              ))}
            </div>
          </fieldset>

          <fieldset class="group">
            <legend>{t.daysOffLegend}</legend>
            {at("days_off").length > 0 && <p class="field-error">{at("days_off").join(" ")}</p>}
            {draft.daysOff.length === 0 ? (
              <p class="muted">{t.noDaysOff}</p>
            ) : (
              <ol class="rows">
                {draft.daysOff.map((row, index) => (
                  <li key={row.key} class="row-fields">
                    <Field
                      id={`day-off-${index}`}
                      label={t.dayOffLabel(index + 1)}
                      type="date"
                      value={row.day}
                      onInput={(day) => changeDayOff(row.key, day)}
                      errors={at(dayOffField(row.key))}
                    />
                    <button
                      type="button"
                      class="remove"
                      aria-label={t.removeDayOff(index + 1)}
                      onClick={() => change({ daysOff: draft.daysOff.filter((other) => other.key !== row.key) })}
                    >
                      {t.remove}
                    </button>
                  </li>
                ))}
              </ol>
            )}
            <button type="button" onClick={() => change({ daysOff: [...draft.daysOff, { key: newKey(), day: "" }] })}>
              {t.addDayOff}
            </button>
          </fieldset>

          {problem && <ProblemView shown={problem} fields={inline} />}
          <div aria-live="polite">
            {result && (
              <p class="notice notice-ok">
                {t.published(
                  result.slots_added,
                  result.slots_removed,
                  result.slots_changed,
                  formatDay(result.through, lang, true),
                )}
              </p>
            )}
          </div>
          <button type="submit" class="primary" disabled={busy}>
            {busy ? t.publishing : t.publish}
          </button>
        </form>
      )}
    </>
  );
}
