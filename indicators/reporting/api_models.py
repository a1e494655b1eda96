"""The answers of the read API ``/api/v1`` (issue 19) as pydantic models, and the pure
functions that build them from the read models.

Two sources, one shape: :class:`~indicators.reporting.public.PublicData` (no token: published
quarters only, accepted values only, small counts suppressed) and
:class:`~indicators.reporting.dashboard_data.DashboardData` (a valid token: what its user may
see in the app). The builders never decide what is public: they take what the read model gives
and put it into these models, so the rules stay in ``public.py`` and ``plan_model``.

Nothing here names a person: a value's provenance is its service, the kind of source
(``web``, ``cli``, ``api``, ``demo``) and the dates it was delivered and accepted; never the
uploader, the file name, the comments or a service's contact. The OpenAPI document
(``web.openapi``) is generated from these models. No Flask here.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from typing import Any, Literal

import pandas as pd
from pydantic import BaseModel, ConfigDict, Field, RootModel

from indicators.reporting.dashboard_data import DashboardData
from indicators.reporting.public import PublicData
from plan_model.models import Indicator, Plan
from plan_model.periods import Period
from plan_model.status_types import IndicatorResult, LevelResult, PlanStatus

PERIOD_PATTERN = r"^\d{4}-T[1-4]$"
DEFAULT_LIMIT = 100
MAX_LIMIT = 1000
# the CSV columns, stable (documented in docs/api.md); a JSON row has the same names
VALUE_CSV_COLUMNS = (
    "indicator",
    "service",
    "period",
    "value",
    "stage",
    "suppressed",
    "below",
    "source",
    "delivered_at",
    "accepted_at",
)
INDICATOR_CSV_COLUMNS = (
    "code",
    "name",
    "kind",
    "objective",
    "responsible_service",
    "unit",
    "direction",
    "aggregation",
    "method",
    "weight",
    "baseline_year",
    "baseline_value",
    "targets",
    "breakdowns",
)
STATUS_CSV_COLUMNS = (
    "level",
    "key",
    "parent",
    "name",
    "period",
    "status",
    "achievement",
    "target_share",
    "progress",
    "method",
    "coverage",
    "weight",
    "green_threshold",
    "amber_threshold",
    "value",
    "suppressed",
)
COMPLETENESS_CSV_COLUMNS = (
    "service",
    "service_name",
    "period",
    "state",
    "submitted_at",
    "last_uploaded_at",
    "superseded_count",
)
Audience = Literal["public", "internal"]


class ApiModel(BaseModel):
    """The base of every answer: closed (no field the contract does not name)."""

    model_config = ConfigDict(extra="forbid")


class ApiError(ApiModel):
    """Every error answer of the API."""

    error: str = Field(description="A stable code: not_found, bad_request, rate_limited...")
    message: str = Field(description="What went wrong, in the request's language")


class ThresholdsOut(ApiModel):
    """The thresholds of the lights: green at or above ``green``, amber at or above
    ``amber``, red below (shares of what was expected, 0.9 = 90 %)."""

    green: float
    amber: float


# ---- the plan ------------------------------------------------------------------------------


class ServiceOut(ApiModel):
    """A service of the consortium (never its contact)."""

    code: str
    name: str
    area: str | None = None


class ObjectiveOut(ApiModel):
    """An operational objective and the codes of its indicators."""

    code: str
    text: str
    axis: int
    weight: float
    indicators: list[str]


class AxisOut(ApiModel):
    """An axis of a lever."""

    number: int
    name: str
    weight: float
    objectives: list[str]


class LeverOut(ApiModel):
    """A lever (palanca) with its axes and objectives."""

    number: int
    name: str
    tagline: str
    weight: float
    axes: list[AxisOut]
    objectives: list[ObjectiveOut]


class PlanOut(ApiModel):
    """The structure of the plan, the method and the quarters that may be asked for."""

    id: str
    name: str
    organisation: str
    start_year: int
    end_year: int
    first_period: str
    last_period: str
    method: str = Field(description="The plan's default method: target_share or progress")
    level_weights: str = Field(description="objectives (by due objectives) or equal")
    min_coverage: float
    rollup_cap: float = Field(description="Each child counts at most this in a weighted mean")
    thresholds: ThresholdsOut
    periods: list[str] = Field(description="The quarters served (public: published ones)")
    services: list[ServiceOut]
    levers: list[LeverOut]


# ---- indicators ----------------------------------------------------------------------------


class BaselineOut(ApiModel):
    """The value an indicator started from, and the year it was measured."""

    year: int
    value: float


class RatioOut(ApiModel):
    """The two counts of a ratio indicator."""

    numerator: str
    denominator: str


class IndicatorOut(ApiModel):
    """An indicator's sheet: definition, formula, targets, breakdowns."""

    code: str
    name: str
    kind: str
    objective: str
    responsible_service: str
    description: str | None = None
    source: str | None = Field(None, description="Font de verificació")
    unit: str | None = None
    direction: str | None = None
    aggregation: str | None = None
    method: str = Field(description="The figure that drives its light")
    weight: float
    thresholds: ThresholdsOut | None = Field(None, description="Its own, over the plan's")
    band: float | None = None
    tolerance: float | None = None
    integer: bool = Field(description="A count of persons (small counts are suppressed)")
    baseline: BaselineOut | None = None
    targets: dict[str, float] = Field(default_factory=dict, description="Target by year")
    breakdowns: list[str] = Field(default_factory=list)
    ratio: RatioOut | None = None
    start: str | None = None
    planned_completion: str | None = None


# ---- values --------------------------------------------------------------------------------


class MemberOut(ApiModel):
    """One breakdown member's value of an indicator in a quarter (issue 14)."""

    dimension: str = Field(description="abss, municipality, sex or age_group")
    member: str = Field(description="The member's code (an INE code for a municipality)")
    value: float | None = Field(description="Empty when suppressed or not delivered")
    suppressed: bool = Field(False, description="Hidden: a small count, or it would reveal one")
    below: int | None = Field(None, description="The threshold a small count is under")


class ValueOut(ApiModel):
    """One value of one indicator, service and quarter, with its provenance (no person)."""

    indicator: str
    service: str
    period: str
    value: float | None = Field(description="Empty when suppressed or a milestone")
    stage: str | None = None
    suppressed: bool = Field(False, description="A count under the small-count threshold")
    below: int | None = Field(None, description="The threshold it is under (menys de N)")
    source: str | None = Field(None, description="web, cli, api or demo")
    delivered_at: dt.datetime | None = None
    accepted_at: dt.datetime | None = None
    breakdowns: list[MemberOut] = Field(
        default_factory=list,
        description="The indicator's breakdown members in the quarter (empty: no breakdown)",
    )


# ---- status --------------------------------------------------------------------------------


class StatusEntry(ApiModel):
    """The status of one level of the plan (plan, lever, axis, objective) or one indicator
    at one quarter, with what it was computed from."""

    level: Literal["plan", "lever", "axis", "objective", "indicator"]
    key: str
    parent: str | None = Field(None, description="level:key of the level above")
    name: str
    status: Literal["green", "amber", "red", "grey"] | None = Field(
        description="None for a context indicator"
    )
    achievement: float | None = Field(description="The figure of the light")
    target_share: float | None = None
    progress: float | None = None
    method: str | None = None
    coverage: float | None = None
    weight: float
    green_threshold: float
    amber_threshold: float
    trend: str
    value: float | None = None
    expected: float | None = None
    target: float | None = None
    in_band: bool = False
    excluded: bool = False
    postponed: bool = False
    insufficient_data: bool = False
    suppressed: bool = False
    children: list[str] = Field(default_factory=list, description="level:key of each child")
    inputs: dict[str, str] = Field(default_factory=dict, description="Links to the inputs")


class StatusInputs(ApiModel):
    """Where the figures of a status answer come from (links of this API)."""

    values: list[str] = Field(description="The values of each quarter the figures read")
    indicators: str = Field(description="Weights, targets, baselines, methods")
    plan: str = Field(description="Structure, level weights mode, coverage rule")
    thresholds: ThresholdsOut


class StatusOut(ApiModel):
    """The status of every level and indicator of the plan at one quarter."""

    plan_id: str
    period: str
    audience: Audience
    published_at: dt.datetime | None = None
    thresholds: ThresholdsOut
    method: str
    level_weights: str
    min_coverage: float
    rollup_cap: float
    inputs: StatusInputs
    entries: list[StatusEntry]


# ---- completeness --------------------------------------------------------------------------


class CompletenessOut(ApiModel):
    """A service's delivery of a quarter: on time, late, pending, not due yet."""

    service: str
    service_name: str
    period: str
    state: str
    submitted_at: dt.datetime | None = None
    last_uploaded_at: dt.datetime | None = None
    superseded_count: int = 0


# ---- pages ---------------------------------------------------------------------------------


class PageInfo(ApiModel):
    """Pagination of a list answer."""

    total: int
    limit: int
    offset: int
    next: str | None = Field(description="The next page's address, None on the last")


class IndicatorPage(ApiModel):
    """A page of indicator sheets."""

    plan_id: str
    page: PageInfo
    items: list[IndicatorOut]


class ValuePage(ApiModel):
    """A page of the values of one quarter (or of every quarter served)."""

    plan_id: str
    period: str | None
    audience: Audience
    page: PageInfo
    items: list[ValueOut]


class CompletenessPage(ApiModel):
    """A page of the deliveries of one quarter."""

    plan_id: str
    period: str
    audience: Audience
    page: PageInfo
    items: list[CompletenessOut]


class CatalogOut(RootModel[dict[str, Any]]):
    """A DCAT-AP catalogue in JSON-LD (``@context``, ``@type: dcat:Catalog``)."""


# ---- builders ------------------------------------------------------------------------------


def _num(value: Any) -> float | None:
    if value is None:
        return None
    try:
        number = float(value)
    except (TypeError, ValueError):
        return None
    return None if math.isnan(number) or math.isinf(number) else number


def _thresholds(green: float, amber: float) -> ThresholdsOut:
    return ThresholdsOut(green=green, amber=amber)


def _lever(plan: Plan, number: int) -> LeverOut:
    lever = next(item for item in plan.levers if item.number == number)
    objectives = [
        ObjectiveOut(
            code=o.code,
            text=o.text,
            axis=o.axis,
            weight=o.weight,
            indicators=[i.code for i in plan.indicators_of(o.code)],
        )
        for o in lever.objectives
    ]
    axes = [
        AxisOut(
            number=a.number,
            name=a.name,
            weight=a.weight,
            objectives=[o.code for o in lever.objectives if o.axis == a.number],
        )
        for a in lever.axes
    ]
    return LeverOut(
        number=lever.number,
        name=lever.name,
        tagline=lever.tagline,
        weight=lever.weight,
        axes=axes,
        objectives=objectives,
    )


def plan_out(data: DashboardData, periods: Iterable[Period]) -> PlanOut:
    """The plan's structure (``periods``: the quarters served to this audience)."""
    from plan_model.progress import ROLLUP_CAP

    plan = data.plan
    catalog = plan.catalog
    used = data.thresholds_in_force()
    return PlanOut(
        id=plan.info.id,
        name=plan.info.name,
        organisation=plan.info.organisation,
        start_year=plan.info.start_year,
        end_year=plan.info.end_year,
        first_period=str(plan.first_period),
        last_period=str(plan.last_period),
        method=str(catalog.method),
        level_weights=str(catalog.level_weights),
        min_coverage=catalog.min_coverage,
        rollup_cap=ROLLUP_CAP,
        thresholds=_thresholds(used.green, used.amber),
        periods=[str(p) for p in periods],
        services=[ServiceOut(code=s.code, name=s.name, area=s.area) for s in plan.services],
        levers=[_lever(plan, lever.number) for lever in plan.levers],
    )


def indicator_out(plan: Plan, indicator: Indicator) -> IndicatorOut:
    """An indicator's sheet."""
    own = indicator.thresholds
    return IndicatorOut(
        code=indicator.code,
        name=indicator.name,
        kind=str(indicator.kind),
        objective=indicator.objective_code,
        responsible_service=indicator.responsible_service,
        description=indicator.description,
        source=indicator.source,
        unit=indicator.unit,
        direction=str(indicator.direction) if indicator.direction else None,
        aggregation=str(indicator.aggregation) if indicator.aggregation else None,
        method=str(indicator.method or plan.catalog.method),
        weight=indicator.weight,
        thresholds=_thresholds(own.green, own.amber) if own is not None else None,
        band=indicator.band,
        tolerance=indicator.tolerance,
        integer=indicator.integer,
        baseline=(
            BaselineOut(year=indicator.baseline.year, value=indicator.baseline.value)
            if indicator.baseline is not None
            else None
        ),
        targets={str(year): value for year, value in sorted((indicator.targets or {}).items())},
        breakdowns=list(indicator.breakdowns),
        ratio=(
            RatioOut(numerator=indicator.ratio.numerator, denominator=indicator.ratio.denominator)
            if indicator.ratio is not None
            else None
        ),
        start=indicator.start,
        planned_completion=indicator.planned_completion,
    )


def indicators_out(plan: Plan) -> list[IndicatorOut]:
    """Every indicator's sheet, in the plan's order."""
    return [indicator_out(plan, i) for i in plan.indicators]


# ---- provenance ----------------------------------------------------------------------------


@dataclass(frozen=True)
class Provenance:
    """Where a submission came from, without a person: source kind and dates."""

    source: str
    delivered_at: dt.datetime | None
    accepted_at: dt.datetime | None


def provenance_index(data: DashboardData) -> Mapping[int, Provenance]:
    """Each submission's provenance (cached per data generation)."""

    def compute() -> dict[int, Provenance]:
        from sqlalchemy import select

        from accounts.approvals import STEP_ACCEPTED, approvals_frame
        from indicators.storage.schema import Submission

        stmt = select(Submission.id, Submission.source, Submission.uploaded_at)
        with data.engine.connect() as conn:
            rows = conn.execute(stmt).all()
        frame = approvals_frame(data.engine)
        accepted = frame[frame["step"] == STEP_ACCEPTED]
        accepted_at = {
            int(sub): _aware(at)
            for sub, at in zip(accepted["submission_id"], accepted["approved_at"], strict=True)
            if sub is not None and not pd.isna(sub)
        }
        return {
            int(sub_id): Provenance(str(source), _aware(at), accepted_at.get(int(sub_id)))
            for sub_id, source, at in rows
        }

    return data.memo(("api", "provenance"), compute)


def _aware(moment: Any) -> dt.datetime | None:
    if moment is None or (not isinstance(moment, dt.datetime) and pd.isna(moment)):
        return None
    stamp = pd.Timestamp(moment)
    stamp = stamp.tz_localize("UTC") if stamp.tzinfo is None else stamp.tz_convert("UTC")
    return stamp.to_pydatetime()


Members = Callable[[str, Period], list[MemberOut]]


def _no_members(code: str, period: Period) -> list[MemberOut]:
    return []


def _value_rows(
    shown: pd.DataFrame,
    raw: pd.DataFrame,
    provenance: Mapping[int, Provenance],
    members: Members = _no_members,
) -> list[ValueOut]:
    """``shown`` (``public.VALUE_COLUMNS``) with the provenance of ``raw``'s submissions."""
    submission = {
        (str(i), str(s), str(p)): sub
        for i, s, p, sub in zip(
            raw["indicator"], raw["service"], raw["period"], raw["submission_id"], strict=True
        )
    }
    rows = []
    for rec in shown.to_dict("records"):
        key = (str(rec["indicator"]), str(rec["service"]), str(rec["period"]))
        sub = submission.get(key)
        origin = provenance.get(int(sub)) if sub is not None and not pd.isna(sub) else None
        below = rec.get("below")
        stage = rec.get("stage")
        rows.append(
            ValueOut(
                indicator=key[0],
                service=key[1],
                period=key[2],
                value=_num(rec.get("value")),
                stage=stage if isinstance(stage, str) and stage else None,
                suppressed=bool(rec.get("suppressed", False)),
                below=int(below) if below is not None and not pd.isna(below) else None,
                source=origin.source if origin else None,
                delivered_at=origin.delivered_at if origin else None,
                accepted_at=origin.accepted_at if origin else None,
                breakdowns=members(key[0], Period.parse(key[2])),
            )
        )
    return rows


def _public_members(model: PublicData) -> Members:
    def members(code: str, period: Period) -> list[MemberOut]:
        if code not in model.plan.indicator_by_code:
            return []
        shown = model.breakdowns(code, period)
        return [
            MemberOut(
                dimension=dimension,
                member=member,
                value=figure.value,
                suppressed=figure.suppressed,
                below=figure.below,
            )
            for dimension, disclosed in shown.items()
            for member, figure in disclosed.members.items()
        ]

    return members


def _internal_members(data: DashboardData) -> Members:
    def members(code: str, period: Period) -> list[MemberOut]:
        if code not in data.plan.indicator_by_code:
            return []
        return [
            MemberOut(dimension=dimension, member=r.member, value=r.value)
            for dimension, results in data.breakdowns(code, period).items()
            for r in results
        ]

    return members


def public_values(model: PublicData, period: Period | None) -> list[ValueOut]:
    """The public values (of ``period`` only when given), small counts suppressed."""
    return _value_rows(
        model.values(period),
        model.raw_values(),
        provenance_index(model.data),
        _public_members(model),
    )


def internal_values(data: DashboardData, period: Period | None) -> list[ValueOut]:
    """The values in force as the app shows them (a token holder)."""
    raw = data.values()
    frame = raw if period is None else raw[raw["period"] == str(period)]
    shown = frame.assign(suppressed=False, below=None)
    return _value_rows(shown, raw, provenance_index(data), _internal_members(data))


# ---- status --------------------------------------------------------------------------------


@dataclass(frozen=True)
class Links:
    """How the builders name this API's addresses (``plan``: the ``?plan=`` asked for)."""

    prefix: str = "/api/v1"
    plan: str | None = None

    def url(self, path: str, **query: str) -> str:
        """The address of ``path`` with ``query`` (and ``plan`` when one was asked for)."""
        from urllib.parse import urlencode

        params = {**({"plan": self.plan} if self.plan else {}), **query}
        return f"{self.prefix}{path}" + (f"?{urlencode(params)}" if params else "")


def _level_entry(level: LevelResult, parent: str | None, children: list[str]) -> StatusEntry:
    return StatusEntry(
        level=level.level,
        key=level.key,
        parent=parent,
        name=level.name,
        status=str(level.status),
        achievement=_num(level.achievement),
        coverage=_num(level.coverage),
        weight=level.weight,
        green_threshold=0.0,
        amber_threshold=0.0,
        trend=str(level.trend),
        insufficient_data=level.insufficient_data,
        children=children,
    )


def _indicator_entry(
    result: IndicatorResult, parent: str, shown: bool, links: Links, period: str
) -> StatusEntry:
    context = result.kind == "context"
    return StatusEntry(
        level="indicator",
        key=result.code,
        parent=parent,
        name=result.name,
        status=None if context else str(result.status),
        achievement=_num(result.achievement) if shown else None,
        target_share=_num(result.target_share) if shown else None,
        progress=_num(result.progress) if shown else None,
        method=result.method,
        weight=result.weight,
        green_threshold=result.green_threshold,
        amber_threshold=result.amber_threshold,
        trend=str(result.trend),
        value=_num(result.value) if shown else None,
        expected=_num(result.expected),
        target=_num(result.target),
        in_band=result.in_band,
        excluded=result.excluded,
        postponed=result.postponed,
        suppressed=not shown,
        inputs={
            "values": links.url("/values", period=period, indicator=result.code),
            "indicator": links.url("/indicators", code=result.code),
        },
    )


def status_entries(
    status: PlanStatus,
    shown: Callable[[IndicatorResult], bool],
    links: Links,
    green: float,
    amber: float,
) -> list[StatusEntry]:
    """Every level and indicator of ``status``, parents first; ``shown(result)`` says
    whether an indicator's figures may be shown (the public's small-count rule)."""
    entries = [_level_entry(status.plan, None, [f"lever:{lever.key}" for lever in status.levers])]
    for lever in status.levers:
        entries.append(_level_entry(lever, "plan:plan", [f"axis:{a.key}" for a in lever.axes]))
        for axis in lever.axes:
            kids = [f"objective:{o.key}" for o in axis.objectives]
            entries.append(_level_entry(axis, f"lever:{lever.key}", kids))
            for objective in axis.objectives:
                codes = [f"indicator:{i.code}" for i in objective.indicators]
                entries.append(_level_entry(objective, f"axis:{axis.key}", codes))
                entries.extend(
                    _indicator_entry(
                        i, f"objective:{objective.key}", shown(i), links, status.period
                    )
                    for i in objective.indicators
                )
    return [
        e
        if e.level == "indicator"
        else e.model_copy(update={"green_threshold": green, "amber_threshold": amber})
        for e in entries
    ]


def status_out(
    data: DashboardData,
    status: PlanStatus,
    *,
    audience: Audience,
    value_periods: list[Period],
    links: Links,
    shown: Callable[[IndicatorResult], bool] | None = None,
    published_at: dt.datetime | None = None,
) -> StatusOut:
    """A quarter's status answer; ``value_periods`` are the quarters whose values the figures
    read (linked in ``inputs``)."""
    from plan_model.progress import ROLLUP_CAP

    catalog = data.plan.catalog
    green, amber = status.green_threshold, status.amber_threshold
    show = shown if shown is not None else (lambda _result: True)
    return StatusOut(
        plan_id=data.plan.info.id,
        period=status.period,
        audience=audience,
        published_at=published_at,
        thresholds=_thresholds(green, amber),
        method=str(catalog.method),
        level_weights=str(catalog.level_weights),
        min_coverage=catalog.min_coverage,
        rollup_cap=ROLLUP_CAP,
        inputs=StatusInputs(
            values=[links.url("/values", period=str(p)) for p in value_periods],
            indicators=links.url("/indicators"),
            plan=links.url("/plan"),
            thresholds=_thresholds(green, amber),
        ),
        entries=status_entries(status, show, links, green, amber),
    )


# ---- completeness --------------------------------------------------------------------------


def completeness_out(plan: Plan, frame: pd.DataFrame) -> list[CompletenessOut]:
    """The deliveries of ``frame`` (``plan_model.completeness`` rows), without file names."""
    names = {s.code: s.name for s in plan.services}
    rows = []
    for rec in frame.to_dict("records"):
        count = rec.get("superseded_count")
        rows.append(
            CompletenessOut(
                service=str(rec["service"]),
                service_name=names.get(str(rec["service"]), str(rec["service"])),
                period=str(rec["period"]),
                state=str(rec["state"]),
                submitted_at=_aware(rec.get("submitted_at")),
                last_uploaded_at=_aware(rec.get("last_uploaded_at")),
                superseded_count=int(count) if count is not None and not pd.isna(count) else 0,
            )
        )
    return rows


# ---- tables --------------------------------------------------------------------------------


def csv_row(model: BaseModel, columns: Iterable[str]) -> list[Any]:
    """One CSV row of ``model`` in ``columns`` (lists joined with ``|``, None empty)."""
    dumped = model.model_dump(mode="json")
    out: list[Any] = []
    for name in columns:
        value = dumped.get(name)
        if isinstance(value, list):
            value = "|".join(str(v) for v in value)
        elif isinstance(value, dict):
            value = "|".join(f"{k}={v}" for k, v in value.items())
        out.append("" if value is None else value)
    return out


def status_csv_row(period: str, entry: StatusEntry) -> list[Any]:
    """A status entry as one CSV row (``STATUS_CSV_COLUMNS``, with the quarter)."""
    row = csv_row(entry, STATUS_CSV_COLUMNS)
    row[STATUS_CSV_COLUMNS.index("period")] = period
    return row


def indicator_csv_row(sheet: IndicatorOut) -> list[Any]:
    """An indicator's sheet as one CSV row (``INDICATOR_CSV_COLUMNS``)."""
    extra = IndicatorCsv(
        **sheet.model_dump(include=set(INDICATOR_CSV_COLUMNS)),
        baseline_year=sheet.baseline.year if sheet.baseline else None,
        baseline_value=sheet.baseline.value if sheet.baseline else None,
    )
    return csv_row(extra, INDICATOR_CSV_COLUMNS)


class IndicatorCsv(BaseModel):
    """The flat shape of an indicator's CSV row."""

    model_config = ConfigDict(extra="ignore")

    code: str
    name: str
    kind: str
    objective: str
    responsible_service: str
    unit: str | None = None
    direction: str | None = None
    aggregation: str | None = None
    method: str
    weight: float
    baseline_year: int | None = None
    baseline_value: float | None = None
    targets: dict[str, float] = Field(default_factory=dict)
    breakdowns: list[str] = Field(default_factory=list)


# ---- the open-data catalogue (DCAT-AP) -----------------------------------------------------

DCAT_CONTEXT = {
    "dcat": "http://www.w3.org/ns/dcat#",
    "dct": "http://purl.org/dc/terms/",
    "foaf": "http://xmlns.com/foaf/0.1/",
    "xsd": "http://www.w3.org/2001/XMLSchema#",
    "vcard": "http://www.w3.org/2006/vcard/ns#",
}
EU_FILE_TYPE = "http://publications.europa.eu/resource/authority/file-type/"
EU_LANGUAGE = "http://publications.europa.eu/resource/authority/language/CAT"
EU_THEME_GOVERNMENT = "http://publications.europa.eu/resource/authority/data-theme/GOVE"
# the published datasets: (identifier, path, Catalan title, Catalan description, per quarter)
DATASETS = (
    ("plan", "/plan", "Estructura del pla", "Palanques, eixos, objectius i indicadors.", False),
    (
        "indicators",
        "/indicators",
        "Fitxes dels indicadors",
        "Definició, fórmula, unitat, sentit, agregació, metes, línia de base i desglossaments.",
        False,
    ),
    (
        "values",
        "/values",
        "Valors dels indicadors",
        "Valors acceptats dels trimestres publicats; els recomptes petits, suprimits.",
        False,
    ),
    (
        "status",
        "/status",
        "Estat del pla per trimestre",
        "Semàfor, grau d'assoliment, pesos i llindars de cada nivell del pla.",
        True,
    ),
    (
        "completeness",
        "/completeness",
        "Lliuraments dels serveis",
        "Lliurament a temps, amb retard o pendent de cada servei per trimestre.",
        True,
    ),
)


def _literal(text: str) -> dict[str, str]:
    return {"@language": "ca", "@value": text}


def _moment(moment: dt.datetime) -> dict[str, str]:
    return {"@type": "xsd:dateTime", "@value": moment.astimezone(dt.UTC).isoformat()}


def _distribution(url: str, media: str, licence: str, title: str) -> dict[str, Any]:
    kind = "CSV" if media == "text/csv" else "JSON"
    return {
        "@type": "dcat:Distribution",
        "@id": url,
        "dct:title": _literal(title),
        "dcat:accessURL": {"@id": url},
        "dcat:downloadURL": {"@id": url},
        "dcat:mediaType": media,
        "dct:format": {"@id": EU_FILE_TYPE + kind},
        "dct:license": {"@id": licence},
    }


def _dataset_distributions(
    base: str, path: str, per_quarter: bool, periods: list[Period], licence: str
) -> list[dict[str, Any]]:
    chosen: list[str | None] = [str(p) for p in periods] if per_quarter else [None]
    out = []
    for period in chosen:
        query = f"?period={period}&" if period else "?"
        label = f" ({period})" if period else ""
        out.append(
            _distribution(f"{base}{path}{query}format=csv", "text/csv", licence, f"CSV{label}")
        )
        out.append(
            _distribution(
                f"{base}{path}{query.rstrip('&?') or ''}",
                "application/json",
                licence,
                f"JSON{label}",
            )
        )
    return out


def catalog_document(model: PublicData, base_url: str, licence: str) -> dict[str, Any]:
    """The DCAT-AP catalogue (JSON-LD) of the published datasets: CSV and JSON distributions,
    ``licence``, the plan's organisation as publisher, the published quarters as temporal
    coverage and the latest publication as the modification date."""
    base = base_url.rstrip("/") + "/api/v1"
    periods = model.periods()
    plan = model.plan
    publisher = {"@type": "foaf:Agent", "foaf:name": plan.info.organisation}
    temporal: dict[str, Any] = {}
    modified: dict[str, str] | None = None
    if periods:
        temporal = {
            "@type": "dct:PeriodOfTime",
            "dcat:startDate": {"@type": "xsd:date", "@value": periods[0].start.isoformat()},
            "dcat:endDate": {"@type": "xsd:date", "@value": periods[-1].end.isoformat()},
        }
        modified = _moment(max(model.published_at(p) for p in periods))
    datasets = []
    for ident, path, title, description, per_quarter in DATASETS:
        dataset: dict[str, Any] = {
            "@type": "dcat:Dataset",
            "@id": f"{base}/catalog#{ident}",
            "dct:identifier": f"{plan.info.id}-{ident}",
            "dct:title": _literal(title),
            "dct:description": _literal(description),
            "dct:publisher": publisher,
            "dct:license": {"@id": licence},
            "dct:language": {"@id": EU_LANGUAGE},
            "dcat:theme": {"@id": EU_THEME_GOVERNMENT},
            "dcat:keyword": [_literal("pla estratègic"), _literal("serveis socials")],
            "dcat:distribution": _dataset_distributions(base, path, per_quarter, periods, licence),
        }
        if temporal:
            dataset["dct:temporal"] = temporal
        if modified:
            dataset["dct:modified"] = modified
        datasets.append(dataset)
    catalog: dict[str, Any] = {
        "@context": DCAT_CONTEXT,
        "@type": "dcat:Catalog",
        "@id": f"{base}/catalog",
        "dct:title": _literal(f"Dades obertes: {plan.info.name}"),
        "dct:description": _literal(
            "Seguiment del pla: xifres publicades per trimestre (Llei 19/2014, art. 12)."
        ),
        "dct:publisher": publisher,
        "dct:license": {"@id": licence},
        "dct:language": {"@id": EU_LANGUAGE},
        "foaf:homepage": {"@id": base_url.rstrip("/") + "/public"},
        "dcat:dataset": datasets,
    }
    if modified:
        catalog["dct:modified"] = modified
    return catalog
