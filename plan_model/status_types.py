"""The vocabulary of the status engine: statuses, trends, labels, icons, colours, results.

Labels are English msgids translated through the message catalogs (``status.po``): use
:func:`status_label` / :func:`trend_label` (Catalan by default). A status is never shown by
colour alone: every status has a label and an icon; the palette is colour-blind safe
(Okabe-Ito), with a text colour for each fill that meets WCAG AA contrast.

Icons: this module holds the one set of glyphs the app shows, for statuses, trends, marks
(exceeded, late, at risk), changes between quarters and submission states. The pages, the
board presentation, the board pack (PDF and PPTX) and the exports all take them from here.
Every glyph is in DejaVu Sans (the font the PDF embeds, the PPTX names and Chromium falls back
to), so none is drawn as a missing-glyph box: ``ICONS`` lists them for that check.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from enum import StrEnum
from functools import cached_property

from i18n import gettext


class Status(StrEnum):
    """Traffic light (semàfor) of an indicator or a level of the plan."""

    GREEN = "green"  # assolit / en bon camí
    AMBER = "amber"  # lleuger retard
    RED = "red"  # retard
    GREY = "grey"  # sense dades (no value, not yet due, or data mostly missing)


class Trend(StrEnum):
    """Direction of the achievement over the last quarters (tendència)."""

    IMPROVING = "improving"
    WORSENING = "worsening"
    STABLE = "stable"
    UNKNOWN = "unknown"  # fewer than two quarters with data in the window


# ordering used for "status went up/down": grey is outside the scale
STATUS_RANK: dict[Status, int] = {Status.RED: 1, Status.AMBER: 2, Status.GREEN: 3}

STATUS_LABELS: dict[Status, str] = {
    Status.GREEN: "On track",  # ca: En bon camí
    Status.AMBER: "Slightly behind",  # ca: Desviació lleu
    Status.RED: "Behind",  # ca: Desviació greu
    Status.GREY: "No data",  # ca: Sense dades
}
STATUS_ICONS: dict[Status, str] = {
    Status.GREEN: "✔",
    Status.AMBER: "⚠",
    Status.RED: "✖",
    Status.GREY: "–",
}
TREND_LABELS: dict[Trend, str] = {
    Trend.IMPROVING: "Improving",  # ca: Millora
    Trend.WORSENING: "Worsening",  # ca: Empitjora
    Trend.STABLE: "Stable",  # ca: Estable
    Trend.UNKNOWN: "No trend yet",  # ca: Sense tendència
}
TREND_ICONS: dict[Trend, str] = {
    Trend.IMPROVING: "↗",
    Trend.WORSENING: "↘",
    Trend.STABLE: "→",
    Trend.UNKNOWN: "…",
}
# marks shown next to the status (never instead of it)
EXCEEDED_LABEL = "Target exceeded"  # ca: Per sobre del previst (the ★ flag, not a status)
EXCEEDED_ICON = "★"
LATE_LABEL = "Late"  # ca: Endarrerit (milestones behind schedule, or postponed)
LATE_ICON = "◔"
AT_RISK_LABEL = "At risk"  # ca: En risc (the forecast misses the final target)
AT_RISK_ICON = "⚑"
# what changed between two quarters (labels: plan_model.changes.CHANGE_LABELS)
CHANGE_ICONS: dict[str, str] = {"up": "↑", "down": "↓", "new_data": "+", "no_data": "∅"}
# a service's submission of a quarter (labels: plan_model.completeness.COMPLETENESS_LABELS)
COMPLETENESS_ICONS: dict[str, str] = {
    "on_time": "✔",
    "late": "◔",
    "pending": "✖",
    "not_due": "…",
    "superseded": "↻",
}
# a "maintain" indicator off its value deviates, it is not behind (amber and red)
MAINTAIN_STATUS_LABELS: dict[Status, str] = {
    Status.AMBER: "Slight deviation",  # ca: Desviació lleu
    Status.RED: "Deviation",  # ca: Desviació greu
}
OVERDUE_LABEL = "Past its planned completion"  # ca: Fora del termini previst (red milestone)
DECIDED_POSTPONEMENT_LABEL = "Postponed by decision"  # ca: Ajornat per decisió (no light)
PROPOSAL_LABEL = "Proposal: awaiting the management's decision"  # ca: Proposta: pendent de decisió de la direcció
INSUFFICIENT_DATA_LABEL = "Insufficient data"  # ca: Dades insuficients
EXCLUDED_LABEL = "Dropped (excluded)"  # ca: Desestimat (exclòs)
NOT_DUE_LABEL = "Not due yet"  # ca: Encara no toca

# Okabe-Ito based, colour-blind safe. Text colours give at least 4.5:1 on each fill.
STATUS_COLORS: dict[Status, str] = {
    Status.GREEN: "#009E73",  # bluish green
    Status.AMBER: "#E69F00",  # orange
    Status.RED: "#D55E00",  # vermillion
    Status.GREY: "#BBBBBB",  # neutral grey
}
STATUS_TEXT_COLORS: dict[Status, str] = {
    Status.GREEN: "#000000",
    Status.AMBER: "#000000",
    Status.RED: "#000000",
    Status.GREY: "#000000",
}
EXCEEDED_COLOR = "#0072B2"  # Okabe-Ito blue (white text on it: 5.3:1)
STATUS_PALETTE: dict[str, str] = {
    **{str(s): c for s, c in STATUS_COLORS.items()},
    "exceeded": EXCEEDED_COLOR,
    "expected": "#56B4E9",  # sky blue: the expected path
    "forecast": "#CC79A7",  # reddish purple: the forecast
    "actual": "#000000",
}


ICONS: frozenset[str] = frozenset(
    {
        *STATUS_ICONS.values(),
        *TREND_ICONS.values(),
        *CHANGE_ICONS.values(),
        *COMPLETENESS_ICONS.values(),
        EXCEEDED_ICON,
        LATE_ICON,
        AT_RISK_ICON,
    }
)


def status_label(
    status: Status | str, lang: str | None = "ca", *, insufficient: bool = False
) -> str:
    """The status's label; a grey level that has some data, but too little for a status
    (``LevelResult.insufficient_data``), reads «Dades insuficients», not «Sense dades»."""
    if insufficient and Status(status) is Status.GREY:
        return gettext(INSUFFICIENT_DATA_LABEL, lang)
    return gettext(STATUS_LABELS[Status(status)], lang)


def indicator_status_label(indicator: IndicatorResult, lang: str | None = "ca") -> str:
    """The label of an indicator's light: «Fora del termini previst» for an overdue, unfinished
    milestone, «Ajornat per decisió» for a decided postponement, «Desviació» / «Desviació lleu»
    for a ``maintain`` indicator off its value, and :func:`status_label` otherwise."""
    status = Status(indicator.status)
    if indicator.overdue and status is Status.RED:
        return gettext(OVERDUE_LABEL, lang)
    if indicator.postponed:
        return gettext(DECIDED_POSTPONEMENT_LABEL, lang)
    if indicator.direction == "maintain" and status in MAINTAIN_STATUS_LABELS:
        return gettext(MAINTAIN_STATUS_LABELS[status], lang)
    return status_label(status, lang)


def trend_label(trend: Trend | str, lang: str | None = "ca") -> str:
    """The translated label of a trend (e.g. «Millora»)."""
    return gettext(TREND_LABELS[Trend(trend)], lang)


def status_text(status: Status | str, lang: str | None = "ca") -> str:
    """Icon and label together, e.g. ``"✔ En bon camí"``."""
    return f"{STATUS_ICONS[Status(status)]} {status_label(status, lang)}"


def icon_text(icon: str, msgid: str, lang: str | None = "ca") -> str:
    """An icon and its translated label, e.g. ``icon_text(AT_RISK_ICON, AT_RISK_LABEL)`` is
    ``"⚑ En risc"``."""
    return f"{icon} {gettext(msgid, lang)}"


def empty_counts() -> dict[str, int]:
    """A count of 0 for every status."""
    return {str(s): 0 for s in Status}


@dataclass(frozen=True)
class IndicatorResult:
    """One indicator at one quarter.

    ``value`` is the year value compared (year to date for ``sum``, the quarter for ``last``,
    the mean of the year's quarters so far for ``mean``; the stage's % for milestones);
    ``expected`` the value the plan expects by then on the same basis; ``baseline`` the
    baseline on that basis (pro-rated for ``sum``). ``achievement`` is bounded to
    [0, ACHIEVEMENT_MAX]; None means grey.
    """

    code: str
    name: str
    kind: str  # "numeric" | "milestone"
    objective: str
    service: str
    period: str
    unit: str | None
    direction: str | None
    aggregation: str | None
    quarter_value: float | None  # the quarter's own figure (or the stage %)
    stage: str | None
    value: float | None
    expected: float | None
    baseline: float | None
    target: float | None  # this year's target (milestones: 100)
    final_target: float | None  # the plan's last target (milestones: 100)
    achievement: float | None
    status: Status
    exceeded: bool  # beyond this year's target (sum: the target pro-rated like expected)
    late: bool  # milestone behind schedule (below the green threshold) or postponed
    excluded: bool  # milestone dropped (desestimat): out of roll-ups
    due: bool  # something is expected by now (False: milestone not started yet)
    trend: Trend
    forecast: float | None  # projected final-year value (milestones: % at completion)
    at_risk: bool
    weight: float
    green_threshold: float
    amber_threshold: float
    # the method whose figure is ``achievement``, and both figures (docs/metodologia.md)
    method: str = "target_share"
    target_share: float | None = None
    progress: float | None = None
    in_band: bool = False  # within the tolerance band of the expected path (green)
    overdue: bool = False  # milestone past its planned completion and unfinished (red)
    postponed: bool = False  # milestone postponed by a director's decision (no light)
    proposal: bool = False  # Ajornat/Desestimat reported without a decision: a proposal
    effective_stage: str | None = None  # the stage that counts (milestones)


@dataclass(frozen=True)
class LevelResult:
    """A level of the plan (plan, lever, axis, objective) at one quarter.

    ``achievement`` is the weighted mean of its children with data (each capped at 1, so a
    surplus cannot hide a delay); ``coverage`` the share of its applicable children that have
    data (None when no child is due yet); ``status`` is grey when coverage < MIN_COVERAGE
    (``insufficient_data``) or nothing has data; ``counts`` the children per status.
    """

    level: str  # "plan" | "lever" | "axis" | "objective"
    key: str  # "plan", lever number, axis number, or objective code, as text
    name: str
    period: str
    achievement: float | None
    status: Status
    trend: Trend
    counts: dict[str, int]
    coverage: float | None
    insufficient_data: bool
    at_risk_count: int  # indicators below this level whose forecast misses the final target
    weight: float


@dataclass(frozen=True)
class ObjectiveResult(LevelResult):
    """An operational objective at one quarter, with its indicators' results."""

    code: str
    axis: int
    lever: int
    at_risk: bool  # any of its indicators at risk
    indicators: list[IndicatorResult] = field(default_factory=list)


@dataclass(frozen=True)
class AxisResult(LevelResult):
    """An axis at one quarter, with its objectives' results."""

    number: int
    lever: int
    objectives: list[ObjectiveResult] = field(default_factory=list)


@dataclass(frozen=True)
class LeverResult(LevelResult):
    """A lever at one quarter, with its axes' results."""

    number: int
    tagline: str
    axes: list[AxisResult] = field(default_factory=list)


@dataclass(frozen=True)
class PlanStatus:
    """The whole plan at one quarter, with lookups by code."""

    period: str
    as_of: str | None
    plan: LevelResult
    levers: list[LeverResult]
    green_threshold: float
    amber_threshold: float

    @property
    def axes(self) -> list[AxisResult]:
        """Every axis' result, lever by lever."""
        return [a for lever in self.levers for a in lever.axes]

    @property
    def objectives(self) -> list[ObjectiveResult]:
        """Every objective's result, axis by axis."""
        return [o for a in self.axes for o in a.objectives]

    @property
    def indicators(self) -> list[IndicatorResult]:
        """Every indicator's result, objective by objective."""
        return [i for o in self.objectives for i in o.indicators]

    def iter_levels(self) -> Iterator[LevelResult]:
        """The plan, then each lever followed by its axes and their objectives."""
        yield self.plan
        for lever in self.levers:
            yield lever
            for axis in lever.axes:
                yield axis
                yield from axis.objectives

    @cached_property
    def _index(self) -> dict[tuple[str, str], LevelResult | IndicatorResult]:
        index: dict[tuple[str, str], LevelResult | IndicatorResult] = {}
        for level in self.iter_levels():
            index[(level.level, level.key)] = level
        for indicator in self.indicators:
            index[("indicator", indicator.code)] = indicator
        return index

    def lever(self, number: int) -> LeverResult:
        """The result of lever ``number`` (KeyError if none)."""
        found = self._index.get(("lever", str(number)))
        if not isinstance(found, LeverResult):
            raise KeyError(number)
        return found

    def axis(self, number: int) -> AxisResult:
        """The result of axis ``number`` (KeyError if none)."""
        found = self._index.get(("axis", str(number)))
        if not isinstance(found, AxisResult):
            raise KeyError(number)
        return found

    def objective(self, code: str) -> ObjectiveResult:
        """The result of objective ``code`` (KeyError if none)."""
        found = self._index.get(("objective", code))
        if not isinstance(found, ObjectiveResult):
            raise KeyError(code)
        return found

    def indicator(self, code: str) -> IndicatorResult:
        """The result of indicator ``code`` (KeyError if none)."""
        found = self._index.get(("indicator", code))
        if not isinstance(found, IndicatorResult):
            raise KeyError(code)
        return found
