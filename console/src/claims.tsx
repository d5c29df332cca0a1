// The identity-claims queue: accounts that typed a CURP (or NSS) someone already holds (GET
// /v1/operators/identity-claims, oldest first, paged). Opening one reads both persons and the evidence (GET …/{id});
// the operator confirms they are the same person, saying how she checked (in person or at a consulate, with the photo
// ID's data and the place; or documents reviewed remotely), or rejects it with the reason. The API decides what a
// decision needs and keeps who and why; its 422 or 409 is shown on the field it names.
import { useEffect, useRef, useState } from "preact/hooks";
import { call, fieldMessages, type Api, type Schemas } from "./client";
import { formatDateTime } from "./time";
import {
  Field,
  LoadingOrFailed,
  ProblemView,
  Select,
  TextArea,
  useFocusFirstInvalid,
  useFocusOnMount,
  useLoaded,
  usePagedList,
  useSubmission,
  useTexts,
} from "./ui";
import { QueueList } from "./queue";
import "./queues.css";

type Claim = Schemas["IdentityClaim"];
type ClaimDetail = Schemas["ClaimDetail"];
type Person = Schemas["Person"];
type Evidence = Schemas["Evidence"];
type Checked = Schemas["ConfirmClaim"]["checked"];
type IdDocument = Schemas["DeclaredIdentity"];
type IdField = keyof IdDocument;

const PAGE_SIZE = 50;
const CHECKS: readonly Checked[] = ["in-person", "consular", "documents"];
const ID_FIELDS: readonly IdField[] = ["first_name", "last_name", "second_last_name", "birth_date"];

export function IdentityClaims({ api }: { api: Api }) {
  const { lang, t } = useTexts();
  // Focused on opening the page and again on returning to the list, which the decision just announced changed.
  const heading = useRef<HTMLHeadingElement>(null);
  useEffect(() => heading.current?.focus(), []);
  // `lang`: asked again in the new language, so a problem is shown in it.
  const list = usePagedList<Claim>(
    (after) => call(api.GET("/v1/operators/identity-claims", { params: { query: { limit: PAGE_SIZE, after } } })),
    (item) => item.claim_id,
    [api, lang],
  );
  const [open, setOpen] = useState<string | null>(null);
  const [said, setSaid] = useState("");

  const backToList = () => {
    setOpen(null);
    heading.current?.focus();
  };

  const done = (claim: Claim) => {
    list.remove(claim.claim_id);
    setSaid(claim.status === "confirmed" ? t.claimsConfirmed : t.claimsRejected);
    backToList();
  };

  return (
    <>
      <h1 tabIndex={-1} ref={heading}>
        {t.claimsTitle}
      </h1>
      <div aria-live="polite">{said && <p class="notice notice-ok">{said}</p>}</div>
      {open ? (
        <ClaimCase api={api} claimId={open} onDecided={done} onBack={backToList} />
      ) : (
        <QueueList
          list={list}
          texts={{
            intro: t.claimsIntro,
            empty: t.claimsEmpty,
            count: t.claimsCount,
            more: t.claimsMore,
          }}
          onReload={() => {
            setSaid("");
            list.reload();
          }}
          keyOf={(item) => item.claim_id}
          card={(item) => (
            <>
              <h2 id={`claim-${item.claim_id}`} class="queue-title">
                {t.claimsContext[item.context]}
                <span class="title-detail">
                  {" · "}
                  {t.claimsConflicts(item.conflicts.map((conflict) => conflict.toUpperCase()).join(", "))}
                </span>
              </h2>
              <dl class="queue-details">
                <div>
                  <dt>{t.claimsCreatedAt}</dt>
                  <dd>
                    <time dateTime={item.created_at}>{formatDateTime(new Date(item.created_at), lang)}</time>
                  </dd>
                </div>
                {item.relationship && (
                  <div>
                    <dt>{t.claimsRelationship}</dt>
                    <dd>{t.claimsRelationships[item.relationship] ?? item.relationship}</dd>
                  </div>
                )}
                <div>
                  <dt>{t.claimsClaimant}</dt>
                  <dd>
                    <code>{item.claimant_person_id}</code>
                  </dd>
                </div>
              </dl>
              <button
                type="button"
                aria-describedby={`claim-${item.claim_id}`}
                onClick={() => {
                  setSaid("");
                  setOpen(item.claim_id);
                }}
              >
                {t.claimsOpen}
              </button>
            </>
          )}
        />
      )}
    </>
  );
}

interface CaseProps {
  api: Api;
  claimId: string;
  onDecided: (claim: Claim) => void;
  onBack: () => void;
}

/** One claim: both persons and the evidence, then the decision. */
function ClaimCase({ api, claimId, onDecided, onBack }: CaseProps) {
  const { lang, t } = useTexts();
  // Not asked again on a language switch: that would remount the decision form and lose what she typed.
  const [loaded, retry] = useLoaded<ClaimDetail>(
    () => call(api.GET("/v1/operators/identity-claims/{claim_id}", { params: { path: { claim_id: claimId } } })),
    [api, claimId],
  );
  const heading = useFocusOnMount<HTMLHeadingElement>();

  return (
    <section aria-labelledby="claim-title" class="claim-case">
      <p class="back">
        <button type="button" class="back-link" onClick={onBack}>
          <span aria-hidden="true">‹ </span>
          {t.claimsBack}
        </button>
      </p>
      <h2 id="claim-title" tabIndex={-1} ref={heading}>
        {t.claimsCaseTitle}
      </h2>
      <LoadingOrFailed loaded={loaded} retry={retry} />
      {loaded.status === "loaded" && (
        <>
          <div class="card">
            <dl class="queue-details">
              <div>
                <dt>{t.claimsContextLabel}</dt>
                <dd>{t.claimsContext[loaded.value.claim.context]}</dd>
              </div>
              <div>
                <dt>{t.claimsConflictsLabel}</dt>
                <dd>{loaded.value.claim.conflicts.map((conflict) => conflict.toUpperCase()).join(", ")}</dd>
              </div>
              <div>
                <dt>{t.claimsCreatedAt}</dt>
                <dd>
                  <time dateTime={loaded.value.claim.created_at}>
                    {formatDateTime(new Date(loaded.value.claim.created_at), lang)}
                  </time>
                </dd>
              </div>
              <div>
                <dt>{t.claimsAccount}</dt>
                <dd>
                  <code>{loaded.value.claim.account_id}</code>
                </dd>
              </div>
              {loaded.value.claim.relationship && (
                <div>
                  <dt>{t.claimsRelationship}</dt>
                  <dd>{t.claimsRelationships[loaded.value.claim.relationship] ?? loaded.value.claim.relationship}</dd>
                </div>
              )}
            </dl>
          </div>
          <div class="claim-persons">
            <PersonCard id="claimant" title={t.claimsClaimantTitle} person={loaded.value.claimant} />
            <PersonCard id="existing" title={t.claimsExistingTitle} person={loaded.value.existing} />
          </div>
          <section class="card" aria-labelledby="claim-evidence">
            <h3 id="claim-evidence">{t.claimsEvidence}</h3>
            {loaded.value.claim.evidence.length === 0 ? (
              <p class="muted">{t.claimsNoEvidence}</p>
            ) : (
              <ul class="claim-evidence">
                {loaded.value.claim.evidence.map((evidence, index) => (
                  <li key={index}>
                    <EvidenceLine evidence={evidence} />
                  </li>
                ))}
              </ul>
            )}
          </section>
          <DecisionForm api={api} claim={loaded.value.claim} onDecided={onDecided} />
        </>
      )}
    </section>
  );
}

function PersonCard({ id, title, person }: { id: string; title: string; person: Person }) {
  const { lang, t } = useTexts();
  return (
    <section class="card" aria-labelledby={`person-${id}`}>
      <h3 id={`person-${id}`}>{title}</h3>
      <dl class="queue-details">
        <div>
          <dt>CURP</dt>
          <dd>
            <code>{person.curp}</code>
          </dd>
        </div>
        <div>
          <dt>{t.claimsPersonId}</dt>
          <dd>
            <code>{person.person_id}</code>
          </dd>
        </div>
        <div>
          <dt>{t.claimsAssurance}</dt>
          <dd>
            {t.claimsAssuranceLevel[person.assurance.level]} ({person.assurance.method})
          </dd>
        </div>
        <div>
          <dt>{t.claimsPersonSince}</dt>
          <dd>
            <time dateTime={person.created_at}>{formatDateTime(new Date(person.created_at), lang)}</time>
          </dd>
        </div>
        <div>
          <dt>{t.claimsHasAccount}</dt>
          <dd>{person.member_id ? <code>{person.member_id}</code> : t.claimsNoAccount}</dd>
        </div>
        {person.merged_into && (
          <div>
            <dt>{t.claimsMergedInto}</dt>
            <dd>
              <code>{person.merged_into}</code>
            </dd>
          </div>
        )}
        <div>
          <dt>{t.claimsLastCheck}</dt>
          <dd>{person.last_check ? <EvidenceLine evidence={person.last_check} /> : t.claimsNoCheck}</dd>
        </div>
      </dl>
    </section>
  );
}

function EvidenceLine({ evidence }: { evidence: Evidence }) {
  const { lang, t } = useTexts();
  return (
    <>
      {t.claimsEvidenceKind[evidence.kind]}: <strong>{t.claimsEvidenceResult[evidence.result]}</strong>
      {evidence.mismatched.length > 0 && ` (${t.claimsMismatched(evidence.mismatched.join(", "))})`}
      {" · "}
      <time dateTime={evidence.at}>{formatDateTime(new Date(evidence.at), lang)}</time>
      {" · "}
      {evidence.by}
      {evidence.detail && ` · ${evidence.detail}`}
    </>
  );
}

type Decision = "confirm" | "reject";

/** Confirm (how she checked, why, and for a check in person the place and the photo ID's data) or reject (why). */
function DecisionForm({ api, claim, onDecided }: { api: Api; claim: Claim; onDecided: (claim: Claim) => void }) {
  const { t } = useTexts();
  const form = useRef<HTMLFormElement>(null);
  const [decision, setDecision] = useState<Decision>("confirm");
  const [checked, setChecked] = useState<Checked>(claim.context === "beneficiary" ? "documents" : "in-person");
  const [why, setWhy] = useState("");
  const [place, setPlace] = useState("");
  const [idDocument, setIdDocument] = useState<Record<IdField, string>>({
    first_name: "",
    last_name: "",
    second_last_name: "",
    birth_date: "",
  });
  const { busy, problem, failures, run } = useSubmission();
  useFocusFirstInvalid(form, failures);

  const at = (field: string) => fieldMessages(problem, field);
  const seen = checked !== "documents";
  const inline = [
    "body",
    "checked",
    "why",
    "place",
    "id_document",
    ...ID_FIELDS.map((name) => `id_document.${name}`),
  ];
  const checkedErrors = [...at("checked"), ...at("body")];
  const path = { params: { path: { claim_id: claim.claim_id } } };

  const submit = (event: Event) => {
    event.preventDefault();
    void run(async () => {
      if (decision === "reject") {
        onDecided(await call(api.POST("/v1/operators/identity-claims/{claim_id}/reject", { ...path, body: { why } })));
        return;
      }
      const shownId: IdDocument = {
        first_name: idDocument.first_name,
        last_name: idDocument.last_name,
        second_last_name: idDocument.second_last_name.trim() ? idDocument.second_last_name : null,
        birth_date: idDocument.birth_date,
      };
      onDecided(
        await call(
          api.POST("/v1/operators/identity-claims/{claim_id}/confirm", {
            ...path,
            body: { checked, why, place: seen ? place : null, id_document: seen ? shownId : null },
          }),
        ),
      );
    });
  };

  return (
    <form ref={form} class="card form queue-form" noValidate onSubmit={submit} aria-labelledby="decision-title">
      <h3 id="decision-title">{t.claimsDecision}</h3>
      <fieldset class="group">
        <legend>{t.claimsDecisionLegend}</legend>
        <div class="queue-choices">
          {(["confirm", "reject"] as const).map((choice) => (
            <label key={choice} class="queue-choice">
              <input
                type="radio"
                name="decision"
                value={choice}
                checked={decision === choice}
                onChange={() => setDecision(choice)}
              />
              {choice === "confirm" ? t.claimsConfirm : t.claimsReject}
            </label>
          ))}
        </div>
      </fieldset>
      {decision === "confirm" && (
        <>
          <Select
            id="claim-checked"
            label={t.claimsChecked}
            value={checked}
            options={CHECKS.map((value) => ({ value, label: t.claimsCheck[value] }))}
            onChange={(value) => setChecked(value as Checked)}
            errors={checkedErrors}
          />
          {seen && (
            <>
              <Field
                id="claim-place"
                label={t.claimsPlace}
                hint={t.claimsPlaceHint}
                value={place}
                onInput={setPlace}
                errors={at("place")}
              />
              <fieldset class="group">
                <legend>{t.claimsIdDocument}</legend>
                <p class="hint">{t.claimsIdDocumentHint}</p>
                {at("id_document").length > 0 && <p class="field-error">{at("id_document").join(" ")}</p>}
                <div class="settings">
                  {ID_FIELDS.map((name) => (
                    <Field
                      key={name}
                      id={`id-${name}`}
                      label={t.claimsIdField[name]}
                      type={name === "birth_date" ? "date" : "text"}
                      value={idDocument[name]}
                      onInput={(value) => setIdDocument((previous) => ({ ...previous, [name]: value }))}
                      errors={at(`id_document.${name}`)}
                      autoComplete="off"
                    />
                  ))}
                </div>
              </fieldset>
            </>
          )}
        </>
      )}
      <TextArea
        id="claim-why"
        label={decision === "confirm" ? t.claimsWhyConfirm : t.claimsWhyReject}
        hint={decision === "confirm" ? t.claimsWhyConfirmHint : t.claimsWhyRejectHint}
        value={why}
        onInput={setWhy}
        errors={at("why")}
      />
      {problem && <ProblemView shown={problem} fields={inline} />}
      <button type="submit" class="primary" disabled={busy}>
        {busy ? t.working : decision === "confirm" ? t.claimsSubmitConfirm : t.claimsSubmitReject}
      </button>
    </form>
  );
}
