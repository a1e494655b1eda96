"""The final evaluation of a plan («Avaluació final del pla», issue 18): model, view, writers.

:func:`load_evaluation` gathers what the evaluation needs (the dashboard's read model, the
plan's state, the latest analysis of each objective with its author's role, the evidence and
the milestone decisions in force) and builds the :class:`~.model.Evaluation`;
:func:`write_evaluation` writes it as Markdown, XLSX, PDF or PPTX in a language. The CLI
(``seguiment evaluation``), the download route and the ``/avaluacio`` page call these.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import Engine

from accounts.plan_states import plan_state
from accounts.users import list_users
from indicators.reporting import dashboard_data
from indicators.reporting.evaluation.model import (
    AnalysisNote,
    DecisionNote,
    Evaluation,
    EvidenceItem,
    Sources,
    build_evaluation,
)
from indicators.reporting.evaluation.view import EvaluationView, build_view
from indicators.storage.analyses import AnalysisInfo, analyses_in_force
from indicators.storage.decisions import decision_records
from indicators.storage.evidence import attachments
from plan_model.models import Plan, Thresholds

FORMATS = ("pdf", "pptx", "xlsx", "md")
MIMETYPES = {
    "pdf": "application/pdf",
    "pptx": "application/vnd.openxmlformats-officedocument.presentationml.presentation",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "md": "text/markdown; charset=utf-8",
}


def _latest_analyses(engine: Engine, plan: Plan) -> dict[str, AnalysisNote]:
    roles = {u.username: u.role for u in list_users(engine)}
    latest: dict[str, AnalysisInfo] = {}
    for a in analyses_in_force(engine, None, plan_id=plan.info.id):
        found = latest.get(a.objective)
        if found is None or (a.period, a.created_at) > (found.period, found.created_at):
            latest[a.objective] = a
    return {
        code: AnalysisNote(
            objective=a.objective,
            period=a.period,
            what_happened=a.what_happened,
            next_steps=a.next_steps,
            due_by=a.due_by,
            author_role=roles.get(a.author, ""),
            written_on=a.created_at.date(),
        )
        for code, a in latest.items()
    }


def gather_sources(engine: Engine, plan: Plan) -> Sources:
    """The plan's state, analyses, evidence and decisions, read from storage."""
    evidence = [
        EvidenceItem(e.indicator, e.period, e.service, e.kind, e.title, e.filename, e.url)
        for e in attachments(engine, plan_id=plan.info.id)
    ]
    decisions = [
        DecisionNote(
            d.decision.indicator,
            d.decision.stage,
            d.decision.effective,
            d.decision.decided_on,
            d.decision.body,
            d.decision.reason,
        )
        for d in decision_records(engine, plan_id=plan.info.id, include_revoked=False)
    ]
    return Sources(
        state=plan_state(engine, plan),
        analyses=_latest_analyses(engine, plan),
        evidence=evidence,
        decisions=decisions,
    )


def load_evaluation(
    engine: Engine,
    plan: Plan,
    *,
    deadline_days: int = 30,
    thresholds: Thresholds | None = None,
    today: dt.date | None = None,
) -> Evaluation:
    """The final evaluation of ``plan`` from the stored data (``thresholds``: the settings'
    override of the catalog's, as the pages use)."""
    data = dashboard_data.load(engine, plan, deadline_days=deadline_days, thresholds=thresholds)
    return build_evaluation(data, gather_sources(engine, plan), today=today)


@dataclass(frozen=True)
class Written:
    """One evaluation file: its name, bytes and media type."""

    filename: str
    content: bytes
    mimetype: str


def filename(evaluation: Evaluation, fmt: str) -> str:
    """``avaluacio-final-coss-2022-2025-provisional.pdf`` (``definitiva`` once closed)."""
    mark = "provisional" if evaluation.provisional else "definitiva"
    return f"avaluacio-final-{evaluation.plan_id}-{mark}.{fmt}"


def write_evaluation(
    evaluation: Evaluation,
    fmt: str,
    lang: str = "ca",
    *,
    browser: str | Path | None = None,
    progress: Callable[[str], None] | None = None,
) -> Written:
    """The evaluation as ``fmt`` (pdf, pptx, xlsx, md) in ``lang``. PDF and PPTX draw the
    levers' paths with the board pack's charts (``browser``: the Chromium to use)."""
    if fmt not in FORMATS:
        raise ValueError(f"unknown format {fmt!r}: use one of {', '.join(FORMATS)}")
    view = build_view(evaluation, lang)
    content = _render(view, fmt, browser=browser, progress=progress)
    return Written(filename(evaluation, fmt), content, MIMETYPES[fmt])


def _render(
    view: EvaluationView,
    fmt: str,
    *,
    browser: str | Path | None,
    progress: Callable[[str], None] | None,
) -> bytes:
    if fmt == "md":
        from indicators.reporting.evaluation.markdown import write_markdown

        return write_markdown(view).encode("utf-8")
    if fmt == "xlsx":
        from indicators.reporting.evaluation.xlsx import write_xlsx

        return write_xlsx(view)
    from indicators.reporting.pack.charts import render_charts

    images = render_charts([s.chart for s in view.sections], browser=browser, progress=progress)
    if fmt == "pdf":
        from indicators.reporting.evaluation.pdf import write_pdf

        return write_pdf(view, images)
    from indicators.reporting.evaluation.pptx import write_pptx

    return write_pptx(view, images)


__all__ = [
    "FORMATS",
    "MIMETYPES",
    "Evaluation",
    "EvaluationView",
    "Written",
    "build_view",
    "filename",
    "gather_sources",
    "load_evaluation",
    "write_evaluation",
]
