"""Documents members show, as PDFs (a payment's receipt, the coverage certificate), and their public verification."""

import re
from collections.abc import Mapping
from datetime import datetime

from pydantic import Field

from chalicelib.auth import Caller, Role
from chalicelib.domain.model import Model
from chalicelib.errors import MalformedRequest, NotAcceptable
from chalicelib.http.api import PUBLIC, Binary, Router

router = Router(__name__, tag="documents")
MEMBER = {Role.MEMBER}
PDF = "application/pdf"
_HOST = re.compile(r"^[A-Za-z0-9.-]{1,253}(:\d{1,5})?$")


def service():
    """The use cases (and, through them, the PDF library) load with the first request that needs them."""
    from chalicelib.services import documents

    return documents


class Verification(Model):
    valid: bool = Field(description="Issued by us, not expired, and for a receipt its payment not reversed; false "
                                    "alike for a forged, expired or unknown token and a reversed payment's receipt")
    covered_months: list[str] = Field(description="The months the document states as covered (YYYY-MM); empty "
                                                  "when not valid")
    masked_name: str | None = Field(description='The holder\'s initials, e.g. "M**** G**** L****"; null when not '
                                                "valid or the holder's identity was not verified")


def _public_base() -> str:
    """Where this API is reached, as the caller reached it: the QR code's URL points back here. API Gateway gives its
    domain and the stage in the request's path (`/api/v1/…`); the local servers give the Host header."""
    request = router.blueprint.current_request
    host = request.context.get("domainName") or request.headers.get("host") or "localhost"
    if not _HOST.fullmatch(host):
        raise MalformedRequest()
    scheme = "https" if request.headers.get("x-forwarded-proto") == "https" else "http"
    path = request.context.get("path") or ""
    return f"{scheme}://{host}{path[:max(path.find('/v1/'), 0)]}"


def _accepts_pdf(headers: Mapping[str, str]) -> None:
    """API Gateway sends the bytes only when the Accept header's FIRST media type is a binary type (its docs, "Binary
    media types"), else base64 text; Chalice answers a caller it will not send bytes to 400 *after* the handler ran.
    So the first type must be the PDF or `*/*`, refused here first, so no document is issued for nobody."""
    first = re.split("[,;]", (headers.get("accept") or "").lower())[0].strip()
    if first not in {PDF, "*/*"}:
        raise NotAcceptable("not-acceptable")


_PRIVATE = {"Cache-Control": "no-store"}  # the document carries the member's CURP and NSS


@router.route("/v1/me/payments/{payment_id}/receipt.pdf", "GET", roles=MEMBER, response=None, media_type=PDF,
              extra_statuses=[400, 404, 406, 503],
              summary="The receipt of one of my payments as a PDF, with a QR code to verify it")
def receipt_pdf(caller: Caller, payment_id: str, headers: Mapping[str, str], now: datetime) -> Binary:
    _accepts_pdf(headers)
    body = service().receipt_pdf(caller.user_id, payment_id, _public_base(), now)
    return Binary(body, {**_PRIVATE, "Content-Disposition": 'inline; filename="recibo.pdf"'})


@router.route("/v1/me/coverage/certificate.pdf", "GET", roles=MEMBER, response=None, media_type=PDF,
              extra_statuses=[400, 404, 406, 503],
              summary="My coverage certificate (constancia) as a PDF: me, my beneficiaries, covered months and semanas "
                      "cotizadas, with a QR code to verify it")
def certificate_pdf(caller: Caller, headers: Mapping[str, str], now: datetime) -> Binary:
    _accepts_pdf(headers)
    body = service().certificate_pdf(caller.user_id, _public_base(), now)
    return Binary(body, {**_PRIVATE, "Content-Disposition": 'inline; filename="constancia.pdf"'})


@router.route("/v1/verifications/{token}", "GET", roles=PUBLIC, response=Verification, extra_statuses=[503],
              summary="Verify a document's QR code: valid or not, covered months, masked name; nothing else")
def verify_document(token: str, now: datetime) -> Verification:
    record = service().verification(token, now)
    if record is None:
        return Verification(valid=False, covered_months=[], masked_name=None)
    return Verification(valid=True, covered_months=record.covered_months, masked_name=record.masked_name)
