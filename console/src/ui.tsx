// Small shared pieces: the language context, form fields with their errors, and problem messages.
import { createContext, type Ref } from "preact";
import { useContext, useEffect, useRef, useState } from "preact/hooks";
import { otherFieldMessages, type Shown } from "./client";
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

interface FieldProps {
  id: string;
  label: string;
  value: string;
  onInput: (value: string) => void;
  errors: readonly string[];
  type?: "text" | "password" | "date";
  autoComplete?: string;
  hint?: string;
  required?: boolean;
  inputRef?: Ref<HTMLInputElement>;
}

export function Field(props: FieldProps) {
  const { id, errors, hint } = props;
  const described = [hint ? `${id}-hint` : "", errors.length ? `${id}-error` : ""].filter(Boolean).join(" ");
  return (
    <div class="field">
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
        // Preact 11 types each input `type` with its own attributes; these three share all of the ones used here.
        type={(props.type ?? "text") as "text"}
        value={props.value}
        onInput={(event) => props.onInput(event.currentTarget.value)}
        autoComplete={props.autoComplete}
        required={props.required}
        aria-invalid={errors.length > 0 ? "true" : undefined}
        aria-describedby={described || undefined}
      />
      {errors.length > 0 && (
        <p id={`${id}-error`} class="field-error">
          {errors.join(" ")}
        </p>
      )}
    </div>
  );
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
    <div class="problem" role="alert">
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
