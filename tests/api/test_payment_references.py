"""Payment references and payment instructions through the real app."""

import json
from datetime import datetime, timezone
from decimal import Decimal


from chalicelib.domain.clock import mexico_city_today
from chalicelib.domain.payments import first_payable_month, is_valid_reference
from chalicelib.domain.quotes import quote
from chalicelib.auth import Role


def _json(response):
    return json.loads(response.body)


def _issue(api, headers, months=1, **extra):
    return api.http.post("/v1/me/payment-references", headers={**headers, **extra}, body=json.dumps({"months": months}))


def test_a_reference_covers_the_next_months_for_the_quoted_amount(api, member):
    headers, body = member(monthly_income_mxn="9000.00", zone="general")
    response = _issue(api, headers, months=3)
    assert response.status_code == 201, response.body
    issued = _json(response)
    start = first_payable_month(mexico_city_today(datetime.now(timezone.utc)), 15)
    expected = quote(Decimal("9000.00"), "general", start, 3)
    assert issued["months"] == [m.month.strftime("%Y-%m") for m in expected.months]
    assert issued["amount_mxn"] == f"{expected.total_mxn:.2f}"
    assert is_valid_reference(issued["reference"]) and issued["reference_display"].replace(" ", "") == issued["reference"]
    assert issued["status"] == "open"
    deadline = datetime.fromisoformat(issued["expires_at"])
    assert deadline.day in (15, 16) and deadline.hour == 5  # 23:59:59 Mexico City is 05:59:59 UTC next day
    profile = _json(api.http.get("/v1/me", headers=headers))
    assert profile["open_reference"] == issued["reference"]


def test_a_new_reference_replaces_the_open_one(api, member):
    headers, _ = member()
    first = _json(_issue(api, headers, months=1))
    second = _json(_issue(api, headers, months=6))
    listed = _json(api.http.get("/v1/me/payment-references", headers=headers))["references"]
    assert [(r["reference"], r["status"]) for r in listed] == [(second["reference"], "open"),
                                                               (first["reference"], "superseded")]
    assert len(second["months"]) == 6


def test_idempotent_issue_and_validation(api, member):
    headers, _ = member()
    keyed = {"Idempotency-Key": "ref-once"}
    first, again = _issue(api, headers, 2, **keyed), _issue(api, headers, 2, **keyed)
    assert _json(first) == _json(again)
    assert len(_json(api.http.get("/v1/me/payment-references", headers=headers))["references"]) == 1
    bad = _issue(api, headers, months=4)
    assert bad.status_code == 422 and _json(bad)["errors"][0]["field"] == "months"


def test_unregistered_members_get_404(api, aws):
    headers = {"Authorization": f"Bearer {aws.token(Role.MEMBER, 'no-profile')}", "Content-Type": "application/json"}
    assert _issue(api, headers).status_code == 404
    assert api.http.get("/v1/me/payment-instructions", headers=headers).status_code == 404
    assert _json(api.http.get("/v1/me/payment-references", headers=headers)) == {"references": []}


def test_payment_instructions(api, member):
    headers, body = member()
    before = _json(api.http.get("/v1/me/payment-instructions", headers=headers))
    assert before["reference"] is None and before["amount_mxn"] is None
    assert all("genere su línea de captura" in c["instructions"] for c in before["channels"])
    issued = _json(_issue(api, headers))
    after = _json(api.http.get("/v1/me/payment-instructions", headers={**headers, "Accept-Language": "en"}))
    spei, finabien, window = after["channels"]
    assert after["amount_mxn"] == issued["amount_mxn"]
    assert spei == {"channel": "spei", "payment_reference": body["nss"], "clabe": "044180001068672782",
                    "bank": "Scotiabank", "beneficiary": "IMSS", "instructions": spei["instructions"]}
    assert body["nss"] in spei["instructions"] and spei["instructions"].startswith("Send a SPEI transfer")
    assert finabien["payment_reference"] == window["payment_reference"] == issued["reference_display"]
