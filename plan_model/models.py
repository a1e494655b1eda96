"""The plan as typed data: Plan → Lever → Axis → Objective → Indicator.

Glossary (identifiers in English, the plan's words in Catalan): Lever = palanca,
Axis = eix, Objective = objectiu operatiu, Indicator = indicador, Challenge = repte,
Service = servei, Period = trimestre, Stage = estat d'una fita.
"""

from __future__ import annotations

from enum import StrEnum
from functools import cached_property
from typing import Annotated, Literal

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, StringConstraints

from plan_model.periods import Period

ObjectiveCode = Annotated[str, StringConstraints(pattern=r"^P[1-5]\.\d{2}$")]
IndicatorCode = Annotated[str, StringConstraints(pattern=r"^P[1-5]\.\d{2}-I\d+$")]
# an indicator of an earlier plan that one of a later plan continues: <plan id>/<indicator code>
CarriedRef = Annotated[str, StringConstraints(pattern=r"^[a-z0-9-]+/P[1-5]\.\d{2}-I\d+$")]
ServiceCode = Annotated[str, StringConstraints(pattern=r"^[A-Z0-9][A-Z0-9_-]{1,31}$")]
PeriodText = Annotated[str, StringConstraints(pattern=r"^\d{4}-T[1-4]$")]
NonEmpty = Annotated[str, StringConstraints(min_length=1)]
DimensionCode = Annotated[str, StringConstraints(pattern=r"^[a-z][a-z0-9_]{0,31}$")]
# a job title: letters, spaces and the punctuation of titles («Coordinador/a de l'EAIA»)
JobTitle = Annotated[
    str,
    StringConstraints(
        strip_whitespace=True,
        min_length=3,
        max_length=80,
        pattern=r"^[^\W\d_](?:[^\W\d_]|[ '’/.,()&+-])*$",
    ),
]
MemberCode = Annotated[str, StringConstraints(pattern=r"^[A-Za-z0-9][A-Za-z0-9_+-]{0,31}$")]


class StrictModel(BaseModel):
    """Unknown keys are errors; models are immutable once loaded."""

    model_config = ConfigDict(extra="forbid", frozen=True)


class Origin(StrEnum):
    """Who proposed an objective: the Department of Social Rights or COSS itself."""

    DEPARTAMENT = "departament"  # the Department's proposal (Proposta Departament Drets Socials)
    COSS = "coss"  # COSS's own operation (Operativa COSS)


class IndicatorKind(StrEnum):
    """What an indicator measures: a number against a target, a milestone's stage, or context."""

    NUMERIC = "numeric"
    MILESTONE = "milestone"
    CONTEXT = "context"  # numeric, no target, no light, no roll-up ("Indicador de context")


class Direction(StrEnum):
    """Which way a numeric indicator should move from its baseline to meet its targets."""

    INCREASE = "increase"
    DECREASE = "decrease"
    MAINTAIN = "maintain"


class Aggregation(StrEnum):
    """How an indicator's quarterly values combine into the figure for the year."""

    SUM = "sum"  # flows: the year accumulates its quarters
    LAST = "last"  # stocks and ratios: the latest quarter stands for the year
    MEAN = "mean"  # the mean of the quarters so far
    YTD = "ytd"  # the quarter reports the year to date (distinct persons): the latest stands


class Periodicity(StrEnum):
    """How often an indicator is measured and reported (its fitxa's «periodicitat»).

    Every indicator of the plan is reported each quarter (the quarterly template and the
    completeness of deliveries assume it): a yearly measure would need both to know it first.
    """

    QUARTERLY = "quarterly"  # trimestral


class Method(StrEnum):
    """Which figure drives an indicator's light (docs/metodologia.md)."""

    TARGET_SHARE = "target_share"  # value over the value expected by then ("% de la meta")
    PROGRESS = "progress"  # gap closed from the baseline ("progrés des de la línia de base")


class LevelWeights(StrEnum):
    """How axes and levers weigh in the level above them (docs/metodologia.md)."""

    OBJECTIVES = "objectives"  # by their number of due objectives (times their own weight)
    EQUAL = "equal"  # by their own weight only (1 each by default)


DEFAULT_MIN_COVERAGE = 2 / 3  # share of the due objectives below a level that must have data


def _fraction(value: object) -> object:
    """A share written as a fraction ("2/3") as a float; anything else unchanged."""
    if isinstance(value, str) and value.count("/") == 1:
        num, den = (part.strip() for part in value.split("/"))
        try:
            return float(num) / float(den)
        except (ValueError, ZeroDivisionError):
            return value
    return value


Share = Annotated[float, BeforeValidator(_fraction), Field(gt=0, le=1)]


class Baseline(StrictModel):
    """The value an indicator started from, and the year it was measured."""

    year: int
    value: float


class Bounds(StrictModel):
    """The plausible range of an indicator's values; a value outside it is refused on intake."""

    min: float | None = None
    max: float | None = None

    def contains(self, value: float) -> bool:
        """Whether ``value`` lies within the bounds (each end inclusive, a missing end open)."""
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


class Ratio(StrictModel):
    """The two counts a percentage or a mean is made of, so a total is the ratio of the sums."""

    numerator: NonEmpty  # e.g. "persones amb valoració SSM-CAT"
    denominator: NonEmpty  # e.g. "persones ateses"


class Reporter(StrictModel):
    """A service that reports the members of an indicator's breakdown it is given.

    ``members`` maps a dimension to one of its members (``{abss: VIC}``): the service reports
    every row of the breakdown that falls under them (a municipality falls under its ABSS).
    """

    service: ServiceCode
    members: Annotated[dict[DimensionCode, MemberCode], Field(min_length=1)]


class Indicator(StrictModel):
    """One indicator of the catalog: how it is measured, who reports it and what it aims at."""

    code: IndicatorCode
    name: NonEmpty
    kind: IndicatorKind
    responsible_service: ServiceCode
    # the fitxa de l'indicador: definition, formula, periodicity and source
    description: str | None = None  # the definition: what is counted, when, for whom
    formula: NonEmpty | None = None  # how the quarter's value is computed from its counts
    periodicity: Periodicity = Periodicity.QUARTERLY
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
    integer: bool = False  # whole numbers (a count of persons, cases...): a fraction is refused
    # issue 14: violència masclista and the like: the small-count rule always applies
    sensitive: bool = False
    tolerance: float | None = Field(default=None, ge=0)  # for "maintain": accepted distance
    band: float | None = Field(default=None, ge=0, le=1)  # None: the catalog's band
    method: Method | None = None  # None: the catalog's method
    # seasonal share of the year's target per quarter (sum, ytd); None: a quarter each
    profile: list[Annotated[float, Field(ge=0)]] | None = Field(
        default=None, min_length=4, max_length=4
    )
    # milestone indicators
    planned_completion: PeriodText | None = None
    start: PeriodText | None = None  # when work on the milestone is planned to begin
    # breakdowns: the dimensions it is reported by (codes of the plan's dimensions)
    breakdowns: list[DimensionCode] = Field(default_factory=list)
    ratio: Ratio | None = None  # percentages and means with breakdowns: their two counts
    reporters: list[Reporter] = Field(default_factory=list)  # none: the responsible service
    # issue 18: the indicator of an earlier plan this one continues ("coss-2022-2025/P3.07-I2")
    carries_over: CarriedRef | None = None

    @property
    def carried_plan_id(self) -> str | None:
        """The id of the earlier plan whose indicator this one continues, if it does."""
        return self.carries_over.split("/", 1)[0] if self.carries_over else None

    @property
    def carried_code(self) -> str | None:
        """The code, in the earlier plan, of the indicator this one continues, if it does."""
        return self.carries_over.split("/", 1)[1] if self.carries_over else None

    @property
    def objective_code(self) -> str:
        """The code of the objective it belongs to ("P1.02-I3" belongs to "P1.02")."""
        return self.code.split("-I", 1)[0]

    @property
    def is_milestone(self) -> bool:
        """Whether it is reported as a milestone's stage rather than a number."""
        return self.kind is IndicatorKind.MILESTONE

    @property
    def planned_completion_period(self) -> Period | None:
        """The quarter a milestone is planned to be completed in, if the catalog says."""
        return Period.parse(self.planned_completion) if self.planned_completion else None


class Objective(StrictModel):
    """An operational objective of the plan, with its wording, axis, origin and challenges."""

    code: ObjectiveCode
    text: NonEmpty  # word for word from the plan
    axis: int
    origin: Origin
    challenges: list[int] = Field(default_factory=list)
    weight: float = Field(1.0, gt=0)

    @property
    def lever_number(self) -> int:
        """The lever it belongs to, read from its code ("P3.05" is in lever 3)."""
        return int(self.code[1])


class Axis(StrictModel):
    """A strategic axis of a lever, numbered across the whole plan."""

    number: int
    name: NonEmpty
    weight: float = Field(1.0, gt=0)


class Lever(StrictModel):
    """One of the plan's five levers, with its axes and operational objectives."""

    number: int = Field(ge=1, le=5)
    name: NonEmpty
    tagline: NonEmpty
    weight: float = Field(1.0, gt=0)
    axes: list[Axis]
    objectives: list[Objective]

    def objectives_of(self, axis_number: int) -> list[Objective]:
        """The lever's objectives on axis ``axis_number``, in the plan's order."""
        return [o for o in self.objectives if o.axis == axis_number]


class Challenge(StrictModel):
    """A challenge (repte) that the plan's objectives respond to."""

    number: int
    name: NonEmpty
    description: NonEmpty


class Service(StrictModel):
    """A COSS service responsible for reporting indicators, and where to remind it."""

    code: ServiceCode
    name: NonEmpty
    email: Annotated[str, StringConstraints(pattern=r"^[^@\s]+@[^@\s]+\.[^@\s]+$")]
    area: str | None = None  # e.g. the ABSS it belongs to
    # the job title answerable for the service's deliveries («Cap de Recursos Humans»), never
    # a person's name: it outlives whoever holds it
    responsible_role: JobTitle | None = None
    contact_language: Literal["ca", "es"] = "ca"  # of the reminders sent to ``email``


class Member(StrictModel):
    """One member of a dimension (an ABSS, a municipality, a sex, an age group).

    ``parent`` is the member of the parent dimension it belongs to (a municipality's ABSS);
    ``per_confirmar`` marks an entry (its code, or the parent it is given) not yet confirmed.
    """

    code: MemberCode
    name: NonEmpty  # Catalan
    parent: MemberCode | None = None
    per_confirmar: bool = False


class Dimension(StrictModel):
    """A way of breaking indicators down (desagregació), with its members in order.

    ``parent`` names the dimension its members belong to (``municipality`` → ``abss``).
    """

    code: DimensionCode
    name: NonEmpty  # Catalan
    parent: DimensionCode | None = None
    members: Annotated[list[Member], Field(min_length=1)]

    @cached_property
    def member_by_code(self) -> dict[str, Member]:
        """The dimension's members keyed by their code."""
        return {m.code: m for m in self.members}


class DimensionsDocument(StrictModel):
    """The dimensions file as written (dimensions.yaml)."""

    dimensions: list[Dimension]


class PlanInfo(StrictModel):
    """The plan's identity and span of years, and where its indicator catalog lives."""

    id: Annotated[str, StringConstraints(pattern=r"^[a-z0-9-]+$")]
    name: NonEmpty
    organisation: NonEmpty
    start_year: int
    end_year: int
    catalog: NonEmpty  # path of the indicator catalog, relative to the plan file
    dimensions: NonEmpty | None = None  # path of the dimensions file, relative to the plan file
    description: str | None = None  # what the plan is (e.g. that an example is no real plan)
    # issue 18: a plan being written is a draft until it is approved; the stored state
    # (extended, closed) wins over this one (``seguiment plan list``)
    state: Literal["draft", "active"] = "active"


class Catalog(StrictModel):
    """The indicator catalog: a proposal for COSS to adjust."""

    status: NonEmpty  # e.g. "proposta"
    note: str | None = None
    thresholds: Thresholds = Field(default_factory=Thresholds)
    method: Method = Method.TARGET_SHARE  # the plan's default; an indicator may override it
    # relative band around the expected path inside which the light stays green
    band: float = Field(0.0, ge=0, le=1)
    min_coverage: Share = DEFAULT_MIN_COVERAGE  # a number or a fraction ("2/3")
    level_weights: LevelWeights = LevelWeights.OBJECTIVES
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
    dimensions: list[Dimension] = Field(default_factory=list)
    # issue 18: the version of the plan this is (0: as approved; see plan_model.versions)
    # and, for a plan extended to a quarter other than a 4th one, its last quarter
    version: int = 0
    until: PeriodText | None = None

    @property
    def years(self) -> list[int]:
        """Every year of the plan, first to last."""
        return list(range(self.info.start_year, self.info.end_year + 1))

    @property
    def first_period(self) -> Period:
        """The first quarter of the plan (1st quarter of its first year)."""
        return Period(self.info.start_year, 1)

    @property
    def last_period(self) -> Period:
        """The last quarter of the plan (4th quarter of its last year, or the quarter an
        extension runs it until)."""
        return Period.parse(self.until) if self.until else Period(self.info.end_year, 4)

    @property
    def indicators(self) -> list[Indicator]:
        """Every indicator of the catalog, in catalog order."""
        return self.catalog.indicators

    @property
    def stages(self) -> list[Stage]:
        """The milestone stage scale of the catalog, in order."""
        return self.catalog.stages

    @cached_property
    def objectives(self) -> list[Objective]:
        """Every operational objective, lever by lever."""
        return [o for lever in self.levers for o in lever.objectives]

    @cached_property
    def axes(self) -> list[Axis]:
        """Every axis, lever by lever."""
        return [a for lever in self.levers for a in lever.axes]

    @cached_property
    def objective_by_code(self) -> dict[str, Objective]:
        """The objectives keyed by their code."""
        return {o.code: o for o in self.objectives}

    @cached_property
    def indicator_by_code(self) -> dict[str, Indicator]:
        """The indicators keyed by their code."""
        return {i.code: i for i in self.indicators}

    @cached_property
    def service_by_code(self) -> dict[str, Service]:
        """The services keyed by their code."""
        return {s.code: s for s in self.services}

    @cached_property
    def dimension_by_code(self) -> dict[str, Dimension]:
        """The dimensions keyed by their code."""
        return {d.code: d for d in self.dimensions}

    @cached_property
    def stage_by_key(self) -> dict[str, Stage]:
        """The milestone stages keyed by their key."""
        return {s.key: s for s in self.stages}

    def lever(self, number: int) -> Lever:
        """The lever numbered ``number``; KeyError if the plan has none."""
        for lever in self.levers:
            if lever.number == number:
                return lever
        raise KeyError(number)

    def lever_of_axis(self, axis_number: int) -> Lever:
        """The lever that holds axis ``axis_number``; KeyError if none does."""
        for lever in self.levers:
            if any(a.number == axis_number for a in lever.axes):
                return lever
        raise KeyError(axis_number)

    def indicators_of(self, objective_code: str) -> list[Indicator]:
        """The indicators that measure the objective ``objective_code``."""
        return [i for i in self.indicators if i.objective_code == objective_code]

    def indicators_of_service(self, service_code: str) -> list[Indicator]:
        """The indicators that service ``service_code`` is responsible for reporting."""
        return [i for i in self.indicators if i.responsible_service == service_code]

    def method_for(self, indicator: Indicator) -> Method:
        """The method driving ``indicator``'s light: its own, else the catalog's."""
        return indicator.method or self.catalog.method

    def band_for(self, indicator: Indicator) -> float:
        """The tolerance band of ``indicator``'s light: its own, else the catalog's."""
        return self.catalog.band if indicator.band is None else indicator.band

    def thresholds_for(self, indicator: Indicator) -> Thresholds:
        """The traffic-light thresholds for ``indicator``: its own, else the catalog's."""
        return indicator.thresholds or self.catalog.thresholds
