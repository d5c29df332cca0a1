"""`GET /v1/operators/stats/daily`: each Mexico City day's payments, consults and members by status, from the day
counters the transactions keep (store/stats.py), and the members series derived back from today's totals through the
later days of each day's month and the later months' counters."""

import json
from datetime import date, datetime, timedelta, timezone
from math import ceil

from chalicelib.store import stats
from tests.api.conftest import issue, paid
from tests.api.test_records import _attend, scene  # noqa: F401 (fixture)
from tests.api.test_teleconsult import MX, _book, _slots, nurses  # noqa: F401 (fixture)
from tests.costs import aws_requests

ZERO_PAYMENTS = {"received": 0, "received_mxn": "0.00", "applied": 0, "applied_mxn": "0.00", "unmatched": 0,
                 "unmatched_mxn": "0.00", "reversed": 0, "reversed_mxn": "0.00"}
ZERO_CONSULTS = {"booked": 0, "attended": 0, "noshow": 0}
NOBODY = {"pending_payment": 0, "active": 0, "lapsed": 0, "cancelled": 0, "closing": 0, "closed": 0}


def _json(response):
    return json.loads(response.body)


def _daily(api, headers, first, last):
    response = api.http.get(f"/v1/operators/stats/daily?from={first}&to={last}", headers=headers)
    assert response.status_code == 200, response.body
    return {item["day"]: item for item in _json(response)["items"]}


def _refused(api, headers, query):
    response = api.http.get(f"/v1/operators/stats/daily?{query}", headers=headers)
    assert response.status_code == 422, response.body
    return [error["field"] for error in _json(response)["errors"]]


def test_payments_and_consults_show_on_their_mexico_city_days(api, clock, scene, operator):
    # scene: registered and paid on 5 November, consults booked on 25 November for 1 December (09:00) ...
    ana, member = scene["ana"], scene["member"]
    clock(datetime(2026, 11, 25, 9, 30, tzinfo=MX).astimezone(timezone.utc))
    missed = _json(_book(api, member, _slots(api, member, "2026-12-02", "2026-12-02")[0]["slot_id"]))
    assert _attend(api, clock, ana, scene["consult"]).status_code == 201  # ... attended on 1 December
    clock(datetime.fromisoformat(missed["start"]) + timedelta(minutes=10))  # ... the other missed on 2 December
    assert api.http.post(f"/v1/nurse/appointments/{missed['appointment_id']}/noshow", headers=ana).status_code == 200

    days = _daily(api, operator, "2026-11-04", "2026-12-02")
    assert len(days) == 29 and list(days) == sorted(days)
    (payment,) = _json(api.http.get("/v1/me/payments", headers=member))["payments"]
    assert days["2026-11-05"]["payments"] == {**ZERO_PAYMENTS, "received": 1, "received_mxn": payment["amount_mxn"],
                                              "applied": 1, "applied_mxn": payment["amount_mxn"]}
    assert days["2026-11-25"]["consults"] == {**ZERO_CONSULTS, "booked": 2}
    assert days["2026-12-01"]["consults"] == {**ZERO_CONSULTS, "attended": 1}
    assert days["2026-12-02"]["consults"] == {**ZERO_CONSULTS, "noshow": 1}
    # a day with nothing, and the day before the member registered
    assert days["2026-11-20"]["payments"] == ZERO_PAYMENTS and days["2026-11-20"]["consults"] == ZERO_CONSULTS
    assert days["2026-11-04"]["members_by_status"] == NOBODY
    # pending on registering and active on paying, both on 5 November: active at that day's end and ever since
    assert all(day["members_by_status"] == {**NOBODY, "active": 1}
               for name, day in days.items() if name >= "2026-11-05")
    now = _json(api.http.get("/v1/operators/stats", headers=operator))
    assert days["2026-12-02"]["members_by_status"] == now["members_by_status"]


def test_a_late_evening_payment_counts_on_its_mexico_city_day_not_the_utc_one(api, member, partner, clock, operator):
    late = clock(datetime(2026, 11, 10, 23, 30, tzinfo=MX).astimezone(timezone.utc))  # 11 November in UTC
    headers, body = member()
    reference = issue(api, headers)
    partner.send(paid(reference["reference"], reference["amount_mxn"], tx=f"day-{body['curp']}", paid_at=late))
    clock(datetime(2026, 11, 12, 10, tzinfo=MX).astimezone(timezone.utc))
    pending, _ = member()  # registered on 12 November, still pending

    days = _daily(api, operator, "2026-11-09", "2026-11-12")
    assert days["2026-11-10"]["payments"]["applied"] == 1
    assert days["2026-11-10"]["payments"]["applied_mxn"] == reference["amount_mxn"]
    assert days["2026-11-11"]["payments"] == ZERO_PAYMENTS
    assert [days[d]["members_by_status"] for d in sorted(days)] == [
        NOBODY, {**NOBODY, "active": 1}, {**NOBODY, "active": 1}, {**NOBODY, "active": 1, "pending_payment": 1}]
    now = _json(api.http.get("/v1/operators/stats", headers=operator))["members_by_status"]
    assert days["2026-11-12"]["members_by_status"] == now


def test_earlier_months_are_derived_through_the_month_counters_reading_only_their_scopes(api, member, partner, clock,
                                                                                        operator):
    clock(datetime(2026, 10, 20, 10, tzinfo=MX).astimezone(timezone.utc))
    headers, body = member()  # pending from 20 October
    clock(datetime(2026, 11, 3, 10, tzinfo=MX).astimezone(timezone.utc))
    reference = issue(api, headers)
    partner.send(paid(reference["reference"], reference["amount_mxn"], tx=f"month-{body['curp']}",
                      paid_at=clock.now()))  # active from 3 November
    # the status change counted in November's month counters as well as its day's
    november = stats.figures("2026-11").month
    assert (november["members_pending_payment"], november["members_active"]) == (-1, 1)
    clock(datetime(2026, 12, 2, 10, tzinfo=MX).astimezone(timezone.utc))

    with aws_requests() as requests:
        days = _daily(api, operator, "2026-10-19", "2026-10-21")
    assert [days[d]["members_by_status"] for d in sorted(days)] == [
        NOBODY, {**NOBODY, "pending_payment": 1}, {**NOBODY, "pending_payment": 1}]
    # all-time + 19–31 October + November and December: 16 scopes, not the 46 days up to today
    assert requests.dynamodb() == {"BatchGetItem": ceil(stats.SHARDS * (1 + 13 + 2) / 100)}

    days = _daily(api, operator, "2026-10-31", "2026-11-04")
    assert [days[d]["members_by_status"] for d in sorted(days)] == [
        {**NOBODY, "pending_payment": 1}, {**NOBODY, "pending_payment": 1}, {**NOBODY, "pending_payment": 1},
        {**NOBODY, "active": 1}, {**NOBODY, "active": 1}]


def test_a_range_ending_after_today_shows_todays_members_and_nothing_else(api, member, clock, operator):
    clock(datetime(2026, 11, 12, 10, tzinfo=MX).astimezone(timezone.utc))
    member()
    days = _daily(api, operator, "2026-11-12", "2026-11-14")
    assert [days[d]["members_by_status"] for d in sorted(days)] == [{**NOBODY, "pending_payment": 1}] * 3
    assert days["2026-11-14"]["payments"] == ZERO_PAYMENTS and days["2026-11-14"]["consults"] == ZERO_CONSULTS


def test_the_range_is_checked(api, clock, operator):
    clock(datetime(2026, 11, 12, 10, tzinfo=MX).astimezone(timezone.utc))
    first = date(2026, 8, 1)
    assert len(_daily(api, operator, first, first + timedelta(days=91))) == 92
    assert _refused(api, operator, f"from={first}&to={first + timedelta(days=92)}") == ["query.to"]
    assert _refused(api, operator, "from=2026-11-02&to=2026-11-01") == ["query.to"]
    assert _refused(api, operator, "from=2025-11-10&to=2025-11-12") == ["query.from"]  # more than 366 days back
    assert _refused(api, operator, "to=2026-11-01") == ["query.from"]
    assert _refused(api, operator, "from=2026-11-31&to=2026-12-01") == ["query.from"]


def test_only_operators_see_the_daily_figures(api, member):
    headers, _ = member()
    response = api.http.get("/v1/operators/stats/daily?from=2026-11-01&to=2026-11-02", headers=headers)
    assert response.status_code == 403
