"""Today's dollar rate through the real app: the daily job stores Banco de México's FIX (the recorded series), quotes
and payment references show it with its date and source, and a quote starts where a payment made now would cover."""

import json
from datetime import date, datetime, timedelta, timezone
from decimal import Decimal
from functools import cache

import pytest

from chalicelib import wiring
from chalicelib.adapters.exchange_rates import RateProviderError
from chalicelib.domain.exchange_rates import FIX_SOURCE
from chalicelib.services.exchange_rates import fetch_fix
from chalicelib.store import exchange_rates as rate_store
from chalicelib.store.exchange_rates import ExchangeRateItem
from tests.api.conftest import paid

MX = timezone(timedelta(hours=-6))
NOV_30_AFTERNOON = datetime(2026, 11, 30, 13, tzinfo=MX).astimezone(timezone.utc)
FIX_NOV_30 = {"usd_mxn": "18.4738", "date": "2026-11-30", "source": FIX_SOURCE, "stale": False}  # the recording's


def _json(response):
    return json.loads(response.body)


def _quote(api, **fields):
    return _json(api.http.post("/v1/quotes", headers={"Content-Type": "application/json"}, body=json.dumps(
        {"monthly_income_mxn": "9000", "zone": "general", **fields})))


def _stored_days() -> list[str]:
    return [item.sk for item in ExchangeRateItem.query("RATE#SF43718", ExchangeRateItem.sk.startswith("DAY#"))]


class Failing:
    name = "failing"

    def observations(self, start, end):
        raise RateProviderError("SIE answered 503")


def test_the_job_stores_the_days_fix_and_a_rerun_changes_nothing(aws):
    report = fetch_fix(NOV_30_AFTERNOON)
    assert report == {"provider": "recorded", "failed": False, "days_stored": 7, "latest": "2026-11-30",
                      "usd_mxn": "18.4738"}
    # the ten days before the 30th and the 30th: 20 and 23–27 November, then the 30th (weekends have no observation)
    assert _stored_days() == ["DAY#2026-11-20", "DAY#2026-11-23", "DAY#2026-11-24", "DAY#2026-11-25",
                              "DAY#2026-11-26", "DAY#2026-11-27", "DAY#2026-11-30"]
    assert fetch_fix(NOV_30_AFTERNOON + timedelta(hours=5)) == {**report, "days_stored": 0}  # the 17:30 retry
    assert rate_store.latest().published == date(2026, 11, 30)


def test_before_noon_the_job_stores_up_to_the_previous_banking_day(aws):
    assert fetch_fix(datetime(2026, 11, 30, 9, tzinfo=MX))["latest"] == "2026-11-27"
    assert fetch_fix(NOV_30_AFTERNOON)["latest"] == "2026-11-30"


def test_an_older_date_never_replaces_the_latest(aws):
    fetch_fix(NOV_30_AFTERNOON)
    backfill = fetch_fix(datetime(2026, 11, 10, 13, tzinfo=MX))  # a late run standing on an earlier day
    assert backfill["days_stored"] > 0 and backfill["latest"] == "2026-11-30"
    assert rate_store.latest().usd_mxn == Decimal("18.4738")


def test_a_provider_failure_keeps_the_last_rate_and_says_so(aws, monkeypatch, service_logs):
    fetch_fix(datetime(2026, 11, 27, 13, tzinfo=MX))
    monkeypatch.setattr(wiring, "exchange_rates", cache(Failing))  # cached, as wiring's (reset() clears it)
    report = fetch_fix(NOV_30_AFTERNOON)
    assert report["failed"] is True and report["days_stored"] == 0 and report["latest"] == "2026-11-27"
    entries = service_logs.entries()
    failure = next(entry for entry in entries if entry["message"] == "exchange rate fetch failed")
    assert failure["ExchangeRateFetchFailed"] == 1 and failure["Provider"] == "recorded"
    assert "SIE answered 503" in failure["error"]
    checked = [entry for entry in entries if entry["message"] == "exchange rate checked"][-1]
    assert checked["ExchangeRateAgeBusinessDays"] == 1  # Friday's rate on Monday


def test_a_public_quote_shows_the_fix_with_its_date_and_source(api, clock):
    clock(NOV_30_AFTERNOON)
    fetch_fix(NOV_30_AFTERNOON)
    body = _quote(api, months=3)
    assert body["exchange_rate"] == FIX_NOV_30 and body["usd_note"] is None
    assert body["usd_mxn_rate"] == "18.4738"
    assert Decimal(body["total_usd"]) == (Decimal(body["total_mxn"]) / Decimal("18.4738")).quantize(Decimal("0.01"))
    assert body["months"][0]["month"] == "2027-01"  # the same month a reference issued today covers


@pytest.mark.parametrize(("today", "stale"), [
    (datetime(2026, 12, 3, 10, tzinfo=MX), False),  # 1, 2 and 3 December: three banking days later
    (datetime(2026, 12, 4, 10, tzinfo=MX), True),  # four: the job has not stored a newer one since
])
def test_a_rate_older_than_three_banking_days_is_flagged(api, clock, today, stale):
    fetch_fix(NOV_30_AFTERNOON)
    clock(today.astimezone(timezone.utc))
    assert _quote(api)["exchange_rate"] == {**FIX_NOV_30, "stale": stale}


def test_a_callers_rate_is_labelled_and_wins_over_the_fix(api, clock):
    clock(NOV_30_AFTERNOON)
    fetch_fix(NOV_30_AFTERNOON)
    body = _quote(api, usd_mxn_rate="17.5")
    assert body["exchange_rate"] == {"usd_mxn": "17.5", "date": None, "source": "caller", "stale": False}
    assert body["total_usd"] == f"{(Decimal(body['total_mxn']) / Decimal('17.5')).quantize(Decimal('0.01'))}"


def test_without_a_stored_rate_the_answer_is_in_pesos_and_says_so(api, clock):
    clock(NOV_30_AFTERNOON)
    body = _json(api.http.post("/v1/quotes", headers={"Content-Type": "application/json", "Accept-Language": "en"},
                               body=json.dumps({"monthly_income_mxn": "9000", "zone": "general"})))
    assert body["total_usd"] is None and body["usd_mxn_rate"] is None and body["exchange_rate"] is None
    assert body["usd_note"] == "No USD total: no Banco de México FIX rate is stored yet (you may send usd_mxn_rate)."
    assert body["total_mxn"]


def test_a_reference_keeps_the_dollar_figure_it_was_issued_with(api, clock, member):
    clock(NOV_30_AFTERNOON)
    fetch_fix(NOV_30_AFTERNOON)
    headers, _ = member(monthly_income_mxn="9000.00", zone="general")
    issued = _json(api.http.post("/v1/me/payment-references", headers=headers, body=json.dumps({"months": 1})))
    assert issued["months"] == ["2027-01"] and issued["exchange_rate"] == FIX_NOV_30
    assert Decimal(issued["amount_usd"]) == (Decimal(issued["amount_mxn"]) / Decimal("18.4738")).quantize(
        Decimal("0.01"))
    # A week later the stored FIX is stale (nothing newer): the reference still shows what she was told.
    clock(NOV_30_AFTERNOON + timedelta(days=7))
    listed = _json(api.http.get("/v1/me/payment-references", headers=headers))["references"][0]
    assert (listed["amount_usd"], listed["exchange_rate"]) == (issued["amount_usd"], FIX_NOV_30)
    instructions = _json(api.http.get("/v1/me/payment-instructions", headers=headers))
    assert instructions["reference"]["exchange_rate"] == FIX_NOV_30
    assert _quote(api)["exchange_rate"]["stale"] is True


def test_a_reference_issued_with_no_rate_stored_has_no_dollars(api, clock, member):
    clock(NOV_30_AFTERNOON)
    headers, _ = member()
    issued = _json(api.http.post("/v1/me/payment-references", headers=headers, body=json.dumps({"months": 1})))
    assert issued["amount_usd"] is None and issued["exchange_rate"] is None


def test_the_members_quote_starts_at_her_first_uncovered_payable_month(api, clock, member, partner):
    clock(NOV_30_AFTERNOON)
    headers, _ = member(monthly_income_mxn="9000.00", zone="general")
    assert [m["month"] for m in _json(api.http.get("/v1/me/quote", headers=headers))["months"]] == ["2027-01"]
    issued = _json(api.http.post("/v1/me/payment-references", headers=headers, body=json.dumps({"months": 2})))
    assert issued["months"] == ["2027-01", "2027-02"]
    assert partner.send(paid(issued["reference"], issued["amount_mxn"], tx="fx-1",
                             paid_at=clock.now())).status_code == 200
    mine = _json(api.http.get("/v1/me/quote?months=2", headers=headers))
    following = _json(api.http.post("/v1/me/payment-references", headers=headers, body=json.dumps({"months": 2})))
    assert [m["month"] for m in mine["months"]] == following["months"] == ["2027-03", "2027-04"]
    assert mine["total_mxn"] == following["amount_mxn"]
