"""Objective analyses as stored (valoracions): the ``objective_analyses`` table, read and written.

An analysis says, for one objective and one quarter, what happened, what will be done and by
when; its responsible person writes it (issue 17). Rows are only ever added: writing again
for the same objective and quarter adds a row that supersedes the earlier one, which stays in
the history (:func:`analysis_history`); the latest row is the one in force
(:func:`analyses_in_force`). The texts are bounded (:data:`TEXT_LIMIT` characters each) and
NUL characters are removed, so SQLite and PostgreSQL keep exactly the same text. A locked
quarter never moves: :func:`add_analysis` refuses one, through the one lock rule
(:func:`indicators.storage.locks.refused_periods`). Who may write is checked by
:mod:`accounts.analyses`, which calls :func:`add_analysis` inside its transaction.

The readers take an ``Engine`` (a short session of their own) or a ``Session``.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Collection
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Engine, Select, func, select
from sqlalchemy.orm import Session

from indicators.storage import locks
from indicators.storage.engine import reading
from indicators.storage.queries import as_utc
from indicators.storage.schema import DEFAULT_PLAN_ID, ObjectiveAnalysis
from plan_model.periods import Period

TEXT_LIMIT = 4000  # characters per text field
AUTHOR_LENGTH = 64  # the author column
OBJECTIVE_LENGTH = 16  # the objective column
# why a write is refused (AnalysisRefused.code)
REFUSED_LOCKED = "locked"
REFUSED_EMPTY = "empty"
REFUSED_TOO_LONG = "too_long"
REFUSED_PERIOD = "bad_period"
REFUSED_OBJECTIVE = "bad_objective"


class AnalysisRefused(ValueError):
    """An analysis that cannot be stored; ``code`` says why (``REFUSED_*``)."""

    def __init__(self, code: str, **params: object) -> None:
        self.code = code
        self.params = params
        super().__init__(f"{code}: {params}" if params else code)


@dataclass(frozen=True)
class AnalysisInfo:
    """One stored analysis of an objective for a quarter."""

    id: int
    plan_id: str
    objective: str
    period: str
    what_happened: str
    next_steps: str
    due_by: dt.date | None
    public: bool
    author: str
    created_at: dt.datetime

    def to_json(self) -> dict[str, object]:
        """The analysis as a JSON object (the command line, the export)."""
        return {
            "id": self.id,
            "plan_id": self.plan_id,
            "objective": self.objective,
            "period": self.period,
            "what_happened": self.what_happened,
            "next_steps": self.next_steps,
            "due_by": self.due_by.isoformat() if self.due_by else None,
            "public": self.public,
            "author": self.author,
            "created_at": self.created_at.isoformat(),
        }


def clean_text(text: str | None) -> str:
    """``text`` as stored: NUL characters removed (PostgreSQL refuses them, SQLite keeps
    them), surrounding blanks stripped; None is empty."""
    return (text or "").replace("\x00", "").strip()


def _info(row: ObjectiveAnalysis) -> AnalysisInfo:
    return AnalysisInfo(
        id=row.id,
        plan_id=row.plan_id,
        objective=row.objective,
        period=row.period,
        what_happened=row.what_happened,
        next_steps=row.next_steps,
        due_by=row.due_by,
        public=bool(row.public),
        author=row.author,
        created_at=as_utc(row.created_at),
    )


def _latest_ids(plan_id: str) -> Select[Any]:
    """The id of the latest row of each objective and quarter: the analyses in force."""
    return (
        select(func.max(ObjectiveAnalysis.id))
        .where(ObjectiveAnalysis.plan_id == plan_id)
        .group_by(ObjectiveAnalysis.objective, ObjectiveAnalysis.period)
    )


def analyses_in_force(
    db: Engine | Session,
    period: str | None = None,
    *,
    plan_id: str = DEFAULT_PLAN_ID,
    objectives: Collection[str] | None = None,
    public_only: bool = False,
) -> list[AnalysisInfo]:
    """The analyses in force (the latest of each objective and quarter), by quarter and
    objective: of ``period`` only and of ``objectives`` only when given; ``public_only``
    keeps those marked public (the open data)."""
    stmt = select(ObjectiveAnalysis).where(ObjectiveAnalysis.id.in_(_latest_ids(plan_id)))
    if period is not None:
        stmt = stmt.where(ObjectiveAnalysis.period == period)
    if objectives is not None:
        stmt = stmt.where(ObjectiveAnalysis.objective.in_(sorted(set(objectives))))
    if public_only:
        stmt = stmt.where(ObjectiveAnalysis.public.is_(True))
    stmt = stmt.order_by(ObjectiveAnalysis.period, ObjectiveAnalysis.objective)
    with reading(db) as session:
        return [_info(row) for row in session.scalars(stmt)]


def analysis_in_force(
    db: Engine | Session, objective: str, period: str, *, plan_id: str = DEFAULT_PLAN_ID
) -> AnalysisInfo | None:
    """The analysis in force of ``objective`` for ``period``, or None."""
    found = analyses_in_force(db, period, plan_id=plan_id, objectives=[objective])
    return found[0] if found else None


def analysis_history(
    db: Engine | Session, objective: str, period: str, *, plan_id: str = DEFAULT_PLAN_ID
) -> list[AnalysisInfo]:
    """Every analysis written for ``objective`` and ``period``, newest (in force) first."""
    stmt = (
        select(ObjectiveAnalysis)
        .where(
            ObjectiveAnalysis.plan_id == plan_id,
            ObjectiveAnalysis.objective == objective,
            ObjectiveAnalysis.period == period,
        )
        .order_by(ObjectiveAnalysis.id.desc())
    )
    with reading(db) as session:
        return [_info(row) for row in session.scalars(stmt)]


def _bounded(name: str, text: str | None) -> str:
    cleaned = clean_text(text)
    if len(cleaned) > TEXT_LIMIT:
        raise AnalysisRefused(REFUSED_TOO_LONG, field=name, limit=TEXT_LIMIT, length=len(cleaned))
    return cleaned


def checked_fields(
    objective: str, period: str, what_happened: str | None, next_steps: str | None
) -> tuple[str, str, str, str]:
    """The objective, quarter and texts as stored, or :class:`AnalysisRefused`: a quarter
    written as 2025-T3, an objective code, "what happened" not empty, each text bounded."""
    quarter = Period.try_parse(period)
    if quarter is None:
        raise AnalysisRefused(REFUSED_PERIOD, period=period)
    code = clean_text(objective).upper()
    if not code or len(code) > OBJECTIVE_LENGTH:
        raise AnalysisRefused(REFUSED_OBJECTIVE, objective=objective)
    happened = _bounded("what_happened", what_happened)
    steps = _bounded("next_steps", next_steps)
    if not happened:
        raise AnalysisRefused(REFUSED_EMPTY, field="what_happened")
    return code, str(quarter), happened, steps


def add_analysis(
    session: Session,
    *,
    objective: str,
    period: str,
    what_happened: str | None,
    next_steps: str | None,
    author: str,
    due_by: dt.date | None = None,
    public: bool = False,
    plan_id: str = DEFAULT_PLAN_ID,
    at: dt.datetime | None = None,
) -> AnalysisInfo:
    """Store an analysis in the session's transaction; it supersedes the one in force for
    the same objective and quarter (kept in the history). Refused
    (:class:`AnalysisRefused`) for a locked quarter and for texts :func:`checked_fields`
    refuses."""
    code, quarter, happened, steps = checked_fields(objective, period, what_happened, next_steps)
    if locks.refused_periods(session, [quarter]):
        raise AnalysisRefused(REFUSED_LOCKED, period=quarter)
    row = ObjectiveAnalysis(
        plan_id=plan_id,
        objective=code,
        period=quarter,
        what_happened=happened,
        next_steps=steps,
        due_by=due_by,
        public=public,
        author=clean_text(author)[:AUTHOR_LENGTH],
        created_at=at or dt.datetime.now(dt.UTC),
    )
    session.add(row)
    session.flush()
    return _info(row)
