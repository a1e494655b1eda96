"""The final evaluation of a plan («Avaluació final del pla», issue 18) as plain data.

:func:`build_evaluation` reads the dashboard's read model (``DashboardData``: the same statuses,
paths and completeness the pages show) and what its caller gathered from storage (the plan's
state, the analyses, the evidence, the milestone decisions: :class:`Sources`) and returns an
:class:`Evaluation`: per lever, axis and objective the final status at the plan's last quarter
with data and the path over the whole period; per indicator the method, the thresholds and what
was achieved against the original target and the amended one (:class:`Amendment`: none is
recorded until amendments exist, «cap esmena»); the latest analysis of each objective, its
evidence, the milestones finished, late or dropped with the directors' decisions, the
completeness of reporting per service, and the board's one-page summary. Language-neutral:
the writers (``markdown``, ``xlsx``, ``pdf``, ``pptx``) translate. No Dash, no SQL here.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

import pandas as pd

from indicators.reporting.dashboard_data import DashboardData
from indicators.storage.plan_states import PlanStateInfo
from plan_model.periods import Period
from plan_model.ranking import at_risk_ranking
from plan_model.status import objective_counts
from plan_model.status_types import (
    AxisResult,
    IndicatorResult,
    LevelResult,
    LeverResult,
    ObjectiveResult,
    PlanStatus,
)

MOST_LATE = 5  # objectives the summary names
PROVISIONAL = "provisional"
DEFINITIVE = "definitive"
# a milestone's outcome at the end of the plan
FINISHED = "finished"
LATE = "late"
DROPPED = "dropped"
POSTPONED = "postponed"
ON_SCHEDULE = "on_schedule"
MILESTONE_OUTCOMES = (FINISHED, LATE, POSTPONED, DROPPED, ON_SCHEDULE)

Path = tuple[tuple[str, float | None], ...]  # (quarter, achievement), oldest first


@dataclass(frozen=True)
class Amendment:
    """A revised target of an indicator (issue 18, item 2, not built yet): the value, the
    quarter from which it applies and why. None in an evaluation: «cap esmena»."""

    target: float
    effective: str
    reason: str = ""


@dataclass(frozen=True)
class AnalysisNote:
    """An objective's latest analysis as the evaluation shows it: its text, the quarter it
    is about, the author's role (no name, no e-mail) and the day it was written."""

    objective: str
    period: str
    what_happened: str
    next_steps: str
    due_by: dt.date | None
    author_role: str  # a role key (director, responsable, tecnic...), "" when unknown
    written_on: dt.date


@dataclass(frozen=True)
class EvidenceItem:
    """An attachment in force behind one of an objective's values: a file or a link."""

    indicator: str
    period: str
    service: str
    kind: str  # file | link
    title: str
    filename: str | None
    url: str | None


@dataclass(frozen=True)
class DecisionNote:
    """A director's milestone decision in force (ajornat or desestimat)."""

    indicator: str
    stage: str
    effective: str
    decided_on: dt.date
    body: str
    reason: str


@dataclass(frozen=True)
class Sources:
    """What the evaluation needs beyond the read model, gathered from storage by its caller."""

    state: PlanStateInfo
    analyses: Mapping[str, AnalysisNote] = field(default_factory=dict)  # by objective
    evidence: Sequence[EvidenceItem] = ()
    decisions: Sequence[DecisionNote] = ()
    amendments: Mapping[str, Amendment] = field(default_factory=dict)  # by indicator


@dataclass(frozen=True)
class IndicatorEvaluation:
    """An indicator at the final quarter, and what it achieved against its targets."""

    result: IndicatorResult
    original_target: float | None  # the plan's last target as approved (milestones: 100)
    amendment: Amendment | None = None  # None: no amendment recorded («cap esmena»)

    @property
    def target_in_force(self) -> float | None:
        """The target the final status is measured against: the amended one, if any."""
        return self.amendment.target if self.amendment else self.original_target


@dataclass(frozen=True)
class ObjectiveEvaluation:
    """An objective's final status, path, indicators, latest analysis and evidence."""

    result: ObjectiveResult
    path: Path
    indicators: tuple[IndicatorEvaluation, ...]
    analysis: AnalysisNote | None
    evidence: tuple[EvidenceItem, ...]


@dataclass(frozen=True)
class AxisEvaluation:
    """An axis's final status and path, with its objectives."""

    result: AxisResult
    path: Path
    objectives: tuple[ObjectiveEvaluation, ...]


@dataclass(frozen=True)
class LeverEvaluation:
    """A lever's final status and path, with its axes."""

    result: LeverResult
    path: Path
    axes: tuple[AxisEvaluation, ...]

    @property
    def objectives(self) -> tuple[ObjectiveEvaluation, ...]:
        """The lever's objectives, axis by axis."""
        return tuple(o for axis in self.axes for o in axis.objectives)


@dataclass(frozen=True)
class MilestoneEvaluation:
    """A milestone at the end of the plan: finished, late, postponed, dropped or on
    schedule, with its stage and the decisions in force."""

    result: IndicatorResult
    outcome: str  # one of MILESTONE_OUTCOMES
    planned: str | None  # planned completion quarter
    decisions: tuple[DecisionNote, ...] = ()


@dataclass(frozen=True)
class ServiceCompleteness:
    """A service's reporting over the whole period: quarters delivered on time, late,
    missing (deadline passed, nothing delivered) and not due yet."""

    service: str
    name: str
    on_time: int
    late: int
    missing: int
    not_due: int

    @property
    def expected(self) -> int:
        """The quarters due so far."""
        return self.on_time + self.late + self.missing


@dataclass(frozen=True)
class Summary:
    """The board's one page: objectives by status, the levers' lights, the most late
    objectives and the completeness of reporting."""

    counts: dict[str, int]
    objectives_results: tuple[ObjectiveResult, ...]
    levers: tuple[LeverResult, ...]
    most_late: tuple[ObjectiveResult, ...]
    on_time: int
    late: int
    missing: int

    @property
    def expected(self) -> int:
        """Deliveries due over the period (every service, every quarter due)."""
        return self.on_time + self.late + self.missing

    @property
    def objectives(self) -> int:
        """How many objectives the plan has."""
        return sum(self.counts.values())


@dataclass(frozen=True)
class Evaluation:
    """The final evaluation of a plan: its state, the summary and lever by lever."""

    plan_id: str
    plan_name: str
    organisation: str
    first_period: str
    last_period: str
    final_period: str  # the last quarter of the plan with data
    state: PlanStateInfo
    green_threshold: float
    amber_threshold: float
    default_method: str
    plan: LevelResult
    path: Path
    summary: Summary
    levers: tuple[LeverEvaluation, ...]
    milestones: tuple[MilestoneEvaluation, ...]
    completeness: tuple[ServiceCompleteness, ...]
    generated_on: dt.date
    stages: Mapping[str, tuple[str, str, str]] = field(default_factory=dict)  # key: ca, es, en

    def stage_name(self, key: str | None, lang: str) -> str:
        """The name of a milestone's stage in ``lang`` (the key when unknown, ``–`` if none)."""
        if not key:
            return "–"
        names = self.stages.get(key)
        return names[{"es": 1, "en": 2}.get(lang, 0)] if names else key

    @property
    def provisional(self) -> bool:
        """Not definitive while the plan is not closed."""
        return not self.state.closed

    @property
    def mark(self) -> str:
        """``provisional`` or ``definitive``."""
        return PROVISIONAL if self.provisional else DEFINITIVE

    @property
    def objectives(self) -> tuple[ObjectiveEvaluation, ...]:
        """Every objective, lever by lever."""
        return tuple(o for lever in self.levers for o in lever.objectives)


def final_period(data: DashboardData) -> Period:
    """The last quarter of the plan with data (the plan's first quarter when none has)."""
    plan = data.plan
    inside = [p for p in data.periods_with_data() if plan.first_period <= p <= plan.last_period]
    return inside[-1] if inside else plan.first_period


def _path(data: DashboardData, level: str, key: str, until: Period) -> Path:
    return tuple(data.achievement_series(level, key, until))


def _indicator(
    data: DashboardData, result: IndicatorResult, sources: Sources
) -> IndicatorEvaluation:
    found = data.plan.indicator_by_code.get(result.code)
    original: float | None = result.final_target
    if found is not None and found.targets:
        original = float(found.targets[max(found.targets)])
    return IndicatorEvaluation(result, original, sources.amendments.get(result.code))


def _objective(
    data: DashboardData, result: ObjectiveResult, until: Period, sources: Sources
) -> ObjectiveEvaluation:
    codes = {i.code for i in result.indicators}
    return ObjectiveEvaluation(
        result=result,
        path=_path(data, "objective", result.code, until),
        indicators=tuple(_indicator(data, i, sources) for i in result.indicators),
        analysis=sources.analyses.get(result.code),
        evidence=tuple(e for e in sources.evidence if e.indicator in codes),
    )


def _lever(
    data: DashboardData, lever: LeverResult, until: Period, sources: Sources
) -> LeverEvaluation:
    axes = tuple(
        AxisEvaluation(
            result=axis,
            path=_path(data, "axis", axis.key, until),
            objectives=tuple(_objective(data, o, until, sources) for o in axis.objectives),
        )
        for axis in lever.axes
    )
    return LeverEvaluation(lever, _path(data, "lever", lever.key, until), axes)


def milestone_outcome(result: IndicatorResult) -> str:
    """Where a milestone ended: dropped, postponed, finished, late or on schedule."""
    if result.excluded:
        return DROPPED
    if result.postponed:
        return POSTPONED
    if result.quarter_value is not None and result.quarter_value >= 100:
        return FINISHED
    if result.late or result.overdue:
        return LATE
    return ON_SCHEDULE


def _milestones(
    data: DashboardData, status: PlanStatus, sources: Sources
) -> tuple[MilestoneEvaluation, ...]:
    out = []
    for result in status.indicators:
        if result.kind != "milestone":
            continue
        found = data.plan.indicator_by_code.get(result.code)
        planned = found.planned_completion if found is not None else None
        decisions = tuple(d for d in sources.decisions if d.indicator == result.code)
        out.append(MilestoneEvaluation(result, milestone_outcome(result), planned, decisions))
    return tuple(out)


def completeness_by_service(
    data: DashboardData, rows: pd.DataFrame
) -> tuple[ServiceCompleteness, ...]:
    """Per expected service, its quarters on time, late, missing and not due (``rows``: the
    completeness frame of the whole period)."""
    names = {s.code: s.name for s in data.plan.services}
    out = []
    for service, group in rows.groupby("service", sort=False):
        states = group["state"].value_counts()
        out.append(
            ServiceCompleteness(
                service=str(service),
                name=names.get(str(service), str(service)),
                on_time=int(states.get("on_time", 0)),
                late=int(states.get("late", 0)),
                missing=int(states.get("pending", 0)),
                not_due=int(states.get("not_due", 0)),
            )
        )
    return tuple(out)


def _summary(status: PlanStatus, services: Sequence[ServiceCompleteness]) -> Summary:
    return Summary(
        counts=objective_counts(status.objectives),
        objectives_results=tuple(status.objectives),
        levers=tuple(status.levers),
        most_late=tuple(at_risk_ranking(status)[:MOST_LATE]),
        on_time=sum(s.on_time for s in services),
        late=sum(s.late for s in services),
        missing=sum(s.missing for s in services),
    )


def build_evaluation(
    data: DashboardData, sources: Sources, *, today: dt.date | None = None
) -> Evaluation:
    """The final evaluation of ``data``'s plan at its last quarter with data."""
    plan = data.plan
    day = today or dt.datetime.now(dt.UTC).date()
    until = final_period(data)
    status = data.status(until)
    rows = data.completeness(plan.last_period, today=day, since=plan.first_period)
    services = completeness_by_service(data, rows)
    thresholds = data.thresholds_in_force()
    return Evaluation(
        plan_id=plan.info.id,
        plan_name=plan.info.name,
        organisation=plan.info.organisation,
        first_period=str(plan.first_period),
        last_period=str(plan.last_period),
        final_period=str(until),
        state=sources.state,
        green_threshold=thresholds.green,
        amber_threshold=thresholds.amber,
        default_method=str(plan.catalog.method),
        plan=status.plan,
        path=_path(data, "plan", "plan", until),
        summary=_summary(status, services),
        levers=tuple(_lever(data, lever, until, sources) for lever in status.levers),
        milestones=_milestones(data, status, sources),
        completeness=services,
        generated_on=day,
        stages={s.key: (s.name, s.name_es, s.name_en) for s in plan.stages},
    )
