"""Members' payments: issuing a reference, how to pay it, payments and receipts, coverage."""

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from chalicelib import wiring
from chalicelib.domain.beneficiaries import Beneficiary, Eligibility, standing
from chalicelib.domain.contribution_weeks import ContributionWeeks, contribution_weeks
from chalicelib.domain.coverage import this_month
from chalicelib.domain.members import NOT_PROCESSED, Member, coverage_steps
from chalicelib.domain.payment_events import Payment
from chalicelib.domain.payments import ChannelPlan, PaymentReference, new_reference, payment_channels
from chalicelib.errors import Conflict, NotFound
from chalicelib.services import exchange_rates
from chalicelib.store import members as member_store
from chalicelib.store import payments as store
from chalicelib.store.transactions import Write


# --- References and how to pay them ----------------------------------------------------------------------------------

def issue_reference(member_id: str, months: int, now: datetime,
                    answer: Callable[[PaymentReference], list[Write]] = lambda reference: []) -> PaymentReference:
    """A reference for the member's next uncovered months, replacing their open one (`answer`'s writes join the
    transaction: the idempotency record)."""
    member = member_store.registered_member(member_id)
    if member.status in NOT_PROCESSED:  # the account is closing (docs/privacy.md); the profile's version guards a race
        raise Conflict("account-closing")
    rate = exchange_rates.todays_rate(now)
    reference = new_reference(member, months, now, wiring.settings().payment_deadline_day, rate)
    store.issue_reference(reference, member.open_reference, member.version, answer(reference))
    return reference


def references_of(member_id: str) -> list[PaymentReference]:
    return store.member_references(member_id)


@dataclass(frozen=True)
class HowToPay:
    reference: PaymentReference | None  # the open one, if any
    channels: list[ChannelPlan]


def how_to_pay(member_id: str, now: datetime) -> HowToPay:
    """The open reference (one past its deadline is not) and each way to pay it; which the rules choose
    (domain/payments.py `payment_channels`) needs who holds the member's NSS."""
    member = member_store.registered_member(member_id)
    reference = store.get_reference(member.open_reference) if member.open_reference else None
    if reference is not None and reference.status_at(now) != "open":
        reference = None
    holder = member_store.nss_holder(member.nss)
    return HowToPay(reference, payment_channels(member, reference, holder.owner_id if holder else None))


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
class BeneficiaryCover:
    beneficiary: Beneficiary
    eligibility: Eligibility
    covered: bool  # this month: eligible, and the member's month is paid


@dataclass(frozen=True)
class CoverageNow:
    member: Member
    covered_now: bool  # this Mexico City month is paid
    beneficiaries: list[BeneficiaryCover]  # the active ones
    next_steps: list[str]
    weeks: ContributionWeeks  # semanas cotizadas earned by the paid months begun so far


def coverage(member_id: str, now: datetime) -> CoverageNow:
    member, beneficiaries = member_store.registered_partition(member_id)
    covered_now = this_month(now) in member.covered_months
    active = [standing(b, now) for b in beneficiaries if b.status == "active"]
    covers = [BeneficiaryCover(s.beneficiary, s.eligibility, covered_now and s.eligibility.eligible) for s in active]
    return CoverageNow(member, covered_now, covers, coverage_steps(member.status, bool(active)),
                       contribution_weeks(member.covered_months, this_month(now)))
