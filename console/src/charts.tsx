// Per-day charts drawn as inline SVG (no chart library: the JavaScript budget), each with its numbers in a table
// beside it. The SVG is an image with a short summary for screen readers; the table is the full accessible source.
import { useEffect, useRef } from "preact/hooks";
import { formatShortDay } from "./time";
import { useTexts } from "./ui";

export interface Series {
  key: string;
  label: string;
  /** One value per day, in the order of the chart's days. */
  values: number[];
  /** A colour with at least 3:1 contrast on white (non-text contrast); the legend and table name the series too. */
  color: string;
}

const WIDTH = 640;
const HEIGHT = 260;
const TOP = 12;
const RIGHT = 12;
const BOTTOM = 32;
const X_LABELS = 8; // at most this many day labels under the axis, so they never overlap
const MARKERS_UP_TO = 31; // days; beyond that, line markers would crowd each other

/** Round steps (1, 2, 5 × 10ⁿ, in multiples of `unit`) for about four grid lines. */
function gridOf(max: number, unit: number): number[] {
  const rough = Math.max(max, unit) / 4;
  const power = 10 ** Math.floor(Math.log10(rough));
  const nice = [1, 2, 5, 10].map((m) => m * power).find((step) => step >= rough) ?? rough;
  const step = Math.max(unit, Math.ceil(nice / unit) * unit);
  const top = Math.max(step, Math.ceil(max / step) * step);
  return Array.from({ length: Math.round(top / step) + 1 }, (_, index) => index * step);
}

/** A series' marker on a line chart: shape as well as colour tells the series apart. */
function Marker({ index, x, y, color }: { index: number; x: number; y: number; color: string }) {
  const r = 3.5;
  switch (index % 4) {
    case 0:
      return <circle cx={x} cy={y} r={r} fill={color} />;
    case 1:
      return <rect x={x - r} y={y - r} width={2 * r} height={2 * r} fill={color} />;
    case 2:
      return <path d={`M${x} ${y - r - 1}L${x + r + 1} ${y + r}L${x - r - 1} ${y + r}Z`} fill={color} />;
    default:
      return <path d={`M${x} ${y - r - 1}L${x + r + 1} ${y}L${x} ${y + r + 1}L${x - r - 1} ${y}Z`} fill={color} />;
  }
}

const DASHES = [undefined, "6 3", "2 3", "8 3 2 3"];

interface ChartProps {
  days: string[];
  series: Series[];
  shape: "bars" | "lines";
  /** The values' format on the axis (counts, or money). */
  format: (value: number) => string;
  /** The smallest step between grid lines: 1 for counts, 100 for centavos (whole pesos). */
  unit: number;
  /** What the image shows, for screen readers (the table beside it has every number). */
  summary: string;
}

export function DailyChart({ days, series, shape, format, unit, summary }: ChartProps) {
  const { lang } = useTexts();
  const max = Math.max(0, ...series.flatMap((one) => one.values));
  const grid = gridOf(max, unit);
  const top = grid[grid.length - 1] ?? 1;
  const left = 16 + 7 * Math.max(...grid.map((value) => format(value).length)); // room for the widest label
  const plotWidth = WIDTH - left - RIGHT;
  const plotHeight = HEIGHT - TOP - BOTTOM;
  const band = plotWidth / Math.max(days.length, 1);
  const y = (value: number) => TOP + plotHeight - (value / top) * plotHeight;
  const center = (index: number) => left + band * (index + 0.5);
  const labelEvery = Math.ceil(days.length / X_LABELS);
  const barWidth = (band * 0.8) / Math.max(series.length, 1);

  return (
    <figure class="chart">
      <svg viewBox={`0 0 ${WIDTH} ${HEIGHT}`} role="img" aria-label={summary} focusable="false">
        {grid.map((value) => (
          <g key={value}>
            <line x1={left} x2={WIDTH - RIGHT} y1={y(value)} y2={y(value)} stroke={value ? "#d9dde3" : "#4b5563"} />
            <text x={left - 6} y={y(value) + 4} text-anchor="end" class="chart-label">
              {format(value)}
            </text>
          </g>
        ))}
        {days.map((day, index) =>
          index % labelEvery === 0 ? (
            <text key={day} x={center(index)} y={HEIGHT - 10} text-anchor="middle" class="chart-label">
              {formatShortDay(day, lang)}
            </text>
          ) : null,
        )}
        {shape === "bars"
          ? series.map((one, s) =>
              one.values.map((value, index) =>
                value > 0 ? (
                  <rect
                    key={`${one.key}-${index}`}
                    x={left + band * index + band * 0.1 + s * barWidth}
                    y={y(value)}
                    width={Math.max(barWidth - 0.5, 0.5)}
                    height={TOP + plotHeight - y(value)}
                    fill={one.color}
                  />
                ) : null,
              ),
            )
          : series.map((one, s) => (
              <g key={one.key}>
                <polyline
                  points={one.values.map((value, index) => `${center(index)},${y(value)}`).join(" ")}
                  fill="none"
                  stroke={one.color}
                  stroke-width="2"
                  stroke-dasharray={DASHES[s % DASHES.length]}
                />
                {days.length <= MARKERS_UP_TO &&
                  one.values.map((value, index) => (
                    <Marker key={index} index={s} x={center(index)} y={y(value)} color={one.color} />
                  ))}
              </g>
            ))}
      </svg>
      <figcaption>
        <ul class="chart-legend">
          {series.map((one, s) => (
            <li key={one.key}>
              <svg viewBox="0 0 24 12" width="24" height="12" aria-hidden="true" focusable="false">
                {shape === "bars" ? (
                  <rect x="4" y="0" width="16" height="12" fill={one.color} />
                ) : (
                  <>
                    <line
                      x1="0"
                      x2="24"
                      y1="6"
                      y2="6"
                      stroke={one.color}
                      stroke-width="2"
                      stroke-dasharray={DASHES[s % DASHES.length]}
                    />
                    <Marker index={s} x={12} y={6} color={one.color} />
                  </>
                )}
              </svg>
              {one.label}
            </li>
          ))}
        </ul>
      </figcaption>
    </figure>
  );
}

interface TableProps {
  id: string;
  caption: string;
  days: string[];
  series: Series[];
  format: (value: number) => string;
  /** A footer with each series' sum over the days (flows); a state, like members by status, has none. */
  totals: boolean;
}

/** The chart's numbers: a row per day, a column per series, scrollable (and reachable by keyboard) when long. */
export function DailyTable({ id, caption, days, series, format, totals }: TableProps) {
  const { lang, t } = useTexts();
  const scroller = useRef<HTMLDivElement>(null);
  const range = `${days[0] ?? ""}/${days.length}`;
  // A new range opens on its latest days, as the chart ends; the rows stay in the chart's order.
  useEffect(() => {
    const element = scroller.current;
    if (element) {
      element.scrollTop = element.scrollHeight;
    }
  }, [range]);
  return (
    <div class="chart-numbers">
      {/* Named from outside the scrolling region, so the name stays in view when the latest days are. */}
      <p id={`${id}-title`} class="chart-table-title">
        {caption}
      </p>
      <div ref={scroller} class="chart-table" role="region" aria-labelledby={`${id}-title`} tabIndex={0}>
        <table aria-labelledby={`${id}-title`}>
          <thead>
            <tr>
              <th scope="col">{t.chartDayColumn}</th>
              {series.map((one) => (
                <th key={one.key} scope="col" class="num">
                  {one.label}
                </th>
              ))}
            </tr>
          </thead>
          <tbody>
            {days.map((day, index) => (
              <tr key={day}>
                <th scope="row">
                  <time dateTime={day}>{formatShortDay(day, lang)}</time>
                </th>
                {series.map((one) => (
                  <td key={one.key} class="num">
                    {format(one.values[index] ?? 0)}
                  </td>
                ))}
              </tr>
            ))}
          </tbody>
          {totals && (
            <tfoot>
              <tr>
                <th scope="row">{t.total}</th>
                {series.map((one) => (
                  <td key={one.key} class="num">
                    {format(sum(one.values))}
                  </td>
                ))}
              </tr>
            </tfoot>
          )}
        </table>
      </div>
    </div>
  );
}

export function sum(values: readonly number[]): number {
  return values.reduce((total, value) => total + value, 0);
}
