"""Totals from breakdown members, their coverage, and the figures per member (issue 14).

A stored value carries its members as a canonical *member key* (:func:`member_key`):
``abss=VIC;sex=D`` (dimension codes sorted, ``;`` between them), ``""`` for the total as
reported. A member key may leave a dimension out: ``abss=VIC`` is Vic's total over both sexes.

The total of an indicator and quarter, when nobody reported it, is derived from the members
delivered (:func:`derive_total`, docs/metodologia.md, «Desagregacions i totals»):

- a count: the sum of its members;
- a ratio (a percentage or a mean with ``ratio: {numerator, denominator}``): the ratio of the
  sums, ``Σ numeratorᵢ / Σ denominatorᵢ`` in the indicator's scale, which equals the mean of the
  members' values weighted by their denominators, ``Σ vᵢ·dᵢ / Σ dᵢ`` (so a weighted mean is a
  ratio whose denominator is the weight); never the plain mean of the percentages.

Which members are added: the *leading* dimension is the one most of the keys carry (ties: the
first in code order); per member of it, the rows naming that member with the fewest
dimensions (``abss=VIC`` before ``abss=VIC;sex=D``, so a partial total is never counted twice
with its own members), all with the same dimensions. Pure functions, no I/O.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

from plan_model.dimensions import breakdown_cells, cells_reported_by, reporting_services
from plan_model.models import Indicator, Plan

TOTAL_KEY = ""
_PAIR = ";"
_EQUALS = "="
MAX_KEY_LENGTH = 160  # the stored column's width


class MemberKeyError(ValueError):
    """A dimension or member code that cannot be written in a member key."""


def member_key(cell: Mapping[str, str]) -> str:
    """The canonical key of a breakdown cell: ``{"sex": "D", "abss": "VIC"}`` → ``abss=VIC;sex=D``.

    Empty members are left out (a blank dimension is the total over it); ``{}`` is the total.
    """
    pairs = []
    for dimension, member in sorted(cell.items()):
        if not member:
            continue
        for part in (dimension, member):
            if not part or _PAIR in part or _EQUALS in part or part != part.strip():
                raise MemberKeyError(part)
        pairs.append(f"{dimension}{_EQUALS}{member}")
    key = _PAIR.join(pairs)
    if len(key) > MAX_KEY_LENGTH:
        raise MemberKeyError(key)
    return key


def parse_member_key(key: str) -> dict[str, str]:
    """The cell of a member key (``{}`` for the total); MemberKeyError when it is malformed."""
    if not key:
        return {}
    cell: dict[str, str] = {}
    for pair in key.split(_PAIR):
        dimension, equals, member = pair.partition(_EQUALS)
        if not equals or not dimension or not member or dimension in cell:
            raise MemberKeyError(key)
        cell[dimension] = member
    return cell


@dataclass(frozen=True)
class MemberValue:
    """A value of one member key: the number, and a ratio's two counts when it has them."""

    key: str
    value: float
    numerator: float | None = None
    denominator: float | None = None


@dataclass(frozen=True)
class Aggregate:
    """Members put together: their value (sum, or ratio of sums) and counts, and how many."""

    value: float | None
    numerator: float | None
    denominator: float | None
    rows: int


def aggregate(values: Sequence[MemberValue], ratio: bool | None = None) -> Aggregate:
    """The members' figure: sum for counts, ``Σ vᵢ·dᵢ / Σ dᵢ`` for ratios.

    ``ratio`` None: a ratio when the members carry denominators (the storage's rule, which
    knows no plan); a ratio member without its counts makes the figure unknown (None).
    """
    if not values:
        return Aggregate(None, None, None, 0)
    with_counts = [v for v in values if v.denominator is not None and v.numerator is not None]
    is_ratio = bool(with_counts) if ratio is None else ratio
    if not is_ratio:
        return Aggregate(sum(v.value for v in values), None, None, len(values))
    if len(with_counts) != len(values):
        return Aggregate(None, None, None, len(values))
    numerator = sum(v.numerator for v in with_counts if v.numerator is not None)
    denominator = sum(v.denominator for v in with_counts if v.denominator is not None)
    if denominator == 0:
        return Aggregate(None, numerator, denominator, len(values))
    weighted = sum(v.value * (v.denominator or 0.0) for v in with_counts)
    return Aggregate(weighted / denominator, numerator, denominator, len(values))


def _cells(values: Iterable[MemberValue]) -> list[tuple[dict[str, str], MemberValue]]:
    """Each value with its parsed cell; the total and malformed keys are left out."""
    found = []
    for value in values:
        try:
            cell = parse_member_key(value.key)
        except MemberKeyError:
            continue
        if cell:
            found.append((cell, value))
    return found


def leading_dimension(values: Iterable[MemberValue]) -> str | None:
    """The dimension most member keys carry (ties: the first code), None without members."""
    counts = Counter(d for cell, _v in _cells(values) for d in cell)
    if not counts:
        return None
    return min(counts, key=lambda d: (-counts[d], d))


def member_rows(values: Sequence[MemberValue], dimension: str, member: str) -> list[MemberValue]:
    """The rows that make up ``member`` of ``dimension``: of the keys naming it, those with
    the fewest dimensions (then the first set of dimensions in code order)."""
    hits = [(cell, v) for cell, v in _cells(values) if cell.get(dimension) == member]
    if not hits:
        return []
    best = min((len(cell), sorted(cell)) for cell, _v in hits)
    return [v for cell, v in hits if (len(cell), sorted(cell)) == best]


def member_figure(
    values: Sequence[MemberValue], dimension: str, member: str, ratio: bool | None = None
) -> Aggregate:
    """The figure of one member (``abss=VIC``: Vic's total, or the sum of Vic's own cells)."""
    return aggregate(member_rows(values, dimension, member), ratio)


def members_named(values: Iterable[MemberValue], dimension: str) -> list[str]:
    """The members of ``dimension`` the keys name, in order of first appearance."""
    named = (cell.get(dimension) for cell, _v in _cells(values))
    return list(dict.fromkeys(m for m in named if m))


def derive_total(values: Sequence[MemberValue], ratio: bool | None = None) -> Aggregate:
    """The total of an indicator and quarter from its members (none reported it): the
    figures of the leading dimension's members put together (module docstring)."""
    dimension = leading_dimension(values)
    if dimension is None:
        return Aggregate(None, None, None, 0)
    parts: list[MemberValue] = []
    for member in members_named(values, dimension):
        figure = member_figure(values, dimension, member, ratio)
        if figure.value is None:
            return Aggregate(None, None, None, len(values))
        parts.append(MemberValue(member, figure.value, figure.numerator, figure.denominator))
    return aggregate(parts, ratio)


def total_for(indicator: Indicator, values: Sequence[MemberValue]) -> Aggregate:
    """:func:`derive_total` with the catalog's word on whether the indicator is a ratio."""
    return derive_total(values, ratio=indicator.ratio is not None)


@dataclass(frozen=True)
class Coverage:
    """How much of the indicator's leading breakdown the members delivered cover:
    ``covered`` of ``of`` members of ``dimension`` («3 de 4 ABSS»)."""

    dimension: str
    covered: int
    of: int

    @property
    def complete(self) -> bool:
        """Whether every member of the dimension was delivered."""
        return self.covered >= self.of


def coverage(plan: Plan, indicator: Indicator, values: Sequence[MemberValue]) -> Coverage | None:
    """The coverage of the indicator's first breakdown by ``values`` (None without one)."""
    if not indicator.breakdowns:
        return None
    dimension = indicator.breakdowns[0]
    expected = list(dict.fromkeys(c.get(dimension) for c in breakdown_cells(plan, indicator)))
    wanted = [m for m in expected if m]
    delivered = set(members_named(values, dimension))
    return Coverage(dimension, sum(1 for m in wanted if m in delivered), len(wanted))


TREND_UP, TREND_DOWN, TREND_FLAT = "up", "down", "flat"


@dataclass(frozen=True)
class MemberResult:
    """One member's figure in a quarter, and its trend against the quarter before."""

    dimension: str
    member: str
    value: float | None
    previous: float | None = None

    @property
    def trend(self) -> str | None:
        """``up``, ``down`` or ``flat`` against the quarter before (None without both)."""
        if self.value is None or self.previous is None:
            return None
        if abs(self.value - self.previous) < 1e-9:
            return TREND_FLAT
        return TREND_UP if self.value > self.previous else TREND_DOWN


def member_results(
    plan: Plan,
    indicator: Indicator,
    values: Sequence[MemberValue],
    previous: Sequence[MemberValue] = (),
) -> dict[str, list[MemberResult]]:
    """Per dimension of the indicator's breakdowns, each member's figure in the quarter
    (``values``) and the one before (``previous``), in the dimension's order; members
    without a figure in the quarter are left out."""
    ratio = indicator.ratio is not None
    result: dict[str, list[MemberResult]] = {}
    for dimension in indicator.breakdowns:
        dim = plan.dimension_by_code.get(dimension)
        if dim is None:
            continue
        rows = []
        for member in dim.members:
            now = member_figure(values, dimension, member.code, ratio).value
            if now is None:
                continue
            before = member_figure(previous, dimension, member.code, ratio).value
            rows.append(MemberResult(dimension, member.code, now, before))
        result[dimension] = rows
    return result


@dataclass(frozen=True)
class ReportedRow:
    """One row a service reports: an indicator and the cell of its breakdown (``{}``: the
    indicator's total, for an indicator without breakdowns)."""

    indicator: Indicator
    cell: dict[str, str]

    @property
    def key(self) -> str:
        """The row's member key (``""`` for a total)."""
        return member_key(self.cell)


def rows_reported_by(plan: Plan, service: str) -> list[ReportedRow]:
    """Every row ``service`` must report, in the catalog's order: one per indicator it is
    responsible for without breakdowns, one per cell of a breakdown it reports (its
    ``reporters`` entry, else the responsible service reports every cell). The one rule of
    the template, the browser form, completeness and the reminders."""
    rows: list[ReportedRow] = []
    for indicator in plan.indicators:
        if not indicator.breakdowns:
            if indicator.responsible_service == service:
                rows.append(ReportedRow(indicator, {}))
            continue
        rows.extend(ReportedRow(indicator, c) for c in cells_reported_by(plan, indicator, service))
    return rows


def indicators_reported_by(plan: Plan, service: str) -> list[Indicator]:
    """The indicators of which ``service`` reports something, in the catalog's order."""
    found = {row.indicator.code: row.indicator for row in rows_reported_by(plan, service)}
    return list(found.values())


def reporting_service_codes(plan: Plan) -> list[str]:
    """The services that report at least one row, in the plan's order."""
    found: set[str] = set()
    for indicator in plan.indicators:
        if indicator.breakdowns:
            found.update(reporting_services(plan, indicator))
        else:
            found.add(indicator.responsible_service)
    return [s.code for s in plan.services if s.code in found]


def member_values_of(
    rows: Iterable[Mapping[str, object]],
) -> dict[tuple[str, str], list[MemberValue]]:
    """Member rows (``indicator``, ``period``, ``member_key``, ``value``, ``numerator``,
    ``denominator``, e.g. a frame's records) grouped by (indicator, quarter); rows without a
    number are left out."""
    grouped: dict[tuple[str, str], list[MemberValue]] = {}
    for row in rows:
        value = _number(row.get("value"))
        if value is None:
            continue
        grouped.setdefault((str(row["indicator"]), str(row["period"])), []).append(
            MemberValue(
                str(row.get("member_key") or ""),
                value,
                _number(row.get("numerator")),
                _number(row.get("denominator")),
            )
        )
    return grouped


def _number(value: object) -> float | None:
    """A finite number, or None (missing, NaN, not a number)."""
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    number = float(value)
    return number if number == number and abs(number) != float("inf") else None


def breakdowns_json(
    plan: Plan,
    indicator: Indicator,
    values: Sequence[MemberValue],
    previous: Sequence[MemberValue] = (),
) -> dict[str, list[dict[str, object]]]:
    """The ``breakdowns`` of an indicator in ``seguiment status --json``: per dimension,
    ``[{"member", "name", "value", "previous", "trend"}]`` (no ``status``: the catalog
    gives no per-member targets yet)."""
    names = {d.code: d.member_by_code for d in plan.dimensions}
    return {
        dimension: [
            {
                "member": r.member,
                "name": names[dimension][r.member].name,
                "value": r.value,
                "previous": r.previous,
                "trend": r.trend,
            }
            for r in rows
        ]
        for dimension, rows in member_results(plan, indicator, values, previous).items()
    }


def coverage_json(
    plan: Plan, indicator: Indicator, values: Sequence[MemberValue]
) -> dict[str, object] | None:
    """``{"dimension", "covered", "of"}`` of :func:`coverage` (None without breakdowns)."""
    found = coverage(plan, indicator, values)
    if found is None:
        return None
    return {"dimension": found.dimension, "covered": found.covered, "of": found.of}
