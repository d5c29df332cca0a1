"""Documents members show: the PDF receipt and coverage certificate, their QR codes and the public verification."""

import io
import json
from datetime import date, timedelta
from urllib.parse import urlsplit

import pypdfium2
import pytest
import zxingcpp
from botocore.exceptions import EndpointConnectionError
from pypdf import PdfReader

from chalicelib import wiring
from chalicelib.auth import Role
from chalicelib.domain.documents import expiry, sign
from chalicelib.http import documents
from chalicelib.store.documents import DocumentItem
from tests.api.conftest import issue, paid, reversed_
from tests.api.test_faults import assert_unavailable, dropped, error, faults, tables_now  # noqa: F401 (fixture)
from tests.people import make_curp

ANA = {"first_name": "Ana", "last_name": "Gómez", "second_last_name": "Martínez", "birth_date": "1985-06-15"}
ANA_CURP = "GOMA850615MNELRR05"  # one of the demo CURP registry's people
PDF = {"Accept": "application/pdf", "Host": "api.example.test"}


def _json(response):
    return json.loads(response.body)


def pdf_text(body: bytes) -> str:
    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(body)).pages)


def qr_url(body: bytes) -> str:
    """The first page rendered to an image, as a phone's camera would see it, and its QR code read."""
    image = pypdfium2.PdfDocument(body)[0].render(scale=2).to_pil()
    (code,) = zxingcpp.read_barcodes(image)
    return code.text


def verify(api, url: str):
    parts = urlsplit(url)
    return api.http.get(parts.path)


@pytest.fixture
def ana(api, member, partner):
    """A member whose identity matched the registry, with a child, and one paid reference of two months."""
    headers, body = member(curp=ANA_CURP)
    checked = api.http.post("/v1/me/identity/verification", headers=headers, body=json.dumps(ANA))
    assert _json(checked)["assurance"]["level"] == "registry-matched"
    child = {"relationship": "child", "first_name": "Luisa", "last_name": "Gómez", "second_last_name": "Ruiz",
             "curp": make_curp("GORL", date(2016, 3, 4), "M", "JC", "MZL")}
    assert api.http.post("/v1/me/beneficiaries", headers=headers, body=json.dumps(child)).status_code == 201
    reference = issue(api, headers, months=2)
    ack = _json(partner.send(paid(reference["reference"], reference["amount_mxn"], tx="fb-doc-1",
                                  usd={"amount": "88.00", "rate": "20.08", "source": "FINABIEN"})))
    assert ack["status"] == "applied"
    return {"headers": headers, "body": body, "payment_id": ack["payment_id"], "months": reference["months"]}


def test_the_receipt_pdf_carries_the_payment_and_a_qr_that_verifies(api, ana, clock):
    response = api.http.get(f"/v1/me/payments/{ana['payment_id']}/receipt.pdf", headers={**ana["headers"], **PDF})
    assert response.status_code == 200, response.body
    assert response.headers["Content-Type"] == "application/pdf" and response.body.startswith(b"%PDF-")
    assert response.headers["Cache-Control"] == "no-store"
    text = pdf_text(response.body)
    assert "Recibo de pago" in text and ana["payment_id"] in text and "Ana Gómez Martínez" in text
    assert ANA_CURP in text and ana["body"]["nss"] in text and "88.00 USD" in text
    assert all(month in text for month in ana["months"])

    url = qr_url(response.body)
    assert url.startswith("http://api.example.test/v1/verifications/") and url in text.replace("\n", "")
    answer = verify(api, url)
    assert answer.status_code == 200
    assert _json(answer) == {"valid": True, "covered_months": ana["months"], "masked_name": "A**** G**** M****"}
    assert ANA_CURP not in url and ana["body"]["nss"] not in url


def test_the_certificate_pdf_lists_beneficiaries_months_and_semanas_cotizadas(api, ana, clock):
    response = api.http.get("/v1/me/coverage/certificate.pdf", headers={**ana["headers"], **PDF})
    assert response.status_code == 200, response.body
    text = pdf_text(response.body)
    assert "Constancia de cobertura" in text and "Luisa Gómez Ruiz" in text and "verificada con RENAPO" in text
    assert all(month in text for month in ana["months"])
    coverage = _json(api.http.get("/v1/me/coverage", headers=ana["headers"]))
    weeks = coverage["contribution_weeks"]
    assert weeks["rule_status"] == "inference" and f"Semanas cotizadas {weeks['weeks']} " in text.replace("\n", " ")
    answer = _json(verify(api, qr_url(response.body)))
    assert answer == {"valid": True, "covered_months": coverage["covered_months"], "masked_name": "A**** G**** M****"}


def test_expired_tampered_forged_and_unknown_tokens_answer_alike(api, ana, clock):
    response = api.http.get("/v1/me/coverage/certificate.pdf", headers={**ana["headers"], **PDF})
    url = qr_url(response.body)
    token = urlsplit(url).path.rsplit("/", 1)[1]
    invalid = {"valid": False, "covered_months": [], "masked_name": None}

    tampered = token[:-1] + ("A" if token[-1] != "A" else "B")
    id_swapped = ("B" if token[0] != "B" else "C") + token[1:]
    forged = sign("x" * 22, clock.now() + timedelta(days=30), b"not our key")
    unknown_id = "y" * 22  # well signed, never issued
    unknown = sign(unknown_id, clock.now() + timedelta(days=30), wiring.document_keys().signing_key())
    for candidate in (tampered, id_swapped, forged, unknown, "short", token + "A"):
        answer = api.http.get(f"/v1/verifications/{candidate}")
        assert (answer.status_code, _json(answer)) == (200, invalid), candidate

    assert _json(api.http.get(f"/v1/verifications/{token}"))["valid"] is True
    clock(clock.now() + timedelta(days=91))  # certificates verify for 90 days
    assert _json(api.http.get(f"/v1/verifications/{token}")) == invalid


def test_a_receipt_stops_verifying_once_its_payment_is_reversed(api, ana, partner, clock):
    """A chargeback undoes the payment: a clinic scanning the receipt's QR must not be told it is valid, and is told
    no more than for an unknown token. A certificate states coverage as of its day of issue and keeps verifying."""
    receipt_url = f"/v1/me/payments/{ana['payment_id']}/receipt.pdf"
    receipt = qr_url(api.http.get(receipt_url, headers={**ana["headers"], **PDF}).body)
    certificate = qr_url(api.http.get("/v1/me/coverage/certificate.pdf", headers={**ana["headers"], **PDF}).body)
    assert _json(verify(api, receipt))["valid"] is True
    stated = _json(verify(api, certificate))
    assert stated["valid"] is True

    assert _json(partner.send(reversed_("fb-doc-1", clock.now())))["status"] == "reversed"
    invalid = {"valid": False, "covered_months": [], "masked_name": None}
    assert _json(verify(api, receipt)) == invalid
    assert _json(verify(api, certificate)) == stated
    # asked for again, the receipt says "revertido" and its QR does not verify either
    again = qr_url(api.http.get(receipt_url, headers={**ana["headers"], **PDF}).body)
    assert again != receipt and _json(verify(api, again)) == invalid


def test_a_self_asserted_member_gets_no_name_printed_or_masked(api, member, partner):
    """A CURP typed but not proven may be someone else's: the registry's name is not printed for the claimant."""
    headers, body = member(curp=ANA_CURP)
    reference = issue(api, headers)
    ack = _json(partner.send(paid(reference["reference"], reference["amount_mxn"], tx="fb-doc-2")))
    response = api.http.get(f"/v1/me/payments/{ack['payment_id']}/receipt.pdf", headers={**headers, **PDF})
    text = pdf_text(response.body)
    assert "Ana" not in text and "no verificado" in text and "declarada" in text
    assert _json(verify(api, qr_url(response.body)))["masked_name"] is None


def test_someone_elses_receipt_and_an_unregistered_certificate_are_404(api, ana, member, aws):
    other, _ = member()
    assert api.http.get(f"/v1/me/payments/{ana['payment_id']}/receipt.pdf",
                        headers={**other, **PDF}).status_code == 404
    stranger = {"Authorization": f"Bearer {aws.token(Role.MEMBER, 'unregistered-doc')}", **PDF}
    assert api.http.get("/v1/me/coverage/certificate.pdf", headers=stranger).status_code == 404


def test_a_caller_who_does_not_accept_a_pdf_gets_a_406_and_nothing_is_issued(api, ana):
    issued = sum(1 for _ in DocumentItem.scan())
    response = api.http.get("/v1/me/coverage/certificate.pdf",
                            headers={**ana["headers"], "Accept": "application/json", "Host": "api.example.test"})
    assert response.status_code == 406 and response.headers["Content-Type"] == "application/problem+json"
    assert "Accept: application/pdf" in _json(response)["detail"]
    assert sum(1 for _ in DocumentItem.scan()) == issued
    anything = {**ana["headers"], "Accept": "*/*"}
    assert api.http.get("/v1/me/coverage/certificate.pdf", headers=anything).status_code == 200


def test_the_api_gateway_stage_is_kept_in_the_qr_url(monkeypatch):
    """In AWS the request's path carries the stage (`/api/v1/…`) and API Gateway gives the domain; the test client
    and `chalice local` give neither, so API Gateway's request context is stood in for here."""
    class Request:
        context = {"domainName": "abc123.execute-api.us-east-1.amazonaws.com",
                   "path": "/api/v1/me/coverage/certificate.pdf"}
        headers = {"x-forwarded-proto": "https", "host": "ignored.example"}

    monkeypatch.setattr(documents.router.blueprint, "_current_app", type("App", (), {"current_request": Request()}))
    assert documents._public_base() == "https://abc123.execute-api.us-east-1.amazonaws.com/api"


@pytest.mark.parametrize("answer", [error("InternalServiceError", 500), dropped(EndpointConnectionError)],
                         ids=["internal", "unreachable"])
def test_without_the_signing_key_a_document_is_a_503_and_nothing_is_issued(api, ana, faults, answer):
    before = tables_now()
    with faults.inject("secretsmanager", "GetSecretValue", answer):
        assert_unavailable(api.http.get("/v1/me/coverage/certificate.pdf", headers={**ana["headers"], **PDF}))
        assert_unavailable(api.http.get(f"/v1/verifications/{'A' * 48}"))
    assert tables_now() == before
    assert api.http.get("/v1/me/coverage/certificate.pdf", headers={**ana["headers"], **PDF}).status_code == 200


def test_a_beneficiary_name_with_markup_is_printed_as_text(api, ana):
    """Names are free text: reportlab's paragraph markup in one must print as typed, not break the PDF (a 500) nor
    style or link it."""
    child = {"relationship": "child", "first_name": "Luis <b>", "last_name": "Gómez & <a href='x'>",
             "curp": make_curp("GOLU", date(2017, 5, 6), "H", "JC", "MZL")}
    assert api.http.post("/v1/me/beneficiaries", headers=ana["headers"], body=json.dumps(child)).status_code == 201
    response = api.http.get("/v1/me/coverage/certificate.pdf", headers={**ana["headers"], **PDF})
    assert response.status_code == 200, response.body
    assert "Luis <b> Gómez & <a href='x'>" in pdf_text(response.body)


def test_an_accept_whose_first_type_is_not_a_pdf_is_a_406(api, ana):
    """API Gateway decides from the Accept header's FIRST media type whether to send the bytes: a browser's
    `text/html, …, */*` would get base64 text, so it is refused before a document is issued."""
    browser = {**ana["headers"], "Host": "api.example.test",
               "Accept": "text/html,application/xhtml+xml,application/pdf;q=0.9,*/*;q=0.8"}
    assert api.http.get("/v1/me/coverage/certificate.pdf", headers=browser).status_code == 406
    first = {**ana["headers"], "Host": "api.example.test", "Accept": "application/pdf, text/html;q=0.5"}
    assert api.http.get("/v1/me/coverage/certificate.pdf", headers=first).status_code == 200


def test_a_documents_record_expires_with_the_tables_time_to_live(api, ana, clock):
    """The members table deletes items by its TTL attribute (`expires_at`, epoch seconds): a verification record
    past its expiry answers nothing anyway, so it must not be kept for ever."""
    response = api.http.get("/v1/me/coverage/certificate.pdf", headers={**ana["headers"], **PDF})
    token = urlsplit(qr_url(response.body)).path.rsplit("/", 1)[1]
    (item,) = [item for item in DocumentItem.scan()]
    raw = DocumentItem._get_connection().get_item(item.pk, item.sk)["Item"]
    assert "N" in raw["expires_at"]
    assert int(raw["expires_at"]["N"]) == int(expiry("certificate", clock.now()).timestamp())
    assert _json(api.http.get(f"/v1/verifications/{token}"))["valid"] is True


def test_asking_again_the_same_day_gives_the_same_document_and_writes_nothing_new(api, ana, clock):
    """A member (or her app) may fetch her receipt any number of times: each fetch must not leave one more record.
    The same facts on the same Mexico City day are the same document; another day, or new months, a new one."""
    url = f"/v1/me/payments/{ana['payment_id']}/receipt.pdf"
    first = qr_url(api.http.get(url, headers={**ana["headers"], **PDF}).body)
    records = sum(1 for _ in DocumentItem.scan())
    clock(clock.now() + timedelta(minutes=5))
    assert qr_url(api.http.get(url, headers={**ana["headers"], **PDF}).body) == first
    assert sum(1 for _ in DocumentItem.scan()) == records
    certificate = qr_url(api.http.get("/v1/me/coverage/certificate.pdf", headers={**ana["headers"], **PDF}).body)
    assert certificate != first and sum(1 for _ in DocumentItem.scan()) == records + 1

    clock(clock.now() + timedelta(days=1))
    again = qr_url(api.http.get(url, headers={**ana["headers"], **PDF}).body)
    assert again != first and sum(1 for _ in DocumentItem.scan()) == records + 2
    assert _json(verify(api, first))["valid"] is True and _json(verify(api, again))["valid"] is True
