"""Members' payments: issuing a reference, how to pay it, payments and receipts, coverage."""

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from chalicelib import wiring
from chalicelib.domain.beneficiaries import Beneficiary, Eligibility, eligibility
from chalicelib.domain.clock import mexico_city_today
from chalicelib.domain.coverage import this_month
from chalicelib.domain.members import NEXT_STEP, Member, MemberStatus
from chalicelib.domain.payment_events import Payment
from chalicelib.domain.payments import PaymentReference, new_reference
from chalicelib.errors import NotFound
from chalicelib.store import members as member_store
from chalicelib.store import payments as store
from chalicelib.store.transactions import Write


# --- References and how to pay them ----------------------------------------------------------------------------------

def issue_reference(member_id: str, months: int, now: datetime,
                    answer: Callable[[PaymentReference], list[Write]] = lambda reference: []) -> PaymentReference:
    """A reference for the member's next uncovered months, replacing their open one (`answer`'s writes join the
    transaction: the idempotency record)."""
    member = member_store.registered_member(member_id)
    reference = new_reference(member, months, now, wiring.settings().payment_deadline_day)
    store.issue_reference(reference, member.open_reference, member.version, answer(reference))
    return reference


def references_of(member_id: str) -> list[PaymentReference]:
    return store.member_references(member_id)


@dataclass(frozen=True)
class HowToPay:
    member: Member
    reference: PaymentReference | None  # the open one, if any
    spei_by_nss: bool  # whether a SPEI transfer naming the member's NSS reaches them


def how_to_pay(member_id: str, now: datetime) -> HowToPay:
    """The open reference, and whether SPEI may name the NSS: a transfer naming an NSS reaches whoever holds it, so a
    member whose typed NSS is someone else's (an identity claim, docs/identity.md) gives the reference instead."""
    member = member_store.registered_member(member_id)
    reference = store.open_reference_of(member.member_id, member.open_reference, now)
    holder = member_store.nss_holder(member.nss)
    return HowToPay(member, reference, holder is not None and holder.owner_id == member.member_id)


# --- Payments, receipts and coverage ---------------------------------------------------------------------------------

def payments_of(member_id: str) -> list[Payment]:
    return store.member_payments(member_id)


def receipt(member_id: str, payment_id: str) -> tuple[Payment, Member]:
    """One of the member's payments and the member; someone else's payment does not exist, as far as they can tell."""
    payment = store.get_payment(payment_id)
    if payment is None or payment.member_id != member_id:
        raise NotFound("payment-not-found")
    return payment, member_store.registered_member(member_id)


@dataclass(frozen=True)
class CoverageNow:
    member: Member
    covered_now: bool  # this Mexico City month is paid
    beneficiaries: list[tuple[Beneficiary, Eligibility]]  # the active ones, each covered when eligible and covered_now
    next_steps: list[str]


def coverage(member_id: str, now: datetime) -> CoverageNow:
    member, beneficiaries = member_store.registered_partition(member_id)
    today = mexico_city_today(now)
    active = [(b, eligibility(b, today)) for b in beneficiaries if b.status == "active"]
    steps = [NEXT_STEP[member.status]]
    if member.status is MemberStatus.ACTIVE:
        steps.append("register_umf")
        if active:
            steps.append("register_beneficiaries_umf")
    return CoverageNow(member, this_month(now) in member.covered_months, active, steps)
