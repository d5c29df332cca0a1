"""Payment routes for members: payment references and how to pay them."""

import secrets
from datetime import datetime

from pydantic import BaseModel, Field

from chalicelib import wiring
from chalicelib.domain.clock import mexico_city_today
from chalicelib.domain.payments import (
    SPEI_ACCOUNT, PaymentReference, ReferenceRequest, grouped, months_to_cover, payment_deadline, reference_code,
)
from chalicelib.domain.quotes import parse_month, quote
from chalicelib.http.api import IdempotencyKey, Reply, Router
from chalicelib.http.auth import Caller, Role
from chalicelib.i18n import Language, text
from chalicelib.store import members as member_store
from chalicelib.store import payments as store

router = Router(__name__, tag="payments")
MEMBER = {Role.MEMBER}


class ReferenceOut(BaseModel):
    reference: str = Field(description="18 digits; the last two are ISO 7064 MOD 97-10 check digits")
    reference_display: str = Field(description="The same, grouped by four for bank windows")
    amount_mxn: str
    months: list[str] = Field(description="Covered months, YYYY-MM")
    status: str = Field(description="open, paid, superseded or expired")
    issued_at: datetime
    expires_at: datetime = Field(description="The payment deadline (day D, 23:59:59 Mexico City) in UTC")
    estimated: bool
    rate_tables: list[str]


class ReferenceList(BaseModel):
    references: list[ReferenceOut]


class Channel(BaseModel):
    channel: str
    payment_reference: str | None
    instructions: str
    clabe: str | None = None
    bank: str | None = None
    beneficiary: str | None = None


class PaymentInstructions(BaseModel):
    amount_mxn: str | None
    reference: ReferenceOut | None
    channels: list[Channel]


def _out(reference: PaymentReference, now: datetime) -> ReferenceOut:
    return ReferenceOut(
        **reference.model_dump(exclude={"member_id", "amount_mxn", "status"}),
        reference_display=grouped(reference.reference),
        amount_mxn=f"{reference.amount_mxn:.2f}",
        status=reference.status_at(now),
    )


@router.route("/v1/me/payment-references", "POST", roles=MEMBER, body=ReferenceRequest, response=ReferenceOut,
              status=201, extra_statuses=[404, 409], idempotent=True,
              summary="Issue a payment reference for my next uncovered months (replaces my open one)")
def issue_reference(caller: Caller, body: ReferenceRequest, idempotency: IdempotencyKey | None,
                    now: datetime) -> Reply:
    member = member_store.registered_member(caller.user_id)
    deadline_day = wiring.settings().payment_deadline_day
    covered = parse_month(member.covered_through) if member.covered_through else None
    months = months_to_cover(mexico_city_today(now), deadline_day, covered, body.months)
    priced = quote(member.monthly_income_mxn, member.zone, months[0], len(months))
    reference = PaymentReference(
        reference=reference_code(f"{secrets.randbelow(10**16):016d}"),
        member_id=member.member_id,
        months=[month.strftime("%Y-%m") for month in months],
        amount_mxn=priced.total_mxn,
        status="open",
        issued_at=now,
        expires_at=payment_deadline(months[0], deadline_day),
        rate_tables=list(priced.tables),
        estimated=priced.estimated,
    )
    out = _out(reference, now)
    store.issue_reference(reference, member.open_reference, member.version,
                          [idempotency.record(201, out, now)] if idempotency else [])
    return Reply(out, 201)


@router.route("/v1/me/payment-references", "GET", roles=MEMBER, response=ReferenceList,
              summary="My payment references, newest first")
def list_references(caller: Caller, now: datetime) -> ReferenceList:
    return ReferenceList(references=[_out(reference, now) for reference in store.member_references(caller.user_id)])


@router.route("/v1/me/payment-instructions", "GET", roles=MEMBER, response=PaymentInstructions, extra_statuses=[404],
              summary="How to pay my open reference: SPEI (NSS as reference), FINABIEN, bank window")
def payment_instructions(caller: Caller, language: Language, now: datetime) -> PaymentInstructions:
    member = member_store.registered_member(caller.user_id)
    reference = store.open_reference_of(member.member_id, member.open_reference, now)
    code = reference.reference if reference else None
    shown = grouped(code) if code else None

    def how(channel: str, **params) -> str:
        return text(f"pay.{channel}", language, **params) if code else text("pay.no_reference", language)

    spei = {k: SPEI_ACCOUNT[k] for k in ("clabe", "bank", "beneficiary")}
    return PaymentInstructions(
        amount_mxn=f"{reference.amount_mxn:.2f}" if reference else None,
        reference=_out(reference, now) if reference else None,
        channels=[
            Channel(channel="spei", payment_reference=member.nss, instructions=how("spei", nss=member.nss, **spei), **spei),
            Channel(channel="finabien", payment_reference=shown, instructions=how("finabien", reference=shown)),
            Channel(channel="bank_window", payment_reference=shown, instructions=how("bank_window", reference=shown)),
        ],
    )
