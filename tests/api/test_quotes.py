"""The quote routes through the real app."""

import json
from datetime import datetime, timedelta, timezone

import pytest
from botocore.exceptions import EndpointConnectionError
from pynamodb.exceptions import GetError

from chalice.test import Client

from chalicelib import wiring
from chalicelib.auth import Role
from chalicelib.store.exchange_rates import ExchangeRateItem
from local.aws import PROJECT
from tests.people import registration

MX = timezone(timedelta(hours=-6))


def _post(api, body, **headers):
    return api.http.post("/v1/quotes", headers={"Content-Type": "application/json", **headers}, body=json.dumps(body))


def test_public_quote_shape(api):
    response = _post(api, {"monthly_income_mxn": "9000.00", "zone": "general", "start_month": "2026-02", "months": 2,
                           "usd_mxn_rate": "18.25"})
    assert response.status_code == 200, response.body
    body = json.loads(response.body)
    assert set(body) == {"total_mxn", "total_usd", "usd_mxn_rate", "exchange_rate", "usd_note", "estimated",
                         "conventions", "months"}
    assert body["conventions"]["income_divisor"] == "30.4" and body["conventions"]["days_per_month"] == "30.4"
    assert body["conventions"]["riesgos_trabajo_prima"] == "0.54355"
    assert "values-2026.1" in body["conventions"]["rate_tables"]
    assert body["conventions"]["sources"]["income_divisor"].startswith("assumption")
    assert [m["month"] for m in body["months"]] == ["2026-02", "2026-03"]
    first = body["months"][0]
    assert (first["uma"], first["minimum_wage"], first["sbc_daily_mxn"], first["days"]) == ("117.31", "315.04", "315.04", "30.4")
    assert first["lines"][0] == {"concept": "eym_cuota_fija", "share": "patronal", "rate": "20.40",
                                 "base_mxn": "117.31", "amount_mxn": "727.51"}  # 20.40% × 117.31 × 30.4 = 727.5097
    assert body["total_mxn"] == f"{sum(float(m['total_mxn']) for m in body['months']):.2f}"
    assert body["total_usd"] == f"{float(body['total_mxn']) / 18.25:.2f}"
    assert body["exchange_rate"] == {"usd_mxn": "18.25", "date": None, "source": "caller", "stale": False}
    assert body["usd_note"] is None
    assert body["estimated"] is False


@pytest.mark.parametrize(("today", "first"), [
    (datetime(2026, 11, 10, 9, tzinfo=MX), "2026-12"),  # paid by the 15th, a payment covers next month
    (datetime(2026, 11, 15, 23, 59, tzinfo=MX), "2026-12"),
    (datetime(2026, 11, 30, 9, tzinfo=MX), "2027-01"),  # after the deadline day it covers the month after
])
def test_defaults_start_where_a_payment_now_would_cover_one_month_no_infonavit(api, clock, today, first):
    clock(today.astimezone(timezone.utc))
    body = json.loads(_post(api, {"monthly_income_mxn": "12000", "zone": "zlfn"}).body)
    assert [m["month"] for m in body["months"]] == [first]
    assert body["total_usd"] is None and body["exchange_rate"] is None  # no rate stored, none sent
    assert body["usd_note"].startswith("Sin total en dólares")
    assert not any(line["concept"] == "infonavit" for line in body["months"][0]["lines"])


def test_months_beyond_known_tables_are_flagged(api):
    body = json.loads(_post(api, {"monthly_income_mxn": "9000", "zone": "general", "start_month": "2026-12",
                                  "months": 2}).body)
    assert [m["estimated"] for m in body["months"]] == [False, True] and body["estimated"] is True


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"monthly_income_mxn": "-10"}, "monthly_income_mxn"),
        ({"monthly_income_mxn": "99999999"}, "monthly_income_mxn"),
        ({"monthly_income_mxn": "abc"}, "monthly_income_mxn"),
        ({"zone": "north"}, "zone"),
        ({"start_month": "2023-06"}, "start_month"),
        ({"start_month": "2026-13"}, "start_month"),
        ({"start_month": "2099-01"}, "start_month"),
        ({"months": 4}, "months"),
        ({"usd_mxn_rate": "0"}, "usd_mxn_rate"),
        ({"surprise": True}, "surprise"),
    ],
)
def test_bad_input_names_the_field(api, change, field):
    response = _post(api, {"monthly_income_mxn": "9000", "zone": "general", **change}, **{"Accept-Language": "en"})
    assert response.status_code == 422
    assert [e["field"] for e in json.loads(response.body)["errors"]] == [field]


def test_month_before_tables_message(api):
    response = _post(api, {"monthly_income_mxn": "9000", "zone": "general", "start_month": "2023-06"})
    assert json.loads(response.body)["errors"][0]["message"] == "El primer mes que se puede cotizar es 2024-02."


def test_member_quote_uses_the_registered_income_and_zone(api, aws):
    headers = {"Authorization": f"Bearer {aws.token(Role.MEMBER, 'quoted')}", "Content-Type": "application/json"}
    assert api.http.get("/v1/me/quote", headers=headers).status_code == 404
    body = registration(monthly_income_mxn="15000.00", zone="zlfn")
    assert api.http.post("/v1/registrations", headers=headers, body=json.dumps(body)).status_code == 201
    mine = json.loads(api.http.get("/v1/me/quote?months=3&start_month=2026-03&include_infonavit=true",
                                   headers=headers).body)
    public = json.loads(_post(api, {"monthly_income_mxn": "15000.00", "zone": "zlfn", "months": 3,
                                    "start_month": "2026-03", "include_infonavit": True}).body)
    assert mine == public
    assert api.http.get("/v1/me/quote?months=5", headers=headers).status_code == 422


def test_a_public_quote_with_its_month_and_rate_touches_no_database(monkeypatch):
    """With DynamoDB unreachable and no service settings at all, the calculator still answers what it is given."""
    for name in ("MEMBERS_TABLE", "IDEMPOTENCY_TABLE", "COGNITO_USER_POOL_ID"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("AWS_ENDPOINT_URL_DYNAMODB", "http://127.0.0.1:9")
    wiring.reset()
    from app import app

    with Client(app, stage_name="local", project_dir=str(PROJECT)) as client:
        response = client.http.post("/v1/quotes", headers={"Content-Type": "application/json"}, body=json.dumps(
            {"monthly_income_mxn": "9000", "zone": "general", "start_month": "2027-01", "usd_mxn_rate": "18.40"}))
    assert response.status_code == 200, response.body
    wiring.reset()


def test_a_public_quote_answers_in_pesos_when_dynamodb_is_out_of_reach(api, monkeypatch):
    """The calculator's only read is the stored rate: when DynamoDB cannot be reached it still answers, without USD."""
    def unreachable(*args, **kwargs):
        raise GetError("Failed to get item", cause=EndpointConnectionError(endpoint_url="http://127.0.0.1:9"))

    monkeypatch.setattr(ExchangeRateItem, "get", unreachable)
    response = _post(api, {"monthly_income_mxn": "9000", "zone": "general"}, **{"Accept-Language": "en"})
    assert response.status_code == 200, response.body
    body = json.loads(response.body)
    assert body["total_usd"] is None and body["usd_note"].startswith("No USD total")
    # A caller's own rate needs no read at all.
    with_rate = json.loads(_post(api, {"monthly_income_mxn": "9000", "zone": "general", "usd_mxn_rate": "18"}).body)
    assert with_rate["exchange_rate"]["source"] == "caller"
