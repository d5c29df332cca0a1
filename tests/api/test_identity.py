"""A typed CURP is not a person (docs/identity.md): the scenarios of issue 13 through the real app.

Member A's adult student son has a signed note. A stranger who registers with the son's CURP (or adds it as his own
child, or re-adds it after A removed it) gets a new, unlinked person and sees nothing of the son's; the answers do
not tell that the CURP was taken; an operator's confirmation links them and the history appears (subject to the
account's assurance); a rejection keeps them apart for good.
"""

import json
from datetime import date, datetime, timezone

import pytest

from chalicelib.adapters.curp_registry import DemoCurpRegistry
from tests.api.conftest import issue, paid
from tests.api.test_beneficiaries import _add
from tests.api.test_records import NOTE_WORDS, _attend, scene  # noqa: F401 (fixture)
from tests.api.test_teleconsult import MX, _book, _consent, _slots, nurses  # noqa: F401 (fixture)
from tests.people import make_curp

SON_BORN = date(2005, 4, 10)
SON_CURP = make_curp("PEGL", SON_BORN, "H", "JC", "RMS")
ID_DOCUMENT = {"first_name": "Luis", "last_name": "Pérez", "second_last_name": "Gómez",
               "birth_date": SON_BORN.isoformat()}


def _json(response):
    return json.loads(response.body)


def _get(api, path, headers):
    response = api.http.get(path, headers=headers)
    assert response.status_code == 200, (path, response.status_code, response.body)
    return _json(response)


def _no_note(body) -> bool:
    return not any(word in json.dumps(body, ensure_ascii=False) for word in NOTE_WORDS)


@pytest.fixture
def son(api, clock, scene):  # noqa: F811
    """Member A adds his adult student son; nurse ana attends him on 1 December and signs a note."""
    added = _add(api, scene["member"], relationship="child", student=True, curp=SON_CURP, first_name="Luis",
                 last_name="Pérez", second_last_name="Gómez")
    assert added.status_code == 201, added.body
    person_id = _json(added)["person_id"]
    assert _consent(api, scene["member"], patient_id=person_id).status_code == 201
    slot = next(s for s in _slots(api, scene["member"], "2026-12-01", "2026-12-01")
                if s["start"] > scene["consult"]["end"])
    consult = _json(_book(api, scene["member"], slot["slot_id"], patient_id=person_id))
    assert _attend(api, clock, scene["ana"], consult).status_code == 201
    return {**scene, "son": person_id, "son_consult": consult}


@pytest.fixture
def stranger(api, member, partner, clock, son):
    """Registers with the son's CURP and any NSS, pays for December and consents: a fresh account, unverified."""
    now = clock.now()
    clock(datetime(2026, 11, 5, 9, tzinfo=MX).astimezone(timezone.utc))
    headers, body = member(curp=SON_CURP)
    reference = issue(api, headers)
    partner.send(paid(reference["reference"], reference["amount_mxn"], tx="stranger-1", paid_at=clock.now()))
    clock(now)
    assert _consent(api, headers).status_code == 201
    return headers


def _claim_of(api, operator, person_id: str) -> dict:
    queue = _get(api, "/v1/operators/identity-claims?limit=100", operator)["items"]
    (claim,) = [c for c in queue if c["claimant_person_id"] == person_id]
    return claim


def _confirm(api, operator, claim_id, **body):
    return api.http.post(f"/v1/operators/identity-claims/{claim_id}/confirm", headers=operator,
                         body=json.dumps({"why": "Identificación revisada en el consulado", **body}))


def test_a_stranger_with_the_sons_curp_sees_nothing_until_an_operator_confirms_in_person(
        api, clock, son, stranger, operator):
    me = _get(api, "/v1/me", stranger)
    assert me["curp"] == SON_CURP and me["person_id"] != son["son"]
    # Nothing of the son's: record, its FHIR export, access log, consents, appointments, beneficiaries.
    assert _get(api, "/v1/me/record", stranger)["items"] == []
    assert _no_note(_get(api, f"/v1/records/{me['person_id']}/fhir", stranger))
    assert sorted(e["action"] for e in _get(api, "/v1/me/record/access-log", stranger)["items"]) == [
        "export-fhir", "read-record"]  # its own reads, nothing of the son's record
    assert _get(api, "/v1/me/appointments", stranger)["items"] == []
    assert _get(api, "/v1/me/beneficiaries", stranger)["beneficiaries"] == []
    assert api.http.get(f"/v1/me/record?patient_id={son['son']}", headers=stranger).status_code == 404
    assert api.http.get(f"/v1/records/{son['son']}/fhir", headers=stranger).status_code == 404

    # The stranger books with nurse ana: she reads the stranger's history, not the son's.
    slot = next(s for s in _slots(api, stranger, "2026-12-02", "2026-12-02") if s["nurse"]["nurse_id"] == son["ana_id"])
    consult = _json(_book(api, stranger, slot["slot_id"]))
    assert consult["patient_id"] == me["person_id"]
    nurse_view = f"/v1/nurse/patients/{consult['patient_id']}/record"
    assert _get(api, nurse_view, son["ana"])["items"] == []

    claim = _claim_of(api, operator, me["person_id"])
    assert claim["existing_person_id"] == son["son"] and claim["context"] == "registration"
    detail = _get(api, f"/v1/operators/identity-claims/{claim['claim_id']}", operator)
    assert detail["existing"]["person_id"] == son["son"] and detail["claimant"]["assurance"]["level"] == "self-asserted"

    # The operator saw him at the consulate with his passport: linked, verified in person, history from before shown.
    clock(datetime(2026, 12, 1, 12, tzinfo=MX).astimezone(timezone.utc))
    unseen = _confirm(api, operator, claim["claim_id"], checked="consular", place="Consulado de Los Ángeles")
    assert unseen.status_code == 422 and _json(unseen)["errors"][0]["field"] == "body"
    wrong_id = _confirm(api, operator, claim["claim_id"], checked="consular", place="Consulado de Los Ángeles",
                        id_document={**ID_DOCUMENT, "birth_date": "2005-04-11"})
    assert wrong_id.status_code == 409 and "no coincide" in _json(wrong_id)["detail"]
    confirmed = _confirm(api, operator, claim["claim_id"], checked="consular", place="Consulado de Los Ángeles",
                         id_document=ID_DOCUMENT)
    assert confirmed.status_code == 200, confirmed.body
    decided = _json(confirmed)
    assert decided["status"] == "confirmed" and decided["decisions"][0]["by"] and decided["decisions"][0]["why"]
    assert decided["evidence"][-1]["kind"] == "in-person" and decided["evidence"][-1]["result"] == "match"
    assert _confirm(api, operator, claim["claim_id"], checked="documents").status_code == 409  # decided once

    after = _get(api, f"/v1/operators/identity-claims/{claim['claim_id']}", operator)
    assert after["claimant"]["person_id"] == me["person_id"] and after["claimant"]["merged_into"] == son["son"]
    identity = _get(api, "/v1/me/identity", stranger)
    assert identity["person_id"] == son["son"] and identity["assurance"]["level"] == "verified-in-person"
    mine = _get(api, "/v1/me/record", stranger)["items"]
    assert [e["appointment_id"] for e in mine] == [son["son_consult"]["appointment_id"]]
    clock(datetime.fromisoformat(consult["start"]))
    assert [e["appointment_id"] for e in _get(api, nurse_view, son["ana"])["items"]] == [
        son["son_consult"]["appointment_id"]]
    assert claim["claim_id"] not in json.dumps(_get(api, "/v1/operators/identity-claims", operator))


def test_a_rejected_claim_stays_separate_for_good(api, son, stranger, operator):
    me = _get(api, "/v1/me", stranger)
    claim = _claim_of(api, operator, me["person_id"])
    rejected = api.http.post(f"/v1/operators/identity-claims/{claim['claim_id']}/reject", headers=operator,
                             body=json.dumps({"why": "No es la persona: otra fecha de nacimiento en su acta"}))
    assert rejected.status_code == 200 and _json(rejected)["status"] == "rejected"
    assert _json(rejected)["decisions"][0]["action"] == "reject"
    assert _confirm(api, operator, claim["claim_id"], checked="documents").status_code == 409
    assert _get(api, "/v1/me/record", stranger)["items"] == []
    assert _get(api, "/v1/me/identity", stranger)["person_id"] == me["person_id"]


def test_a_link_confirmed_on_documents_shows_earlier_history_only_once_the_registry_matches(
        api, clock, son, stranger, operator):
    me = _get(api, "/v1/me", stranger)
    claim = _claim_of(api, operator, me["person_id"])
    clock(datetime(2026, 12, 1, 12, tzinfo=MX).astimezone(timezone.utc))
    assert _confirm(api, operator, claim["claim_id"], checked="documents").status_code == 200
    assert _get(api, "/v1/me/identity", stranger)["assurance"]["level"] == "self-asserted"
    assert _get(api, "/v1/me/record", stranger)["items"] == []  # linked, but self-asserted: nothing from before
    assert _no_note(_get(api, f"/v1/records/{son['son']}/fhir", stranger))

    assert DemoCurpRegistry().lookup(SON_CURP).first_name == "Luis"  # the son is one of the demo registry's people
    verify = "/v1/me/identity/verification"
    wrong = api.http.post(verify, headers=stranger, body=json.dumps({**ID_DOCUMENT, "first_name": "Lucas"}))
    assert wrong.status_code == 200 and _json(wrong)["result"] == "no-match"
    assert _json(wrong)["assurance"]["level"] == "self-asserted" and "first_name" not in wrong.body.decode()
    right = _json(api.http.post(verify, headers=stranger, body=json.dumps({**ID_DOCUMENT, "first_name": "LUIS"})))
    assert right["result"] == "match" and right["assurance"]["level"] == "registry-matched"
    assert [e["appointment_id"] for e in _get(api, "/v1/me/record", stranger)["items"]] == [
        son["son_consult"]["appointment_id"]]


def test_the_stranger_naming_the_son_as_his_child_sees_nothing_until_the_relationship_is_confirmed(
        api, clock, son, member, operator):
    """A minor's history needs the relationship confirmed from documents: here A's under-18 daughter."""
    daughter_curp = make_curp("PEGS", date(2015, 8, 20), "M", "JC", "RMF")
    daughter = _json(_add(api, son["member"], relationship="child", curp=daughter_curp, first_name="Sofía"))
    assert _consent(api, son["member"], patient_id=daughter["person_id"]).status_code == 201
    clock(datetime(2026, 11, 25, 9, tzinfo=MX).astimezone(timezone.utc))
    slot = next(s for s in _slots(api, son["member"], "2026-12-02", "2026-12-02")
                if s["nurse"]["nurse_id"] == son["ana_id"])
    consult = _json(_book(api, son["member"], slot["slot_id"], patient_id=daughter["person_id"]))
    assert _attend(api, clock, son["ana"], consult).status_code == 201

    stranger, _ = member()
    theirs = _add(api, stranger, relationship="child", curp=daughter_curp, first_name="Sofía")
    fresh = _add(api, stranger, relationship="child", curp=make_curp("PEGS", date(2016, 1, 2), "M", "JC", "RMG"))
    assert theirs.status_code == fresh.status_code == 201 and set(_json(theirs)) == set(_json(fresh))
    child = _json(theirs)["person_id"]
    assert child != daughter["person_id"]
    assert _get(api, f"/v1/me/record?patient_id={child}", stranger)["items"] == []
    assert _get(api, f"/v1/me/record/access-log?patient_id={child}", stranger)["items"][0]["action"] == "read-record"
    assert api.http.get(f"/v1/me/record?patient_id={daughter['person_id']}", headers=stranger).status_code == 404

    claim = _claim_of(api, operator, child)
    assert claim["context"] == "beneficiary" and claim["relationship"] == "child"
    assert _confirm(api, operator, claim["claim_id"], checked="documents",
                    why="Acta de nacimiento: es su madre").status_code == 200
    (listed,) = [b for b in _get(api, "/v1/me/beneficiaries", stranger)["beneficiaries"] if b["curp"] == daughter_curp]
    assert listed["person_id"] == daughter["person_id"] and listed["relationship_confirmed_at"]
    seen = _get(api, f"/v1/me/record?patient_id={daughter['person_id']}", stranger)["items"]
    assert [e["appointment_id"] for e in seen] == [consult["appointment_id"]]


def test_a_removed_beneficiary_re_added_by_another_member_is_a_claim(api, son, member, operator):
    removed = api.http.delete(f"/v1/me/beneficiaries/{_beneficiary_id(api, son['member'], SON_CURP)}",
                              headers=son["member"])
    assert removed.status_code == 200 and _json(removed)["status"] == "removed"
    other, _ = member()
    added = _add(api, other, relationship="child", student=True, curp=SON_CURP)
    assert added.status_code == 201 and _json(added)["person_id"] != son["son"]
    assert api.http.get(f"/v1/me/record?patient_id={son['son']}", headers=other).status_code == 404
    claim = _claim_of(api, operator, _json(added)["person_id"])
    assert claim["existing_person_id"] == son["son"]


def _beneficiary_id(api, headers, curp) -> str:
    (found,) = [b for b in _get(api, "/v1/me/beneficiaries", headers)["beneficiaries"] if b["curp"] == curp]
    return found["beneficiary_id"]


def test_registration_answers_do_not_tell_whose_a_curp_or_nss_is(api, aws, son, member):
    """Held by a member, by someone's beneficiary, or by nobody: the same status, fields and next step."""
    held_by_member, held_by_beneficiary, held_by_nobody = (
        member(curp=son["curp"]), member(curp=SON_CURP), member())
    answers = [_get(api, "/v1/me", headers) for headers, _ in (held_by_member, held_by_beneficiary, held_by_nobody)]
    assert len({frozenset(a) for a in answers}) == 1
    assert len({a["next_step"]["code"] for a in answers}) == 1
    assert {a["status"] for a in answers} == {"pending_payment"}


def test_a_claim_on_a_person_with_an_account_of_its_own_cannot_be_confirmed(api, son, member, operator):
    headers, _ = member(curp=son["curp"])  # member A's own CURP: A is a person with an account
    claim = _claim_of(api, operator, _get(api, "/v1/me", headers)["person_id"])
    refused = _confirm(api, operator, claim["claim_id"], checked="documents")
    assert refused.status_code == 409 and "propia cuenta" in _json(refused)["detail"]
    assert _get(api, "/v1/me/record", headers)["items"] == []


def test_claim_ids_are_checked_before_any_lookup(api, operator):
    for claim_id in ("nope", "x" * 3000, "00000000-0000-0000-0000-000000000000"):
        response = api.http.get(f"/v1/operators/identity-claims/{claim_id}", headers=operator)
        assert response.status_code == 404, (claim_id[:20], response.body)
    bad_cursor = api.http.get("/v1/operators/identity-claims?after=2026-01-01", headers=operator)
    assert bad_cursor.status_code == 422 and _json(bad_cursor)["errors"][0]["field"] == "query.after"


def test_identity_logs_name_no_curp(api, son, stranger, operator, capsys, caplog):
    claim = _claim_of(api, operator, _get(api, "/v1/me", stranger)["person_id"])
    _get(api, f"/v1/operators/identity-claims/{claim['claim_id']}", operator)
    api.http.post("/v1/me/identity/verification", headers=stranger, body=json.dumps(ID_DOCUMENT))
    logged = capsys.readouterr().out + caplog.text
    assert "identity claim" in logged and SON_CURP not in logged and "Luis" not in logged


def test_member_routes_never_mention_claims(api, son, stranger):
    for path in ("/v1/me", "/v1/me/identity", "/v1/me/export", "/v1/me/beneficiaries"):
        body = api.http.get(path, headers=stranger).body.decode()
        assert "claim" not in body.lower(), path


def test_a_squatter_who_named_the_child_first_never_sees_the_real_familys_consults(api, clock, son, member, operator):
    """Member M adds a stranger's minor as his child first (nothing is proven: M holds the CURP). The real parent's
    claim is confirmed on documents; her consults after that are written to the same person, and M, whose link is
    unproven, sees none of them, nor who read them."""
    minor = make_curp("PEGS", date(2015, 8, 20), "M", "JC", "RMF")
    squatter, _ = member()
    held = _json(_add(api, squatter, relationship="child", curp=minor, first_name="Sofía"))
    parent = son["member"]  # member A, covered in December, with nurse ana's slots
    claimed = _json(_add(api, parent, relationship="child", curp=minor, first_name="Sofía"))
    claim = _claim_of(api, operator, claimed["person_id"])
    assert _confirm(api, operator, claim["claim_id"], checked="documents").status_code == 200
    (linked,) = [b for b in _get(api, "/v1/me/beneficiaries", parent)["beneficiaries"] if b["curp"] == minor]
    assert linked["person_id"] == held["person_id"]

    assert _consent(api, parent, patient_id=held["person_id"]).status_code == 201
    clock(datetime(2026, 11, 25, 9, tzinfo=MX).astimezone(timezone.utc))
    slot = next(s for s in _slots(api, parent, "2026-12-03", "2026-12-03") if s["nurse"]["nurse_id"] == son["ana_id"])
    consult = _json(_book(api, parent, slot["slot_id"], patient_id=held["person_id"]))
    assert _attend(api, clock, son["ana"], consult).status_code == 201

    mine = _get(api, f"/v1/me/record?patient_id={held['person_id']}", parent)["items"]
    assert [e["appointment_id"] for e in mine] == [consult["appointment_id"]]  # the proven parent
    assert _get(api, f"/v1/me/record?patient_id={held['person_id']}", squatter)["items"] == []
    assert _no_note(_get(api, f"/v1/records/{held['person_id']}/fhir", squatter))
    log = _get(api, f"/v1/me/record/access-log?patient_id={held['person_id']}", squatter)["items"]
    assert {e["actor_id"] for e in log} <= {_get(api, "/v1/me", squatter)["member_id"]}
    assert _get(api, f"/v1/me/record/access-log?patient_id={held['person_id']}&before=0", squatter)["items"] == []


def test_a_member_whose_nss_someone_holds_is_told_to_pay_spei_by_reference(api, member):
    _, first = member()
    headers, body = member(nss=first["nss"])
    issued = issue(api, headers)
    spei = _get(api, "/v1/me/payment-instructions", headers)["channels"][0]
    assert spei["channel"] == "spei" and spei["payment_reference"] == issued["reference"]
    assert first["nss"] not in json.dumps(spei) and "línea de captura" in spei["instructions"]


def test_a_documents_check_carries_no_id_and_an_in_person_one_needs_it(api, son, stranger, operator):
    claim = _claim_of(api, operator, _get(api, "/v1/me", stranger)["person_id"])
    mixed = _confirm(api, operator, claim["claim_id"], checked="documents", id_document=ID_DOCUMENT)
    assert mixed.status_code == 422
    assert _get(api, "/v1/me/identity", stranger)["assurance"]["level"] == "self-asserted"


def test_every_identity_check_is_one_write_and_kept_for_the_operators(api, son, stranger, operator):
    verify = "/v1/me/identity/verification"
    for _ in range(3):
        api.http.post(verify, headers=stranger, body=json.dumps({**ID_DOCUMENT, "first_name": "Lucas"}))
    claim = _claim_of(api, operator, _get(api, "/v1/me", stranger)["person_id"])
    detail = _get(api, f"/v1/operators/identity-claims/{claim['claim_id']}", operator)
    assert detail["claimant"]["last_check"]["result"] == "no-match"
    assert detail["claimant"]["last_check"]["mismatched"] == ["first_name"] and detail["claim"]["evidence"] == []
