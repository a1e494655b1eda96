"""The objective analyses (valoracions) as the pages, the board pack and the export read them.

One read model for every place that shows the analyses (issue 17): the objective page
(:func:`objective_view`: the analysis in force, how many earlier versions, whether one is
required and the quarter is locked), the lever page and the board pack
(:func:`level_analyses`: the analyses of a level's objectives and the red or amber ones that
lack one) and the export's sheet (:func:`analyses_frame`). The rule of when an analysis is
required is :mod:`plan_model.analyses`; the stored rows are :mod:`indicators.storage.analyses`.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass, field

import pandas as pd
from sqlalchemy import Engine

from i18n import format_date, translator
from indicators.storage import analyses as stored
from indicators.storage import locks
from indicators.storage.analyses import AnalysisInfo
from plan_model.analyses import missing_analyses, needs_analysis, off_track_indicators
from plan_model.status_types import ObjectiveResult

# (key, English msgid of the header) of the export's analyses sheet
ANALYSIS_COLUMNS: list[tuple[str, str]] = [
    ("objective", "Objective"),
    ("period", "Period"),
    ("what_happened", "What happened"),
    ("next_steps", "What will be done"),
    ("due_by", "By when"),
    ("public", "Open data"),
    ("author", "Written by"),
    ("created_at", "Written at (UTC)"),
]


@dataclass(frozen=True)
class ObjectiveAnalysisView:
    """One objective's analysis of one quarter, as its page shows it."""

    objective: str
    period: str
    current: AnalysisInfo | None  # the analysis in force
    earlier: int  # how many earlier versions it superseded
    required: bool  # an indicator is red or amber in the quarter
    off_track: tuple[str, ...]  # those indicators' codes
    locked: bool  # the quarter is locked: no analysis can be written

    @property
    def missing(self) -> bool:
        """Required and not written."""
        return self.required and self.current is None


@dataclass(frozen=True)
class LevelAnalyses:
    """The analyses of a level's objectives (a lever, the plan) for one quarter."""

    period: str
    analyses: list[AnalysisInfo] = field(default_factory=list)  # in the plan's order
    missing: list[str] = field(default_factory=list)  # red or amber objectives without one
    off_track: list[str] = field(default_factory=list)  # every red or amber objective


def objective_view(engine: Engine, objective: ObjectiveResult) -> ObjectiveAnalysisView:
    """The analysis of ``objective`` (a status result) for its quarter."""
    history = stored.analysis_history(engine, objective.code, objective.period)
    return ObjectiveAnalysisView(
        objective=objective.code,
        period=objective.period,
        current=history[0] if history else None,
        earlier=max(len(history) - 1, 0),
        required=needs_analysis(objective),
        off_track=tuple(i.code for i in off_track_indicators(objective)),
        locked=locks.is_locked(engine, objective.period),
    )


def level_analyses(
    engine: Engine, objectives: Sequence[ObjectiveResult], period: str
) -> LevelAnalyses:
    """The analyses in force of ``objectives`` for ``period`` (one query), and which of the
    red or amber ones lack one."""
    codes = [o.code for o in objectives]
    found = {a.objective: a for a in stored.analyses_in_force(engine, period, objectives=codes)}
    return LevelAnalyses(
        period=period,
        analyses=[found[c] for c in codes if c in found],
        missing=missing_analyses(objectives, found),
        off_track=[o.code for o in objectives if needs_analysis(o)],
    )


def analyses_frame(
    engine: Engine, period: str | None = None, lang: str = "ca", *, public_only: bool = False
) -> pd.DataFrame:
    """The analyses in force (of ``period`` only, when given), one row each, with the
    headers of :data:`ANALYSIS_COLUMNS` in ``lang``."""
    t = translator(lang)
    rows = [
        {
            "objective": a.objective,
            "period": a.period,
            "what_happened": a.what_happened,
            "next_steps": a.next_steps,
            "due_by": a.due_by,
            "public": t("Yes") if a.public else t("No"),
            "author": a.author,
            "created_at": a.created_at.astimezone(dt.UTC).replace(tzinfo=None),
        }
        for a in stored.analyses_in_force(engine, period, public_only=public_only)
    ]
    frame = pd.DataFrame(rows, columns=[key for key, _ in ANALYSIS_COLUMNS])
    return frame.rename(columns={key: t(msgid) for key, msgid in ANALYSIS_COLUMNS})


def lever_note(
    found: LevelAnalyses, codes: Sequence[str], lang: str, *, listed: int = 8
) -> list[str]:
    """The board's line about a lever's red or amber objectives (``codes``: the lever's):
    which have their analysis and which lack one; nothing when none is red or amber."""
    t = translator(lang)
    mine = set(codes)
    written = [a.objective for a in found.analyses if a.objective in mine]
    written = [c for c in written if c in found.off_track]
    missing = [c for c in found.missing if c in mine]
    if not written and not missing:
        return []

    def names(items: list[str]) -> str:
        text = ", ".join(items[:listed])
        if len(items) > listed:
            text += " " + t("and {count} more").format(count=len(items) - listed)
        return text or "–"

    return [
        t(
            "Analyses of the objectives behind: {written}; without an analysis: {missing}",
            written=names(written),
            missing=names(missing),
        )
    ]


def analysis_line(analysis: AnalysisInfo, lang: str, limit: int) -> str:
    """An analysis in one line for the board's appendix: what happened, what will be done
    and by when, each text cut at ``limit`` characters."""
    t = translator(lang)

    def cut(text: str) -> str:
        return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"

    line = t("Analysis: {what}", what=cut(analysis.what_happened))
    if analysis.next_steps:
        line += " · " + t("What will be done") + ": " + cut(analysis.next_steps)
    if analysis.due_by:
        line += f" ({format_date(analysis.due_by, lang)})"
    return line
