// Dates and times as nurses read them: Mexico City's calendar and clock, whatever the device's time zone.
import { locale, type Lang } from "./i18n";

export const MEXICO_CITY = "America/Mexico_City";

const dayParts = new Intl.DateTimeFormat("en-US", {
  timeZone: MEXICO_CITY,
  year: "numeric",
  month: "2-digit",
  day: "2-digit",
});

/** The Mexico City calendar day of an instant, as YYYY-MM-DD. */
export function mexicoCityDay(instant: Date): string {
  const parts = Object.fromEntries(dayParts.formatToParts(instant).map((part) => [part.type, part.value]));
  return `${parts.year}-${parts.month}-${parts.day}`;
}

/** A calendar day (YYYY-MM-DD) as a Date at midnight UTC: day arithmetic without time zones. */
function utcDate(day: string): Date {
  const [year, month, date] = day.split("-").map(Number);
  return new Date(Date.UTC(year ?? 1970, (month ?? 1) - 1, date ?? 1));
}

export function isDay(value: string): boolean {
  return /^\d{4}-\d{2}-\d{2}$/.test(value) && utcDate(value).toISOString().startsWith(value);
}

export function addDays(day: string, days: number): string {
  const date = utcDate(day);
  date.setUTCDate(date.getUTCDate() + days);
  return date.toISOString().slice(0, 10);
}

/** Monday to Sunday of the week that holds `day`. */
export function weekOf(day: string): string[] {
  const monday = addDays(day, -((utcDate(day).getUTCDay() + 6) % 7));
  return Array.from({ length: 7 }, (_, index) => addDays(monday, index));
}

export function formatDay(day: string, lang: Lang, withYear = false): string {
  return new Intl.DateTimeFormat(locale(lang), {
    timeZone: "UTC",
    weekday: "long",
    day: "numeric",
    month: "long",
    ...(withYear ? { year: "numeric" } : {}),
  }).format(utcDate(day));
}

export function formatShortDay(day: string, lang: Lang): string {
  return new Intl.DateTimeFormat(locale(lang), { timeZone: "UTC", day: "numeric", month: "short" }).format(utcDate(day));
}

export function formatTime(instant: Date, lang: Lang): string {
  return new Intl.DateTimeFormat(locale(lang), {
    timeZone: MEXICO_CITY,
    hour: lang === "es" ? "2-digit" : "numeric",
    minute: "2-digit",
    ...(lang === "es" ? { hourCycle: "h23" as const } : {}),
  }).format(instant);
}

export type JoinState = "not-yet" | "open" | "closed";

export interface JoinWindow {
  opens: Date;
  closes: Date;
  state: JoinState;
}

/** Where `now` stands in the window the API gives (`join_opens_at` until `end`). */
export function joinWindow(opens: Date, end: Date, now: Date): JoinWindow {
  const state: JoinState = now < opens ? "not-yet" : now < end ? "open" : "closed";
  return { opens, closes: end, state };
}

/** An instant as Mexico City's day and clock, e.g. "lunes, 23 de noviembre, 10:00". */
export function formatDateTime(instant: Date, lang: Lang): string {
  return `${formatDay(mexicoCityDay(instant), lang)}, ${formatTime(instant, lang)}`;
}

/** A YYYY-MM month in words, e.g. "noviembre de 2026". */
export function formatMonth(month: string, lang: Lang): string {
  const [year, number] = month.split("-").map(Number);
  if (!year || !number) {
    return month;
  }
  return new Intl.DateTimeFormat(locale(lang), { timeZone: "UTC", month: "long", year: "numeric" }).format(
    new Date(Date.UTC(year, number - 1, 1)),
  );
}

/** An instant in a table's cell: Mexico City's short date and clock, to the second where order matters (audits). */
export function formatStamp(instant: string, lang: Lang, withSeconds = false): string {
  return new Intl.DateTimeFormat(locale(lang), {
    timeZone: MEXICO_CITY,
    dateStyle: "medium",
    timeStyle: withSeconds ? "medium" : "short",
    ...(lang === "es" ? { hourCycle: "h23" as const } : {}), // as formatTime: 24-hour clock in Spanish
  }).format(new Date(instant));
}
