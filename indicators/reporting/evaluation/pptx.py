"""The final evaluation as an editable PPTX: a title slide, the summary slide for the board
(the levers' lights and the figures; the objectives most behind and the completeness of
reporting), two per lever (its figures, the path of its axes and its axes; its objectives) and the milestones
in the appendix.

Written by the board pack's writer (:func:`indicators.reporting.pack.pptx.write_pptx`): the
evaluation is laid out as a :class:`~indicators.reporting.board_model.Board`, so the slides
share the pack's look, its table fitting and its charts. Every slide carries the
«provisional» mark (its footer, and the kicker above the title) while the plan is not closed.
"""

from __future__ import annotations

from i18n import translator
from indicators.reporting.board_model import Board, Slide
from indicators.reporting.evaluation.view import EvaluationView, LeverSection
from indicators.reporting.pack.pptx import write_pptx as write_board_pptx
from plan_model.periods import Period


def _title_slide(view: EvaluationView) -> Slide:
    return Slide(
        kind="title",
        kicker=view.mark.upper(),
        title=view.title,
        subtitle=view.evaluation.plan_name,
        metrics=view.metrics,
        notes=[view.mark_line],
    )


def _summary_slides(view: EvaluationView) -> list[Slide]:
    """The board's summary: the levers' lights and the figures, then the objectives most
    behind with the completeness of reporting."""
    t = translator(view.lang)
    kicker = f"{view.mark.upper()} · {t('Summary')}"
    return [
        Slide(
            kind="glance",
            kicker=kicker,
            title=view.title,
            subtitle=view.subtitle,
            metrics=view.metrics,
            table=view.levers.as_table(view.lang),
            notes=[view.method_note, view.mark_line],
        ),
        Slide(
            kind="risk",
            kicker=kicker,
            title=view.most_late.name,
            table=view.most_late.as_table(view.lang),
            notes=[view.deliveries_line, view.mark_line],
        ),
    ]


def _lever_slides(view: EvaluationView, section: LeverSection) -> list[Slide]:
    kicker = f"{view.mark.upper()} · {section.title.split('.')[0]}"
    return [
        Slide(
            kind="lever",
            kicker=kicker,
            title=section.title,
            subtitle=section.subtitle,
            metrics=section.metrics,
            table=section.axes.as_table(view.lang),
            chart=section.chart,
        ),
        Slide(
            kind="lever",
            kicker=kicker,
            title=section.objectives.name,
            table=section.objectives.as_table(view.lang),
        ),
    ]


def write_pptx(view: EvaluationView, images: dict[str, bytes]) -> bytes:
    """The PPTX bytes (``images``: the levers' path charts as PNG, by chart key)."""
    t = translator(view.lang)
    ev = view.evaluation
    board = Board(
        plan_name=ev.plan_name,
        organisation=ev.organisation,
        period=ev.final_period,
        period_label=str(Period.parse(ev.final_period)),
        since=None,
        lang=view.lang,
        date_text="",
        slides=[
            _title_slide(view),
            *_summary_slides(view),
            *[slide for s in view.sections for slide in _lever_slides(view, s)],
        ],
        appendix=view.milestones.as_table(view.lang),
        appendix_title=f"{view.mark.upper()} · {view.milestones.name}",
        footer=view.footer,
        continued=t("(cont.)"),
    )
    return write_board_pptx(board, images)
