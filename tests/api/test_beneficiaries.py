"""Beneficiaries: who may be added, the one-partner rule, eligibility dates and soft removal."""

import json
from datetime import date, datetime, timezone

import pytest

from chalicelib.domain.clock import mexico_city_today
from chalicelib.domain.identifiers import birthday
from chalicelib.auth import Role
from tests.people import make_curp, registration, unique_curp

TODAY = mexico_city_today(datetime.now(timezone.utc))


def _years_ago(years: int) -> date:
    return birthday(TODAY, -years)


def _json(response):
    return json.loads(response.body)


@pytest.fixture
def registered(api, aws):
    """Headers of a freshly registered member born 1985-06-15 (CURP GOMA850615MNELRR05)."""
    counter = iter(range(10_000))

    def make(curp: str | None = None) -> dict:
        headers = {"Authorization": f"Bearer {aws.token(Role.MEMBER, f'holder-{next(counter)}')}",
                   "Content-Type": "application/json"}
        body = registration(curp=curp or unique_curp(birth=date(1985, 6, 15)))
        assert api.http.post("/v1/registrations", headers=headers, body=json.dumps(body)).status_code == 201
        return headers

    return make


def _add(api, headers, **beneficiary):
    body = {"first_name": "Nombre", "last_name": "Prueba", **beneficiary}
    return api.http.post("/v1/me/beneficiaries", headers=headers, body=json.dumps(body))


def _child_curp(born: date, consonants: str = "CHL") -> str:
    return make_curp("GOMC", born, "H", "JC", consonants)


def test_child_is_eligible_until_the_day_before_16(api, registered):
    born = _years_ago(10)
    response = _add(api, registered(), relationship="child", curp=_child_curp(born))
    assert response.status_code == 201, response.body
    view = _json(response)
    assert view["birth_date"] == born.isoformat() and view["sex"] == "H"
    day_before_16th_birthday = date.fromordinal(birthday(born, 16).toordinal() - 1)
    assert view["eligibility"] == {"eligible": True, "until": day_before_16th_birthday.isoformat(), "reason": "until_age_16"}


def test_student_child_is_eligible_until_25(api, registered):
    born = _years_ago(20)
    view = _json(_add(api, registered(), relationship="child", student=True, curp=_child_curp(born, "STD")))
    assert view["eligibility"]["eligible"] is True and view["eligibility"]["reason"] == "student_until_25"
    assert view["eligibility"]["until"].startswith(str(born.year + 25))


@pytest.mark.parametrize(
    ("beneficiary", "field", "message"),
    [
        ({"relationship": "child", "curp": _child_curp(_years_ago(16), "OLD")}, "curp",
         "Con 16 años ya no puede ser beneficiario(a) con este parentesco (límite: 16)."),
        ({"relationship": "child", "student": True, "curp": _child_curp(_years_ago(25), "OLS")}, "curp",
         "Con 25 años ya no puede ser beneficiario(a) con este parentesco (límite: 25)."),
        ({"relationship": "father", "curp": make_curp("GOPA", date(1955, 1, 1), "H", "MN", "PDR")},
         "lives_with_member", "Padre o madre debe vivir en el mismo domicilio que usted (declárelo con true)."),
        ({"relationship": "spouse", "student": True, "curp": make_curp("LOPE", date(1986, 1, 1), "M", "JC", "SPS")},
         "student", "Solo un hijo o hija puede declararse estudiante."),
        ({"relationship": "minor_in_custody", "curp": _child_curp(_years_ago(8), "CST")}, "custody_resolution",
         "Indique la resolución judicial que le otorga la custodia."),
        ({"relationship": "spouse", "curp": make_curp("LOPE", _years_ago(17), "M", "JC", "YNG")}, "curp",
         "Con este parentesco debe tener al menos 18 años."),
        ({"relationship": "cousin", "curp": _child_curp(_years_ago(8), "CSN")}, "relationship", None),
    ],
    ids=["child-16", "student-25", "parent-declarations", "student-spouse", "custody", "young-spouse", "cousin"],
)
def test_ineligible_beneficiaries_are_refused_with_the_reason(api, registered, beneficiary, field, message):
    response = _add(api, registered(), **beneficiary)
    assert response.status_code == 422, response.body
    errors = {e["field"]: e["message"] for e in _json(response)["errors"]}
    assert field in errors
    if message:
        assert errors[field] == message


def test_rules_that_need_the_member(api, registered):
    own = unique_curp(birth=date(1985, 6, 15))
    headers = registered(own)
    assert _json(_add(api, headers, relationship="spouse", curp=own))["errors"][0]["message"].startswith("Esta es su propia CURP")
    older_child = _add(api, headers, relationship="child", student=True, curp=_child_curp(date(1980, 1, 1), "OCH"))
    assert older_child.status_code == 422
    young_parent = _add(api, headers, relationship="mother", lives_with_member=True, economically_dependent=True,
                        curp=make_curp("GOMM", date(1990, 1, 1), "M", "MN", "MDR"))
    assert _json(young_parent)["errors"][0]["field"] == "curp"
    parent = _add(api, headers, relationship="mother", lives_with_member=True, economically_dependent=True,
                  curp=make_curp("GOMM", date(1960, 1, 1), "M", "MN", "MDR"))
    assert parent.status_code == 201
    assert _json(parent)["eligibility"] == {"eligible": True, "until": None, "reason": "no_age_limit"}


def test_one_spouse_or_concubine_at_a_time(api, registered):
    headers = registered()
    spouse = _add(api, headers, relationship="spouse", curp=make_curp("LOPE", date(1986, 1, 1), "M", "JC", "SPA"))
    assert spouse.status_code == 201
    concubine = _add(api, headers, relationship="concubine", curp=make_curp("RUIZ", date(1987, 1, 1), "M", "JC", "SPB"))
    assert concubine.status_code == 409
    assert "solo se permite uno" in _json(concubine)["detail"]
    removed = api.http.delete(f"/v1/me/beneficiaries/{_json(spouse)['beneficiary_id']}", headers=headers)
    assert removed.status_code == 200
    assert _json(removed)["status"] == "removed" and _json(removed)["eligibility"]["eligible"] is False
    again = _add(api, headers, relationship="concubine", curp=make_curp("RUIZ", date(1987, 1, 1), "M", "JC", "SPB"))
    assert again.status_code == 201


def test_a_curp_someone_holds_gives_a_new_unlinked_person_and_the_same_answer(api, registered):
    child = _child_curp(_years_ago(5), "SHR")
    first, second = registered(), registered()
    mine = _add(api, first, relationship="child", curp=child)
    assert mine.status_code == 201
    theirs = _add(api, second, relationship="child", curp=child)  # docs/identity.md: a claim, never a 409
    assert theirs.status_code == 201 and _json(theirs)["person_id"] != _json(mine)["person_id"]
    assert set(_json(theirs)) == set(_json(mine))
    twice = _add(api, first, relationship="child", curp=child)  # the member's own data: told plainly
    assert twice.status_code == 409 and "ya es su beneficiaria" in _json(twice)["detail"]


def test_removal_is_soft_and_frees_the_person(api, registered):
    first, second = registered(), registered()
    child = _child_curp(_years_ago(3), "MOV")
    added = _json(_add(api, first, relationship="child", curp=child))
    path = f"/v1/me/beneficiaries/{added['beneficiary_id']}"
    assert api.http.delete(path, headers=first).status_code == 200
    assert api.http.delete(path, headers=first).status_code == 200  # removing twice changes nothing
    listed = _json(api.http.get("/v1/me/beneficiaries", headers=first))["beneficiaries"]
    assert [(b["beneficiary_id"], b["status"]) for b in listed] == [(added["beneficiary_id"], "removed")]
    assert listed[0]["removed_at"] is not None
    assert _add(api, second, relationship="child", curp=child).status_code == 201
    again = _json(_add(api, first, relationship="child", curp=child))  # the member's own earlier person, no claim
    assert again["person_id"] == added["person_id"] and again["beneficiary_id"] != added["beneficiary_id"]
    assert api.http.delete("/v1/me/beneficiaries/no-such-id", headers=first).status_code == 404


def test_beneficiaries_need_a_registration(api, aws):
    headers = {"Authorization": f"Bearer {aws.token(Role.MEMBER, 'unregistered')}", "Content-Type": "application/json"}
    response = _add(api, headers, relationship="child", curp=_child_curp(_years_ago(5), "NRG"))
    assert response.status_code == 404
    assert api.http.get("/v1/me/beneficiaries", headers=headers).status_code == 404
