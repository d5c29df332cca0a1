"""Partner webhooks through the real app: signatures, exactly-once, matching, coverage, reversals, operators."""

import json
from datetime import datetime, timedelta, timezone
from decimal import Decimal

import boto3
import pytest

from chalicelib.domain.payments import grouped, reference_code
from chalicelib.store import payments as payment_store
from local.aws import REGION
from tests.api.conftest import PREFIX, issue as _issue, paid, reversed_

UNKNOWN = reference_code("1" * 16)  # well formed, never issued


def _json(response):
    return json.loads(response.body)


def _stats(api, operator):
    return _json(api.http.get("/v1/operators/stats", headers=operator))


# --- The happy path --------------------------------------------------------------------------------------------------

def test_a_finabien_payment_activates_the_member_for_the_reference_months(api, member, partner, operator):
    headers, _ = member()
    reference = _issue(api, headers, months=3)
    event = paid(reference["reference_display"], reference["amount_mxn"], tx="fb-001",
                 usd={"amount": "88.00", "rate": "20.08", "source": "FINABIEN"})
    response = partner.send(event)
    assert response.status_code == 200, response.body
    ack = _json(response)
    assert ack["status"] == "applied" and ack["months"] == reference["months"]

    coverage = _json(api.http.get("/v1/me/coverage", headers=headers))
    assert coverage["status"] == "active"
    assert coverage["covered_months"] == reference["months"]
    assert coverage["covered_through"] == reference["months"][-1]
    assert [step["code"] for step in coverage["next_steps"]] == ["keep_paying", "register_umf"]
    assert _json(api.http.get("/v1/me", headers=headers))["status"] == "active"

    (listed,) = _json(api.http.get("/v1/me/payments", headers=headers))["payments"]
    assert listed["status"] == "applied" and listed["amount_mxn"] == reference["amount_mxn"]
    receipt = _json(api.http.get(f"/v1/me/payments/{ack['payment_id']}/receipt", headers=headers))
    assert receipt["folio"] == ack["payment_id"] and receipt["months"] == reference["months"]
    assert receipt["usd"] == {"amount": "88.00", "rate": "20.08", "source": "FINABIEN"}
    references = _json(api.http.get("/v1/me/payment-references", headers=headers))["references"]
    assert references[0]["status"] == "paid"

    figures = _stats(api, operator)
    assert figures["members_by_status"]["active"] == 1 and figures["members_by_status"]["pending_payment"] == 0
    assert figures["payments_this_month"]["applied"] == 1
    assert figures["payments_this_month"]["applied_mxn"] == reference["amount_mxn"]


def test_someone_elses_receipt_is_not_found(api, member, partner):
    payer, _ = member()
    other, _ = member()
    reference = _issue(api, payer)
    ack = _json(partner.send(paid(reference["reference"], reference["amount_mxn"])))
    assert api.http.get(f"/v1/me/payments/{ack['payment_id']}/receipt", headers=other).status_code == 404


def test_spei_by_nss_pays_the_members_open_reference(api, member, partner):
    headers, body = member()
    reference = _issue(api, headers, months=2)
    event = paid(None, reference["amount_mxn"], nss=body["nss"], channel="spei", tx="SPEI-1",
                 spei={"clave_rastreo": "MBAN01002611210001", "sending_bank": "BBVA MEXICO",
                       "sending_account": "012180001234567891"})
    ack = _json(partner.send(event, "spei"))
    assert ack["status"] == "applied" and ack["months"] == reference["months"]
    receipt = _json(api.http.get(f"/v1/me/payments/{ack['payment_id']}/receipt", headers=headers))
    assert receipt["spei"]["clave_rastreo"] == "MBAN01002611210001"
    assert _json(api.http.get("/v1/me/coverage", headers=headers))["status"] == "active"


# --- Signatures: 401 and nothing stored ------------------------------------------------------------------------------

def _nothing_stored(api, operator, message_id):
    assert payment_store.PaymentItem.count(f"DELIVERY#finabien#{message_id}") == 0
    assert _stats(api, operator)["payments_this_month"]["received"] == 0


@pytest.mark.parametrize("case", ["forged", "stale", "future", "tampered", "unsigned", "unknown-partner",
                                  "garbled-signature"])
def test_untrusted_deliveries_get_401_and_store_nothing(api, member, partner, operator, clock, case):
    headers, _ = member()
    reference = _issue(api, headers)
    event = paid(reference["reference"], reference["amount_mxn"])
    now = int(clock.now().timestamp())
    kwargs = {
        "forged": {"secret": "whsec_" + "A" * 44},
        "stale": {"timestamp": now - 301},
        "future": {"timestamp": now + 301},
        "tampered": {"body": json.dumps(paid(reference["reference"], "1.00")).encode()},
        "unsigned": {"headers": {"webhook-signature": ""}},
        "garbled-signature": {"headers": {"webhook-signature": "v1,not-base64!!"}},
        "unknown-partner": {},
    }[case]
    name = "nobody" if case == "unknown-partner" else "finabien"
    response = partner.send(event, name, message_id="msg-untrusted",
                            secret=kwargs.pop("secret", None) or (partner.secret() if name == "nobody" else None),
                            **kwargs)
    assert response.status_code == 401, response.body
    assert "WWW-Authenticate" not in response.headers
    _nothing_stored(api, operator, "msg-untrusted")
    assert _json(api.http.get("/v1/me/coverage", headers=headers))["status"] == "pending_payment"


def test_a_rotated_secret_and_its_predecessor_are_both_accepted(api, member, partner, aws):
    from chalicelib import wiring

    secrets = boto3.client("secretsmanager", region_name=REGION)
    old = partner.secret()
    new = "whsec_" + "B" * 43 + "="
    secrets.put_secret_value(SecretId=PREFIX + "finabien", SecretString=json.dumps({"current": new, "previous": old}))
    wiring.partner_secrets.cache_clear()
    headers, _ = member()
    first, second = _issue(api, headers), None
    assert partner.send(paid(first["reference"], first["amount_mxn"], tx="r-1"), secret=old).status_code == 200
    second = _issue(api, headers)
    assert partner.send(paid(second["reference"], second["amount_mxn"], tx="r-2"), secret=new).status_code == 200


# --- Exactly once ----------------------------------------------------------------------------------------------------

def test_duplicates_by_webhook_id_or_partner_transaction_change_nothing(api, member, partner, operator):
    headers, _ = member()
    reference = _issue(api, headers)
    event = paid(reference["reference"], reference["amount_mxn"], tx="dup-1")
    first = _json(partner.send(event, message_id="msg-1"))
    replayed = partner.send(event, message_id="msg-1")  # a replay inside the tolerance window
    retried = partner.send(event, message_id="msg-2")  # the partner's retry under a new id
    assert first["status"] == "applied"
    assert replayed.status_code == retried.status_code == 200
    assert _json(replayed)["status"] == _json(retried)["status"] == "duplicate"
    assert len(_json(api.http.get("/v1/me/payments", headers=headers))["payments"]) == 1
    assert _stats(api, operator)["payments_this_month"]["received"] == 1


def test_unknown_event_types_are_acknowledged_and_kept_once(api, partner):
    event = {"type": "payout.updated", "data": {"anything": [1, 2]}, "extra": True}
    assert _json(partner.send(event, message_id="msg-x"))["status"] == "recorded"
    assert _json(partner.send(event, message_id="msg-x"))["status"] == "duplicate"
    stored = payment_store.DeliveryItem.get("DELIVERY#finabien#msg-x", "DELIVERY")
    assert json.loads(stored.body) == event and stored.type == "payout.updated"


def test_signed_but_invalid_events_name_the_bad_fields(api, partner):
    response = partner.send(paid("123", 1766.9, tx=""), message_id="msg-bad")
    assert response.status_code == 422
    fields = {error["field"] for error in _json(response)["errors"]}
    assert fields == {"data.amount_mxn", "data.partner_transaction_id"}
    assert payment_store.PaymentItem.count("DELIVERY#finabien#msg-bad") == 0
    english = partner.send({"type": "payment.succeeded", "data": {"amount_mxn": "10.00"}}, headers={"Accept-Language": "en"})
    assert english.status_code == 422 and "required" in english.body.decode()
    not_json = partner.send({}, body=b"{not json")
    assert not_json.status_code in (400, 401)  # the signature covers the real body, so a mangled one never verifies


# --- Matching --------------------------------------------------------------------------------------------------------

def test_wrong_amount_is_kept_unmatched_and_the_member_sees_it(api, member, partner, operator):
    headers, _ = member()
    reference = _issue(api, headers)
    wrong = str(Decimal(reference["amount_mxn"]) - Decimal("0.01"))
    ack = _json(partner.send(paid(reference["reference"], wrong, tx="short-1")))
    assert ack == {"status": "unmatched", "payment_id": ack["payment_id"], "reason": "wrong-amount", "months": []}
    (seen,) = _json(api.http.get("/v1/me/payments", headers=headers))["payments"]
    assert seen["status"] == "unmatched" and seen["reason"] == "wrong-amount"
    assert _json(api.http.get("/v1/me/coverage", headers=headers))["status"] == "pending_payment"
    unmatched = _json(api.http.get("/v1/operators/payments/unmatched", headers=operator))["items"]
    assert [p["payment_id"] for p in unmatched] == [ack["payment_id"]]
    assert _stats(api, operator)["payments_this_month"]["unmatched_mxn"] == wrong


@pytest.mark.parametrize("code, reason", [("123456789012345678", "invalid-reference"),
                                          (grouped(reference_code("0" * 16)), "unknown-reference")])
def test_unknown_references_end_in_the_unmatched_list(api, partner, operator, code, reason):
    ack = _json(partner.send(paid(code, "100.00", tx=f"u-{reason}")))
    assert ack["status"] == "unmatched" and ack["reason"] == reason
    items = _json(api.http.get("/v1/operators/payments/unmatched", headers=operator))["items"]
    assert items[0]["payment_id"] == ack["payment_id"] and items[0]["member_id"] is None


def test_paying_a_reference_twice_or_a_superseded_one_is_unmatched(api, member, partner):
    headers, _ = member()
    first = _issue(api, headers)
    second = _issue(api, headers)
    assert _json(partner.send(paid(first["reference"], first["amount_mxn"], tx="s-1")))["reason"] == "reference-superseded"
    assert _json(partner.send(paid(second["reference"], second["amount_mxn"], tx="s-2")))["status"] == "applied"
    assert _json(partner.send(paid(second["reference"], second["amount_mxn"], tx="s-3")))["reason"] == "reference-paid"


def test_a_payment_after_the_deadline_is_unmatched(api, member, partner, clock):
    headers, _ = member()
    reference = _issue(api, headers)
    late = datetime.fromisoformat(reference["expires_at"]) + timedelta(seconds=1)
    clock(late)
    ack = _json(partner.send(paid(reference["reference"], reference["amount_mxn"], tx="late-1", paid_at=late)))
    assert ack["reason"] == "reference-expired"


def test_spei_without_a_member_or_an_open_reference_is_unmatched(api, member, partner):
    _, body = member()
    assert _json(partner.send(paid(None, "10.00", nss=body["nss"], tx="n-1"), "spei"))["reason"] == "no-open-reference"
    from tests.people import make_nss
    assert _json(partner.send(paid(None, "10.00", nss=make_nss(), tx="n-2"), "spei"))["reason"] == "unknown-nss"


# --- Coverage months at year ends ------------------------------------------------------------------------------------

MX = timezone(timedelta(hours=-6))


@pytest.mark.parametrize("today, months, expected", [
    (datetime(2026, 12, 10, 12, tzinfo=MX), 1, ["2027-01"]),
    (datetime(2026, 12, 20, 12, tzinfo=MX), 1, ["2027-02"]),  # after the 15th: the month after next
    (datetime(2026, 12, 15, 23, 59, tzinfo=MX), 12, [f"2027-{m:02d}" for m in range(1, 13)]),
])
def test_december_payments_cover_the_right_months(api, member, partner, clock, today, months, expected):
    clock(today.astimezone(timezone.utc))
    headers, _ = member()
    reference = _issue(api, headers, months=months)
    assert reference["months"] == expected
    ack = _json(partner.send(paid(reference["reference"], reference["amount_mxn"], tx=f"dec-{months}-{today.day}",
                                  paid_at=clock.now())))
    assert ack["status"] == "applied" and ack["months"] == expected
    assert _json(api.http.get("/v1/me/coverage", headers=headers))["covered_months"] == expected


def test_paying_ahead_starts_right_after_current_coverage(api, member, partner, clock):
    clock(datetime(2026, 11, 5, 12, tzinfo=MX).astimezone(timezone.utc))
    headers, _ = member()
    first = _issue(api, headers, months=2)
    partner.send(paid(first["reference"], first["amount_mxn"], tx="a-1", paid_at=clock.now()))
    second = _issue(api, headers, months=1)
    assert first["months"] == ["2026-12", "2027-01"] and second["months"] == ["2027-02"]


# --- Reversals -------------------------------------------------------------------------------------------------------

def test_a_reversal_takes_back_only_months_not_started(api, member, partner, operator, clock):
    clock(datetime(2026, 11, 5, 12, tzinfo=MX).astimezone(timezone.utc))
    headers, _ = member()
    reference = _issue(api, headers, months=3)  # Dec, Jan, Feb
    partner.send(paid(reference["reference"], reference["amount_mxn"], tx="rv-1", paid_at=clock.now()))
    clock(datetime(2026, 12, 3, 12, tzinfo=MX).astimezone(timezone.utc))  # December has started
    ack = _json(partner.send(reversed_("rv-1", clock.now())))
    assert ack["status"] == "reversed" and ack["months"] == ["2027-01", "2027-02"]
    coverage = _json(api.http.get("/v1/me/coverage", headers=headers))
    assert coverage["covered_months"] == ["2026-12"] and coverage["status"] == "active"
    (payment,) = _json(api.http.get("/v1/me/payments", headers=headers))["payments"]
    assert payment["status"] == "reversed" and payment["reversed_months"] == ["2027-01", "2027-02"]
    assert _json(partner.send(reversed_("rv-1", clock.now())))["status"] == "duplicate"
    assert _stats(api, operator)["payments_this_month"]["reversed"] == 1


def test_a_full_reversal_before_coverage_starts_returns_the_member_to_pending(api, member, partner):
    headers, _ = member()
    reference = _issue(api, headers)
    partner.send(paid(reference["reference"], reference["amount_mxn"], tx="rv-2"))
    ack = _json(partner.send(reversed_("rv-2")))
    assert ack["months"] == reference["months"]
    coverage = _json(api.http.get("/v1/me/coverage", headers=headers))
    assert coverage["status"] == "pending_payment" and coverage["covered_months"] == []


def test_a_reversal_arriving_first_means_the_payment_is_never_applied(api, member, partner):
    headers, _ = member()
    reference = _issue(api, headers)
    assert _json(partner.send(reversed_("rv-3")))["reason"] == "reversed-before-payment"
    assert _json(partner.send(paid(reference["reference"], reference["amount_mxn"], tx="rv-3")))["status"] == "duplicate"
    assert _json(api.http.get("/v1/me/coverage", headers=headers))["status"] == "pending_payment"


# --- Operators -------------------------------------------------------------------------------------------------------

def test_operators_apply_an_unmatched_payment_once_and_it_is_recorded(api, aws, member, partner, operator):
    headers, _ = member()
    member_id = _json(api.http.get("/v1/me", headers=headers))["member_id"]
    reference = _issue(api, headers)
    ack = _json(partner.send(paid(UNKNOWN, "500.00", tx="op-1")))
    decision = {"action": "apply", "member_id": member_id, "months": reference["months"], "note": "Pagó con ficha vieja"}
    url = f"/v1/operators/payments/{ack['payment_id']}/resolve"
    resolved = api.http.post(url, headers=operator, body=json.dumps(decision))
    assert resolved.status_code == 200, resolved.body
    body = _json(resolved)
    assert body["status"] == "applied" and body["decisions"][0]["by"] and body["decisions"][0]["action"] == "apply"
    assert api.http.post(url, headers=operator, body=json.dumps(decision)).status_code == 409
    coverage = _json(api.http.get("/v1/me/coverage", headers=headers))
    assert coverage["status"] == "active" and coverage["covered_months"] == reference["months"]
    # The open reference is superseded so the same months cannot be paid again.
    assert _json(api.http.get("/v1/me/payment-references", headers=headers))["references"][0]["status"] == "superseded"
    assert _json(api.http.get("/v1/operators/payments/unmatched", headers=operator))["items"] == []
    member_headers = {"Authorization": headers["Authorization"], "Content-Type": "application/json"}
    assert api.http.post(url, headers=member_headers, body=json.dumps(decision)).status_code == 403


def test_operators_mark_refunds_and_bad_resolutions_are_422(api, partner, operator):
    ack = _json(partner.send(paid(UNKNOWN, "500.00", tx="op-2")))
    url = f"/v1/operators/payments/{ack['payment_id']}/resolve"
    bad = api.http.post(url, headers=operator, body=json.dumps({"action": "apply", "note": "x"}))
    assert bad.status_code == 422
    missing = api.http.post(url, headers=operator, body=json.dumps(
        {"action": "apply", "member_id": "nobody", "months": ["2027-01"], "note": "x"}))
    assert missing.status_code == 422 and _json(missing)["errors"][0]["field"] == "member_id"
    refund = api.http.post(url, headers=operator, body=json.dumps({"action": "refund", "note": "Devolver al pagador"}))
    assert refund.status_code == 200 and _json(refund)["status"] == "refund_pending"
    assert api.http.post("/v1/operators/payments/nope/resolve", headers=operator,
                         body=json.dumps({"action": "refund", "note": "x"})).status_code == 404


def test_stats_count_members_beneficiaries_and_payments(api, member, operator):
    member()
    member()
    figures = _stats(api, operator)
    assert figures["members_by_status"] == {"pending_payment": 2, "active": 0, "lapsed": 0, "cancelled": 0, "closing": 0, "closed": 0}
    assert figures["payments_this_month"]["received"] == 0 and figures["beneficiaries"] == 0


@pytest.mark.parametrize("data, field", [
    ({"reference": " - . - "}, "data"),  # separators only: no reference at all
    ({"amount_mxn": "1E+2"}, "data.amount_mxn"),
    ({"amount_mxn": 100}, "data.amount_mxn"),
    ({"paid_at": "2999-01-01T00:00:00Z"}, "data.paid_at"),
    ({"paid_at": "2026-11-01T00:00:00"}, "data.paid_at"),  # no offset: ambiguous
])
def test_payment_fields_are_checked(partner, data, field):
    event = paid(UNKNOWN, "100.00", tx="chk-1")
    event["data"].update(data)
    response = partner.send(event)
    assert response.status_code == 422, response.body
    assert field in {error["field"] for error in _json(response)["errors"]}


def test_a_malformed_cursor_is_a_422_not_a_500(api, operator):
    response = api.http.get("/v1/operators/payments/unmatched?after=garbage", headers=operator)
    assert response.status_code == 422 and _json(response)["errors"][0]["field"] == "query.after"


def test_reversing_an_unmatched_payment_from_last_month_fixes_that_months_counters(api, partner, operator, clock):
    last_month = clock.now() - timedelta(days=40)
    partner.send(paid(UNKNOWN, "500.00", tx="old-1", paid_at=last_month))
    assert _json(partner.send(reversed_("old-1", clock.now())))["status"] == "reversed"
    this_month = _stats(api, operator)["payments_this_month"]
    assert this_month["unmatched"] == 0 and this_month["unmatched_mxn"] == "0.00" and this_month["reversed"] == 1


def test_the_common_path_costs_one_read_and_one_transaction(api, member, partner, monkeypatch):
    from botocore.client import BaseClient

    headers, _ = member()
    reference = _issue(api, headers)
    partner.send({"type": "warm.up", "data": {}})  # the service reads the partner's secret once, then caches it
    calls = []
    original = BaseClient._make_api_call

    def counting(self, operation, params):
        if self.meta.service_model.service_name == "dynamodb":
            calls.append(operation)
        return original(self, operation, params)

    monkeypatch.setattr(BaseClient, "_make_api_call", counting)
    assert _json(partner.send(paid(reference["reference"], reference["amount_mxn"], tx="cost-1")))["status"] == "applied"
    assert calls == ["GetItem", "TransactWriteItems"]


def test_a_mistyped_nss_is_kept_for_an_operator_not_refused(api, partner, operator):
    ack = _json(partner.send(paid(None, "250.00", nss="1234-5678-901", tx="typo-1"), "spei"))
    assert ack["status"] == "unmatched" and ack["reason"] == "invalid-nss"
    items = _json(api.http.get("/v1/operators/payments/unmatched", headers=operator))["items"]
    assert items[0]["nss"] == "12345678901"
