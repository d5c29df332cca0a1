"""PDF layout of the documents members show (reportlab, BSD; its QR widget needs no other library).

An adapter: I/O-free rendering, but a heavy library, so reportlab is imported inside `render` only, on the routes that
answer a PDF; importing this module costs nothing. Documents are Spanish (what a clinic or consulate in Mexico
reads); the standard Helvetica covers Spanish's letters, so no font is embedded.
"""

from chalicelib.domain.clock import MEXICO_CITY
from chalicelib.domain.documents import CertificateDocument, DocumentHeader, ReceiptDocument

ISSUER = "IMSS · Personas Trabajadoras Independientes (PTI Migrante)"
ASSURANCE = {"self-asserted": "declarada (sin verificar)", "registry-matched": "verificada con RENAPO",
             "verified-in-person": "verificada en persona"}
RELATIONSHIP = {"spouse": "cónyuge", "concubine": "concubina(o)", "child": "hija(o)", "father": "padre",
                "mother": "madre", "minor_in_custody": "menor bajo custodia"}
STATUS = {"active": "vigente", "lapsed": "sin cobertura vigente", "pending_payment": "pendiente de pago",
          "cancelled": "cancelada", "applied": "aplicado", "unmatched": "por identificar",
          "refund_pending": "por reembolsar", "reversed": "revertido"}


def render(document: ReceiptDocument | CertificateDocument) -> bytes:
    """The document as a PDF (one or more A4 pages), its QR code at the top right."""
    from io import BytesIO

    from reportlab.lib.pagesizes import A4
    from reportlab.platypus import SimpleDocTemplate

    out = BytesIO()
    title = "Recibo de pago" if isinstance(document, ReceiptDocument) else "Constancia de cobertura"
    page = SimpleDocTemplate(out, pagesize=A4, title=title, author=ISSUER, subject=document.header.document_id,
                             leftMargin=48, rightMargin=48, topMargin=40, bottomMargin=48)
    body = _receipt(document) if isinstance(document, ReceiptDocument) else _certificate(document)
    page.build(_heading(title, document.header) + body, onFirstPage=_footer(document.header),
               onLaterPages=_footer(document.header))
    return out.getvalue()


def _styles():
    from reportlab.lib.styles import getSampleStyleSheet

    return getSampleStyleSheet()


def _heading(title: str, header: DocumentHeader) -> list:
    from reportlab.graphics.barcode.qr import QrCodeWidget
    from reportlab.graphics.shapes import Drawing
    from reportlab.platypus import Paragraph, Spacer, Table, TableStyle

    styles = _styles()
    qr = QrCodeWidget(header.verification_url, barLevel="M")
    left, bottom, right, top = qr.getBounds()
    size = 120
    drawing = Drawing(size, size, transform=[size / (right - left), 0, 0, size / (top - bottom), 0, 0])
    drawing.add(qr)
    issued = header.issued_at.astimezone(MEXICO_CITY).strftime("%Y-%m-%d %H:%M")
    until = header.expires_at.astimezone(MEXICO_CITY).strftime("%Y-%m-%d")
    text = [Paragraph(ISSUER, styles["Normal"]), Paragraph(title, styles["Title"]),
            Paragraph(f"Folio del documento: {header.document_id}", styles["Normal"]),
            Paragraph(f"Emitido: {issued} (hora de la Ciudad de México)", styles["Normal"]),
            Paragraph(f"Verificable hasta: {until}, con el código QR", styles["Normal"])]
    table = Table([[text, drawing]], colWidths=[360, 130])
    table.setStyle(TableStyle([("VALIGN", (0, 0), (-1, -1), "TOP")]))
    return [table, Spacer(1, 12)]


def _footer(header: DocumentHeader):
    def draw(canvas, doc) -> None:
        canvas.saveState()
        canvas.setFont("Helvetica", 7)
        canvas.drawString(48, 30, f"Verifique este documento en {header.verification_url}")
        canvas.drawRightString(doc.pagesize[0] - 48, 30, f"Página {doc.page}")
        canvas.restoreState()

    return draw


def _fields(rows: list[tuple[str, str]]) -> list:
    from reportlab.lib import colors
    from reportlab.platypus import Paragraph, Spacer, Table, TableStyle

    styles = _styles()
    # A label may be a beneficiary's name (free text), so both columns are escaped.
    table = Table([[Paragraph(f"<b>{_escaped(label)}</b>", styles["Normal"]),
                    Paragraph(_escaped(value), styles["Normal"])]
                   for label, value in rows], colWidths=[170, 330])
    table.setStyle(TableStyle([("VALIGN", (0, 0), (-1, -1), "TOP"),
                               ("LINEBELOW", (0, 0), (-1, -1), 0.25, colors.lightgrey)]))
    return [table, Spacer(1, 10)]


def _section(title: str) -> list:
    from reportlab.platypus import Paragraph

    return [Paragraph(title, _styles()["Heading2"])]


def _escaped(value: str) -> str:
    """Paragraph text is reportlab's mini-markup: a name with `<` or `&` must stay text."""
    return value.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def _holder(document: ReceiptDocument | CertificateDocument) -> list[tuple[str, str]]:
    return [("Nombre", document.holder_name or "no verificado: la identidad aún no se comprobó"),
            ("Identidad", ASSURANCE.get(document.assurance_level, document.assurance_level)),
            ("CURP", document.curp), ("NSS", document.nss)]


def _months(months: list[str]) -> str:
    return ", ".join(months) or "ninguno"


def _receipt(document: ReceiptDocument) -> list:
    rows = [("Folio del pago", document.folio), ("Estado", STATUS.get(document.status, document.status)),
            ("Importe", f"{document.amount_mxn} MXN" if document.amount_mxn else "—"),
            ("Pagado en dólares", document.usd or "—"),
            ("Fecha de pago", f"{document.paid_at_mexico_city} (Ciudad de México)"
             if document.paid_at_mexico_city else "—"),
            ("Canal", f"{document.channel} ({document.partner})"),
            ("Transacción del socio", document.partner_transaction_id),
            ("Referencia de pago", document.reference or "—"),
            ("Rastreo SPEI (CEP)", document.spei or "—"),
            ("Meses cubiertos", _months(document.months))]
    if document.reversed_months:
        rows.append(("Meses revertidos", _months(document.reversed_months)))
    return _section("Asegurado") + _fields(_holder(document)) + _section("Pago") + _fields(rows)


def _certificate(document: CertificateDocument) -> list:
    from reportlab.platypus import Paragraph

    styles = _styles()
    coverage = [("Estado", STATUS.get(document.status, document.status)),
                ("Cubierto este mes", "sí" if document.covered_now else "no"),
                ("Cubierto hasta", document.covered_through or "—"),
                ("Meses pagados", _months(document.covered_months)),
                ("Semanas cotizadas", f"{document.weeks} ({document.weeks_days} días cotizados / 7)")]
    beneficiaries = [(f"{b.full_name}", f"{RELATIONSHIP.get(b.relationship, b.relationship)}; "
                      + ("con cobertura" if b.covered else "sin cobertura este mes")
                      + (f"; elegible hasta {b.until}" if b.until else ""))
                     for b in document.beneficiaries]
    note = Paragraph(f"Semanas cotizadas bajo el esquema PTI: días de los meses pagados que ya comenzaron, entre 7, "
                     f"semanas completas. Regla {_escaped(document.weeks_rule)}.", styles["Italic"])
    return (_section("Asegurado") + _fields(_holder(document)) + _section("Cobertura") + _fields(coverage)
            + [note] + _section("Beneficiarios")
            + (_fields(beneficiaries) if beneficiaries else [Paragraph("Sin beneficiarios registrados.",
                                                                          styles["Normal"])]))
