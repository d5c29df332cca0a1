"""Payment references (línea de captura): which months a payment covers, by when, and a code people can type.

IMSS's own línea de captura format is unknown (imss-pti-rules.md §7), so ours is 16 random digits plus two ISO 7064
MOD 97-10 check digits (as IBAN): every single mistyped digit and every swap of two adjacent digits is caught.
The deadline rule: paying by day D (configurable, default 15) of a month covers from the 1st of the next month
(Mexico City calendar); paying later covers from the month after that; paying ahead starts right after current
coverage.
"""

import re
import secrets
from dataclasses import dataclass, field
from datetime import date, datetime, time, timezone
from decimal import Decimal
from typing import Literal

from pydantic import ConfigDict
from stdnum.iso7064 import mod_97_10

from chalicelib.domain.clock import MEXICO_CITY, mexico_city_today
from chalicelib.domain.exchange_rates import ExchangeRate
from chalicelib.domain.members import Member
from chalicelib.domain.model import Model
from chalicelib.domain.quotes import Period, months_from, parse_month, quote, shift_month

REFERENCE_BODY_DIGITS = 16

# Where IMSS takes voluntary-scheme transfers (imss-pti-rules.md §7, [CONFIRMED] for Modalidad 40; IMSS listed SPEI as
# valid for "Trabajadores independientes" in 2020). The transfer's reference is the member's NSS.
SPEI_ACCOUNT = {
    "bank": "Scotiabank",
    "clabe": "044180001068672782",
    "account": "00106867278",
    "beneficiary": "IMSS",
    "source": "admintribuna.editor80.com 2021-01-25; sipse.com; cdmxenlared.com 2023-05-10; codigoqro.mx 2020-07-03",
}


def reference_code(random_digits: str) -> str:
    """`random_digits` (16) followed by their two check digits."""
    if not re.fullmatch(rf"[0-9]{{{REFERENCE_BODY_DIGITS}}}", random_digits):
        raise ValueError("a reference body is 16 digits")
    return random_digits + mod_97_10.calc_check_digits(random_digits)


def normalize_reference(raw: str) -> str:
    return re.sub(r"[\s.\-]", "", raw)


def is_valid_reference(code: str) -> bool:
    return bool(re.fullmatch(rf"[0-9]{{{REFERENCE_BODY_DIGITS + 2}}}", code)) and mod_97_10.is_valid(code)


def grouped(code: str) -> str:
    """'123456789012345678' → '1234 5678 9012 3456 78', as printed for bank windows."""
    return " ".join(code[i:i + 4] for i in range(0, len(code), 4))


def first_payable_month(today: date, deadline_day: int) -> date:
    return shift_month(today.replace(day=1), 1 if today.day <= deadline_day else 2)


def payment_deadline(start: date, deadline_day: int) -> datetime:
    """The end of day D, Mexico City time, of the month before coverage starts (stored in UTC)."""
    deadline = datetime.combine(shift_month(start, -1).replace(day=deadline_day), time(23, 59, 59), MEXICO_CITY)
    return deadline.astimezone(timezone.utc)


def months_to_cover(today: date, deadline_day: int, covered_through: date | None, count: int) -> list[date]:
    start = first_payable_month(today, deadline_day)
    if covered_through is not None:
        start = max(start, shift_month(covered_through, 1))
    return months_from(start, count)


def members_next_months(member: Member, today: date, deadline_day: int, count: int) -> list[date]:
    """The member's next `count` uncovered months a payment made `today` would cover."""
    covered = parse_month(member.covered_through) if member.covered_through else None
    return months_to_cover(today, deadline_day, covered, count)


class ReferenceRequest(Model):
    """POST /v1/me/payment-references."""

    model_config = ConfigDict(extra="forbid")

    months: Period


class ReferenceUsd(Model):
    """The amount in dollars shown when the reference was issued, and the rate it was at: kept as issued, so reading
    the reference later shows the figure the member was told (informational: she pays `amount_mxn`)."""

    amount_usd: Decimal
    usd_mxn: Decimal
    published: date
    source: str
    stale: bool


class PaymentReference(Model):
    reference: str
    member_id: str
    months: list[str]  # YYYY-MM
    amount_mxn: Decimal
    status: Literal["open", "paid", "superseded"]
    issued_at: datetime
    expires_at: datetime
    rate_tables: list[str]
    estimated: bool
    # The member's status when issued: paying it expects that status, so the common path needs no profile read.
    member_status: str | None = None
    paid_by: str | None = None  # the payment id
    usd: ReferenceUsd | None = None  # None when no rate was stored at issue

    def status_at(self, now: datetime) -> str:
        """Open references past their deadline read as expired; nothing needs to rewrite them."""
        return "expired" if self.status == "open" and now > self.expires_at else self.status


def new_reference(member: Member, count: int, now: datetime, deadline_day: int,
                  rate: ExchangeRate | None) -> PaymentReference:
    """A reference for the member's next `count` uncovered months at the quoted amount, due by the deadline, with its
    dollar figure at `rate` (the stored FIX as of `now`) when there is one."""
    months = members_next_months(member, mexico_city_today(now), deadline_day, count)
    priced = quote(member.monthly_income_mxn, member.zone, months[0], len(months), rate=rate)
    return PaymentReference(
        reference=reference_code(f"{secrets.randbelow(10**REFERENCE_BODY_DIGITS):0{REFERENCE_BODY_DIGITS}d}"),
        member_id=member.member_id,
        months=[month.strftime("%Y-%m") for month in months],
        amount_mxn=priced.total_mxn,
        status="open",
        issued_at=now,
        expires_at=payment_deadline(months[0], deadline_day),
        rate_tables=list(priced.tables),
        estimated=priced.estimated,
        member_status=member.status.value,
        usd=ReferenceUsd(amount_usd=priced.total_usd, usd_mxn=rate.usd_mxn, published=rate.published,
                         source=rate.source, stale=rate.stale) if rate and rate.published else None,
    )


# --- How to pay ------------------------------------------------------------------------------------------------------

SPEI_SHOWN = ("clabe", "bank", "beneficiary")  # the SPEI_ACCOUNT fields a member is shown


@dataclass(frozen=True)
class ChannelPlan:
    """One way to pay, worded by message key `message` (in chalicelib/texts.json) with `params`."""

    channel: str  # spei, finabien, bank_window
    payment_reference: str | None  # what the member types as the reference
    message: str
    params: dict[str, str] = field(default_factory=dict)
    account: dict[str, str] = field(default_factory=dict)  # the SPEI account fields, for SPEI only


def payment_channels(member: Member, reference: PaymentReference | None, nss_holder: str | None) -> list[ChannelPlan]:
    """SPEI, FINABIEN, then the bank window. A SPEI transfer naming an NSS reaches whoever holds it (`nss_holder`, the
    member id on its guard), so SPEI names the member's NSS only when they hold it, and the open reference otherwise
    (a typed NSS that is someone else's: an identity claim, docs/identity.md). Without an open reference every
    channel says to issue one first."""
    code = reference.reference if reference else None
    shown = grouped(code) if code else None
    account = {key: SPEI_ACCOUNT[key] for key in SPEI_SHOWN}

    def plan(channel: str, payment_reference: str | None, message: str, **params: str) -> ChannelPlan:
        if code is None:
            message, params = "pay.no_reference", {}
        return ChannelPlan(channel, payment_reference, message, params, account if channel == "spei" else {})

    if nss_holder is not None and nss_holder == member.member_id:
        spei = plan("spei", member.nss, "pay.spei", nss=member.nss, **account)
    else:
        spei = plan("spei", code, "pay.spei_reference", reference=shown, **account)
    return [spei, plan("finabien", shown, "pay.finabien", reference=shown),
            plan("bank_window", shown, "pay.bank_window", reference=shown)]
