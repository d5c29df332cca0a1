"""`python -m local.documents`: render the example receipt and coverage certificate into docs/examples/ as PNG pages.

Synthetic demo data only (the demo registry's Ana Gómez Martínez, a made-up NSS and payment), laid out by the same
adapter the routes use; the QR codes carry tokens signed with an example key, so they verify nowhere. Fixed ids and
key keep the pages the same from one run to the next.
"""

from datetime import datetime, timezone
from pathlib import Path

from chalicelib.adapters.pdf import render
from chalicelib.domain.documents import (
    CertificateBeneficiary, CertificateDocument, DocumentHeader, ReceiptDocument, expiry, sign,
)

EXAMPLES = Path(__file__).resolve().parent.parent / "docs" / "examples"
ISSUED = datetime(2026, 11, 30, 18, 5, tzinfo=timezone.utc)
HOLDER = {"holder_name": "Ana Gómez Martínez", "assurance_level": "registry-matched", "curp": "GOMA850615MNELRR05",
          "nss": "12345678903"}


EXAMPLE_KEY = b"example only: no deployment signs with this"


def _header(kind) -> DocumentHeader:
    document_id = "EjemploRecibo00000000A" if kind == "receipt" else "EjemploConstancia0000A"
    until = expiry(kind, ISSUED)
    token = sign(document_id, until, EXAMPLE_KEY)
    return DocumentHeader(document_id=document_id, issued_at=ISSUED, expires_at=until,
                          verification_url=f"https://api.ptimigrante.example/api/v1/verifications/{token}")


def receipt() -> ReceiptDocument:
    return ReceiptDocument(
        header=_header("receipt"), **HOLDER, folio="3f0c6f7e5a2b4c1d9e8f7a6b5c4d3e2f", status="applied",
        amount_mxn="3528.06", usd="176.00 USD a 20.0458 MXN/USD (FINABIEN)", paid_at_mexico_city="2026-11-30 12:04",
        channel="finabien", partner="finabien", partner_transaction_id="FB-20261130-000123",
        reference="0000 0000 0000 1234 56", spei=None, months=["2027-01", "2027-02"], reversed_months=[])


def certificate() -> CertificateDocument:
    return CertificateDocument(
        header=_header("certificate"), **HOLDER, status="active",
        covered_months=["2026-09", "2026-10", "2026-11", "2026-12", "2027-01", "2027-02"], covered_through="2027-02",
        covered_now=True, weeks=13, weeks_days="91", weeks_rule="contribution-weeks-2026.1 (inference)",
        beneficiaries=[CertificateBeneficiary(full_name="Luis Pérez Gómez", relationship="child", covered=True,
                                              until="2030-04-09"),
                       CertificateBeneficiary(full_name="Rosa Martínez López", relationship="mother", covered=True,
                                              until=None)])


def png(pdf: bytes, path: Path) -> None:
    import pypdfium2  # a development tool (requirements-dev.txt), as in the tests that read the QR back

    pypdfium2.PdfDocument(pdf)[0].render(scale=1.5).to_pil().save(path, optimize=True)


def main() -> None:
    for name, document in (("receipt", receipt()), ("constancia", certificate())):
        png(render(document), EXAMPLES / f"{name}.png")
        print(EXAMPLES / f"{name}.png")


if __name__ == "__main__":
    main()
