"""The final evaluation as an A4 PDF: the one-page summary for the board first, then lever by
lever (its figures, the path of its axes over the whole period, its axes and objectives, its
indicators against their targets), then the milestones, the analyses, the evidence and the
completeness of reporting.

Drawn with reportlab through the board pack's helpers (:mod:`indicators.reporting.pack.pdf`:
styles in DejaVu Sans, tables of real text, badges with icon and label). Every page carries
the «provisional» mark in its header band while the plan is not closed («definitiva» then).
"""

from __future__ import annotations

import io
from typing import Any

from reportlab.lib import colors
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import cm
from reportlab.platypus import (
    BaseDocTemplate,
    CondPageBreak,
    Flowable,
    Frame,
    PageBreak,
    PageTemplate,
    Spacer,
)

from indicators.reporting.evaluation.common import Grid
from indicators.reporting.evaluation.view import EvaluationView, LeverSection
from indicators.reporting.pack.fonts import fonts
from indicators.reporting.pack.pdf import NAVY, _image, _metrics, _p, _styles, _table

MARGIN = 1.5 * cm
BAND = 1.0 * cm  # the header band with the mark
FOOT = 0.8 * cm
PROVISIONAL_COLOUR = colors.HexColor("#B00020")  # white text on it: 6.9:1
WIDTH = A4[0] - 2 * MARGIN
HEIGHT = A4[1] - 2 * MARGIN - BAND - FOOT
CHART_HEIGHT = 7.5 * cm


def _a4_styles() -> dict[str, ParagraphStyle]:
    """The pack's styles, sized for a page of A4 rather than a projector."""
    styles = _styles()
    sizes = {
        "title": (18, 22),
        "kicker": (10, 13),
        "subtitle": (10.5, 13.5),
        "body": (9.5, 12),
        "cell": (7.5, 9.5),
        "cell_num": (7.5, 9.5),
        "head": (7.5, 9.5),
        "metric_label": (8, 10),
        "metric_value": (12, 15),
        "note": (8.5, 11),
    }
    for name, (size, leading) in sizes.items():
        styles[name].fontSize = size
        styles[name].leading = leading
    styles["mark"] = ParagraphStyle(
        "mark", parent=styles["body"], textColor=PROVISIONAL_COLOUR, fontName=fonts()[1]
    )
    return styles


def _grid(grid: Grid, view: EvaluationView, styles: dict[str, ParagraphStyle]) -> list[Flowable]:
    heading = _p(f"{grid.name} · {view.mark}", styles["kicker"])
    table = _table(grid.as_table(view.lang), WIDTH, styles)
    return [CondPageBreak(3 * cm), heading, Spacer(1, 3), *table, Spacer(1, 10)]


def _summary(view: EvaluationView, styles: dict[str, ParagraphStyle]) -> list[Flowable]:
    story: list[Flowable] = [
        _p(view.title, styles["title"]),
        _p(view.evaluation.plan_name, styles["subtitle"]),
        _p(view.subtitle, styles["subtitle"]),
        _p(view.mark_line, styles["mark"] if view.evaluation.provisional else styles["body"]),
        Spacer(1, 8),
        _metrics(view.metrics, WIDTH, styles),
        Spacer(1, 6),
        _p(view.method_note, styles["note"]),
        _p(view.deliveries_line, styles["note"]),
        Spacer(1, 8),
    ]
    for grid in (view.distribution, view.levers, view.most_late):
        story += _grid(grid, view, styles)
    return story


def _section(
    section: LeverSection,
    view: EvaluationView,
    images: dict[str, bytes],
    styles: dict[str, ParagraphStyle],
) -> list[Flowable]:
    story: list[Flowable] = [
        _p(section.title, styles["title"]),
        _p(section.subtitle, styles["subtitle"]),
        _metrics(section.metrics, WIDTH, styles),
        Spacer(1, 6),
    ]
    png = images.get(section.chart.key)
    if png is not None:
        story += [_image(png, WIDTH, CHART_HEIGHT), _p(section.chart.summary, styles["note"])]
    story += [Spacer(1, 8), *_grid(section.levels, view, styles)]
    return [*story, CondPageBreak(4 * cm), *_grid(section.indicators, view, styles)]


def _fit(text: str, font: str, size: float, width: float) -> str:
    """``text`` cut (with «…») to fit ``width`` points."""
    from reportlab.pdfbase.pdfmetrics import stringWidth

    while text and stringWidth(text, font, size) > width:
        text = text[:-2].rstrip() + "…"
    return text


def _page(view: EvaluationView, regular: str, bold: str) -> Any:
    provisional = view.evaluation.provisional

    def draw(canvas: Any, doc: Any) -> None:
        canvas.saveState()
        top = A4[1] - MARGIN
        canvas.setFillColor(PROVISIONAL_COLOUR if provisional else NAVY)
        canvas.rect(MARGIN, top - BAND + 0.2 * cm, WIDTH, BAND - 0.2 * cm, stroke=0, fill=1)
        canvas.setFillColor(colors.white)
        canvas.setFont(bold, 10)
        canvas.drawString(MARGIN + 0.3 * cm, top - BAND + 0.5 * cm, view.mark.upper())
        canvas.setFont(regular, 8.5)
        canvas.drawRightString(
            MARGIN + WIDTH - 0.3 * cm,
            top - BAND + 0.5 * cm,
            f"{view.title} · {view.evaluation.plan_id}",
        )
        canvas.setFillColor(colors.HexColor("#333333"))
        canvas.setFont(regular, 7.5)
        canvas.drawString(
            MARGIN, MARGIN - 0.2 * cm, _fit(view.footer, regular, 7.5, WIDTH - 1 * cm)
        )
        canvas.drawRightString(MARGIN + WIDTH, MARGIN - 0.2 * cm, str(doc.page))
        canvas.restoreState()

    return draw


def write_pdf(view: EvaluationView, images: dict[str, bytes]) -> bytes:
    """The PDF bytes: summary page, levers, then milestones, analyses, evidence, completeness."""
    regular, bold = fonts()
    styles = _a4_styles()
    buffer = io.BytesIO()
    frame = Frame(
        MARGIN,
        MARGIN + FOOT,
        WIDTH,
        HEIGHT,
        id="body",
        leftPadding=0,
        rightPadding=0,
        topPadding=0,
        bottomPadding=0,
    )
    doc = BaseDocTemplate(
        buffer,
        pagesize=A4,
        title=f"{view.title} · {view.evaluation.plan_name} · {view.mark}",
        author=view.evaluation.organisation,
        subject=view.mark_line,
        lang=view.lang,
        pageTemplates=[PageTemplate(id="page", frames=[frame], onPage=_page(view, regular, bold))],
    )
    story = _summary(view, styles)
    for section in view.sections:
        story += [PageBreak(), *_section(section, view, images, styles)]
    story.append(PageBreak())
    for grid in (view.milestones, view.analyses, view.evidence, view.completeness):
        story += _grid(grid, view, styles)
    doc.build(story)
    return buffer.getvalue()
