// The operator's home: the programme's figures. This month's tables (GET /v1/operators/stats), then charts per Mexico
// City day over a chosen range (GET /v1/operators/stats/daily): members by status, payments (counts and amounts) and
// consults, each with its numbers in a table beside it. The range's limits are the API's: its 422 names `query.from`
// or `query.to`, shown on that field.
import type { ComponentChildren } from "preact";
import { useEffect, useRef, useState } from "preact/hooks";
import { DailyChart, DailyTable, sum, type Series } from "./charts";
import { call, fieldMessages, type Api, type Schemas } from "./client";
import { formatters, locale } from "./i18n";
import { addDays, formatDay, formatMonth, formatShortDay, mexicoCityDay } from "./time";
import { Field, ProblemView, useFocusFirstInvalid, useFocusOnMount, useLoaded, useSubmission, useTexts } from "./ui";
import "./queues.css";

type Stats = Schemas["Stats"];
type MemberStatus = Schemas["MemberStatus"];
type DailyFigures = Schemas["DailyFigures"];
type DayFigures = Schemas["DayFiguresOut"];

const RANGE_DAYS = 30;
const PAYMENT_KINDS = ["received", "applied", "unmatched", "reversed"] as const;
const CONSULT_KINDS = ["booked", "attended", "noshow"] as const;
// Colours with at least 3:1 contrast on white; the legend, the line patterns and the tables name each series too.
const PAYMENT_COLORS: Record<(typeof PAYMENT_KINDS)[number], string> = {
  received: "#0a4f9e",
  applied: "#0b5d3b",
  unmatched: "#8a5300",
  reversed: "#a4161a",
};
const CONSULT_COLORS: Record<(typeof CONSULT_KINDS)[number], string> = {
  booked: "#0a4f9e",
  attended: "#0b5d3b",
  noshow: "#a4161a",
};
const STATUS_COLORS = ["#8a5300", "#0b5d3b", "#6b21a8", "#4b5563", "#0a4f9e"];

/** Entries in the order of `known` (the catalogue's: a member's path), then any the console does not know yet. */
function byKnownOrder<V>(record: Record<string, V>, known: string[]): [string, V][] {
  const rank = (key: string) => (known.includes(key) ? known.indexOf(key) : known.length);
  return Object.entries(record).sort(([a], [b]) => rank(a) - rank(b));
}

/** An amount the API sends as a decimal string ("1234.50"), in whole centavos: sums stay exact. */
function centavosOf(amount: number | string | undefined): number {
  const [whole = "0", fraction = ""] = String(amount ?? "0").split(".");
  const centavos = Math.abs(Number(whole)) * 100 + Number(`${fraction}00`.slice(0, 2));
  return whole.startsWith("-") ? -centavos : centavos;
}

export function ProgrammeFigures({ api }: { api: Api }) {
  const { t } = useTexts();
  const heading = useFocusOnMount<HTMLHeadingElement>();
  return (
    <>
      <h1 tabIndex={-1} ref={heading}>
        {t.figuresTitle}
      </h1>
      <MonthFigures api={api} />
      <DailyCharts api={api} />
    </>
  );
}

/** This month's figures, as tables. */
function MonthFigures({ api }: { api: Api }) {
  const { lang, t } = useTexts();
  // `lang`: asked again in the new language, so a problem is shown in it.
  const [loaded, retry] = useLoaded<Stats>(() => call(api.GET("/v1/operators/stats")), [api, lang]);
  const format = formatters(lang);

  return (
    <section class="figures-section" aria-labelledby="month-figures">
      <div class="figures-head">
        <h2 id="month-figures">
          {loaded.status === "loaded" ? t.figuresMonth(formatMonth(loaded.value.month, lang)) : t.chartMonthTitle}
        </h2>
        <button type="button" onClick={retry}>
          {t.reload}
        </button>
      </div>
      <div aria-live="polite" aria-busy={loaded.status === "loading" ? "true" : "false"}>
        {loaded.status === "loading" && <p class="loading">{t.loading}</p>}
        {loaded.status === "failed" && <ProblemView shown={loaded.shown} />}
        {loaded.status === "loaded" && (
          <div class="figures">
            <table>
              <caption>{t.membersByStatus}</caption>
              <thead>
                <tr>
                  <th scope="col">{t.memberStatusColumn}</th>
                  <th scope="col" class="num">
                    {t.countColumn}
                  </th>
                </tr>
              </thead>
              <tbody>
                {byKnownOrder(loaded.value.members_by_status, Object.keys(t.memberStatus)).map(([status, count]) => (
                  <tr key={status}>
                    <th scope="row">{t.memberStatus[status as MemberStatus] ?? status}</th>
                    <td class="num">{format.count(count)}</td>
                  </tr>
                ))}
              </tbody>
              <tfoot>
                <tr>
                  <th scope="row">{t.total}</th>
                  <td class="num">{format.count(sum(Object.values(loaded.value.members_by_status)))}</td>
                </tr>
                <tr>
                  <th scope="row">{t.beneficiaries}</th>
                  <td class="num">{format.count(loaded.value.beneficiaries)}</td>
                </tr>
              </tfoot>
            </table>
            <table>
              <caption>{t.paymentsThisMonth}</caption>
              <thead>
                <tr>
                  <th scope="col">{t.paymentKindColumn}</th>
                  <th scope="col" class="num">
                    {t.countColumn}
                  </th>
                  <th scope="col" class="num">
                    {t.amountColumn}
                  </th>
                </tr>
              </thead>
              <tbody>
                {byKnownOrder(loaded.value.payments_this_month, Object.keys(t.paymentKind))
                  .filter(([kind]) => !kind.endsWith("_mxn"))
                  .map(([kind, count]) => {
                    const amount = loaded.value.payments_this_month[`${kind}_mxn`];
                    return (
                      <tr key={kind}>
                        <th scope="row">{t.paymentKind[kind] ?? kind}</th>
                        <td class="num">{format.count(Number(count))}</td>
                        <td class="num">{amount === undefined ? "—" : format.money(amount)}</td>
                      </tr>
                    );
                  })}
              </tbody>
            </table>
          </div>
        )}
      </div>
    </section>
  );
}

interface Range {
  from: string;
  to: string;
}

function lastDays(days: number): Range {
  const today = mexicoCityDay(new Date());
  return { from: addDays(today, -(days - 1)), to: today };
}

/** The charts over a range: a form (the last 30 days by default), then the charts of the range last shown. */
function DailyCharts({ api }: { api: Api }) {
  const { lang, t } = useTexts();
  const form = useRef<HTMLFormElement>(null);
  const [draft, setDraft] = useState<Range>(() => lastDays(RANGE_DAYS));
  const [shown, setShown] = useState<{ range: Range; figures: DailyFigures } | null>(null);
  const { busy, problem, failures, run } = useSubmission();
  useFocusFirstInvalid(form, failures);

  const show = (range: Range) =>
    run(async () => {
      const figures = await call(api.GET("/v1/operators/stats/daily", { params: { query: range } }));
      setShown({ range, figures });
    });

  // The default range at once; again in a new language, so a problem is shown in it.
  useEffect(() => void show(shown?.range ?? draft), [api, lang]); // eslint-disable-line react-hooks/exhaustive-deps

  const submit = (event: Event) => {
    event.preventDefault();
    void show(draft);
  };

  return (
    <section class="figures-section" aria-labelledby="daily-figures">
      <h2 id="daily-figures">{t.chartDailyTitle}</h2>
      <p class="note">{t.chartDailyIntro}</p>
      <form ref={form} class="range-form" noValidate onSubmit={submit}>
        <Field
          id="range-from"
          label={t.chartFrom}
          type="date"
          value={draft.from}
          onInput={(from) => setDraft((previous) => ({ ...previous, from }))}
          errors={fieldMessages(problem, "query.from")}
        />
        <Field
          id="range-to"
          label={t.chartTo}
          type="date"
          value={draft.to}
          onInput={(to) => setDraft((previous) => ({ ...previous, to }))}
          errors={fieldMessages(problem, "query.to")}
        />
        <button type="submit" class="primary" disabled={busy}>
          {busy ? t.loading : t.chartShow}
        </button>
        <button
          type="button"
          disabled={busy}
          onClick={() => {
            const range = lastDays(RANGE_DAYS);
            setDraft(range);
            void show(range);
          }}
        >
          {t.chartLast30}
        </button>
      </form>
      {problem && <ProblemView shown={problem} fields={["query.from", "query.to"]} />}
      <div aria-live="polite" aria-busy={busy ? "true" : "false"}>
        {shown && (
          <p class="note">
            {t.chartShowing(formatDay(shown.range.from, lang, true), formatDay(shown.range.to, lang, true))}
          </p>
        )}
      </div>
      {shown && <Charts items={shown.figures.items} />}
    </section>
  );
}

function Charts({ items }: { items: DayFigures[] }) {
  const { lang, t } = useTexts();
  const format = formatters(lang);
  const days = items.map((item) => item.day);
  const first = days[0];
  const last = days[days.length - 1];
  if (!first || !last) {
    return null;
  }
  const period = t.chartPeriod(formatShortDay(first, lang), formatShortDay(last, lang));

  const statuses = byKnownOrder(
    Object.fromEntries(items.flatMap((item) => Object.keys(item.members_by_status)).map((key) => [key, 0])),
    Object.keys(t.memberStatus),
  ).map(([status]) => status);
  const members: Series[] = statuses.map((status, index) => ({
    key: status,
    label: t.memberStatus[status as MemberStatus] ?? status,
    values: items.map((item) => item.members_by_status[status] ?? 0),
    color: STATUS_COLORS[index % STATUS_COLORS.length] ?? "#4b5563",
  }));
  const paymentCounts: Series[] = PAYMENT_KINDS.map((kind) => ({
    key: kind,
    label: t.paymentKind[kind] ?? kind,
    values: items.map((item) => Number(item.payments[kind] ?? 0)),
    color: PAYMENT_COLORS[kind],
  }));
  const paymentAmounts: Series[] = PAYMENT_KINDS.map((kind) => ({
    key: kind,
    label: t.paymentKind[kind] ?? kind,
    values: items.map((item) => centavosOf(item.payments[`${kind}_mxn`])),
    color: PAYMENT_COLORS[kind],
  }));
  const consults: Series[] = CONSULT_KINDS.map((kind) => ({
    key: kind,
    label: t.chartConsultKind[kind],
    values: items.map((item) => item.consults[kind] ?? 0),
    color: CONSULT_COLORS[kind],
  }));

  const totals = (series: Series[], show: (value: number) => string) =>
    series.map((one) => `${one.label}: ${show(sum(one.values))}`).join(", ");
  const atEnd = members
    .map((one) => `${one.label}: ${format.count(one.values[one.values.length - 1] ?? 0)}`)
    .join(", ");
  // Axis labels in whole pesos: the tables beside the chart carry the centavos.
  const wholePesos = new Intl.NumberFormat(locale(lang), {
    style: "currency",
    currency: "MXN",
    maximumFractionDigits: 0,
  });

  return (
    <div class="charts">
      <ChartPanel id="chart-members" title={t.chartMembersTitle} totals={t.chartAtEnd(atEnd)}>
        <DailyChart
          days={days}
          series={members}
          shape="lines"
          format={format.count}
          unit={1}
          summary={t.chartSummary(t.chartMembersTitle, period, t.chartAtEnd(atEnd))}
        />
        <DailyTable
          id="members-table"
          caption={t.chartMembersTable}
          days={days}
          series={members}
          format={format.count}
          totals={false}
        />
      </ChartPanel>
      <ChartPanel
        id="chart-payments"
        title={t.chartPaymentsTitle}
        totals={t.chartTotals(totals(paymentCounts, format.count))}
      >
        <DailyChart
          days={days}
          series={paymentCounts}
          shape="bars"
          format={format.count}
          unit={1}
          summary={t.chartSummary(t.chartPaymentsTitle, period, t.chartTotals(totals(paymentCounts, format.count)))}
        />
        <DailyTable
          id="payments-table"
          caption={t.chartPaymentsTable}
          days={days}
          series={paymentCounts}
          format={format.count}
          totals
        />
      </ChartPanel>
      <ChartPanel
        id="chart-amounts"
        title={t.chartAmountsTitle}
        totals={t.chartTotals(totals(paymentAmounts, format.centavos))}
      >
        <DailyChart
          days={days}
          series={paymentAmounts}
          shape="bars"
          format={(centavos) => wholePesos.format(centavos / 100)}
          unit={100}
          summary={t.chartSummary(t.chartAmountsTitle, period, t.chartTotals(totals(paymentAmounts, format.centavos)))}
        />
        <DailyTable
          id="amounts-table"
          caption={t.chartAmountsTable}
          days={days}
          series={paymentAmounts}
          format={format.centavos}
          totals
        />
      </ChartPanel>
      <ChartPanel
        id="chart-consults"
        title={t.chartConsultsTitle}
        totals={t.chartTotals(totals(consults, format.count))}
      >
        <DailyChart
          days={days}
          series={consults}
          shape="bars"
          format={format.count}
          unit={1}
          summary={t.chartSummary(t.chartConsultsTitle, period, t.chartTotals(totals(consults, format.count)))}
        />
        <DailyTable
          id="consults-table"
          caption={t.chartConsultsTable}
          days={days}
          series={consults}
          format={format.count}
          totals
        />
      </ChartPanel>
    </div>
  );
}

interface PanelProps {
  id: string;
  title: string;
  totals: string;
  children: ComponentChildren;
}

function ChartPanel({ id, title, totals, children }: PanelProps) {
  return (
    <section class="card chart-panel" aria-labelledby={id}>
      <h3 id={id}>{title}</h3>
      <p class="chart-totals">{totals}</p>
      <div class="chart-pair">{children}</div>
    </section>
  );
}
