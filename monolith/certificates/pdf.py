"""A certificate as a one-page PDF (ReportLab), with its verification URL and a QR code of it.

Drawn in the active language. The font is Bitstream Vera, shipped with
ReportLab and embedded in the file, so accented names print the same on any
machine.
"""

from io import BytesIO
from pathlib import Path

import reportlab
from django.utils import formats
from django.utils.translation import gettext as _
from reportlab.graphics import renderPDF
from reportlab.graphics.barcode.qr import QrCodeWidget
from reportlab.graphics.shapes import Drawing
from reportlab.lib.colors import HexColor
from reportlab.lib.pagesizes import A4, landscape
from reportlab.lib.units import mm
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.pdfgen.canvas import Canvas

from monolith.certificates.models import Certificate

FONTS = Path(reportlab.__file__).parent / "fonts"
REGULAR, BOLD = "PolyCodeVera", "PolyCodeVera-Bold"
INK, ACCENT, MUTED = HexColor("#1f2937"), HexColor("#3b5bdb"), HexColor("#4b5563")
QR_SIZE = 45 * mm


def _register_fonts() -> None:
    if REGULAR not in pdfmetrics.getRegisteredFontNames():
        pdfmetrics.registerFont(TTFont(REGULAR, str(FONTS / "Vera.ttf")))
        pdfmetrics.registerFont(TTFont(BOLD, str(FONTS / "VeraBd.ttf")))


def _qr(url: str) -> Drawing:
    """A QR code of ``url`` (error correction M), scaled to ``QR_SIZE`` with its quiet zone."""
    widget = QrCodeWidget(url, barLevel="M")
    x0, y0, x1, y1 = widget.getBounds()
    drawing = Drawing(QR_SIZE, QR_SIZE, transform=[QR_SIZE / (x1 - x0), 0, 0, QR_SIZE / (y1 - y0), 0, 0])
    drawing.add(widget)
    return drawing


def _fitted(canvas: Canvas, text: str, font: str, size: float, width: float) -> float:
    """The largest font size up to ``size`` at which ``text`` fits ``width``."""
    while size > 8 and canvas.stringWidth(text, font, size) > width:
        size -= 1
    return size


def certificate_pdf(certificate: Certificate, *, url: str) -> bytes:
    """The PDF of ``certificate``; ``url`` is its public verification address."""
    _register_fonts()
    buffer = BytesIO()
    width, height = landscape(A4)
    canvas = Canvas(buffer, pagesize=(width, height), invariant=True)
    canvas.setTitle(_("Certificate: %(title)s") % {"title": certificate.title})
    canvas.setAuthor("PolyCode")
    canvas.setSubject(url)

    canvas.setStrokeColor(ACCENT)
    canvas.setLineWidth(3)
    canvas.rect(12 * mm, 12 * mm, width - 24 * mm, height - 24 * mm)

    middle, text_width = width / 2, width - 60 * mm
    canvas.setFillColor(ACCENT)
    canvas.setFont(BOLD, 16)
    canvas.drawCentredString(middle, height - 38 * mm, "PolyCode")
    canvas.setFillColor(INK)
    canvas.setFont(BOLD, 32)
    canvas.drawCentredString(middle, height - 56 * mm, _("Certificate"))
    canvas.setFont(REGULAR, 14)
    canvas.drawCentredString(middle, height - 72 * mm, _("This certifies that"))
    size = _fitted(canvas, certificate.holder_name, BOLD, 28, text_width)
    canvas.setFont(BOLD, size)
    canvas.drawCentredString(middle, height - 88 * mm, certificate.holder_name)
    canvas.setFont(REGULAR, 14)
    canvas.drawCentredString(middle, height - 102 * mm, _("passed the certification exam"))
    size = _fitted(canvas, certificate.title, BOLD, 22, text_width)
    canvas.setFont(BOLD, size)
    canvas.drawCentredString(middle, height - 116 * mm, certificate.title)
    canvas.setFont(REGULAR, 13)
    issued = formats.date_format(certificate.issued_at, "DATE_FORMAT")
    canvas.drawCentredString(
        middle,
        height - 130 * mm,
        _("with a score of %(score)s %% on %(date)s") % {"score": certificate.score_percent, "date": issued},
    )

    qr_x, qr_y = 24 * mm, 22 * mm
    renderPDF.draw(_qr(url), canvas, qr_x, qr_y)
    canvas.setFillColor(MUTED)
    canvas.setFont(REGULAR, 10)
    left = qr_x + QR_SIZE + 6 * mm
    canvas.drawString(left, qr_y + 30 * mm, _("Check that this certificate is valid:"))
    canvas.setFillColor(ACCENT)
    canvas.setFont(REGULAR, _fitted(canvas, url, REGULAR, 11, width - left - 24 * mm))
    canvas.drawString(left, qr_y + 24 * mm, url)
    canvas.linkURL(url, (left, qr_y + 22 * mm, width - 24 * mm, qr_y + 29 * mm), relative=0)
    canvas.setFillColor(MUTED)
    canvas.setFont(REGULAR, 10)
    canvas.drawString(left, qr_y + 17 * mm, _("Certificate id: %(id)s") % {"id": certificate.public_id})

    canvas.showPage()
    canvas.save()
    return buffer.getvalue()
