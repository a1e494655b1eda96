"""The plan as typed data: Plan → Lever → Axis → Objective → Indicator.

Glossary (identifiers in English, the plan's words in Catalan): Lever = palanca,
Axis = eix, Objective = objectiu operatiu, Indicator = indicador, Challenge = repte,
Service = servei, Period = trimestre, Stage = estat d'una fita.
"""

from __future__ import annotations

from enum import StrEnum
from functools import cached_property
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, StringConstraints

from plan_model.periods import Period

ObjectiveCode = Annotated[str, StringConstraints(pattern=r"^P[1-5]\.\d{2}$")]
IndicatorCode = Annotated[str, StringConstraints(pattern=r"^P[1-5]\.\d{2}-I\d+$")]
ServiceCode = Annotated[str, StringConstraints(pattern=r"^[A-Z0-9][A-Z0-9_-]{1,31}$")]
PeriodText = Annotated[str, StringConstraints(pattern=r"^\d{4}-T[1-4]$")]
NonEmpty = Annotated[str, StringConstraints(min_length=1)]


class StrictModel(BaseModel):
    """Unknown keys are errors; models are immutable once loaded."""

    model_config = ConfigDict(extra="forbid", frozen=True)


class Origin(StrEnum):
    DEPARTAMENT = "departament"  # the Department's proposal (Proposta Departament Drets Socials)
    COSS = "coss"  # COSS's own operation (Operativa COSS)


class IndicatorKind(StrEnum):
    NUMERIC = "numeric"
    MILESTONE = "milestone"
    CONTEXT = "context"  # numeric, no target, no light, no roll-up ("Indicador de context")


class Direction(StrEnum):
    INCREASE = "increase"
    DECREASE = "decrease"
    MAINTAIN = "maintain"


class Aggregation(StrEnum):
    SUM = "sum"  # flows: the year accumulates its quarters
    LAST = "last"  # stocks and ratios: the latest quarter stands for the year
    MEAN = "mean"  # the mean of the quarters so far
    YTD = "ytd"  # the quarter reports the year to date (distinct persons): the latest stands


class Method(StrEnum):
    """Which figure drives an indicator's light (docs/metodologia.md)."""

    TARGET_SHARE = "target_share"  # value over the value expected by then ("% de la meta")
    PROGRESS = "progress"  # gap closed from the baseline ("progrés des de la línia de base")


class Baseline(StrictModel):
    year: int
    value: float


class Bounds(StrictModel):
    min: float | None = None
    max: float | None = None

    def contains(self, value: float) -> bool:
        if self.min is not None and value < self.min:
            return False
        return not (self.max is not None and value > self.max)


class Thresholds(StrictModel):
    """Achievement thresholds (share of expected progress) for the traffic light."""

    green: float = Field(0.9, gt=0, le=2)
    amber: float = Field(0.7, ge=0, le=2)


class Stage(StrictModel):
    """One step of a milestone's stage scale (e.g. "En desenvolupament", 50 %).

    ``pct`` is None for stages outside the progress scale (Ajornat, Desestimat).
    """

    key: Annotated[str, StringConstraints(pattern=r"^[a-z_]+$")]
    name: NonEmpty  # Catalan
    name_es: NonEmpty
    name_en: NonEmpty
    pct: float | None = Field(default=None, ge=0, le=100)


class Indicator(StrictModel):
    code: IndicatorCode
    name: NonEmpty
    kind: IndicatorKind
    responsible_service: ServiceCode
    description: str | None = None
    source: str | None = None  # font de verificació
    weight: float = Field(1.0, gt=0)
    thresholds: Thresholds | None = None
    # numeric indicators
    unit: str | None = None
    direction: Direction | None = None
    aggregation: Aggregation | None = None
    baseline: Baseline | None = None
    targets: dict[int, float] | None = None
    bounds: Bounds | None = None
    tolerance: float | None = Field(default=None, ge=0)  # for "maintain": accepted distance
    method: Method | None = None  # None: the catalog's method
    # seasonal share of the year's target per quarter (sum, ytd); None: a quarter each
    profile: list[Annotated[float, Field(ge=0)]] | None = Field(
        default=None, min_length=4, max_length=4
    )
    # milestone indicators
    planned_completion: PeriodText | None = None
    start: PeriodText | None = None  # when work on the milestone is planned to begin

    @property
    def objective_code(self) -> str:
        return self.code.split("-I", 1)[0]

    @property
    def is_milestone(self) -> bool:
        return self.kind is IndicatorKind.MILESTONE

    @property
    def planned_completion_period(self) -> Period | None:
        return Period.parse(self.planned_completion) if self.planned_completion else None


class Objective(StrictModel):
    code: ObjectiveCode
    text: NonEmpty  # word for word from the plan
    axis: int
    origin: Origin
    challenges: list[int] = Field(default_factory=list)
    weight: float = Field(1.0, gt=0)

    @property
    def lever_number(self) -> int:
        return int(self.code[1])


class Axis(StrictModel):
    number: int
    name: NonEmpty
    weight: float = Field(1.0, gt=0)


class Lever(StrictModel):
    number: int = Field(ge=1, le=5)
    name: NonEmpty
    tagline: NonEmpty
    weight: float = Field(1.0, gt=0)
    axes: list[Axis]
    objectives: list[Objective]

    def objectives_of(self, axis_number: int) -> list[Objective]:
        return [o for o in self.objectives if o.axis == axis_number]


class Challenge(StrictModel):
    number: int
    name: NonEmpty
    description: NonEmpty


class Service(StrictModel):
    code: ServiceCode
    name: NonEmpty
    email: Annotated[str, StringConstraints(pattern=r"^[^@\s]+@[^@\s]+\.[^@\s]+$")]
    area: str | None = None  # e.g. the ABSS it belongs to
    contact_language: Literal["ca", "es"] = "ca"  # of the reminders sent to ``email``


class PlanInfo(StrictModel):
    id: Annotated[str, StringConstraints(pattern=r"^[a-z0-9-]+$")]
    name: NonEmpty
    organisation: NonEmpty
    start_year: int
    end_year: int
    catalog: NonEmpty  # path of the indicator catalog, relative to the plan file


class Catalog(StrictModel):
    """The indicator catalog: a proposal for COSS to adjust."""

    status: NonEmpty  # e.g. "proposta"
    note: str | None = None
    thresholds: Thresholds = Field(default_factory=Thresholds)
    method: Method = Method.TARGET_SHARE  # the plan's default; an indicator may override it
    stages: list[Stage]
    indicators: list[Indicator]


class PlanDocument(StrictModel):
    """The plan file as written (plan.yaml)."""

    plan: PlanInfo
    levers: list[Lever]
    challenges: list[Challenge]
    services: list[Service]


class Plan(StrictModel):
    """The whole plan with its catalog, validated and cross-checked."""

    info: PlanInfo
    levers: list[Lever]
    challenges: list[Challenge]
    services: list[Service]
    catalog: Catalog

    @property
    def years(self) -> list[int]:
        return list(range(self.info.start_year, self.info.end_year + 1))

    @property
    def first_period(self) -> Period:
        return Period(self.info.start_year, 1)

    @property
    def last_period(self) -> Period:
        return Period(self.info.end_year, 4)

    @property
    def indicators(self) -> list[Indicator]:
        return self.catalog.indicators

    @property
    def stages(self) -> list[Stage]:
        return self.catalog.stages

    @cached_property
    def objectives(self) -> list[Objective]:
        return [o for lever in self.levers for o in lever.objectives]

    @cached_property
    def axes(self) -> list[Axis]:
        return [a for lever in self.levers for a in lever.axes]

    @cached_property
    def objective_by_code(self) -> dict[str, Objective]:
        return {o.code: o for o in self.objectives}

    @cached_property
    def indicator_by_code(self) -> dict[str, Indicator]:
        return {i.code: i for i in self.indicators}

    @cached_property
    def service_by_code(self) -> dict[str, Service]:
        return {s.code: s for s in self.services}

    @cached_property
    def stage_by_key(self) -> dict[str, Stage]:
        return {s.key: s for s in self.stages}

    def lever(self, number: int) -> Lever:
        for lever in self.levers:
            if lever.number == number:
                return lever
        raise KeyError(number)

    def lever_of_axis(self, axis_number: int) -> Lever:
        for lever in self.levers:
            if any(a.number == axis_number for a in lever.axes):
                return lever
        raise KeyError(axis_number)

    def indicators_of(self, objective_code: str) -> list[Indicator]:
        return [i for i in self.indicators if i.objective_code == objective_code]

    def indicators_of_service(self, service_code: str) -> list[Indicator]:
        return [i for i in self.indicators if i.responsible_service == service_code]

    def method_for(self, indicator: Indicator) -> Method:
        """The method driving ``indicator``'s light: its own, else the catalog's."""
        return indicator.method or self.catalog.method

    def thresholds_for(self, indicator: Indicator) -> Thresholds:
        return indicator.thresholds or self.catalog.thresholds
