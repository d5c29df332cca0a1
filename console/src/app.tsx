// The console's shell: configuration, sign-in state, language, header with navigation, and the page for the role.
import { useEffect, useMemo, useState } from "preact/hooks";
import { Auth, type Identity } from "./auth";
import { createApi } from "./client";
import { loadConfig, type Config } from "./config";
import { NurseAvailability } from "./availability";
import { ConsultPage } from "./consult";
import { applyLang, type Lang } from "./i18n";
import { NurseAgenda } from "./nurse";
import { ProgrammeFigures } from "./operator";
import { UnmatchedPayments } from "./payments";
import { IdentityClaims } from "./claims";
import { MemberLookup } from "./members";
import { NurseRoster } from "./nurses";
import { RecordAudit } from "./audit";
import { ArcoRequests } from "./arco";
import { SignIn, type Notice } from "./signin";
import { isDay } from "./time";
import { LangContext, useFocusOnMount, useTexts } from "./ui";

type Page = "agenda" | "availability" | "figures" | "payments" | "claims" | "members" | "nurses" | "audit" | "arco";

function pagesFor(identity: Identity): Page[] {
  return [
    ...(identity.roles.includes("nurse") ? (["agenda", "availability"] as const) : []),
    ...(identity.roles.includes("operator")
      ? (["figures", "payments", "claims", "members", "nurses", "audit", "arco"] as const)
      : []),
  ];
}

function pageFromHash(): string {
  return window.location.hash.replace(/^#\/?/, "");
}

/** `#agenda`, `#agenda/<day>` (back from a consult), `#consult/<day>/<appointment id>` (a nurse's), `#availability`,
 * and the operator's `#figures`, `#payments`, `#claims`, `#members`, `#nurses`, `#audit`, `#arco`; anything else is the role's first page. */
interface Route {
  page: Page | undefined;
  day?: string | undefined;
  consult?: { day: string; id: string };
}

function decoded(segment: string): string | undefined {
  try {
    return decodeURIComponent(segment);
  } catch {
    return undefined; // a malformed escape: not a route
  }
}

function routeOf(hash: string, pages: Page[]): Route {
  const [name, first, second] = hash.split("/");
  const day = first !== undefined && isDay(first) ? first : undefined;
  const id = second === undefined ? undefined : decoded(second);
  if (name === "consult" && pages.includes("agenda") && day && id) {
    return { page: "agenda", consult: { day, id } };
  }
  const page = pages.find((candidate) => candidate === name);
  return page ? { page, day } : { page: pages[0] };
}

export function App() {
  const [lang, setLangState] = useState<Lang>("es");
  // The module's language first (API calls read it for Accept-Language, and pages ask again on a switch), then render.
  const setLang = (next: Lang) => {
    applyLang(next);
    setLangState(next);
  };
  const [config, setConfig] = useState<Config | null>(null);
  const [configFailed, setConfigFailed] = useState(false);
  const [attempt, setAttempt] = useState(0);

  useEffect(() => applyLang(lang), []); // eslint-disable-line react-hooks/exhaustive-deps -- the initial language

  useEffect(() => {
    setConfigFailed(false);
    loadConfig().then(setConfig, () => setConfigFailed(true));
  }, [attempt]);

  return (
    <LangContext.Provider value={lang}>
      {config ? (
        <Console config={config} lang={lang} setLang={setLang} />
      ) : (
        <>
          <Header lang={lang} setLang={setLang} />
          <main id="main" tabIndex={-1}>
            {configFailed ? <ConfigFailed retry={() => setAttempt((n) => n + 1)} /> : <Loading />}
          </main>
        </>
      )}
    </LangContext.Provider>
  );
}

function Loading() {
  const { t } = useTexts();
  return (
    <p class="loading" role="status">
      {t.loading}
    </p>
  );
}

function ConfigFailed({ retry }: { retry: () => void }) {
  const { t } = useTexts();
  return (
    <section class="card narrow">
      <h1>{t.configFailed}</h1>
      <p role="alert">{t.configFailedDetail}</p>
      <button type="button" onClick={retry}>
        {t.retry}
      </button>
    </section>
  );
}

function Console({ config, lang, setLang }: { config: Config; lang: Lang; setLang: (lang: Lang) => void }) {
  const [identity, setIdentity] = useState<Identity | null>(null);
  const [notice, setNotice] = useState<Notice | null>(null);
  const [hash, setHash] = useState(pageFromHash);

  const auth = useMemo(
    () =>
      new Auth(config.cognito, () => {
        setIdentity(null);
        setNotice("session-ended");
      }),
    [config],
  );
  const api = useMemo(() => createApi(config.api, auth), [config, auth]);

  useEffect(() => {
    const follow = () => setHash(pageFromHash());
    window.addEventListener("hashchange", follow);
    return () => window.removeEventListener("hashchange", follow);
  }, []);

  const signOut = () => {
    auth.signOut();
    setIdentity(null);
    setNotice("signed-out");
  };

  const pages = identity ? pagesFor(identity) : [];
  const route = routeOf(hash, pages);
  const page = route.page;

  return (
    <>
      <Header lang={lang} setLang={setLang} identity={identity} pages={pages} page={page} signOut={signOut} />
      <main id="main" tabIndex={-1}>
        {!identity ? (
          <SignIn
            auth={auth}
            notice={notice}
            onSignedIn={(signedIn) => {
              setNotice(null);
              setIdentity(signedIn);
            }}
          />
        ) : route.consult ? (
          <ConsultPage key={`consult/${route.consult.id}`} api={api} day={route.consult.day} id={route.consult.id} />
        ) : page === "agenda" ? (
          <NurseAgenda key={`agenda/${route.day ?? ""}`} api={api} day={route.day} />
        ) : page === "availability" ? (
          <NurseAvailability key="availability" api={api} />
        ) : page === "figures" ? (
          <ProgrammeFigures key="figures" api={api} />
        ) : page === "payments" ? (
          <UnmatchedPayments key="payments" api={api} />
        ) : page === "claims" ? (
          <IdentityClaims key="claims" api={api} />
        ) : page === "members" ? (
          <MemberLookup key="members" api={api} />
        ) : page === "nurses" ? (
          <NurseRoster key="nurses" api={api} />
        ) : page === "audit" ? (
          <RecordAudit key="audit" api={api} />
        ) : page === "arco" ? (
          <ArcoRequests key="arco" api={api} />
        ) : (
          <NotStaff signOut={signOut} />
        )}
      </main>
    </>
  );
}

function NotStaff({ signOut }: { signOut: () => void }) {
  const { t } = useTexts();
  const heading = useFocusOnMount<HTMLHeadingElement>();
  return (
    <section class="card narrow">
      <h1 tabIndex={-1} ref={heading}>
        {t.notStaffTitle}
      </h1>
      <p>{t.notStaffBody}</p>
      <button type="button" onClick={signOut}>
        {t.signOut}
      </button>
    </section>
  );
}

interface HeaderProps {
  lang: Lang;
  setLang: (lang: Lang) => void;
  identity?: Identity | null;
  pages?: Page[];
  page?: Page | undefined;
  signOut?: () => void;
}

function Header({ lang, setLang, identity, pages = [], page, signOut }: HeaderProps) {
  const { t } = useTexts();
  const other: Lang = lang === "es" ? "en" : "es";
  const label: Record<Page, string> = {
    agenda: t.navAgenda,
    availability: t.navAvailability,
    figures: t.navFigures,
    payments: t.navPayments,
    claims: t.navClaims,
    members: t.navMembers,
    nurses: t.navNurses,
    audit: t.navAudit,
    arco: t.navArco,
  };
  return (
    <>
      <a
        class="skip-link"
        href="#main"
        onClick={(event) => {
          event.preventDefault(); // the hash names the page: move focus without changing it
          document.getElementById("main")?.focus();
        }}
      >
        {t.skipToContent}
      </a>
      <header class="app-header">
        <p class="brand">
          <span class="brand-name">{t.appName}</span>
          <span class="brand-sub">{t.appSubtitle}</span>
        </p>
        {identity && pages.length > 0 && (
          <nav aria-label={t.navLabel}>
            <ul>
              {pages.map((candidate) => (
                <li key={candidate}>
                  <a href={`#${candidate}`} aria-current={candidate === page ? "page" : undefined}>
                    {label[candidate]}
                  </a>
                </li>
              ))}
            </ul>
          </nav>
        )}
        <div class="header-actions">
          <button type="button" lang={other} aria-label={t.otherLanguageLabel} onClick={() => setLang(other)}>
            {t.otherLanguage}
          </button>
          {identity && signOut && (
            <>
              <span class="who">{t.signedInAs(identity.username)}</span>
              <button type="button" onClick={signOut}>
                {t.signOut}
              </button>
            </>
          )}
        </div>
      </header>
    </>
  );
}
