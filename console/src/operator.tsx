// The operator's home: the programme's figures (GET /v1/operators/stats) as tables.
import { useEffect, useState } from "preact/hooks";
import { call, shownOf, type Api, type Schemas, type Shown } from "./client";
import { locale, type Lang } from "./i18n";
import { ProblemView, useFocusOnMount, useTexts } from "./ui";

type Stats = Schemas["Stats"];
type MemberStatus = Schemas["MemberStatus"];

type Loaded = { status: "loading" } | { status: "loaded"; stats: Stats } | { status: "failed"; shown: Shown };

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
  const [loaded, setLoaded] = useState<Loaded>({ status: "loading" });
  const [reloads, setReloads] = useState(0);

  useEffect(() => {
    let current = true;
    setLoaded({ status: "loading" });
    call(api.GET("/v1/operators/stats"))
      .then((stats) => current && setLoaded({ status: "loaded", stats }))
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
  }, [api, lang, reloads]);

  const number = new Intl.NumberFormat(locale(lang));
  const money = new Intl.NumberFormat(locale(lang), { style: "currency", currency: "MXN" });

  return (
    <>
      <h1 tabIndex={-1} ref={heading}>
        {t.figuresTitle}
      </h1>
      <div class="toolbar">
        <button type="button" onClick={() => setReloads((count) => count + 1)}>
          {t.reload}
        </button>
      </div>
      <div aria-live="polite" aria-busy={loaded.status === "loading" ? "true" : "false"}>
        {loaded.status === "loading" && <p class="loading">{t.loading}</p>}
        {loaded.status === "failed" && <ProblemView shown={loaded.shown} />}
        {loaded.status === "loaded" && (
          <>
            <p class="note">{t.figuresMonth(formatMonth(loaded.stats.month, lang))}</p>
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
                  {byKnownOrder(loaded.stats.members_by_status, Object.keys(t.memberStatus)).map(([status, count]) => (
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
                      {number.format(Object.values(loaded.stats.members_by_status).reduce((sum, n) => sum + n, 0))}
                    </td>
                  </tr>
                  <tr>
                    <th scope="row">{t.beneficiaries}</th>
                    <td class="num">{number.format(loaded.stats.beneficiaries)}</td>
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
                  {byKnownOrder(loaded.stats.payments_this_month, Object.keys(t.paymentKind))
                    .filter(([kind]) => !kind.endsWith("_mxn"))
                    .map(([kind, count]) => {
                      const amount = loaded.stats.payments_this_month[`${kind}_mxn`];
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
