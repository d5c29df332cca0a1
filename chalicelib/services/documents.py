"""Documents members show: a payment's receipt and the coverage certificate as PDFs, and their public verification.

Issuing one reads what the JSON answer reads, plus the member's person (assurance) and, once the member proved who
they are, their name from the CURP registry; renders the PDF; and keeps its verification record (one conditional
PutItem, which finds it already there when the same document was issued earlier the same day: nothing more is
kept). Verifying is one GetItem after the token's MAC and expiry check, and none for a forged or expired token; a
receipt's adds one GetItem of its payment, which must not have been reversed since.
"""

from datetime import datetime

from chalicelib import wiring
from chalicelib.adapters import pdf
from chalicelib.domain.documents import (
    CertificateBeneficiary, CertificateDocument, DocumentHeader, DocumentKind, ReceiptDocument, VerificationRecord,
    document_id, expiry, issue_day, masked, opened, sign,
)
from chalicelib.domain.clock import MEXICO_CITY
from chalicelib.domain.identity import AssuranceLevel
from chalicelib.domain.members import Member
from chalicelib.logs import service_logger
from chalicelib.services import payments
from chalicelib.store import documents as store
from chalicelib.store import payments as payment_store
from chalicelib.store import persons

VERIFICATION_PATH = "/v1/verifications/"
_log = service_logger()


def receipt_pdf(member_id: str, payment_id: str, base_url: str, now: datetime) -> bytes:
    payment, member = payments.receipt(member_id, payment_id)
    level, name = _holder(member)
    months = [month for month in payment.months if month not in payment.reversed_months]
    header, record = _issue("receipt", payment.payment_id, member_id, name, months, base_url, now)
    usd = f"{payment.usd.amount} USD a {payment.usd.rate} MXN/USD ({payment.usd.source})" if payment.usd else None
    spei = (f"{payment.spei.clave_rastreo} · {payment.spei.sending_bank} · {payment.spei.sending_account}"
            if payment.spei else None)
    document = ReceiptDocument(
        header=header, holder_name=_full_name(name), assurance_level=level.value, curp=member.curp, nss=member.nss,
        folio=payment.payment_id, status=payment.status,
        amount_mxn=f"{payment.amount_mxn:.2f}" if payment.amount_mxn is not None else None, usd=usd,
        paid_at_mexico_city=payment.paid_at.astimezone(MEXICO_CITY).strftime("%Y-%m-%d %H:%M")
        if payment.paid_at else None,
        channel=payment.channel, partner=payment.partner, partner_transaction_id=payment.partner_transaction_id,
        reference=payment.reference, spei=spei, months=payment.months, reversed_months=payment.reversed_months)
    return _kept(document, record)


def certificate_pdf(member_id: str, base_url: str, now: datetime) -> bytes:
    found = payments.coverage(member_id, now)
    member = found.member
    level, name = _holder(member)
    weeks = found.weeks
    header, record = _issue("certificate", "", member_id, name, member.covered_months, base_url, now)
    document = CertificateDocument(
        header=header, holder_name=_full_name(name), assurance_level=level.value, curp=member.curp, nss=member.nss,
        status=member.status.value, covered_months=member.covered_months, covered_through=member.covered_through,
        covered_now=found.covered_now, weeks=weeks.weeks, weeks_days=f"{weeks.days.normalize():f}",
        weeks_rule=f"{weeks.rule.version} ({weeks.rule.status})",
        beneficiaries=[CertificateBeneficiary(
            full_name=" ".join(filter(None, (c.beneficiary.first_name, c.beneficiary.last_name,
                                             c.beneficiary.second_last_name))),
            relationship=c.beneficiary.relationship, covered=c.covered,
            until=c.eligibility.until.isoformat() if c.eligibility.until else None) for c in found.beneficiaries])
    return _kept(document, record)


def verification(token: str, now: datetime) -> VerificationRecord | None:
    """The record a valid token names; None for a forged, expired, malformed or unknown one alike, and for a receipt
    whose payment was reversed (a chargeback voids the proof; the public answer does not say why)."""
    document_id = opened(token, now, wiring.document_keys().verifying_keys())
    if document_id is None:
        return None
    record = store.get_document(document_id)
    if record is None or record.expires_at <= now:
        return None
    if record.payment_id is not None:
        payment = payment_store.get_payment(record.payment_id)
        if payment is None or payment.status == "reversed":
            return None
    return record


def _holder(member: Member) -> tuple[AssuranceLevel, tuple[str | None, ...]]:
    """The identity's assurance and, only once the member proved the CURP is theirs (registry-matched or better), the
    registry's name: a self-asserted CURP may be someone else's, whose name must not be printed for the claimant."""
    level = persons.golden(member.person_id).assurance.level
    if level.rank < AssuranceLevel.REGISTRY_MATCHED.rank:
        return level, ()
    record = wiring.curp_registry().lookup(member.curp)
    return level, (record.first_name, record.last_name, record.second_last_name) if record else ()


def _full_name(name: tuple[str | None, ...]) -> str | None:
    return " ".join(part for part in name if part) or None


def _issue(kind: DocumentKind, subject: str, member_id: str, name: tuple[str | None, ...], months: list[str],
           base_url: str, now: datetime) -> tuple[DocumentHeader, VerificationRecord]:
    """The document's id hashes everything its record holds (the expiry follows from kind and day), so an id found
    already stored holds this very record."""
    key, expires_at, initials = wiring.document_keys().signing_key(), expiry(kind, now), masked(*name)
    issued = document_id(key, kind, member_id, subject, issue_day(now), initials or "", ",".join(months))
    header = DocumentHeader(document_id=issued, issued_at=now, expires_at=expires_at,
                            verification_url=base_url + VERIFICATION_PATH + sign(issued, expires_at, key))
    record = VerificationRecord(document_id=issued, kind=kind, member_id=member_id, payment_id=subject or None,
                                masked_name=initials, covered_months=months, issued_at=now, expires_at=expires_at)
    return header, record


def _kept(document: ReceiptDocument | CertificateDocument, record: VerificationRecord) -> bytes:
    """Rendered first, so a failure leaves no record of a document nobody received."""
    rendered = pdf.render(document)
    kept = store.save_document(record)
    _log.info("document issued", extra={"member_id": record.member_id, "kind": record.kind,
                                        "document_id": record.document_id, "repeat": not kept})
    return rendered
