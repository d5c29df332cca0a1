"""Payment routes for members: references, how to pay them, payments and receipts, coverage."""

from datetime import datetime

from pydantic import Field

from chalicelib.domain.clock import MEXICO_CITY
from chalicelib.domain.model import Model
from chalicelib.domain.payment_events import Decision, SpeiTrace, UsdLeg
from chalicelib.domain.payments import PaymentReference, ReferenceRequest, grouped
from chalicelib.http.api import Idempotency, Reply, Router
from chalicelib.auth import Caller, Role
from chalicelib.http.views import ExchangeRateOut, NextStep, PaymentOut, exchange_rate_out, next_step, payment_out
from chalicelib.i18n import Language, text

router = Router(__name__, tag="payments")
MEMBER = {Role.MEMBER}


def service():
    """The use cases, imported with the first request that needs them rather than at cold start."""
    from chalicelib.services import payments

    return payments


class ReferenceOut(Model):
    reference: str = Field(description="18 digits; the last two are ISO 7064 MOD 97-10 check digits")
    reference_display: str = Field(description="The same, grouped by four for bank windows")
    amount_mxn: str
    months: list[str] = Field(description="Covered months, YYYY-MM")
    status: str = Field(description="open, paid, superseded or expired")
    issued_at: datetime
    expires_at: datetime = Field(description="The payment deadline (day D, 23:59:59 Mexico City) in UTC")
    estimated: bool
    rate_tables: list[str]
    amount_usd: str | None = Field(description="Informational (the member pays amount_mxn): amount_mxn at "
                                               "exchange_rate when issued, rounded half-up to cents; kept as issued")
    exchange_rate: ExchangeRateOut | None = Field(description="Banco de México's FIX when the reference was issued, "
                                                              "with its date (null: none was stored then)")


class ReferenceList(Model):
    references: list[ReferenceOut]


class Channel(Model):
    channel: str
    payment_reference: str | None
    instructions: str
    clabe: str | None = None
    bank: str | None = None
    beneficiary: str | None = None


class PaymentInstructions(Model):
    amount_mxn: str | None
    reference: ReferenceOut | None
    channels: list[Channel]


def _out(reference: PaymentReference, now: datetime) -> ReferenceOut:
    usd = reference.usd
    return ReferenceOut(
        **reference.model_dump(exclude={"member_id", "amount_mxn", "status", "usd"}),
        reference_display=grouped(reference.reference),
        amount_mxn=f"{reference.amount_mxn:.2f}",
        status=reference.status_at(now),
        amount_usd=f"{usd.amount_usd:.2f}" if usd else None,
        exchange_rate=exchange_rate_out(usd.usd_mxn, usd.published, usd.source, usd.stale) if usd else None,
    )


@router.route("/v1/me/payment-references", "POST", roles=MEMBER, body=ReferenceRequest, response=ReferenceOut,
              status=201, extra_statuses=[404, 409], idempotent=True,
              summary="Issue a payment reference for my next uncovered months (replaces my open one)")
def issue_reference(caller: Caller, body: ReferenceRequest, idempotency: Idempotency,
                    now: datetime) -> Reply:
    reference = service().issue_reference(caller.user_id, body.months, now,
                                        answer=lambda issued: idempotency.writes(201, _out(issued, now), now))
    return Reply(_out(reference, now), 201)


@router.route("/v1/me/payment-references", "GET", roles=MEMBER, response=ReferenceList,
              summary="My payment references, newest first")
def list_references(caller: Caller, now: datetime) -> ReferenceList:
    return ReferenceList(references=[_out(reference, now) for reference in service().references_of(caller.user_id)])


@router.route("/v1/me/payment-instructions", "GET", roles=MEMBER, response=PaymentInstructions, extra_statuses=[404],
              summary="How to pay my open reference: SPEI (my NSS as reference), FINABIEN, bank window")
def payment_instructions(caller: Caller, language: Language, now: datetime) -> PaymentInstructions:
    found = service().how_to_pay(caller.user_id, now)
    reference = found.reference
    return PaymentInstructions(
        amount_mxn=f"{reference.amount_mxn:.2f}" if reference else None,
        reference=_out(reference, now) if reference else None,
        channels=[Channel(channel=plan.channel, payment_reference=plan.payment_reference,
                          instructions=text(plan.message, language, **plan.params), **plan.account)
                  for plan in found.channels],
    )


# --- Payments, receipts and coverage ---------------------------------------------------------------------------------

class PaymentList(Model):
    payments: list[PaymentOut]


class Receipt(Model):
    folio: str = Field(description="The payment id")
    issuer: str
    member_id: str
    curp: str
    nss: str
    status: str
    amount_mxn: str | None
    usd: UsdLeg | None
    paid_at: datetime | None
    paid_at_mexico_city: str | None
    channel: str
    partner: str
    partner_transaction_id: str
    reference: str | None
    spei: SpeiTrace | None = Field(description="The CEP tuple, to download Banxico's proof of the transfer")
    months: list[str]
    reversed_months: list[str]
    decisions: list[Decision]


class CoveredBeneficiary(Model):
    beneficiary_id: str
    first_name: str
    relationship: str
    covered: bool
    until: str | None


class ContributionWeeksOut(Model):
    weeks: int = Field(description="Whole weeks of contribution (semanas cotizadas) earned under the scheme")
    days: str = Field(description="Days contributed by the paid months that have begun (Mexico City)")
    rule: str = Field(description="The rule's version in chalicelib/domain/rates/contribution-weeks.json")
    rule_status: str = Field(description="confirmed, or inference: how sure we are IMSS counts it so")


class Coverage(Model):
    status: str
    covered_months: list[str] = Field(description="Every paid month, YYYY-MM")
    covered_through: str | None
    covered_now: bool = Field(description="Whether this month (Mexico City) is covered")
    beneficiaries: list[CoveredBeneficiary]
    next_steps: list[NextStep]
    contribution_weeks: ContributionWeeksOut


@router.route("/v1/me/payments", "GET", roles=MEMBER, response=PaymentList,
              summary="Payments received for me, newest first, unmatched ones included")
def list_payments(caller: Caller) -> PaymentList:
    return PaymentList(payments=[payment_out(p) for p in service().payments_of(caller.user_id)])


@router.route("/v1/me/payments/{payment_id}/receipt", "GET", roles=MEMBER, response=Receipt, extra_statuses=[404],
              summary="The receipt of one of my payments")
def payment_receipt(caller: Caller, payment_id: str) -> Receipt:
    payment, member = service().receipt(caller.user_id, payment_id)
    paid_local = payment.paid_at.astimezone(MEXICO_CITY).strftime("%Y-%m-%d %H:%M") if payment.paid_at else None
    return Receipt(
        **payment.model_dump(exclude={"amount_mxn", "member_id", "nss"}), folio=payment.payment_id,
        issuer="IMSS · Personas Trabajadoras Independientes (PTI Migrante)", member_id=member.member_id,
        curp=member.curp, nss=member.nss, paid_at_mexico_city=paid_local,
        amount_mxn=f"{payment.amount_mxn:.2f}" if payment.amount_mxn is not None else None,
    )


@router.route("/v1/me/coverage", "GET", roles=MEMBER, response=Coverage, extra_statuses=[404],
              summary="My covered months, status, covered beneficiaries and next steps")
def my_coverage(caller: Caller, language: Language, now: datetime) -> Coverage:
    found = service().coverage(caller.user_id, now)
    member = found.member
    listed = [CoveredBeneficiary(beneficiary_id=c.beneficiary.beneficiary_id, first_name=c.beneficiary.first_name,
                                 relationship=c.beneficiary.relationship, covered=c.covered,
                                 until=c.eligibility.until.isoformat() if c.eligibility.until else None)
              for c in found.beneficiaries]
    return Coverage(
        status=member.status.value, covered_months=member.covered_months, covered_through=member.covered_through,
        covered_now=found.covered_now, beneficiaries=listed,
        next_steps=[next_step(code, language) for code in found.next_steps],
        contribution_weeks=ContributionWeeksOut(weeks=found.weeks.weeks, days=f"{found.weeks.days.normalize():f}",
                                                rule=found.weeks.rule.version, rule_status=found.weeks.rule.status),
    )
