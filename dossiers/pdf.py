"""The PDFs the portal issues (results and slips), drawn with ReportLab in a font with Vietnamese glyphs.

``render`` lays out a document in the administrative style: the agency and the national motto at the top, a
title, the body, a QR code to the lookup or verification page at the bottom.
"""

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from io import BytesIO
from pathlib import Path
from typing import Any
from xml.sax.saxutils import escape

import segno
from django.utils import timezone
from reportlab import rl_config
from reportlab.lib import colors
from reportlab.lib.enums import TA_CENTER
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.platypus import (
    Flowable,
    PageBreak,
    Paragraph,
    SimpleDocTemplate,
    Spacer,
    Table,
    TableStyle,
    tables,
)

from dossiers.sla import TZ

FONTS = Path(__file__).resolve().parent / "fonts"


def _register_family(family: str, files: dict[str, str]) -> None:
    """Register a TrueType family (embedded, as a subset, in every PDF that uses it) with its four faces."""
    names = {face: family if face == "normal" else f"{family}-{face}" for face in files}
    for face, file in files.items():
        pdfmetrics.registerFont(TTFont(names[face], str(FONTS / file)))
    pdfmetrics.registerFontFamily(
        family,
        normal=names["normal"],
        bold=names["bold"],
        italic=names["italic"],
        boldItalic=names["boldItalic"],
    )


# The slips' sans-serif face, and the serif face of the result (Decree 30/2020 asks for a Times-like Unicode
# font; DejaVu Serif has every Vietnamese glyph in all four faces, Liberation Serif 1.x has not).
_register_family(
    "DejaVu",
    {
        "normal": "DejaVuSans.ttf",
        "bold": "DejaVuSans-Bold.ttf",
        "italic": "DejaVuSans-Oblique.ttf",
        "boldItalic": "DejaVuSans-BoldOblique.ttf",
    },
)
_register_family(
    "DejaVuSerif",
    {
        "normal": "DejaVuSerif.ttf",
        "bold": "DejaVuSerif-Bold.ttf",
        "italic": "DejaVuSerif-Italic.ttf",
        "boldItalic": "DejaVuSerif-BoldItalic.ttf",
    },
)
# ReportLab starts every page's text state in its base font, Helvetica, which lands in the PDF as a font that is
# referenced but not embedded (a viewer substitutes it; PDF/A and pdffonts' emb=yes want every font embedded).
# Starting in an embedded face keeps Helvetica out of every PDF the portal draws.
rl_config.canvas_basefontname = "DejaVu"
# A table sets its cells' font (Helvetica, read from rl_config when ReportLab was imported) even when each cell
# is a paragraph with its own: the same reference to a font that is not embedded.
tables.CellStyle.fontname = "DejaVu"

BODY = ParagraphStyle("body", fontName="DejaVu", fontSize=10.5, leading=14.5)
SMALL = ParagraphStyle("small", parent=BODY, fontSize=8.5, leading=11)
CENTER = ParagraphStyle("center", parent=BODY, alignment=TA_CENTER)
CENTER_BOLD = ParagraphStyle("center_bold", parent=CENTER, fontName="DejaVu-Bold")
TITLE = ParagraphStyle("title", parent=CENTER_BOLD, fontSize=14, leading=19, spaceBefore=6, spaceAfter=8)

MOTTO = ("CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", "Độc lập - Tự do - Hạnh phúc")


@dataclass
class Document:
    agency: str
    title: str
    subtitle: str = ""
    code: str = ""  # the dossier code, printed under the agency (or under the title: ``code_under_title``)
    unit: str = ""  # the unit under the agency's name: "BỘ PHẬN TIẾP NHẬN VÀ TRẢ KẾT QUẢ"
    number: str = ""  # the letter's number and symbol, after "Số: "
    code_under_title: bool = False
    addressee: str = ""  # "Kính gửi: ..."
    recipients: Sequence[str] = ()  # "Nơi nhận:", bottom left
    # One copy per mark ("Liên 1: lưu"), each starting on its own page; one unmarked copy when empty.
    copies: Sequence[str] = ()
    rows: Sequence[tuple[str, str]] = ()  # label / value pairs
    paragraphs: Sequence[str] = ()
    table: Sequence[Sequence[str]] = ()  # first row is the header
    table_widths: Sequence[float] = ()  # relative column widths; equal when empty
    qr_url: str = ""
    qr_caption: str = ""
    place_and_date: str = ""
    signature_block: Sequence[str] = ()
    # A second signature, left of the first: the applicant's on the receipt.
    applicant_signature: Sequence[str] = ()
    metadata: dict[str, str] = field(default_factory=dict)


def text(value: Any) -> str:
    """Plain text made safe for ReportLab's paragraph markup."""
    return escape("" if value is None else str(value))


def value(raw: Any) -> str:
    """A stored form value as Vietnamese write it: dates dd/mm/yyyy, a ticked box "Có"."""
    if raw is True:
        return "Có"
    if raw is False:
        return "Không"
    if isinstance(raw, str) and len(raw) == 10 and raw[4] == "-" and raw[7] == "-":
        try:
            return date.fromisoformat(raw).strftime("%d/%m/%Y")
        except ValueError:
            return raw
    return str(raw)


def local(moment: datetime | None, fmt: str = "%H:%M ngày %d/%m/%Y") -> str:
    return timezone.localtime(moment, TZ).strftime(fmt) if moment else ""


class QrCode(Flowable):
    """A QR code drawn straight onto the page: segno computes the modules, each row's dark runs are one rectangle.

    ReportLab's own QR widget draws every module as a shape, twice (once to measure): most of a result's render.
    """

    def __init__(self, url: str, size: float = 32 * mm) -> None:
        super().__init__()
        self.matrix = segno.make(url, error="m").matrix
        self.width = self.height = size

    def draw(self) -> None:
        border = 2
        count = len(self.matrix) + 2 * border
        module = self.width / count
        self.canv.setFillColor(colors.black)
        for y, row in enumerate(self.matrix):
            x = 0
            while x < len(row):
                if row[x]:
                    start = x
                    while x < len(row) and row[x]:
                        x += 1
                    top = self.height - (y + border + 1) * module
                    self.canv.rect(
                        (start + border) * module, top, (x - start) * module, module, stroke=0, fill=1
                    )
                else:
                    x += 1


def _qr(url: str, size: float = 32 * mm) -> Flowable:
    return QrCode(url, size)


def render(doc: Document) -> bytes:
    out = BytesIO()
    template = SimpleDocTemplate(
        out,
        pagesize=A4,
        leftMargin=20 * mm,
        rightMargin=18 * mm,
        topMargin=15 * mm,
        bottomMargin=15 * mm,
        title=doc.title,
        author=doc.agency,
        subject=doc.code,
        creator="Public services portal",
    )
    story: list[Any] = []
    for index, copy in enumerate(doc.copies or [""]):
        if index:
            story.append(PageBreak())
        story += _copy(doc, copy)
    template.build(story)
    return out.getvalue()


def _copy(doc: Document, copy: str) -> list[Any]:
    """One copy of the document: the header, the title and its marks, the body, the QR code and signatures."""
    left = [Paragraph(text(doc.agency.upper()), CENTER if doc.unit else CENTER_BOLD)]
    if doc.unit:
        left.append(Paragraph(text(doc.unit.upper()), CENTER_BOLD))
    if doc.number:
        left.append(Paragraph(f"Số: {text(doc.number)}", CENTER))
    if doc.code and not doc.code_under_title:
        left.append(Paragraph(f"Số hồ sơ: {text(doc.code)}", CENTER))
    right = [Paragraph(MOTTO[0], CENTER_BOLD), Paragraph(f"<u>{MOTTO[1]}</u>", CENTER_BOLD)]
    if doc.place_and_date:
        right.append(Paragraph(f"<i>{text(doc.place_and_date)}</i>", CENTER))
    story: list[Any] = [
        Table([[left, right]], colWidths=[75 * mm, 97 * mm], style=[("VALIGN", (0, 0), (-1, -1), "TOP")]),
        Spacer(1, 5 * mm),
        Paragraph(text(doc.title.upper()), TITLE),
    ]
    if doc.subtitle:
        story.append(Paragraph(text(doc.subtitle), CENTER))
    if doc.code and doc.code_under_title:
        story.append(Paragraph(f"Mã hồ sơ: <b>{text(doc.code)}</b>", CENTER))
    if copy:
        story.append(Paragraph(f"<i>({text(copy)})</i>", CENTER))
    if doc.addressee:
        story += [Spacer(1, 2 * mm), Paragraph(f"Kính gửi: {text(doc.addressee)}", CENTER)]
    story.append(Spacer(1, 3 * mm))
    for paragraph in doc.paragraphs:
        story += [Paragraph(paragraph, BODY), Spacer(1, 2 * mm)]
    if doc.rows:
        story.append(
            Table(
                [[Paragraph(text(label), BODY), Paragraph(text(value), BODY)] for label, value in doc.rows],
                colWidths=[55 * mm, 117 * mm],
                style=TableStyle(
                    [
                        ("VALIGN", (0, 0), (-1, -1), "TOP"),
                        ("TOPPADDING", (0, 0), (-1, -1), 1),
                        ("BOTTOMPADDING", (0, 0), (-1, -1), 2),
                    ]
                ),
            )
        )
        story.append(Spacer(1, 3 * mm))
    if doc.table:
        weights = doc.table_widths or [1.0] * len(doc.table[0])
        story.append(
            Table(
                [[Paragraph(text(cell), SMALL) for cell in row] for row in doc.table],
                colWidths=[172 * mm * weight / sum(weights) for weight in weights],
                repeatRows=1,
                style=TableStyle(
                    [
                        ("GRID", (0, 0), (-1, -1), 0.5, colors.grey),
                        ("BACKGROUND", (0, 0), (-1, 0), colors.HexColor("#eeeeee")),
                        ("VALIGN", (0, 0), (-1, -1), "TOP"),
                    ]
                ),
            )
        )
        story.append(Spacer(1, 3 * mm))
    qr_cell: list[Any] = []
    if doc.recipients:
        qr_cell.append(Paragraph("<b><i>Nơi nhận:</i></b>", SMALL))
        qr_cell += [Paragraph(f"- {text(line)}", SMALL) for line in doc.recipients]
        qr_cell.append(Spacer(1, 2 * mm))
    if doc.qr_url:
        qr_cell += [_qr(doc.qr_url, 26 * mm), Paragraph(text(doc.qr_caption), SMALL)]
    signature = [
        Paragraph(text(line), CENTER_BOLD if i == 0 else CENTER) for i, line in enumerate(doc.signature_block)
    ]
    if doc.applicant_signature:
        # The QR code beside the two signatures, so that a copy of the receipt keeps to its page.
        applicant = [
            Paragraph(text(line), CENTER_BOLD if i == 0 else CENTER)
            for i, line in enumerate(doc.applicant_signature)
        ]
        story += [
            Spacer(1, 2 * mm),
            Table(
                [[qr_cell, applicant, signature]],
                colWidths=[52 * mm, 60 * mm, 60 * mm],
                style=[("VALIGN", (0, 0), (-1, -1), "TOP")],
            ),
        ]
        return story
    story += [
        Spacer(1, 4 * mm),
        Table(
            [[qr_cell, signature]], colWidths=[80 * mm, 92 * mm], style=[("VALIGN", (0, 0), (-1, -1), "TOP")]
        ),
    ]
    return story
