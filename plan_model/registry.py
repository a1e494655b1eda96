"""The plans of one instance (issue 18): every plan in a folder of its own, one the default.

Each plan is a YAML pair in a folder named by its id, ``<plans dir>/<id>/plan.yaml`` and the
catalog it names (``indicators.yaml`` beside it); the territory's dimensions file is shared
and named relative to each plan file (``dimensions: ../../dimensions.yaml``). Every plan is
loaded and validated as on its own (:func:`plan_model.loader.load_plan`), and then the
registry checks what only several plans together can show: a folder named by its plan's id,
ids used once, and every ``carries_over`` naming an indicator, of the same kind, of another
plan of the registry that started earlier.

The default plan is the one whose folder is named by the default id, unless a file of its
own is given (``PLAN_PATH``): that file then stands for the default plan, whatever its id,
and the folder of the default id is not read. A plan's baseline may be left to its earlier
plan (:func:`carried_baselines`): the last year the earlier indicator was measured.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path

from i18n import _
from plan_model.loader import PlanError, PlanValidationError, load_plan
from plan_model.models import Aggregation, Baseline, Indicator, Plan
from plan_model.periods import Period

PLAN_FILE = "plan.yaml"  # the plan file of each plan's folder


@dataclass(frozen=True)
class RegisteredPlan:
    """One plan of the registry and the file it was read from."""

    plan: Plan
    path: Path

    @property
    def catalog_path(self) -> Path:
        """The plan's indicator catalog file."""
        return self.path.parent / self.plan.info.catalog


@dataclass(frozen=True)
class PlanRegistry:
    """The plans of the instance, earliest first, and which is the default."""

    entries: tuple[RegisteredPlan, ...]
    default_id: str

    @property
    def plans(self) -> list[Plan]:
        """Every plan, by first quarter (then id)."""
        return [entry.plan for entry in self.entries]

    @property
    def ids(self) -> list[str]:
        """Every plan's id, in the order of :attr:`plans`."""
        return [entry.plan.info.id for entry in self.entries]

    @property
    def default(self) -> Plan:
        """The default plan (the one commands and pages are about unless told otherwise)."""
        return self.get(self.default_id)

    def get(self, plan_id: str) -> Plan:
        """The plan ``plan_id``; KeyError if the registry has none."""
        return self.entry(plan_id).plan

    def entry(self, plan_id: str) -> RegisteredPlan:
        """The plan ``plan_id`` with its file; KeyError if the registry has none."""
        for entry in self.entries:
            if entry.plan.info.id == plan_id:
                return entry
        raise KeyError(plan_id)

    def carried_from(self, indicator: Indicator) -> tuple[Plan, Indicator] | None:
        """The earlier plan and indicator that ``indicator`` continues (None if it continues
        none); KeyError if the registry does not hold them (a validated registry does)."""
        if indicator.carried_plan_id is None or indicator.carried_code is None:
            return None
        earlier = self.get(indicator.carried_plan_id)
        return earlier, earlier.indicator_by_code[indicator.carried_code]


def plan_files(plans_dir: Path) -> list[Path]:
    """The plan file of every plan folder under ``plans_dir`` (none if it does not exist)."""
    if not plans_dir.is_dir():
        return []
    return sorted(path for path in plans_dir.glob(f"*/{PLAN_FILE}") if path.is_file())


def load_registry(
    plans_dir: Path, default_id: str, default_file: Path | None = None
) -> PlanRegistry:
    """Every plan under ``plans_dir``, validated, with ``default_id`` the default one.

    ``default_file`` (``PLAN_PATH``) stands for the default plan when given: the folder
    ``default_id`` is then not read and the default plan is that file's, whatever its id.
    Raise :class:`PlanValidationError` with every problem of every plan (each plan's own,
    then the registry's)."""
    first = default_file if default_file is not None else plans_dir / default_id / PLAN_FILE
    others = [
        path
        for path in plan_files(plans_dir)
        if path.parent.name != default_id and not _same_file(path, first)
    ]
    entries: list[RegisteredPlan] = []
    errors: list[PlanError] = []
    for path in [first, *others]:
        try:
            entries.append(RegisteredPlan(load_plan(path), path))
        except PlanValidationError as exc:
            errors += exc.errors
    if errors:
        raise PlanValidationError(errors)
    errors += _folder_names(entries, plans_dir)
    errors += _unique_ids(entries)
    errors += list(_carried_references(entries))
    if errors:
        raise PlanValidationError(errors)
    ordered = sorted(entries, key=lambda e: (e.plan.first_period, e.plan.info.id))
    return PlanRegistry(tuple(ordered), entries[0].plan.info.id)


def _same_file(path: Path, other: Path) -> bool:
    """Whether two paths name the same file (both resolved; a missing one is not the same)."""
    try:
        return path.resolve(strict=True) == other.resolve(strict=True)
    except OSError:
        return False


def _folder_names(entries: Iterable[RegisteredPlan], plans_dir: Path) -> list[PlanError]:
    """A plan's folder in ``plans_dir`` is named by its id, so that ``--plan ID`` finds it (a
    default plan's file of its own, elsewhere, may be named anyhow)."""
    home = plans_dir.resolve()
    return [
        PlanError(
            str(entry.path),
            None,
            "plan.id",
            _(
                "The plan's id is «{id}» but its folder is «{folder}»: a plan's folder is "
                "named by its id.",
                id=entry.plan.info.id,
                folder=entry.path.parent.name,
            ),
        )
        for entry in entries
        if entry.path.parent.parent.resolve() == home
        and entry.path.parent.name != entry.plan.info.id
    ]


def _unique_ids(entries: Iterable[RegisteredPlan]) -> list[PlanError]:
    """No two plans share an id."""
    seen: dict[str, Path] = {}
    errors = []
    for entry in entries:
        plan_id = entry.plan.info.id
        if plan_id in seen:
            errors.append(
                PlanError(
                    str(entry.path),
                    None,
                    "plan.id",
                    _(
                        "The plan id «{id}» is also the id of {other}: every plan needs an "
                        "id of its own.",
                        id=plan_id,
                        other=str(seen[plan_id]),
                    ),
                )
            )
        seen.setdefault(plan_id, entry.path)
    return errors


def _carried_references(entries: list[RegisteredPlan]) -> Iterator[PlanError]:
    """Every ``carries_over`` names an indicator of the same kind of an earlier plan."""
    by_id = {entry.plan.info.id: entry.plan for entry in entries}
    for entry in entries:
        for indicator in entry.plan.indicators:
            if indicator.carried_plan_id is None:
                continue
            message = _carried_problem(entry.plan, indicator, by_id)
            if message is not None:
                key = f"indicators[code={indicator.code}].carries_over"
                yield PlanError(str(entry.catalog_path), None, key, message)


def _carried_problem(plan: Plan, indicator: Indicator, plans: Mapping[str, Plan]) -> str | None:
    """What is wrong with ``indicator``'s ``carries_over``, in Catalan; None if nothing."""
    earlier = plans.get(indicator.carried_plan_id or "")
    if earlier is None:
        return _(
            "Indicator {code} carries over {ref}, but there is no plan «{plan}» (the plans: "
            "{ids}).",
            code=indicator.code,
            ref=indicator.carries_over,
            plan=indicator.carried_plan_id,
            ids=", ".join(sorted(plans)),
        )
    found = earlier.indicator_by_code.get(indicator.carried_code or "")
    if found is None:
        return _(
            "Indicator {code} carries over {ref}, but the plan {plan} has no indicator {other}.",
            code=indicator.code,
            ref=indicator.carries_over,
            plan=earlier.info.id,
            other=indicator.carried_code,
        )
    if found.kind is not indicator.kind:
        return _(
            "Indicator {code} carries over {ref}, which is of another kind ({kind}).",
            code=indicator.code,
            ref=indicator.carries_over,
            kind=found.kind.value,
        )
    if earlier.first_period >= plan.first_period:
        return _(
            "Indicator {code} carries over {ref}, but the plan {plan} does not start before "
            "this one.",
            code=indicator.code,
            ref=indicator.carries_over,
            plan=earlier.info.id,
        )
    return None


def last_year_value(
    values: Mapping[Period, float], aggregation: Aggregation, last: Period
) -> tuple[int, float] | None:
    """The figure of the last year measured up to ``last`` (the earlier plan's end), as the
    indicator's ``aggregation`` makes a year of its quarters: the latest quarter for ``last``
    and ``ytd``; the mean of that year's quarters for ``mean``; for ``sum`` the total of the
    last year with all four quarters (a part of a year is no year's total). None if there is
    no such year."""
    kept = {p: v for p, v in values.items() if p <= last}
    if not kept:
        return None
    if aggregation in (Aggregation.LAST, Aggregation.YTD):
        newest = max(kept)
        return newest.year, kept[newest]
    years: dict[int, list[float]] = {}
    for period in sorted(kept):
        years.setdefault(period.year, []).append(kept[period])
    if aggregation is Aggregation.MEAN:
        year = max(years)
        return year, sum(years[year]) / len(years[year])
    complete = [year for year, quarters in years.items() if len(quarters) == 4]
    if not complete:
        return None
    return max(complete), sum(years[max(complete)])


def carried_baselines(
    registry: PlanRegistry, plan: Plan, values: Mapping[str, Mapping[Period, float]]
) -> Plan:
    """``plan`` with the baseline of each numeric indicator that carries over another and
    has none of its own set to the earlier indicator's last year (:func:`last_year_value`).

    ``values`` holds, per indicator code of the earlier plans, its quarterly values (the
    values stored for that code). An indicator with a baseline of its own keeps it; one
    whose earlier indicator was never measured stays without. The plan is otherwise the
    same (a new, validated object; ``plan`` is not changed)."""
    changed: dict[str, Indicator] = {}
    for indicator in plan.indicators:
        source = registry.carried_from(indicator)
        if source is None or indicator.baseline is not None or indicator.is_milestone:
            continue
        earlier, carried = source
        found = last_year_value(
            values.get(carried.code, {}),
            carried.aggregation or Aggregation.LAST,
            earlier.last_period,
        )
        if found is not None:
            baseline = Baseline(year=found[0], value=found[1])
            changed[indicator.code] = indicator.model_copy(update={"baseline": baseline})
    if not changed:
        return plan
    indicators = [changed.get(i.code, i) for i in plan.indicators]
    catalog = plan.catalog.model_copy(update={"indicators": indicators})
    # a new Plan, not a copy: a copy would keep the cached lookups of the old catalog
    return Plan(
        info=plan.info,
        levers=plan.levers,
        challenges=plan.challenges,
        services=plan.services,
        catalog=catalog,
        dimensions=plan.dimensions,
    )
