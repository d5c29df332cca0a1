"""Documents over HTTP, through `chalice local` as `make run` serves them: a paid member's PDF receipt arrives as
bytes (application/pdf is a binary type), and the QR code printed on it verifies on the public route."""

import json
from urllib.parse import urlsplit

import pytest

from tests.api.test_documents import pdf_text, qr_url
from tests.e2e.test_payments_over_http import _post_webhook, _register, _run_id, _secrets, _succeeded

pytestmark = pytest.mark.e2e


def test_a_paid_members_receipt_pdf_verifies_over_http(stack):
    run = _run_id()
    headers, body, _ = _register(stack, f"doc-{run}")
    reference = stack.request("POST", "/v1/me/payment-references", headers=headers, json_body={"months": 1}).json()
    paid = _succeeded(reference=reference["reference"], amount=reference["amount_mxn"], tx=f"doc-{run}",
                      channel="finabien")
    ack = _post_webhook(stack, "finabien", paid, _secrets(stack)["finabien"], f"msg_doc_{run}")
    assert ack.status == 200 and ack.json()["status"] == "applied", ack.body

    receipt = stack.request("GET", f"/v1/me/payments/{ack.json()['payment_id']}/receipt.pdf",
                            headers={**headers, "Accept": "application/pdf"})
    assert receipt.status == 200 and receipt.headers["content-type"] == "application/pdf", receipt.body[:200]
    assert receipt.body.startswith(b"%PDF-") and body["nss"] in pdf_text(receipt.body)  # bytes, not base64

    url = qr_url(receipt.body)
    assert urlsplit(url).scheme == "http" and urlsplit(url).port == stack.ports["api"]  # the API as it was reached
    answer = stack.request("GET", urlsplit(url).path)
    assert answer.status == 200 and json.loads(answer.body) == {
        "valid": True, "covered_months": reference["months"], "masked_name": None}  # a self-asserted identity

    refused = stack.request("GET", "/v1/me/coverage/certificate.pdf", headers={**headers, "Accept": "text/html"})
    assert refused.status == 406 and refused.headers["content-type"] == "application/problem+json"
