"""Payments end to end: partners' signed webhooks over HTTP pay members' references, exactly once, under a burst of
concurrent and duplicated deliveries, and operators see what waits for them and this month's figures."""

import json
import random
import time
import urllib.parse
import uuid
from collections import Counter, defaultdict
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import datetime, timezone
from decimal import Decimal

import pytest

from chalicelib.domain.payments import reference_code
from local.aws import StackState
from local.webhook import local_secret, signed_headers
from tests.people import registration

pytestmark = pytest.mark.e2e

MONTH_CHOICES = (1, 2, 3, 6, 12)
MAX_ATTEMPTS = 5  # a partner retries anything but a 2xx


def _run_id() -> str:
    return uuid.uuid4().hex[:10]


def _secrets(stack) -> dict[str, str]:
    state = StackState.load(stack.state_dir / "stack.json")
    return {partner: local_secret(state, partner) for partner in ("finabien", "spei")}


def _money(amount: Decimal) -> str:
    return f"{amount:.2f}"


def _succeeded(*, reference, amount, tx, channel, nss=None, **extra) -> bytes:
    data = {"reference": reference, "nss": nss, "amount_mxn": amount, "channel": channel,
            "paid_at": datetime.now(timezone.utc).isoformat(), "partner_transaction_id": tx, **extra}
    return json.dumps({"type": "payment.succeeded", "timestamp": datetime.now(timezone.utc).isoformat(),
                       "data": data}).encode()


def _post_webhook(stack, partner: str, body: bytes, secret: str, message_id: str):
    """Signed when sent (a partner's retry carries the same webhook-id and body, with a fresh timestamp)."""
    return stack.request("POST", f"/v1/webhooks/{partner}", body=body,
                         headers=signed_headers(body, secret, message_id))


def _register(stack, user: str | None = None, headers: dict | None = None):
    headers = headers or stack.signed_in("member", user)
    body = registration()
    created = stack.request("POST", "/v1/registrations", headers=headers, json_body=body)
    assert created.status == 201, created.body
    assert created.json()["status"] == "pending_payment"
    return headers, body, created.json()["member_id"]


def _issue(stack, headers, months: int) -> dict:
    issued = stack.request("POST", "/v1/me/payment-references", headers=headers, json_body={"months": months})
    assert issued.status == 201, issued.body
    reference = issued.json()
    assert reference["status"] == "open" and len(reference["months"]) == months
    return reference


def _stats(stack, operator) -> dict:
    response = stack.request("GET", "/v1/operators/stats", headers=operator)
    assert response.status == 200, response.body
    return response.json()


def _payment_deltas(before: dict, after: dict) -> dict:
    assert before["month"] == after["month"], "the month changed during the test: run it again"
    old, new = before["payments_this_month"], after["payments_this_month"]
    deltas = {}
    for kind in ("received", "applied", "unmatched", "reversed"):
        deltas[kind] = new[kind] - old[kind]
        deltas[f"{kind}_mxn"] = Decimal(new[f"{kind}_mxn"]) - Decimal(old[f"{kind}_mxn"])
    return deltas


def _status_deltas(before: dict, after: dict) -> dict:
    return {status: after["members_by_status"][status] - before["members_by_status"].get(status, 0)
            for status in after["members_by_status"]}


def _all_unmatched(stack, operator, limit: int = 100) -> tuple[list[dict], int]:
    """Every page of the operators' unmatched list, following `next` as `after`."""
    items, after, pages = [], None, 0
    while True:
        query = {"limit": limit, **({"after": after} if after else {})}
        response = stack.request("GET", f"/v1/operators/payments/unmatched?{urllib.parse.urlencode(query)}",
                                 headers=operator)
        assert response.status == 200, response.body
        page = response.json()
        assert len(page["items"]) <= limit
        items += page["items"]
        pages += 1
        after = page["next"]
        if after is None:
            return items, pages
        assert pages < 1000, "the unmatched list never ends"


# --- One member, one payment per channel -----------------------------------------------------------------------------

def test_a_finabien_payment_and_a_spei_payment_by_nss_activate_members(stack):
    run = _run_id()
    secrets = _secrets(stack)
    operator = stack.signed_in("operator", f"pay-op-{run}")
    before = _stats(stack, operator)

    # FINABIEN, by the reference as printed for bank windows (grouped by four).
    headers, _, member_id = _register(stack, f"pay-fina-{run}")
    quote = stack.request("GET", "/v1/me/quote?months=1", headers=headers)
    assert quote.status == 200 and len(quote.json()["months"]) == 1
    reference = _issue(stack, headers, months=1)
    # Without a start month the quote prices the month a payment made now covers: what the reference asks for.
    assert [m["month"] for m in quote.json()["months"]] == reference["months"]
    assert quote.json()["total_mxn"] == reference["amount_mxn"]
    assert quote.json()["exchange_rate"] == reference["exchange_rate"]
    priced = stack.request("GET", f"/v1/me/quote?months=1&start_month={reference['months'][0]}", headers=headers)
    assert priced.json()["total_mxn"] == reference["amount_mxn"]  # the reference charges what the quote said

    tx = f"fb-{run}"
    body = _succeeded(reference=reference["reference_display"], amount=reference["amount_mxn"], tx=tx,
                      channel="finabien", usd={"amount": "88.00", "rate": "20.08", "source": "FINABIEN"})
    message_id = f"msg_{run}_fb"
    response = _post_webhook(stack, "finabien", body, secrets["finabien"], message_id)
    assert response.status == 200, response.body
    ack = response.json()
    assert ack["status"] == "applied" and ack["months"] == reference["months"], ack

    coverage = stack.request("GET", "/v1/me/coverage", headers=headers).json()
    assert coverage["status"] == "active"
    assert coverage["covered_months"] == reference["months"]
    assert coverage["covered_through"] == reference["months"][-1]
    (payment,) = stack.request("GET", "/v1/me/payments", headers=headers).json()["payments"]
    assert payment["payment_id"] == ack["payment_id"] and payment["status"] == "applied"
    assert payment["amount_mxn"] == reference["amount_mxn"] and payment["reference"] == reference["reference"]
    references = stack.request("GET", "/v1/me/payment-references", headers=headers).json()["references"]
    assert references[0]["reference"] == reference["reference"] and references[0]["status"] == "paid"
    receipt = stack.request("GET", f"/v1/me/payments/{ack['payment_id']}/receipt", headers=headers).json()
    assert receipt["member_id"] == member_id and receipt["partner_transaction_id"] == tx
    assert receipt["usd"] == {"amount": "88.00", "rate": "20.08", "source": "FINABIEN"}

    # The partner did not see our 200 and sends it again, then again under a new webhook-id: nothing more happens.
    again = _post_webhook(stack, "finabien", body, secrets["finabien"], message_id)
    assert again.status == 200 and again.json()["status"] == "duplicate"
    renamed = _post_webhook(stack, "finabien", body, secrets["finabien"], f"msg_{run}_fb_new")
    assert renamed.status == 200 and renamed.json()["status"] == "duplicate"
    assert len(stack.request("GET", "/v1/me/payments", headers=headers).json()["payments"]) == 1

    # SPEI: the transfer's reference field carries the NSS; the member's open reference is paid.
    spei_headers, spei_body, spei_member_id = _register(stack, f"pay-spei-{run}")
    spei_reference = _issue(stack, spei_headers, months=3)
    cep = {"clave_rastreo": f"MBAN{run.upper()}", "sending_bank": "BBVA MEXICO",
           "sending_account": "012180001234567891"}
    spei_event = _succeeded(reference=None, nss=spei_body["nss"], amount=spei_reference["amount_mxn"],
                            tx=f"spei-{run}", channel="spei", spei=cep)
    spei_response = _post_webhook(stack, "spei", spei_event, secrets["spei"], f"msg_{run}_spei")
    assert spei_response.status == 200, spei_response.body
    spei_ack = spei_response.json()
    assert spei_ack["status"] == "applied" and spei_ack["months"] == spei_reference["months"], spei_ack

    spei_coverage = stack.request("GET", "/v1/me/coverage", headers=spei_headers).json()
    assert spei_coverage["status"] == "active" and spei_coverage["covered_months"] == spei_reference["months"]
    spei_receipt = stack.request("GET", f"/v1/me/payments/{spei_ack['payment_id']}/receipt",
                                 headers=spei_headers).json()
    assert spei_receipt["spei"] == cep and spei_receipt["channel"] == "spei"
    assert spei_receipt["member_id"] == spei_member_id and spei_receipt["reference"] == spei_reference["reference"]
    # One member's receipt is not another's.
    assert stack.request("GET", f"/v1/me/payments/{spei_ack['payment_id']}/receipt", headers=headers).status == 404

    after = _stats(stack, operator)
    paid = Decimal(reference["amount_mxn"]) + Decimal(spei_reference["amount_mxn"])
    assert _payment_deltas(before, after) == {
        "received": 2, "received_mxn": paid, "applied": 2, "applied_mxn": paid,
        "unmatched": 0, "unmatched_mxn": Decimal(0), "reversed": 0, "reversed_mxn": Decimal(0)}
    status_deltas = _status_deltas(before, after)
    assert status_deltas["active"] == 2 and status_deltas["pending_payment"] == 0, status_deltas


# --- A burst: 500 deliveries from 16 threads, a third of them duplicates ---------------------------------------------

@dataclass
class UniquePayment:
    tx: str
    partner: str
    body: bytes
    amount: Decimal
    expected: str  # applied or unmatched
    member: int | None = None  # index of the member it is for, if any
    message_ids: list[str] = field(default_factory=list)


@dataclass
class Delivery:
    payment: UniquePayment
    message_id: str
    statuses: list[int] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    ack: dict | None = None


def _deliver(stack, secrets: dict[str, str], delivery: Delivery) -> Delivery:
    """What a partner does: send, and on anything but a 2xx wait a little and send the same again."""
    payment = delivery.payment
    for attempt in range(MAX_ATTEMPTS):
        try:
            response = _post_webhook(stack, payment.partner, payment.body, secrets[payment.partner],
                                     delivery.message_id)
        except OSError as error:  # a reset or timeout: the partner cannot tell whether we committed
            delivery.errors.append(repr(error))
        else:
            delivery.statuses.append(response.status)
            if 200 <= response.status < 300:
                delivery.ack = response.json()
                return delivery
        time.sleep(random.uniform(0.05, 0.2) * (attempt + 1))
    return delivery


def test_a_burst_of_concurrent_duplicated_deliveries_applies_each_payment_once(stack):
    run = _run_id()
    seed = random.randrange(2**32)
    rng = random.Random(seed)
    context = f"run {run}, seed {seed}"
    secrets = _secrets(stack)
    operator = stack.signed_in("operator", f"burst-op-{run}")
    before = _stats(stack, operator)

    # Twelve members, each with an open reference for 1, 2, 3, 6 or 12 months; the last three pay by SPEI (NSS).
    signed_in = [stack.signed_in("member", f"burst-{run}-{i}") for i in range(12)]  # boto3 clients: not in threads

    def member(i: int):
        headers, body, member_id = _register(stack, headers=signed_in[i])
        return headers, body, member_id, _issue(stack, headers, months=MONTH_CHOICES[i % len(MONTH_CHOICES)])

    with ThreadPoolExecutor(max_workers=12) as pool:
        members = list(pool.map(member, range(12)))
    by_spei = set(range(9, 12))

    unique: list[UniquePayment] = []

    def add(partner, amount: Decimal, expected, member_index=None, *, reference=None, nss=None, channel=None):
        tx = f"burst-{run}-{len(unique):03d}"
        body = _succeeded(reference=reference, nss=nss, amount=_money(amount), tx=tx, channel=channel or partner,
                          **({"spei": {"clave_rastreo": f"R{run}{len(unique):03d}", "sending_bank": "BANORTE",
                                       "sending_account": "072180001234567890"}} if partner == "spei" else {}))
        unique.append(UniquePayment(tx, partner, body, amount, expected, member_index))

    for i, (_, body, _, reference) in enumerate(members):
        amount = Decimal(reference["amount_mxn"])
        wrong = (amount + Decimal("0.01"), amount - Decimal("1.00"))
        if i in by_spei:
            add("spei", amount, "applied", i, nss=body["nss"])
            for bad in wrong:  # wrong-amount, or no-open-reference once the right one was applied
                add("spei", bad, "unmatched", i, nss=body["nss"])
        else:
            add("finabien", amount, "applied", i, reference=reference["reference"])
            for bad in wrong:  # wrong-amount, or reference-paid once the right one was applied
                add("finabien", bad, "unmatched", i, reference=reference["reference"], channel="bank_window")
    while len(unique) < 333:  # well-formed references nobody issued
        code = reference_code(f"{rng.randrange(10**16):016d}")
        add("finabien", Decimal(rng.randrange(10_000, 1_000_000)) / 100, "unmatched", reference=code)

    deliveries: list[Delivery] = []

    def deliver(payment: UniquePayment, message_id: str | None = None) -> None:
        message_id = message_id or f"msg_{run}_{len(deliveries):03d}"
        payment.message_ids.append(message_id)
        deliveries.append(Delivery(payment, message_id))

    for payment in unique:
        deliver(payment)
    for payment in unique:  # every applied payment races an exact re-send and a re-send under a new webhook-id
        if payment.expected == "applied":
            deliver(payment, payment.message_ids[0])
            deliver(payment)
    while len(deliveries) < 500:
        payment = rng.choice(unique)
        deliver(payment, payment.message_ids[0] if rng.random() < 0.5 else None)
    rng.shuffle(deliveries)

    started = time.monotonic()
    with ThreadPoolExecutor(max_workers=16) as pool:
        done = list(pool.map(lambda d: _deliver(stack, secrets, d), deliveries))
    elapsed = time.monotonic() - started

    failed = [(d.payment.tx, d.message_id, d.statuses, d.errors) for d in done if d.ack is None]
    assert not failed, f"{context}: {len(failed)} deliveries never got a 2xx, e.g. {failed[:5]}"
    retried = Counter(status for d in done for status in d.statuses if status != 200)
    print(f"\n{context}: 500 deliveries in {elapsed:.1f} s; non-200 answers retried: {dict(retried)}")

    # Each partner transaction was acted on exactly once; every other delivery of it is a duplicate.
    acks = defaultdict(list)
    for d in done:
        acks[d.payment.tx].append(d.ack)
    for payment in unique:
        acted = [ack for ack in acks[payment.tx] if ack["status"] != "duplicate"]
        lost = any(d.errors for d in done if d.payment is payment)
        assert len(acted) == 1 or (lost and not acted), f"{context}: {payment.tx} acted on {acted}"
        assert {ack["status"] for ack in acks[payment.tx]} <= {payment.expected, "duplicate"}, acks[payment.tx]
        assert len({ack["payment_id"] for ack in acks[payment.tx]}) == 1

    # Every member is active for exactly its reference's months, paid once.
    for i, (headers, _, member_id, reference) in enumerate(members):
        coverage = stack.request("GET", "/v1/me/coverage", headers=headers).json()
        assert coverage["status"] == "active", (i, coverage)
        assert coverage["covered_months"] == reference["months"], (i, coverage, reference)
        payments = stack.request("GET", "/v1/me/payments", headers=headers).json()["payments"]
        applied = [p for p in payments if p["status"] == "applied"]
        assert len(applied) == 1, (i, payments)
        assert applied[0]["amount_mxn"] == reference["amount_mxn"] and applied[0]["months"] == reference["months"]
        assert applied[0]["reference"] == reference["reference"]
        others = sorted(Decimal(p["amount_mxn"]) for p in payments if p["status"] != "applied")
        assert others == sorted(p.amount for p in unique if p.member == i and p.expected == "unmatched"), payments
        assert {p["status"] for p in payments if p["status"] != "applied"} == {"unmatched"}
        references = stack.request("GET", "/v1/me/payment-references", headers=headers).json()["references"]
        assert [r["status"] for r in references] == ["paid"], references

    # The operators' list has every unmatched payment of this burst exactly once, across pages.
    items, pages = _all_unmatched(stack, operator, limit=100)
    listed_ids = [item["payment_id"] for item in items]
    assert len(listed_ids) == len(set(listed_ids)), f"{context}: a payment is listed twice across {pages} pages"
    ours = {item["partner_transaction_id"]: item for item in items
            if item["partner_transaction_id"].startswith(f"burst-{run}-")}
    expected_unmatched = {p.tx: p for p in unique if p.expected == "unmatched"}
    assert set(ours) == set(expected_unmatched), f"{context}: missing {sorted(set(expected_unmatched) - set(ours))[:5]}"
    assert pages >= 4
    for tx, item in ours.items():
        payment = expected_unmatched[tx]
        assert Decimal(item["amount_mxn"]) == payment.amount and item["partner"] == payment.partner
        assert item["payment_id"] == acks[tx][0]["payment_id"]
        if payment.member is None:
            assert item["reason"] == "unknown-reference" and item["member_id"] is None, item
        else:
            assert item["member_id"] == members[payment.member][2], item
            # Which one depends on arrival order: before or after the right payment closed the reference (by NSS, a
            # payment can read the open reference just before a racing one pays it).
            allowed = {"wrong-amount", "reference-paid"} | ({"no-open-reference"} if payment.partner == "spei" else set())
            assert item["reason"] in allowed, item
    received_at = [datetime.fromisoformat(item["received_at"]) for item in items]
    assert received_at == sorted(received_at), "the unmatched list is not oldest first"

    # This month's figures moved by exactly the unique payments, centavo for centavo.
    after = _stats(stack, operator)
    applied_mxn = sum((p.amount for p in unique if p.expected == "applied"), Decimal(0))
    unmatched_mxn = sum((p.amount for p in unique if p.expected == "unmatched"), Decimal(0))
    assert _payment_deltas(before, after) == {
        "received": len(unique), "received_mxn": applied_mxn + unmatched_mxn,
        "applied": 12, "applied_mxn": applied_mxn,
        "unmatched": len(expected_unmatched), "unmatched_mxn": unmatched_mxn,
        "reversed": 0, "reversed_mxn": Decimal(0)}, context
    status_deltas = _status_deltas(before, after)
    assert status_deltas["active"] == 12 and status_deltas["pending_payment"] == 0, status_deltas
