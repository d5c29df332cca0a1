// Small shared pieces: the language context, loading and submission hooks, form fields with their errors, a
// segmented choice, and problem messages.
import { createContext, type Ref } from "preact";
import { useContext, useEffect, useRef, useState } from "preact/hooks";
import { otherFieldMessages, shownOf, type Shown } from "./client";
import { texts, type Lang, type Texts } from "./i18n";

export const LangContext = createContext<Lang>("es");

export function useTexts(): { lang: Lang; t: Texts } {
  const lang = useContext(LangContext);
  return { lang, t: texts(lang) };
}

/** Focus this element (a page's heading, tabindex -1) when the page appears, so screen readers announce it. */
export function useFocusOnMount<T extends HTMLElement>(): Ref<T> {
  const element = useRef<T>(null);
  useEffect(() => element.current?.focus(), []);
  return element;
}

/** The current time, updated every `everyMs`. */
export function useNow(everyMs: number): Date {
  const [now, setNow] = useState(() => new Date());
  useEffect(() => {
    const timer = setInterval(() => setNow(new Date()), everyMs);
    return () => clearInterval(timer);
  }, [everyMs]);
  return now;
}

export type Loaded<T> = { status: "loading" } | { status: "loaded"; value: T } | { status: "failed"; shown: Shown };

/** What `load()` gives, asked again whenever `deps` change or `retry()` is called; an answer that arrives after a
 * newer request is dropped. A failure is kept to be shown, unless the session ended (the app is then returning to
 * sign-in and `shownOf` rethrows). */
export function useLoaded<T>(load: () => Promise<T>, deps: unknown[]): [Loaded<T>, () => void] {
  const [loaded, setLoaded] = useState<Loaded<T>>({ status: "loading" });
  const [retries, setRetries] = useState(0);
  useEffect(() => {
    let current = true;
    setLoaded({ status: "loading" });
    load()
      .then((value) => current && setLoaded({ status: "loaded", value }))
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
  }, [...deps, retries]);
  return [loaded, () => setRetries((count) => count + 1)];
}

interface FieldProps {
  id: string;
  label: string;
  value: string;
  onInput: (value: string) => void;
  errors: readonly string[];
  type?: "text" | "password" | "date" | "time";
  autoComplete?: string;
  hint?: string;
  required?: boolean;
  inputRef?: Ref<HTMLInputElement>;
  /** For numbers typed as text (the raw text is kept, so nothing she typed is lost or silently emptied). */
  inputMode?: "numeric" | "decimal";
  /** Ids of further descriptions, e.g. an error about the group the field belongs to. */
  describedBy?: string;
  /** Marked invalid by an error shown elsewhere (e.g. on the group it belongs to). */
  invalid?: boolean;
  class?: string;
}

/** `aria-describedby` for a field: its hint, its error, and any group description, or nothing. */
function describedByOf(id: string, hint: string | undefined, errors: readonly string[], more?: string): string | undefined {
  return [hint ? `${id}-hint` : "", errors.length ? `${id}-error` : "", more ?? ""].filter(Boolean).join(" ") || undefined;
}

function FieldErrors({ id, errors }: { id: string; errors: readonly string[] }) {
  return errors.length > 0 ? (
    <p id={`${id}-error`} class="field-error">
      {errors.join(" ")}
    </p>
  ) : null;
}

function Hint({ id, hint }: { id: string; hint: string | undefined }) {
  return hint ? (
    <p id={`${id}-hint`} class="hint">
      {hint}
    </p>
  ) : null;
}

export function Field(props: FieldProps) {
  const { id, errors, hint } = props;
  const described = describedByOf(id, hint, errors, props.describedBy);
  return (
    <div class={props.class ? `field ${props.class}` : "field"}>
      <label for={id}>{props.label}</label>
      {hint && (
        <p id={`${id}-hint`} class="hint">
          {hint}
        </p>
      )}
      <input
        id={id}
        name={id}
        ref={props.inputRef}
        // Preact 11 types each input `type` with its own attributes; these four share all of the ones used here.
        type={(props.type ?? "text") as "text"}
        value={props.value}
        onInput={(event) => props.onInput(event.currentTarget.value)}
        autoComplete={props.autoComplete}
        inputMode={props.inputMode}
        required={props.required}
        aria-invalid={errors.length > 0 || props.invalid ? "true" : undefined}
        aria-describedby={described}
      />
      <FieldErrors id={id} errors={errors} />
    </div>
  );
}

interface TextAreaProps {
  id: string;
  label: string;
  value: string;
  onInput: (value: string) => void;
  errors: readonly string[];
  hint?: string;
  rows?: number;
}

export function TextArea(props: TextAreaProps) {
  const { id, errors, hint } = props;
  return (
    <div class="field">
      <label for={id}>{props.label}</label>
      <Hint id={id} hint={hint} />
      <textarea
        id={id}
        name={id}
        rows={props.rows ?? 3}
        value={props.value}
        onInput={(event) => props.onInput(event.currentTarget.value)}
        aria-invalid={errors.length > 0 ? "true" : undefined}
        aria-describedby={describedByOf(id, hint, errors)}
      />
      <FieldErrors id={id} errors={errors} />
    </div>
  );
}

interface CheckboxProps {
  id: string;
  label: string;
  checked: boolean;
  onChange: (checked: boolean) => void;
  errors: readonly string[];
}

export function Checkbox(props: CheckboxProps) {
  const { id, errors } = props;
  return (
    <div class="field checkbox">
      <input
        id={id}
        name={id}
        type="checkbox"
        checked={props.checked}
        onChange={(event) => props.onChange(event.currentTarget.checked)}
        aria-invalid={errors.length > 0 ? "true" : undefined}
        aria-describedby={describedByOf(id, undefined, errors)}
      />
      <label for={id}>{props.label}</label>
      <FieldErrors id={id} errors={errors} />
    </div>
  );
}

interface SelectProps {
  id: string;
  label: string;
  value: string;
  options: readonly { value: string; label: string }[];
  onChange: (value: string) => void;
  errors: readonly string[];
  describedBy?: string;
}

export function Select(props: SelectProps) {
  const { id, errors } = props;
  return (
    <div class="field">
      <label for={id}>{props.label}</label>
      <select
        id={id}
        name={id}
        value={props.value}
        onChange={(event) => props.onChange(event.currentTarget.value)}
        aria-invalid={errors.length > 0 ? "true" : undefined}
        aria-describedby={describedByOf(id, undefined, errors, props.describedBy)}
      >
        {props.options.map((option) => (
          <option key={option.value} value={option.value}>
            {option.label}
          </option>
        ))}
      </select>
      <FieldErrors id={id} errors={errors} />
    </div>
  );
}

/** A number typed as text: `undefined` when left empty, `null` when it is not a number (a decimal comma is read as a
 * point). Whether it is in range is the API's to say. */
export function numberOf(text: string): number | null | undefined {
  const trimmed = text.trim().replace(",", ".");
  if (!trimmed) {
    return undefined;
  }
  return /^[+-]?\d+(\.\d+)?$/.test(trimmed) ? Number(trimmed) : null;
}

/** After a failed submit, move focus to the first field marked invalid in `form` (or else to the problem), so the
 * keyboard and screen-reader user lands where the fix is needed. `failure` changes with each failed submit. */
export function useFocusFirstInvalid(form: { current: HTMLElement | null }, failure: unknown): void {
  useEffect(() => {
    if (failure) {
      const target = form.current?.querySelector<HTMLElement>('[aria-invalid="true"], .problem');
      target?.focus();
    }
  }, [failure]); // eslint-disable-line react-hooks/exhaustive-deps -- only when a new failure arrives
}

/** A problem: its title and detail in the user's language, field errors that no field on the screen shows, and the
 * correlation id to quote to support. `fields` are the fields shown next to their inputs. */
export function ProblemView({ shown, fields = [] }: { shown: Shown; fields?: readonly string[] }) {
  const { t } = useTexts();
  const title =
    shown.kind === "api" ? shown.problem.title : shown.kind === "network" ? t.problemNetwork : t.problemUnexpected;
  const detail =
    shown.kind === "api"
      ? shown.problem.detail
      : shown.kind === "network"
        ? t.problemNetworkDetail
        : t.problemUnexpectedDetail(shown.status);
  const others = otherFieldMessages(shown, fields);
  return (
    <div class="problem" role="alert" tabIndex={-1}>
      <p class="problem-title">{title}</p>
      {detail && detail !== title && <p>{detail}</p>}
      {others.length > 0 && (
        <>
          <p>{t.problemFields}</p>
          <ul>
            {others.map((item) => (
              <li key={`${item.field}:${item.message}`}>
                <code>{item.field}</code>: {item.message}
              </li>
            ))}
          </ul>
        </>
      )}
      {shown.kind === "api" && shown.problem.correlation_id && (
        <p class="problem-reference">
          {t.problemReference}: <code>{shown.problem.correlation_id}</code>
        </p>
      )}
    </div>
  );
}

/** A problem from an action that failed, or none; the session's end passes through (the app returns to sign-in). */
export function failureOf(thrown: unknown): Shown | null {
  try {
    return shownOf(thrown);
  } catch {
    return null;
  }
}

/** One form's submission: `busy` while it runs; a refusal kept as `problem` and counted in `failures` (which moves
 * the focus to the first invalid field); the session's end passes through (the app returns to sign-in). */
export function useSubmission() {
  const [busy, setBusy] = useState(false);
  const [problem, setProblem] = useState<Shown | null>(null);
  const [failures, setFailures] = useState(0);
  const refuse = (shown: Shown | null) => {
    setProblem(shown);
    setFailures((count) => count + 1);
  };
  const run = async (request: () => Promise<void>) => {
    setBusy(true);
    try {
      await request();
      setProblem(null);
    } catch (thrown) {
      const shown = failureOf(thrown);
      if (shown) {
        refuse(shown);
      }
    } finally {
      setBusy(false);
    }
  };
  return { busy, problem, failures, refuse, run };
}

interface SegmentedProps<T extends string> {
  legend: string;
  name: string;
  options: readonly { value: T; label: string }[];
  value: T;
  onChange: (value: T) => void;
}

/** One choice among a few, as radio buttons drawn side by side (the agenda's day/week look). */
export function Segmented<T extends string>({ legend, name, options, value, onChange }: SegmentedProps<T>) {
  return (
    <fieldset class="segmented">
      <legend>{legend}</legend>
      <div class="options">
        {options.map((option) => (
          <label key={option.value}>
            <input
              type="radio"
              name={name}
              value={option.value}
              checked={value === option.value}
              onChange={() => onChange(option.value)}
            />
            <span>{option.label}</span>
          </label>
        ))}
      </div>
    </fieldset>
  );
}

/** A list the API pages with `next` (sent back as `after`): the first page, asked again when `deps` change or on
 * `reload`; pages added by `loadMore` (dropped on a reload); and items taken out here once decided (`remove`), so a
 * decision does not cost a reload. */
export function usePagedList<T>(
  page: (after?: string) => Promise<{ items: T[]; next?: string | null }>,
  idOf: (item: T) => string,
  deps: unknown[],
) {
  const [reloads, setReloads] = useState(0);
  const [first] = useLoaded(() => page(), [...deps, reloads]);
  const [more, setMore] = useState<{ after: number; items: T[]; next: string | null } | null>(null);
  const [removed, setRemoved] = useState<string[]>([]);
  const paging = useSubmission();

  const extra = more?.after === reloads ? more : null; // pages loaded after the first page shown now
  const items =
    first.status === "loaded"
      ? [...first.value.items, ...(extra?.items ?? [])].filter((item) => !removed.includes(idOf(item)))
      : [];
  const next = first.status === "loaded" ? (extra ? extra.next : (first.value.next ?? null)) : null;

  const loadMore = () =>
    paging.run(async () => {
      if (!next) {
        return;
      }
      const got = await page(next);
      setMore({ after: reloads, items: [...(extra?.items ?? []), ...got.items], next: got.next ?? null });
    });

  return {
    first,
    items,
    next,
    loadMore,
    paging,
    remove: (id: string) => setRemoved((previous) => [...previous, id]),
    reload: () => setReloads((count) => count + 1),
  };
}

export type PagedList<T> = ReturnType<typeof usePagedList<T>>;

/** While a screen's data loads: "Loading…"; once it failed: the problem and a retry. Nothing once it is there. */
export function LoadingOrFailed({ loaded, retry }: { loaded: { status: string; shown?: Shown }; retry: () => void }) {
  const { t } = useTexts();
  if (loaded.status === "loading") {
    return (
      <p class="loading" role="status">
        {t.loading}
      </p>
    );
  }
  if (loaded.status === "failed" && loaded.shown) {
    return (
      <>
        <ProblemView shown={loaded.shown} />
        <button type="button" onClick={retry}>
          {t.retry}
        </button>
      </>
    );
  }
  return null;
}
