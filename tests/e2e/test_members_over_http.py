"""Members end to end: the app's whole flow over HTTP, and one-person-one-member under real concurrency."""

from concurrent.futures import ThreadPoolExecutor
from datetime import date, datetime, timezone
from decimal import Decimal

import pytest

from chalicelib.adapters.exchange_rates import RecordedSeries
from chalicelib.domain.clock import mexico_city_today
from chalicelib.domain.exchange_rates import FIX_SOURCE, is_stale, published_by
from chalicelib.domain.quotes import to_cents
from tests.people import make_curp, registration, unique_curp

pytestmark = pytest.mark.e2e


def test_member_flow_in_spanish_and_english(stack):
    headers = stack.signed_in("member", "flow-ana")
    english = {**headers, "Accept-Language": "en"}
    body = registration()

    draft = stack.request("POST", "/v1/registrations/validation", headers=english,
                          json_body={"curp": body["curp"], "email": "ana@"})
    assert draft.status == 200
    assert draft.json()["errors"] == [{"field": "email", "message": "Write the e-mail as name@domain.com."}]

    invalid = stack.request("POST", "/v1/registrations", headers=headers, json_body={**body, "nss": "12345678904"})
    assert invalid.status == 422 and invalid.headers["content-type"] == "application/problem+json"
    assert invalid.json()["errors"][0]["field"] == "nss"
    malformed = stack.request("POST", "/v1/registrations", headers=english, body=b'{"curp": ')
    assert malformed.status == 400 and malformed.json()["title"] == "Malformed request"
    wrong_type = stack.request("POST", "/v1/registrations", headers={**headers, "Content-Type": "text/plain"},
                               json_body=body)
    assert wrong_type.status == 415
    nurse = stack.request("POST", "/v1/registrations", headers={**stack.signed_in("nurse", "flow-nurse"),
                                                                "Accept-Language": "en"}, json_body=body)
    assert nurse.status == 403 and nurse.json()["detail"] == "This operation is only for: insured members."

    created = stack.request("POST", "/v1/registrations", headers=headers, json_body=body)
    assert created.status == 201 and created.json()["status"] == "pending_payment"
    profile = stack.request("GET", "/v1/me", headers=english)
    assert profile.json()["next_step"]["message"].startswith("Generate your payment reference")
    etag = profile.headers["etag"]

    patched = stack.request("PATCH", "/v1/me", headers={**headers, "If-Match": etag},
                            json_body={"phone": "+1 213 555 0199", "monthly_income_mxn": "10000"})
    assert patched.status == 200 and patched.json()["phone"] == "+12135550199"
    stale = stack.request("PATCH", "/v1/me", headers={**english, "If-Match": etag}, json_body={"zone": "zlfn"})
    assert stale.status == 412 and stale.json()["title"] == "The resource changed"

    child = {"relationship": "child", "curp": make_curp("GOMB", date(2018, 5, 5), "M", "JC", "KDE"),
             "first_name": "Luz", "last_name": "Prueba"}
    added = stack.request("POST", "/v1/me/beneficiaries", headers=headers, json_body=child)
    assert added.status == 201 and added.json()["eligibility"]["until"] == "2034-05-04"
    listed = stack.request("GET", "/v1/me/beneficiaries", headers=headers).json()["beneficiaries"]
    assert [b["first_name"] for b in listed] == ["Luz"]
    export = stack.request("GET", "/v1/me/export", headers=headers).json()
    assert export["member"]["phone"] == "+12135550199" and len(export["beneficiaries"]) == 1

    operator = stack.signed_in("operator", "flow-operator")
    found = stack.request("POST", "/v1/operators/members/lookup", headers=operator, json_body={"nss": body["nss"]})
    assert found.status == 200 and found.json()["curp"] == body["curp"]


def test_twenty_parallel_registrations_of_one_curp_make_one_holder_and_nineteen_claims(stack):
    """Twenty accounts type one CURP at once: each gets the same kind of answer (201: nothing tells that the CURP was
    taken), exactly one person holds the CURP, and the other nineteen are new persons with a pending claim on it."""
    curp = unique_curp(birth=date(1979, 9, 9))
    users = [stack.signed_in("member", f"racer-{i}") for i in range(20)]

    def register(headers):
        return stack.request("POST", "/v1/registrations", headers=headers, json_body=registration(curp=curp))

    with ThreadPoolExecutor(max_workers=20) as pool:
        responses = list(pool.map(register, users))
    assert sorted(r.status for r in responses) == [201] * 20, [r.body[:200] for r in responses]
    assert len({frozenset(r.json()) for r in responses}) == 1  # one shape of answer
    operator = stack.signed_in("operator", "race-operator")
    holder = stack.request("POST", "/v1/operators/members/lookup", headers=operator, json_body={"curp": curp}).json()
    claims, after = [], None
    while True:
        page = stack.request("GET", "/v1/operators/identity-claims?limit=100" + (f"&after={after}" if after else ""),
                             headers=operator).json()
        claims += [c for c in page["items"] if c["existing_person_id"] == holder["person_id"]]
        if not (after := page["next"]):
            break
    by_person = {r.json()["person_id"]: r.json()["member_id"] for r in responses}
    assert len(by_person) == 20 and holder["member_id"] == by_person[holder["person_id"]]
    assert sorted(c["claimant_person_id"] for c in claims) == sorted(set(by_person) - {holder["person_id"]})
    assert all(c["context"] == "registration" and c["conflicts"] == ["curp"] for c in claims)


def test_parallel_retries_with_one_idempotency_key_get_one_answer(stack):
    headers = {**stack.signed_in("member", "retrying-rita"), "Idempotency-Key": "rita-registration-1"}
    body = registration()
    with ThreadPoolExecutor(max_workers=10) as pool:
        responses = list(pool.map(lambda _: stack.request("POST", "/v1/registrations", headers=headers,
                                                          json_body=body), range(10)))
    assert {r.status for r in responses} == {201}
    assert len({r.body for r in responses}) == 1


def test_parallel_partner_additions_keep_one_partner(stack):
    headers = stack.signed_in("member", "partner-pablo")
    assert stack.request("POST", "/v1/registrations", headers=headers, json_body=registration()).status == 201
    partners = [{"relationship": kind, "curp": make_curp("LOPE", date(1986, 1, 1 + i), "M", "JC", "PTN"),
                 "first_name": f"P{i}", "last_name": "Prueba"} for i, kind in enumerate(["spouse", "concubine"] * 5)]
    with ThreadPoolExecutor(max_workers=10) as pool:
        responses = list(pool.map(lambda p: stack.request("POST", "/v1/me/beneficiaries", headers=headers,
                                                          json_body=p), partners))
    assert sorted(r.status for r in responses) == [201] + [409] * 9


def test_quotes_over_http(stack):
    public = stack.request("POST", "/v1/quotes", headers={"Content-Type": "application/json"},
                           json_body={"monthly_income_mxn": "1", "zone": "general", "start_month": "2025-02"})
    assert public.status == 200 and public.json()["total_mxn"] == "1766.90"
    bad = stack.request("POST", "/v1/quotes", headers={"Content-Type": "application/json", "Accept-Language": "en"},
                        json_body={"monthly_income_mxn": "1", "zone": "general", "months": 5})
    assert bad.status == 422 and bad.json()["errors"] == [{"field": "months",
                                                            "message": "Periods are 1, 2, 3, 6 or 12 months."}]
    headers = stack.signed_in("member", "quote-quique")
    assert stack.request("POST", "/v1/registrations", headers=headers,
                         json_body=registration(monthly_income_mxn="1.00")).status == 201
    mine = stack.request("GET", "/v1/me/quote?start_month=2025-02&months=12", headers=headers).json()
    assert len(mine["months"]) == 12 and mine["months"][0]["total_mxn"] == "1766.90"


def test_a_usd_quote_shows_the_days_fix_with_its_date_over_http(stack):
    """`make run` fetched the FIX at start (the recorded series): the newest day published by then, flagged stale
    when more than three banking days old, and the USD total at it."""
    now = datetime.now(timezone.utc)
    body = stack.request("POST", "/v1/quotes", headers={"Content-Type": "application/json"},
                         json_body={"monthly_income_mxn": "9000", "zone": "general"}).json()
    recorded = RecordedSeries().observations(date(2026, 10, 1), published_by(now))
    # the newest day published now, or the one before when the stack started just before noon
    shown = {rate.published.isoformat(): rate for rate in recorded[-2:]}[body["exchange_rate"]["date"]]
    assert body["exchange_rate"] == {"usd_mxn": str(shown.usd_mxn), "date": shown.published.isoformat(),
                                     "source": FIX_SOURCE, "stale": is_stale(shown.published, mexico_city_today(now))}
    assert body["total_usd"] == str(to_cents(Decimal(body["total_mxn"]) / shown.usd_mxn))


def test_payment_reference_over_http(stack):
    headers = stack.signed_in("member", "paying-paula")
    assert stack.request("POST", "/v1/registrations", headers=headers, json_body=registration()).status == 201
    issued = stack.request("POST", "/v1/me/payment-references", headers=headers, json_body={"months": 12})
    assert issued.status == 201 and len(issued.json()["months"]) == 12
    again = stack.request("POST", "/v1/me/payment-references", headers=headers, json_body={"months": 1})
    listed = stack.request("GET", "/v1/me/payment-references", headers=headers).json()["references"]
    assert [r["status"] for r in listed] == ["open", "superseded"]
    instructions = stack.request("GET", "/v1/me/payment-instructions", headers=headers).json()
    assert instructions["reference"]["reference"] == again.json()["reference"]
    bad = stack.request("POST", "/v1/me/payment-references", headers={**headers, "Accept-Language": "en"},
                        json_body={"months": "twelve"})
    assert bad.status == 422 and bad.json()["errors"][0]["field"] == "months"
