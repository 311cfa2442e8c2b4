"""The result laid out as a Vietnamese administrative document (Decree 30/2020/NĐ-CP, Annex I).

Top left the superior body and, in bold under it, the issuing agency with a short rule, then the number and
symbol; top right the national motto with its rule and, in italics, the place and date; the title; the body
(justified, each paragraph's first line indented); bottom right the signer's title and name, bottom left the
recipients ("Nơi nhận:"); the verification QR code under them. A serif Unicode font, embedded (``dossiers.pdf``).
"""

from collections.abc import Sequence
from dataclasses import dataclass, field
from io import BytesIO
from itertools import combinations
from typing import Any

from reportlab.lib.enums import TA_CENTER, TA_JUSTIFY, TA_LEFT
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.pdfbase.pdfmetrics import stringWidth
from reportlab.platypus import (
    HRFlowable,
    KeepTogether,
    Paragraph,
    SimpleDocTemplate,
    Spacer,
    Table,
    TableStyle,
)

from dossiers import pdf

SERIF, SERIF_BOLD, SERIF_ITALIC = "DejaVuSerif", "DejaVuSerif-bold", "DejaVuSerif-italic"
SERIF_BOLD_ITALIC = "DejaVuSerif-boldItalic"

# Decree 30's margins: top and bottom 20-25 mm, left 30-35 mm, right 15-20 mm.
LEFT_MARGIN, RIGHT_MARGIN, TOP_MARGIN, BOTTOM_MARGIN = 30 * mm, 15 * mm, 20 * mm, 20 * mm
WIDTH = A4[0] - LEFT_MARGIN - RIGHT_MARGIN
HEADER_LEFT = 64 * mm  # the motto (11 pt, 95 mm) keeps to one line in the rest
HEADER_RIGHT = WIDTH - HEADER_LEFT
CELL_PADDING = 2 * mm

# DejaVu Serif is wider than Times New Roman: the sizes sit one step under the decree's 13-14 pt.
HEADER_SIZE = 11
BODY_SIZE = 12


def _style(name: str, **kwargs: Any) -> ParagraphStyle:
    defaults: dict[str, Any] = {"fontName": SERIF, "fontSize": BODY_SIZE, "leading": BODY_SIZE * 1.35}
    return ParagraphStyle(name, **{**defaults, **kwargs})


SUPERIOR = _style("superior", fontSize=HEADER_SIZE, leading=HEADER_SIZE * 1.3, alignment=TA_CENTER)
AGENCY = _style(
    "agency", fontName=SERIF_BOLD, fontSize=HEADER_SIZE, leading=HEADER_SIZE * 1.3, alignment=TA_CENTER
)
NUMBER = _style("number", fontSize=BODY_SIZE, alignment=TA_CENTER, spaceBefore=2 * mm)
MOTTO = _style(
    "motto", fontName=SERIF_BOLD, fontSize=HEADER_SIZE, leading=HEADER_SIZE * 1.3, alignment=TA_CENTER
)
MOTTO_LINE = _style("motto_line", fontName=SERIF_BOLD, alignment=TA_CENTER)
PLACE = _style("place", fontName=SERIF_ITALIC, alignment=TA_CENTER, spaceBefore=3 * mm)
TITLE = _style("title", fontName=SERIF_BOLD, fontSize=14, leading=19, alignment=TA_CENTER, spaceBefore=4 * mm)
SUBTITLE = _style("subtitle", fontName=SERIF_BOLD, alignment=TA_CENTER, spaceAfter=2 * mm)
BODY = _style("body", alignment=TA_JUSTIFY, firstLineIndent=10 * mm, spaceAfter=2 * mm)
LINES = _style("lines", alignment=TA_LEFT, spaceAfter=2 * mm)
SIGNER = _style("signer", fontName=SERIF_BOLD, alignment=TA_CENTER)
SIGNED = _style("signed", fontName=SERIF_ITALIC, alignment=TA_CENTER, textColor="#444444")
RECIPIENTS_HEAD = _style("recipients_head", fontName=SERIF_BOLD_ITALIC, fontSize=11, leading=14)
RECIPIENTS = _style("recipients", fontSize=10, leading=13)
CAPTION = _style("caption", fontSize=8, leading=10)
MOTTO_TEXT = ("CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", "Độc lập - Tự do - Hạnh phúc")


@dataclass
class OfficialDocument:
    agency: str
    title: str
    superior: str = ""
    number: str = ""  # "Số: 12/QĐ-UBND" without "Số: "
    place_and_date: str = ""
    subtitle: str = ""
    paragraphs: Sequence[str] = ()  # ReportLab markup, one paragraph each
    rows: Sequence[tuple[str, str]] = ()  # label / value pairs under the body (the generic result's)
    signer_title: str = ""
    signer_name: str = ""
    recipients: Sequence[str] = ()
    qr_url: str = ""
    qr_caption: str = ""
    subject: str = ""
    metadata: dict[str, str] = field(default_factory=dict)


def balanced_lines(text: str, font: str, size: float, width: float) -> list[str]:
    """``text`` broken into the fewest lines that fit ``width``, as even as they can be.

    A greedy break leaves one word alone on the last line ("SỞ XÂY DỰNG TỈNH HÒA BÌNH / XANH"); Decree 30's
    header sets the agency's name in balanced lines. Among the breaks with the fewest lines, the one whose widest
    line is narrowest wins (names are a dozen words: every break is tried)."""
    words = text.split()
    if not words:
        return []

    def measure(line: Sequence[str]) -> float:
        return stringWidth(" ".join(line), font, size)

    for count in range(1, min(len(words), 4) + 1):
        best: tuple[float, list[str]] | None = None
        for cuts in combinations(range(1, len(words)), count - 1):
            bounds = (0, *cuts, len(words))
            lines = [words[a:b] for a, b in zip(bounds, bounds[1:], strict=False)]
            widest = max(measure(line) for line in lines)
            if widest <= width and (best is None or widest < best[0]):
                best = (widest, [" ".join(line) for line in lines])
        if best is not None:
            return best[1]
    return [text]  # a word wider than the column: ReportLab wraps it as it can


def _centered_rule(text: str, font: str, size: float, share: float, column: float) -> HRFlowable:
    """A rule under a header line: a share of the text's width (Decree 30: a third to a half for the agency,
    the whole motto line for the motto), centred in its column."""
    rule = min(stringWidth(text, font, size) * share, column)
    return HRFlowable(width=rule, thickness=0.6, color="black", spaceBefore=1, spaceAfter=1, hAlign="CENTER")


def _header(doc: OfficialDocument) -> Table:
    inner_left = HEADER_LEFT - 2 * CELL_PADDING
    left: list[Any] = []
    if doc.superior:
        superior = balanced_lines(doc.superior.upper(), SERIF, HEADER_SIZE, inner_left)
        left.append(Paragraph("<br/>".join(pdf.text(line) for line in superior), SUPERIOR))
    agency = balanced_lines(doc.agency.upper(), SERIF_BOLD, HEADER_SIZE, inner_left)
    left.append(Paragraph("<br/>".join(pdf.text(line) for line in agency), AGENCY))
    widest = max(agency, key=lambda line: stringWidth(line, SERIF_BOLD, HEADER_SIZE))
    left.append(_centered_rule(widest, SERIF_BOLD, HEADER_SIZE, 0.4, inner_left))
    if doc.number:
        left.append(Paragraph(f"Số: {pdf.text(doc.number)}", NUMBER))
    right: list[Any] = [
        Paragraph(MOTTO_TEXT[0], MOTTO),
        Paragraph(MOTTO_TEXT[1], MOTTO_LINE),
        _centered_rule(MOTTO_TEXT[1], SERIF_BOLD, BODY_SIZE, 1.0, HEADER_RIGHT),
    ]
    if doc.place_and_date:
        right.append(Paragraph(pdf.text(doc.place_and_date), PLACE))
    return Table(
        [[left, right]],
        colWidths=[HEADER_LEFT, HEADER_RIGHT],
        style=TableStyle(
            [
                ("VALIGN", (0, 0), (-1, -1), "TOP"),
                ("ALIGN", (0, 0), (-1, -1), "CENTER"),  # the rules under the agency and the motto
                ("LEFTPADDING", (0, 0), (-1, -1), CELL_PADDING),
                ("RIGHTPADDING", (0, 0), (-1, -1), CELL_PADDING),
            ]
        ),
    )


def _footer(doc: OfficialDocument) -> Table:
    left: list[Any] = []
    if doc.recipients:
        left.append(Paragraph("Nơi nhận:", RECIPIENTS_HEAD))
        left += [Paragraph(pdf.text(line), RECIPIENTS) for line in doc.recipients]
    if doc.qr_url:
        left += [
            Spacer(1, 3 * mm),
            pdf.QrCode(doc.qr_url, 26 * mm),
            Paragraph(pdf.text(doc.qr_caption), CAPTION),
        ]
    right: list[Any] = [Paragraph(pdf.text(doc.signer_title.upper()), SIGNER)]
    right += [Spacer(1, 4 * mm), Paragraph("(Đã ký số)", SIGNED), Spacer(1, 10 * mm)]
    if doc.signer_name:
        right.append(Paragraph(pdf.text(doc.signer_name), SIGNER))
    return Table(
        [[left, right]],
        colWidths=[WIDTH * 0.5, WIDTH * 0.5],
        style=TableStyle([("VALIGN", (0, 0), (-1, -1), "TOP"), ("LEFTPADDING", (0, 0), (0, -1), 0)]),
    )


def render(doc: OfficialDocument) -> bytes:
    out = BytesIO()
    template = SimpleDocTemplate(
        out,
        pagesize=A4,
        leftMargin=LEFT_MARGIN,
        rightMargin=RIGHT_MARGIN,
        topMargin=TOP_MARGIN,
        bottomMargin=BOTTOM_MARGIN,
        title=doc.title,
        author=doc.agency,
        subject=doc.subject,
        creator="Public services portal",
    )
    story: list[Any] = [_header(doc), Spacer(1, 6 * mm), Paragraph(pdf.text(doc.title.upper()), TITLE)]
    if doc.subtitle:
        story.append(Paragraph(pdf.text(doc.subtitle), SUBTITLE))
    story.append(Spacer(1, 3 * mm))
    for paragraph in doc.paragraphs:
        # A list of lines (label: value, one a line) is set flush left; prose is justified and indented.
        story.append(Paragraph(paragraph, LINES if "<br/>" in paragraph else BODY))
    if doc.rows:
        story.append(
            Table(
                [
                    [Paragraph(pdf.text(label), LINES), Paragraph(pdf.text(value), LINES)]
                    for label, value in doc.rows
                ],
                colWidths=[55 * mm, WIDTH - 55 * mm],
                style=TableStyle(
                    [("VALIGN", (0, 0), (-1, -1), "TOP"), ("BOTTOMPADDING", (0, 0), (-1, -1), 1)]
                ),
            )
        )
    story += [Spacer(1, 6 * mm), KeepTogether([_footer(doc)])]
    template.build(story)
    return out.getvalue()
