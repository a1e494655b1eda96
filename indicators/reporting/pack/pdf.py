"""The board pack as a PDF: one 16:9 landscape page per slide, then the appendix table.

Drawn with reportlab's platypus; text in DejaVu Sans (every Catalan character, and every icon
of ``plan_model.status_types.ICONS``: the same glyphs as the pages). Tables are real text, so
the PDF can be searched and read aloud.
"""

from __future__ import annotations

import io
from typing import Any
from xml.sax.saxutils import escape

from reportlab.lib import colors
from reportlab.lib.enums import TA_RIGHT
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import inch
from reportlab.platypus import (
    BaseDocTemplate,
    Flowable,
    Frame,
    Image,
    KeepTogether,
    LongTable,
    NextPageTemplate,
    PageBreak,
    PageTemplate,
    Paragraph,
    Spacer,
    Table,
    TableStyle,
)

from indicators.reporting.board_model import Board, Card, Cell, Metric, Slide, StatusBadge
from indicators.reporting.board_model import Table as BoardTable
from indicators.reporting.pack.fonts import fonts

PAGE = (13.333 * inch, 7.5 * inch)  # 16:9, as the projector
MARGIN = 0.45 * inch
NAVY = colors.HexColor("#0b2545")
LIGHT = colors.HexColor("#f3f5f8")
RULE = colors.HexColor("#c9d1dc")
SWATCH = "■"  # the status colour next to a badge's icon and label


def _styles() -> dict[str, ParagraphStyle]:
    regular, bold = fonts()
    return {
        "kicker": ParagraphStyle(
            "kicker", fontName=bold, fontSize=13, leading=16, textColor=NAVY, spaceAfter=2
        ),
        "title": ParagraphStyle(
            "title", fontName=bold, fontSize=26, leading=30, textColor=NAVY, spaceAfter=8
        ),
        "cover": ParagraphStyle(
            "cover", fontName=bold, fontSize=34, leading=40, textColor=colors.white, spaceAfter=16
        ),
        "cover_sub": ParagraphStyle(
            "cover_sub",
            fontName=regular,
            fontSize=18,
            leading=24,
            textColor=colors.white,
            spaceAfter=6,
        ),
        "subtitle": ParagraphStyle(
            "subtitle",
            fontName=regular,
            fontSize=14,
            leading=18,
            textColor=colors.black,
            spaceAfter=8,
        ),
        "body": ParagraphStyle("body", fontName=regular, fontSize=11, leading=14),
        "cell": ParagraphStyle("cell", fontName=regular, fontSize=10, leading=12.5),
        "cell_num": ParagraphStyle(
            "cell_num", fontName=regular, fontSize=10, leading=12.5, alignment=TA_RIGHT
        ),
        "head": ParagraphStyle(
            "head", fontName=bold, fontSize=9, leading=11.5, textColor=colors.white
        ),
        "metric_label": ParagraphStyle("metric_label", fontName=regular, fontSize=10, leading=12),
        "metric_value": ParagraphStyle(
            "metric_value", fontName=bold, fontSize=20, leading=24, textColor=NAVY
        ),
        "card_title": ParagraphStyle(
            "card_title", fontName=bold, fontSize=12, leading=14.5, textColor=NAVY
        ),
        "card_value": ParagraphStyle(
            "card_value", fontName=bold, fontSize=24, leading=28, textColor=NAVY
        ),
        "note": ParagraphStyle(
            "note", fontName=regular, fontSize=11, leading=14, textColor=colors.HexColor("#222222")
        ),
    }


def _p(text: str, style: ParagraphStyle) -> Paragraph:
    return Paragraph(escape(text).replace("\n", "<br/>"), style)


def _badge(status: StatusBadge, style: ParagraphStyle) -> Paragraph:
    return Paragraph(f'<font color="{status.colour}">{SWATCH}</font> {escape(status.text)}', style)


def _cell(cell: Cell, styles: dict[str, ParagraphStyle]) -> Paragraph:
    if cell.status is not None:
        return _badge(cell.status, styles["cell"])
    return _p(cell.text, styles["cell_num" if cell.number else "cell"])


def _table(table: BoardTable, width: float, styles: dict[str, ParagraphStyle]) -> list[Flowable]:
    if not table.rows:
        return [_p(table.empty_text, styles["note"])] if table.empty_text else []
    weights = table.widths or [1.0] * len(table.columns)
    total = sum(weights)
    col_widths = [width * w / total for w in weights]
    data: list[list[Any]] = [[_p(c, styles["head"]) for c in table.columns]]
    data += [[_cell(c, styles) for c in row] for row in table.rows]
    flow = LongTable(data, colWidths=col_widths, repeatRows=1)
    flow.setStyle(
        TableStyle(
            [
                ("BACKGROUND", (0, 0), (-1, 0), NAVY),
                ("VALIGN", (0, 0), (-1, -1), "TOP"),
                ("ROWBACKGROUNDS", (0, 1), (-1, -1), [colors.white, LIGHT]),
                ("LINEBELOW", (0, 1), (-1, -1), 0.6, RULE),
                ("TOPPADDING", (0, 0), (-1, -1), 3),
                ("BOTTOMPADDING", (0, 0), (-1, -1), 3),
            ]
        )
    )
    out: list[Flowable] = [flow]
    if table.more_text:
        out.append(_p(table.more_text, styles["note"]))
    return out


def _metrics(metrics: list[Metric], width: float, styles: dict[str, ParagraphStyle]) -> Table:
    cells = []
    for m in metrics:
        inner: list[Flowable] = [
            _p(m.label, styles["metric_label"]),
            _p(m.value, styles["metric_value"]),
        ]
        if m.status is not None:
            inner.append(_badge(m.status, styles["body"]))
        cells.append(inner)
    table = Table([cells], colWidths=[width / len(metrics)] * len(metrics))
    table.setStyle(
        TableStyle(
            [
                ("BOX", (0, 0), (-1, -1), 1.5, NAVY),
                ("INNERGRID", (0, 0), (-1, -1), 1.5, NAVY),
                ("BACKGROUND", (0, 0), (-1, -1), LIGHT),
                ("VALIGN", (0, 0), (-1, -1), "TOP"),
                ("LEFTPADDING", (0, 0), (-1, -1), 8),
                ("TOPPADDING", (0, 0), (-1, -1), 5),
                ("BOTTOMPADDING", (0, 0), (-1, -1), 6),
            ]
        )
    )
    return table


def _cards(cards: list[Card], width: float, styles: dict[str, ParagraphStyle]) -> Table:
    cells = []
    for c in cards:
        inner: list[Flowable] = [
            _p(c.title, styles["card_title"]),
            _p(c.subtitle, styles["cell"]),
            Spacer(1, 4),
            _p(c.value, styles["card_value"]),
            _badge(c.status, styles["body"]),
            Spacer(1, 4),
            *[_p(line, styles["cell"]) for line in c.lines],
        ]
        cells.append(inner)
    table = Table([cells], colWidths=[width / len(cards)] * len(cards))
    commands: list[tuple[Any, ...]] = [
        ("BOX", (0, 0), (-1, -1), 1.5, NAVY),
        ("INNERGRID", (0, 0), (-1, -1), 1.5, NAVY),
        ("VALIGN", (0, 0), (-1, -1), "TOP"),
        ("TOPPADDING", (0, 0), (-1, -1), 8),
    ]
    for i, c in enumerate(cards):
        commands.append(("LINEABOVE", (i, 0), (i, 0), 8, colors.HexColor(c.status.colour)))
    table.setStyle(TableStyle(commands))
    return table


def _image(png: bytes, max_width: float, max_height: float) -> Image:
    img = Image(io.BytesIO(png))
    ratio = min(max_width / img.imageWidth, max_height / img.imageHeight)
    img.drawWidth = img.imageWidth * ratio
    img.drawHeight = img.imageHeight * ratio
    return img


def _slide(
    slide: Slide,
    images: dict[str, bytes],
    width: float,
    height: float,
    styles: dict[str, ParagraphStyle],
) -> list[Flowable]:
    if slide.kind == "title":
        out: list[Flowable] = [
            Spacer(1, 0.9 * inch),
            _p(slide.kicker, styles["cover_sub"]),
            _p(slide.title, styles["cover"]),
            _p(slide.subtitle, styles["cover_sub"]),
            Spacer(1, 18),
        ]
        if slide.metrics:
            out.append(_metrics(slide.metrics, width, styles))
        out += [_p(n, styles["cover_sub"]) for n in slide.notes]
        return out
    out = []
    if slide.kicker:
        out.append(_p(slide.kicker, styles["kicker"]))
    out.append(_p(slide.title, styles["title"]))
    if slide.subtitle:
        out.append(_p(slide.subtitle, styles["subtitle"]))
    if slide.metrics:
        out += [_metrics(slide.metrics, width, styles), Spacer(1, 10)]
    if slide.cards:
        out += [_cards(slide.cards, width, styles), Spacer(1, 8)]
    used = 150 + (70 if slide.metrics else 0)
    chart_png = images.get(slide.chart.key) if slide.chart else None
    if slide.table is not None and chart_png is not None:
        left = _table(slide.table, width * 0.46 - 8, styles)
        right = _image(chart_png, width * 0.54 - 8, height - used)
        grid = Table([[left, right]], colWidths=[width * 0.46, width * 0.54])
        grid.setStyle(
            TableStyle([("VALIGN", (0, 0), (-1, -1), "TOP"), ("LEFTPADDING", (0, 0), (-1, -1), 0)])
        )
        out.append(grid)
    else:
        if chart_png is not None:
            out.append(_image(chart_png, width, height - used))
        if slide.table is not None:
            out += _table(slide.table, width, styles)
    out += [_p(n, styles["note"]) for n in slide.notes]
    return out


def write_pdf(board: Board, images: dict[str, bytes]) -> bytes:
    """The PDF bytes of the pack: the slides, then the appendix."""
    regular, _bold = fonts()
    styles = _styles()
    buffer = io.BytesIO()
    width = PAGE[0] - 2 * MARGIN
    height = PAGE[1] - 2 * MARGIN - 0.35 * inch

    def footer(canvas: Any, doc: Any) -> None:
        canvas.saveState()
        canvas.setFillColor(NAVY)
        canvas.rect(0, 0, PAGE[0], 0.38 * inch, stroke=0, fill=1)
        canvas.setFillColor(colors.white)
        canvas.setFont(regular, 9)
        canvas.drawString(MARGIN, 0.14 * inch, board.footer)
        canvas.drawRightString(PAGE[0] - MARGIN, 0.14 * inch, str(doc.page))
        canvas.restoreState()

    def cover(canvas: Any, doc: Any) -> None:
        canvas.saveState()
        canvas.setFillColor(NAVY)
        canvas.rect(0, 0, PAGE[0], PAGE[1], stroke=0, fill=1)
        canvas.restoreState()
        footer(canvas, doc)

    frame = Frame(
        MARGIN,
        0.5 * inch,
        width,
        PAGE[1] - MARGIN - 0.5 * inch,
        id="body",
        leftPadding=0,
        rightPadding=0,
        topPadding=0,
        bottomPadding=0,
    )
    doc = BaseDocTemplate(
        buffer,
        pagesize=PAGE,
        title=f"{board.plan_name} · {board.period}",
        author=board.organisation,
        subject=board.period_label,
        lang=board.lang,
        pageTemplates=[
            PageTemplate(id="cover", frames=[frame], onPage=cover),
            PageTemplate(id="page", frames=[frame], onPage=footer),
        ],
    )
    story: list[Flowable] = []
    for i, slide in enumerate(board.slides):
        if i == 0 and slide.kind == "title":
            story.append(NextPageTemplate("page"))
        flowables = _slide(slide, images, width, height, styles)
        if slide.kind != "title" and slide.table is None:
            story.append(KeepTogether(flowables))
        else:
            story += flowables  # a long table may go on over more pages
        story.append(PageBreak())
    story.append(_p(board.appendix_title, styles["title"]))
    story += _table(board.appendix, width, styles)
    doc.build(story)
    return buffer.getvalue()
