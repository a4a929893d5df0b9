"""PDF letters and decisions with ReportLab: DIN 5008 form B on the first page, so the same PDF is the
electronic document and, printed, the letter for a window envelope.

Why ReportLab and not WeasyPrint: measured here for the same two-page decision, WeasyPrint 70 needed about
170 ms per document (PDF/A-2b), ReportLab 5.1 platypus about 14 ms, and the target is ≥ 20 sealed decisions
per second per core (see benchmarks/documents.py). The layout is code, but the *text* is data: versioned
templates (`templating`), so authorities never touch this file.

Layout (millimetres from the top-left corner of A4, DIN 5008 form B):
    letterhead 0–45, address field x 20–105 / y 45–90 (return line + notes 45–62.7, address 62.7–90),
    information block x 125–165 from y 50, QR code x 168–190 / y 50–72, text from y 100 with margins
    25 (left) and 20 (right), fold marks at 105 and 210, hole mark at 148.5.

The font is Fira Sans (SIL OFL 1.1, from the PyPI package fontpkg-fira-sans), embedded as a subset; it has
umlauts, ß, the capital ẞ, „“, – and €. Output is PDF 1.4 with embedded fonts, tagged with /Lang de-DE; it is
*not* PDF/A (ReportLab cannot write PDF/A).
"""

from __future__ import annotations

import io
from dataclasses import dataclass, field
from functools import lru_cache

import segno
from reportlab import rl_config
from reportlab.lib import colors
from reportlab.lib.enums import TA_LEFT, TA_RIGHT
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.pdfgen import canvas as rl_canvas
from reportlab.platypus import (
    BaseDocTemplate,
    Frame,
    KeepTogether,
    NextPageTemplate,
    PageTemplate,
    Paragraph,
    Spacer,
    Table,
    TableStyle,
)

from amtsweg.documents.templating import FilledBlock, _escape

# Binary (Flate) streams instead of ASCII85 on top: smaller files and no pure-Python encoding pass per page.
rl_config.useA85 = 0

PAGE_W, PAGE_H = A4
LEFT, RIGHT = 25 * mm, 20 * mm
TEXT_W = PAGE_W - LEFT - RIGHT
FONT = "FiraSans"
INK = colors.HexColor("#1b1b1b")
GREY = colors.HexColor("#555555")
RULE = colors.HexColor("#9a9a9a")


@lru_cache(maxsize=1)
def register_fonts() -> str:
    """Register Fira Sans with ReportLab once per process; returns the family name."""
    from fontpkg_fira_sans import ROOT

    files = ROOT / "files"
    for name, filename in (
        (FONT, "FiraSans-Regular.ttf"),
        (f"{FONT}-Bold", "FiraSans-Bold.ttf"),
        (f"{FONT}-Italic", "FiraSans-Italic.ttf"),
        (f"{FONT}-BoldItalic", "FiraSans-BoldItalic.ttf"),
    ):
        pdfmetrics.registerFont(TTFont(name, str(files / filename)))
    pdfmetrics.registerFontFamily(
        FONT, normal=FONT, bold=f"{FONT}-Bold", italic=f"{FONT}-Italic", boldItalic=f"{FONT}-BoldItalic"
    )
    return FONT


@lru_cache(maxsize=1)
def styles() -> dict[str, ParagraphStyle]:
    register_fonts()
    base = ParagraphStyle(
        "body", fontName=FONT, bulletFontName=FONT, fontSize=10, leading=13.6, textColor=INK, spaceAfter=6
    )
    return {
        "body": base,
        "title": ParagraphStyle(
            "title", parent=base, fontName=f"{FONT}-Bold", fontSize=11.5, leading=15, spaceAfter=10
        ),
        "h": ParagraphStyle(
            "h", parent=base, fontName=f"{FONT}-Bold", fontSize=10.5, spaceBefore=6, spaceAfter=4
        ),
        "li": ParagraphStyle("li", parent=base, leftIndent=5 * mm, bulletIndent=1 * mm, spaceAfter=3),
        "small": ParagraphStyle("small", parent=base, fontSize=8.5, leading=11, textColor=GREY),
        "cell": ParagraphStyle("cell", parent=base, spaceAfter=0),
        "cell_r": ParagraphStyle("cell_r", parent=base, spaceAfter=0, alignment=TA_RIGHT),
        "cell_b": ParagraphStyle("cell_b", parent=base, spaceAfter=0, fontName=f"{FONT}-Bold"),
        "cell_br": ParagraphStyle(
            "cell_br", parent=base, spaceAfter=0, fontName=f"{FONT}-Bold", alignment=TA_RIGHT
        ),
        "remedy_h": ParagraphStyle(
            "remedy_h", parent=base, fontName=f"{FONT}-Bold", spaceBefore=10, spaceAfter=4
        ),
        "remedy": ParagraphStyle("remedy", parent=base, fontSize=9.5, leading=12.8, alignment=TA_LEFT),
    }


def euro(cents: int) -> str:
    """1280 -> '12,80 €' (German grouping with a dot, non-breaking space before the sign)."""
    sign = "-" if cents < 0 else ""
    whole, rest = divmod(abs(int(cents)), 100)
    return f"{sign}{whole:,}".replace(",", ".") + f",{rest:02d}\u00a0€"


@dataclass(frozen=True)
class Fee:
    label: str
    amount_cents: int


@dataclass
class LetterContent:
    """Everything drawn on a letter; all text already filled and checked."""

    authority_name: str
    authority_lines: list[str]  # address and contact, shown under the name
    return_line: str  # Rücksendeangabe in the address field
    recipient_lines: list[str]  # up to 6 lines
    info: list[tuple[str, str]]  # information block (label, value)
    title: str  # Betreff (escaped markup)
    blocks: list[FilledBlock]
    fees: list[Fee] = field(default_factory=list)
    closing_lines: list[str] = field(default_factory=list)  # escaped markup
    remedy_blocks: list[FilledBlock] = field(default_factory=list)
    verification_code: str = ""  # formatted XXXX-XXXX-XXXX
    verify_url: str = ""
    header_line: str = ""  # running header on later pages
    notes: list[str] = field(default_factory=list)  # Vermerkzone (e.g. "Einschreiben"), escaped
    pdf_title: str = ""
    pdf_subject: str = ""
    pdf_keywords: str = ""


class _NumberedCanvas(rl_canvas.Canvas):
    """Draws "Seite x von y" after the last page is known (states are kept per page, replayed on save)."""

    def __init__(self, *args, content: LetterContent, **kwargs):
        super().__init__(*args, **kwargs)
        self._content = content
        self._pages: list[dict] = []

    def showPage(self):
        self._pages.append(dict(self.__dict__))
        self._startPage()

    def save(self):
        total = len(self._pages)
        for state in self._pages:
            self.__dict__.update(state)
            _draw_footer(self, self._pageNumber, total, self._content)
            super().showPage()
        super().save()


def _draw_footer(c, number: int, total: int, content: LetterContent) -> None:
    c.saveState()
    c.setStrokeColor(RULE)
    c.setLineWidth(0.4)
    c.line(LEFT, 16 * mm, PAGE_W - RIGHT, 16 * mm)
    c.setFillColor(GREY)
    c.setFont(FONT, 7.5)
    if content.verification_code:
        c.drawString(
            LEFT,
            12 * mm,
            f"Prüfcode {content.verification_code} · Echtheit prüfen: {content.verify_url}",
        )
    c.drawRightString(PAGE_W - RIGHT, 12 * mm, f"Seite {number} von {total}")
    c.restoreState()


def _draw_qr(c, url: str, x: float, y_top: float, size: float) -> None:
    # A fixed mask (any of the eight is valid, ISO/IEC 18004) skips segno's mask scoring, which costs ~20 ms.
    qr = segno.make(url, error="m", micro=False, mask=0)
    matrix = qr.matrix
    modules = len(matrix)
    module = size / modules
    c.saveState()
    c.setFillColor(colors.black)
    path = c.beginPath()
    for row_index, row in enumerate(matrix):
        y = y_top - (row_index + 1) * module
        start = None
        for col_index in range(modules + 1):
            dark = col_index < modules and row[col_index]
            if dark and start is None:
                start = col_index
            elif not dark and start is not None:
                path.rect(x + start * module, y, (col_index - start) * module, module)
                start = None
    c.drawPath(path, stroke=0, fill=1)
    c.restoreState()


def _first_page(c, doc) -> None:
    content: LetterContent = doc.content
    c.saveState()
    # Letterhead
    c.setFillColor(INK)
    c.setFont(f"{FONT}-Bold", 13)
    c.drawString(LEFT, PAGE_H - 18 * mm, content.authority_name[:80])
    c.setFont(FONT, 8)
    c.setFillColor(GREY)
    for index, line in enumerate(content.authority_lines[:3]):
        c.drawString(LEFT, PAGE_H - (23 + 3.6 * index) * mm, line[:140])
    c.setFont(FONT, 8)
    c.drawRightString(PAGE_W - RIGHT, PAGE_H - 18 * mm, "Freistaat Sachsen")
    # Address field (form B): return line, notes, then the address
    c.setFont(FONT, 7)
    c.drawString(25 * mm, PAGE_H - 50 * mm, content.return_line[:95])
    c.setStrokeColor(RULE)
    c.setLineWidth(0.3)
    c.line(25 * mm, PAGE_H - 51 * mm, 100 * mm, PAGE_H - 51 * mm)
    c.setFillColor(INK)
    c.setFont(FONT, 8.5)
    for index, note in enumerate(content.notes[:3]):
        c.drawString(25 * mm, PAGE_H - (55 + 3.6 * index) * mm, note[:60])
    c.setFont(FONT, 10)
    for index, line in enumerate(content.recipient_lines[:6]):
        c.drawString(25 * mm, PAGE_H - (67 + 4.2 * index) * mm, line[:48])
    # Information block
    y = 50 * mm
    for label, value in content.info:
        c.setFont(FONT, 7)
        c.setFillColor(GREY)
        c.drawString(125 * mm, PAGE_H - y, label)
        c.setFont(FONT, 9)
        c.setFillColor(INK)
        c.drawString(125 * mm, PAGE_H - y - 3.6 * mm, value[:30])
        y += 8.2 * mm
    if content.verify_url:
        _draw_qr(c, content.verify_url, 168 * mm, PAGE_H - 47 * mm, 22 * mm)
        c.setFont(FONT, 6.5)
        c.setFillColor(GREY)
        c.drawCentredString(179 * mm, PAGE_H - 72 * mm, "Echtheit prüfen")
    # Fold marks (105 mm, 210 mm) and hole mark (148.5 mm)
    c.setStrokeColor(RULE)
    c.setLineWidth(0.3)
    for y_mark, length in ((105, 5), (148.5, 7), (210, 5)):
        c.line(3 * mm, PAGE_H - y_mark * mm, (3 + length) * mm, PAGE_H - y_mark * mm)
    c.restoreState()


def _later_page(c, doc) -> None:
    content: LetterContent = doc.content
    c.saveState()
    c.setFont(FONT, 8)
    c.setFillColor(GREY)
    c.drawString(LEFT, PAGE_H - 14 * mm, content.authority_name[:80])
    c.drawRightString(PAGE_W - RIGHT, PAGE_H - 14 * mm, content.header_line[:90])
    c.setStrokeColor(RULE)
    c.setLineWidth(0.4)
    c.line(LEFT, PAGE_H - 16 * mm, PAGE_W - RIGHT, PAGE_H - 16 * mm)
    c.restoreState()


def _block(block: FilledBlock, style_set: dict, *, remedy: bool = False):
    if block.kind == "h":
        return Paragraph(block.markup, style_set["h"])
    if block.kind == "li":
        return Paragraph(block.markup, style_set["li"], bulletText="–")
    return Paragraph(block.markup, style_set["remedy" if remedy else "body"])


def _fee_table(fees: list[Fee], style_set: dict) -> Table:
    rows = [
        [Paragraph("Gebühren und Auslagen", style_set["cell_b"]), Paragraph("Betrag", style_set["cell_br"])]
    ]
    for fee in fees:
        rows.append(
            [
                Paragraph(_escape(fee.label), style_set["cell"]),
                Paragraph(euro(fee.amount_cents), style_set["cell_r"]),
            ]
        )
    rows.append(
        [
            Paragraph("Summe", style_set["cell_b"]),
            Paragraph(euro(sum(f.amount_cents for f in fees)), style_set["cell_br"]),
        ]
    )
    table = Table(rows, colWidths=[TEXT_W - 40 * mm, 40 * mm], hAlign="LEFT")
    table.setStyle(
        TableStyle(
            [
                ("FONTNAME", (0, 0), (-1, -1), FONT),
                ("LINEBELOW", (0, 0), (-1, 0), 0.6, INK),
                ("LINEABOVE", (0, -1), (-1, -1), 0.6, INK),
                ("VALIGN", (0, 0), (-1, -1), "TOP"),
                ("TOPPADDING", (0, 0), (-1, -1), 2.5),
                ("BOTTOMPADDING", (0, 0), (-1, -1), 2.5),
                ("LEFTPADDING", (0, 0), (-1, -1), 0),
            ]
        )
    )
    return table


def render_letter(content: LetterContent) -> tuple[bytes, int]:
    """The PDF bytes and the number of pages."""
    style_set = styles()
    buffer = io.BytesIO()
    doc = BaseDocTemplate(
        buffer,
        pagesize=A4,
        leftMargin=LEFT,
        rightMargin=RIGHT,
        topMargin=25 * mm,
        bottomMargin=22 * mm,
        title=content.pdf_title,
        author=content.authority_name,
        subject=content.pdf_subject,
        keywords=content.pdf_keywords,
        creator="amtsweg",
        producer="amtsweg (ReportLab)",
        lang="de-DE",
        displayDocTitle=True,
        initialFontName=FONT,  # otherwise ReportLab puts an unembedded Helvetica into every page
        initialFontSize=10,
    )
    doc.content = content
    first = Frame(
        LEFT, 22 * mm, TEXT_W, PAGE_H - 100 * mm - 22 * mm, id="first", leftPadding=0, rightPadding=0
    )
    later = Frame(
        LEFT, 22 * mm, TEXT_W, PAGE_H - 25 * mm - 22 * mm, id="later", leftPadding=0, rightPadding=0
    )
    doc.addPageTemplates(
        [
            PageTemplate(id="first", frames=[first], onPage=_first_page),
            PageTemplate(id="later", frames=[later], onPage=_later_page),
        ]
    )
    story: list = [NextPageTemplate("later"), Paragraph(content.title, style_set["title"])]
    story.extend(_block(block, style_set) for block in content.blocks)
    if content.fees:
        story.extend([Spacer(1, 2 * mm), _fee_table(content.fees, style_set), Spacer(1, 4 * mm)])
    if content.closing_lines:
        story.append(
            KeepTogether(
                [Spacer(1, 3 * mm), *(Paragraph(line, style_set["body"]) for line in content.closing_lines)]
            )
        )
    if content.remedy_blocks:
        head = Paragraph("Rechtsbehelfsbelehrung", style_set["remedy_h"])
        rest = [_block(block, style_set, remedy=True) for block in content.remedy_blocks]
        story.append(KeepTogether([head, rest[0]]))
        story.extend(rest[1:])
    doc.build(
        story,
        canvasmaker=lambda *a, **k: _NumberedCanvas(*a, content=content, **k),
    )
    return buffer.getvalue(), doc.page
