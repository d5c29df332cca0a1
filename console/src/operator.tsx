// The operator's home: the programme's figures (GET /v1/operators/stats) as tables.
import { call, type Api, type Schemas } from "./client";
import { locale, type Lang } from "./i18n";
import { ProblemView, useFocusOnMount, useLoaded, useTexts } from "./ui";

type Stats = Schemas["Stats"];
type MemberStatus = Schemas["MemberStatus"];

function formatMonth(month: string, lang: Lang): string {
  const [year, number] = month.split("-").map(Number);
  if (!year || !number) {
    return month;
  }
  return new Intl.DateTimeFormat(locale(lang), { timeZone: "UTC", month: "long", year: "numeric" }).format(
    new Date(Date.UTC(year, number - 1, 1)),
  );
}

/** Entries in the order of `known` (the catalogue's: a member's path), then any the console does not know yet. */
function byKnownOrder<V>(record: Record<string, V>, known: string[]): [string, V][] {
  const rank = (key: string) => (known.includes(key) ? known.indexOf(key) : known.length);
  return Object.entries(record).sort(([a], [b]) => rank(a) - rank(b));
}

export function ProgrammeFigures({ api }: { api: Api }) {
  const { lang, t } = useTexts();
  const heading = useFocusOnMount<HTMLHeadingElement>();
  // `lang`: asked again in the new language, so a problem is shown in it.
  const [loaded, retry] = useLoaded<Stats>(() => call(api.GET("/v1/operators/stats")), [api, lang]);

  const number = new Intl.NumberFormat(locale(lang));
  const money = new Intl.NumberFormat(locale(lang), { style: "currency", currency: "MXN" });

  return (
    <>
      <h1 tabIndex={-1} ref={heading}>
        {t.figuresTitle}
      </h1>
      <div class="toolbar">
        <button type="button" onClick={retry}>
          {t.reload}
        </button>
      </div>
      <div aria-live="polite" aria-busy={loaded.status === "loading" ? "true" : "false"}>
        {loaded.status === "loading" && <p class="loading">{t.loading}</p>}
        {loaded.status === "failed" && <ProblemView shown={loaded.shown} />}
        {loaded.status === "loaded" && (
          <>
            <p class="note">{t.figuresMonth(formatMonth(loaded.value.month, lang))}</p>
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
                      <td class="num">{number.format(count)}</td>
                    </tr>
                  ))}
                </tbody>
                <tfoot>
                  <tr>
                    <th scope="row">{t.total}</th>
                    <td class="num">
                      {number.format(Object.values(loaded.value.members_by_status).reduce((sum, n) => sum + n, 0))}
                    </td>
                  </tr>
                  <tr>
                    <th scope="row">{t.beneficiaries}</th>
                    <td class="num">{number.format(loaded.value.beneficiaries)}</td>
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
                          <td class="num">{number.format(Number(count))}</td>
                          <td class="num">{amount === undefined ? "—" : money.format(Number(amount))}</td>
                        </tr>
                      );
                    })}
                </tbody>
              </table>
            </div>
          </>
        )}
      </div>
      <p class="note">{t.figuresLater}</p>
    </>
  );
}
