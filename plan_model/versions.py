"""The versions of a plan (issue 18): amendments and extensions, and which one governs a quarter.

A plan is approved once (version 0, "as approved") and may then be amended (targets,
thresholds, method, objectives revised at a review) or extended (run on past its last quarter
while the next plan is being approved). Each change is a numbered version that applies from
its effective quarter: an amendment from the quarter the decision says, an extension from the
first quarter after the plan's end. The rule of this module is the one home of "which version
governs quarter P": the newest version whose effective quarter is not after P; before any,
the plan as approved. So an amendment never changes what was computed for the quarters before
its effective quarter, and a locked quarter never moves.

An extension keeps the version it extends and adds quarters, with each new year's targets the
plan's last year's by default (:func:`extend_plan`); an amendment recorded on an extended plan
keeps the extension's span (its new years' targets, again, its last year's). The storage of
versions and the recording of them live in :mod:`indicators.storage.plan_versions` and
:mod:`accounts.plan_versions`; this module is pure.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Literal

import yaml

from plan_model.models import Catalog, Indicator, IndicatorKind, Plan, PlanDocument
from plan_model.periods import Period

VersionKind = Literal["amendment", "extension"]
AMENDMENT: Literal["amendment"] = "amendment"
EXTENSION: Literal["extension"] = "extension"


@dataclass(frozen=True)
class PlanVersion:
    """One recorded version of a plan: its number (1 for the first change), whether an
    amendment or an extension, the quarter it applies from (and, for an extension, the
    quarter it runs the plan until), who approved it and why, and when it was recorded.
    ``plan`` is the amended plan as recorded (None for an extension: it extends the version
    before it)."""

    number: int
    kind: VersionKind
    effective: Period
    reason: str
    recorded_at: dt.datetime
    recorded_by: str
    approved_by: str | None = None
    until: Period | None = None
    plan: Plan | None = None


@dataclass(frozen=True)
class TargetRevision:
    """A target an amendment changed: the indicator and year, the target before and after,
    the version that changed it, when it was recorded and the quarter it applies from."""

    indicator: str
    year: int
    before: float | None
    after: float | None
    version: int
    recorded_at: dt.datetime
    effective: Period


def plan_from_documents(plan_text: str, catalog_text: str, base: Plan) -> Plan:
    """The plan written in ``plan_text`` (a plan YAML) with the catalog ``catalog_text``, and
    ``base``'s dimensions (an amendment does not change the dimensions file). The documents
    were validated with the loader when the version was recorded."""
    document = PlanDocument.model_validate(yaml.safe_load(plan_text))
    catalog = Catalog.model_validate(yaml.safe_load(catalog_text))
    return Plan(
        info=document.plan,
        levers=document.levers,
        challenges=document.challenges,
        services=document.services,
        catalog=catalog,
        dimensions=base.dimensions,
    )


def _extended_indicator(indicator: Indicator, years: Sequence[int]) -> Indicator:
    """``indicator`` with a target for each of ``years`` it has none for: its last year's."""
    if indicator.kind is not IndicatorKind.NUMERIC or not indicator.targets:
        return indicator
    last = indicator.targets[max(indicator.targets)]
    targets = dict(indicator.targets)
    for year in years:
        targets.setdefault(year, last)
    return indicator.model_copy(update={"targets": targets})


def extend_plan(plan: Plan, until: Period, *, version: int | None = None) -> Plan:
    """``plan`` run on until ``until``: its span of quarters grows, and each new year's target
    of every numeric indicator is its last year's. ``version`` numbers the result (default:
    ``plan``'s). A plan already reaching ``until`` keeps its span."""
    number = plan.version if version is None else version
    if until <= plan.last_period:
        return plan if number == plan.version else plan.model_copy(update={"version": number})
    new_years = list(range(plan.info.end_year + 1, until.year + 1))
    indicators = [_extended_indicator(i, new_years) for i in plan.indicators]
    catalog = plan.catalog.model_copy(update={"indicators": indicators})
    info = plan.info.model_copy(update={"end_year": until.year})
    return plan.model_copy(
        update={
            "info": info,
            "catalog": catalog,
            "version": number,
            "until": None if until.quarter == 4 else str(until),
        }
    )


def version_plans(original: Plan, versions: Sequence[PlanVersion]) -> dict[int, Plan]:
    """The plan of every version, by number (0: ``original``, as approved): an amendment's
    own plan, run on to the span of the version before it; an extension's, the version in
    force just before it run on until its ``until``."""
    plans: dict[int, Plan] = {0: original}
    span = original.last_period
    for version in sorted(versions, key=lambda v: v.number):
        if version.kind == EXTENSION and version.until is not None:
            before = plan_in_force(plans, versions, version.effective.prev())
            plans[version.number] = extend_plan(before, version.until, version=version.number)
            span = max(span, version.until)
        elif version.plan is not None:
            plans[version.number] = extend_plan(version.plan, span, version=version.number)
    return plans


def governing_number(versions: Sequence[PlanVersion], period: Period) -> int:
    """The number of the version that governs ``period``: the newest version whose effective
    quarter is not after it; 0 (the plan as approved) before any."""
    numbers = [v.number for v in versions if v.effective <= period]
    return max(numbers, default=0)


def plan_in_force(plans: dict[int, Plan], versions: Sequence[PlanVersion], period: Period) -> Plan:
    """The plan that governs ``period`` among ``plans`` (by version number, as
    :func:`version_plans` gives them)."""
    known = [v for v in versions if v.number in plans]
    return plans[governing_number(known, period)]


def plan_for_quarter(
    original: Plan,
    versions: Sequence[PlanVersion],
    period: Period | None = None,
    *,
    as_approved: bool = False,
) -> Plan:
    """The plan to compute ``period``'s status with: the version in force then (the newest
    one for no period: the plan as it stands now). Whichever governs, it spans every quarter
    of the plan now, extensions included, so a page offers them all. ``as_approved``:
    the plan as approved, before any amendment (an extension still runs it on, with each
    new year's targets its last year's)."""
    if as_approved:
        return approved_plan(original, versions)
    plans = version_plans(original, versions)
    if period is None:
        return plans[max(plans)]
    widest = max(p.last_period for p in plans.values())
    return extend_plan(plan_in_force(plans, versions, period), widest)


def approved_plan(original: Plan, versions: Sequence[PlanVersion]) -> Plan:
    """The plan as approved, run on to the span of its extensions (none: ``original``)."""
    ends = [v.until for v in versions if v.kind == EXTENSION and v.until is not None]
    return extend_plan(original, max(ends)) if ends else original


def _targets(plan: Plan) -> dict[str, dict[int, float]]:
    return {i.code: dict(i.targets or {}) for i in plan.indicators if i.targets is not None}


def target_revisions(original: Plan, versions: Sequence[PlanVersion]) -> list[TargetRevision]:
    """Every target an amendment changed, oldest first: per amendment, each indicator year
    whose target differs from the one of the version in force just before it."""
    plans = version_plans(original, versions)
    found: list[TargetRevision] = []
    for version in sorted(versions, key=lambda v: v.number):
        if version.kind != AMENDMENT or version.number not in plans:
            continue
        earlier = [v for v in versions if v.number < version.number]
        before = _targets(plan_in_force(plans, earlier, version.effective))
        after = _targets(plans[version.number])
        for code in sorted(set(before) | set(after)):
            old, new = before.get(code, {}), after.get(code, {})
            for year in sorted(set(old) | set(new)):
                if old.get(year) != new.get(year):
                    found.append(
                        TargetRevision(
                            indicator=code,
                            year=year,
                            before=old.get(year),
                            after=new.get(year),
                            version=version.number,
                            recorded_at=version.recorded_at,
                            effective=version.effective,
                        )
                    )
    return found


def revisions_of(revisions: Sequence[TargetRevision], indicator: str) -> dict[int, TargetRevision]:
    """The latest revision of each year's target of ``indicator``, by year."""
    latest: dict[int, TargetRevision] = {}
    for revision in revisions:
        if revision.indicator == indicator:
            latest[revision.year] = revision
    return latest


def version_json(version: PlanVersion) -> dict[str, Any]:
    """A version as JSON (the command line's ``--json``)."""
    return {
        "number": version.number,
        "kind": version.kind,
        "effective": str(version.effective),
        "until": str(version.until) if version.until else None,
        "reason": version.reason,
        "approved_by": version.approved_by,
        "recorded_by": version.recorded_by,
        "recorded_at": version.recorded_at.isoformat(),
    }
