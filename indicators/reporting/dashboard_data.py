"""What the dashboard pages read: values, statuses, completeness and changes, cached.

No Dash here: pages (and the board presentation) call these functions and build components.
Results are typed (``PlanStatus``, ``ObjectiveResult``, frames with documented columns), so a
page never works with ``Any`` at this boundary.

Caching: everything computed from the stored values is cached in-process, keyed by the data
generation (``indicators.storage.queries.data_generation``), which every import bumps. Each request
reads the generation (one tiny query) and drops what was computed for an older one, so
several worker processes never serve stale statuses: at worst each worker recomputes once
after an import. ``clear_caches()`` empties everything (the benchmark's "cold" case). The
whole design of the app's caches is in :mod:`indicators.storage.cache`.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Hashable
from dataclasses import dataclass
from typing import Any, TypeVar, cast

import pandas as pd
from sqlalchemy import Engine, func, select

from accounts import approvals
from indicators.reporting.numbers import clean_number
from indicators.storage import locks, queries
from indicators.storage.cache import GenerationCache
from indicators.storage.decisions import active_decisions
from indicators.storage.schema import Submission, Value
from plan_model import progress
from plan_model import status as engine_status
from plan_model.breakdowns import (
    MemberResult,
    MemberValue,
    derive_total,
    member_results,
    member_values_of,
)
from plan_model.changes import changes_from_grids
from plan_model.decisions import MilestoneDecision
from plan_model.models import Plan, Thresholds
from plan_model.periods import Period, period_range
from plan_model.status_types import ObjectiveResult, PlanStatus
from plan_model.thresholds import ThresholdOverrides, effective_thresholds
from settings import Settings

T = TypeVar("T")

_CACHE = GenerationCache()


def clear_caches() -> None:
    """Forget every computed result (as right after an import, in every worker)."""
    _CACHE.clear()


@dataclass(frozen=True)
class DashboardData:
    """The data of one request: an engine, the plan, and the generation read once."""

    engine: Engine
    plan: Plan
    generation: int
    deadline_days: int
    scope: str
    thresholds: Thresholds | None = None  # settings' override of the catalog's thresholds
    accepted_only: bool = False  # only the values the direction accepted (the board's views)

    # ---- base frames -------------------------------------------------------------------
    def _cached(self, name: str, args: tuple[Any, ...], compute: Callable[[], T]) -> T:
        return _CACHE.get_or_compute((self.scope, self.generation, name, *args), compute)

    def memo(self, key: tuple[Hashable, ...], compute: Callable[[], T]) -> T:
        """Cache anything derived from this generation's data (e.g. a rendered page)."""
        return self._cached("memo", key, compute)

    def values(self) -> pd.DataFrame:
        """The values in force (indicator, service, period, value, stage, submission_id):
        the rows of ``queries.values_frame`` the status engine reads, from a lean query; one
        total per indicator, service and quarter: the reported one, or where nobody reported
        one the total derived from the members delivered (:func:`value_rows`). The members
        themselves are in :meth:`member_values`."""
        return self._cached("values", (), lambda: newest_frame(self._current_rows()))

    def _current_rows(self) -> list[tuple[Any, ...]]:
        """The value rows in force (``queries.in_force``), oldest submission first."""
        return self._cached(
            "current_rows",
            (),
            lambda: self._kept(value_rows(self.engine, accepted=self._accepted_or_none())),
        )

    def _accepted_or_none(self) -> set[tuple[str, str]] | None:
        """The accepted (service, quarter) pairs with ``accepted_only``; None otherwise."""
        return self.accepted_quarters() if self.accepted_only else None

    def member_values(self, as_of: dt.datetime | None = None) -> pd.DataFrame:
        """The breakdown members in force (``MEMBER_COLUMNS``: ``LEAN_COLUMNS`` and
        ``member_key``, ``numerator``, ``denominator``), only the accepted ones with
        ``accepted_only``; the totals stay in :meth:`values`."""
        key = "" if as_of is None else as_of.isoformat()
        return self._cached(
            "member_values",
            (key,),
            lambda: member_frame(
                member_rows(self.engine, as_of, accepted=self._accepted_or_none())
            ),
        )

    def breakdowns(self, code: str, period: Period) -> dict[str, list[MemberResult]]:
        """Per dimension of the indicator ``code``'s breakdowns, each member's figure at
        ``period`` and the quarter before, with its trend (``plan_model.breakdowns``); empty
        for an indicator without breakdowns (KeyError for an unknown code). Not suppressed:
        a public view asks ``plan_model.disclosure.disclose_members``."""
        indicator = self.plan.indicator_by_code[code]
        if not indicator.breakdowns:
            return {}

        def compute() -> dict[str, list[MemberResult]]:
            grouped = self._grouped_members()
            now = grouped.get((code, str(period)), [])
            before = grouped.get((code, str(period.prev())), [])
            return member_results(self.plan, indicator, now, before)

        return self._cached("breakdowns", (code, str(period)), compute)

    def _grouped_members(self) -> dict[tuple[str, str], list[MemberValue]]:
        """The members in force grouped by (indicator, quarter)."""

        def compute() -> dict[tuple[str, str], list[MemberValue]]:
            records = self.member_values().to_dict("records")
            return member_values_of(cast(list[dict[str, object]], records))

        return self._cached("grouped_members", (), compute)

    def accepted_quarters(self) -> set[tuple[str, str]]:
        """The (service, quarter) pairs the direction accepted (``accounts.approvals``)."""
        return self._cached(
            "accepted_quarters", (), lambda: approvals.accepted_quarters(self.engine)
        )

    def pending_acceptance(self, period: Period) -> list[str]:
        """With ``accepted_only``, the services whose delivery of ``period`` is left out of
        the figures because it is not accepted yet («pendent d'acceptar»); otherwise none."""
        if not self.accepted_only:
            return []
        accepted = self.accepted_quarters()
        return sorted(
            review.service
            for review in self.reviews(period).values()
            if review.submission_id is not None and (review.service, str(period)) not in accepted
        )

    def _kept(self, rows: list[tuple[Any, ...]]) -> list[tuple[Any, ...]]:
        """``rows`` (indicator, service, period first), only the accepted ones when
        ``accepted_only``: a service's quarter not accepted yet counts as not delivered."""
        if not self.accepted_only:
            return rows
        accepted = self.accepted_quarters()
        return [r for r in rows if (str(r[1]), str(r[2])) in accepted]

    def milestone_decisions(self) -> list[MilestoneDecision]:
        """The directors' milestone decisions in force (Ajornat / Desestimat, issue 15):
        recording or revoking one bumps the data generation."""
        return self._cached("milestone_decisions", (), lambda: active_decisions(self.engine))

    def submissions(self) -> pd.DataFrame:
        """Every submission (id, service, period, uploaded_at, status, filename)."""
        return self._cached("submissions", (), lambda: submission_list(self.engine))

    def reviews(self, period: Period) -> dict[str, approvals.Review]:
        """Each service's approval review of ``period`` (``accounts.approvals``): validating,
        accepting, locking and reopening bump the data generation."""
        services = [s.code for s in self.plan.services]
        return self._cached(
            "reviews",
            (str(period),),
            lambda: approvals.quarter_reviews(self.engine, str(period), services),
        )

    def locked_quarters(self) -> set[str]:
        """The quarters locked now (``indicators.storage.locks``)."""
        return self._cached("locked_quarters", (), lambda: locks.locked_periods(self.engine))

    # ---- periods -----------------------------------------------------------------------
    def plan_periods(self) -> list[Period]:
        return period_range(self.plan.first_period, self.plan.last_period)

    def periods_with_data(self) -> list[Period]:
        def compute() -> list[Period]:
            # the distinct quarters of the values in force, asked of the database (every
            # page needs them to resolve its quarter; reading every value would cost more)
            stmt = (
                select(Value.period)
                .join(Submission, Submission.id == Value.submission_id)
                .where(queries.in_force())
                .distinct()
            )
            with self.engine.connect() as conn:
                texts = conn.execute(stmt).scalars().all()
            return sorted(
                {p for p in (Period.try_parse(str(t)) for t in texts if t) if p is not None}
            )

        return self._cached("periods_with_data", (), compute)

    def latest_period(self) -> Period:
        """The latest quarter with data (the plan's first quarter when there is none)."""
        periods = self.periods_with_data()
        return periods[-1] if periods else self.plan.first_period

    def resolve_period(self, text: str | None) -> Period:
        """The quarter asked for in the URL, inside the plan; the latest with data otherwise."""
        period = Period.try_parse(text) if text else None
        if period is None or not self.plan.first_period <= period <= self.plan.last_period:
            return self.latest_period()
        return period

    # ---- statuses ----------------------------------------------------------------------
    def status(self, period: Period) -> PlanStatus:
        """The plan's status at ``period``."""
        return self._cached(
            "status",
            (str(period),),
            lambda: engine_status.status_from_grid(self.plan, self.grid(), period),
        )

    def thresholds_in_force(self) -> Thresholds:
        """The thresholds in force: the settings' override over the catalog's."""
        return effective_thresholds(self.plan.catalog.thresholds, self.thresholds)

    def grid(self) -> progress.Grid:
        """The status engine's grid of the whole plan at every quarter: computed once per
        data generation, it feeds every quarter's status and every history."""

        def compute() -> progress.Grid:
            thresholds = self.thresholds_in_force()
            decisions = self.milestone_decisions()
            return progress.compute_grid(self.plan, self.values(), thresholds, decisions)

        return self._cached("grid", (), compute)

    def history(self, period: Period, quarters: int | None = None) -> pd.DataFrame:
        """Achievement and status per level and quarter up to ``period`` (for sparklines)."""
        first = (
            self.plan.first_period
            if quarters is None
            else max(self.plan.first_period, period.prev(quarters - 1))
        )
        periods = period_range(first, period)
        return self._cached(
            "history",
            (str(first), str(period)),
            lambda: engine_status.history_from_grid(self.grid(), periods),
        )

    def achievement_series(
        self, level: str, key: str, until: Period, quarters: int | None = None
    ) -> list[tuple[str, float | None]]:
        """(quarter, achievement) of one plan, lever, axis or objective up to ``until`` (the
        last ``quarters`` only when given): the rows of :meth:`history` for that item, read
        straight from the shared grid (no frame of every indicator and quarter)."""
        grid = self.grid()
        levels = {
            "plan": grid.plan,
            "lever": grid.levers,
            "axis": grid.axes,
            "objective": grid.objectives,
        }
        found = levels.get(level)
        if found is None or key not in found.keys:
            return []
        row = found.keys.index(key)
        first = (
            self.plan.first_period
            if quarters is None
            else max(self.plan.first_period, until.prev(quarters - 1))
        )
        out: list[tuple[str, float | None]] = []
        for p in period_range(first, until):
            col = p.index - grid.table.first_index
            if 0 <= col < grid.table.n_quarters:
                out.append((str(p), clean_number(found.achievement[row, col])))
        return out

    def completeness(
        self, until: Period, today: dt.date | None = None, since: Period | None = None
    ) -> pd.DataFrame:
        """Per service and quarter from ``since`` (the plan's start) to ``until``: on time,
        late, pending."""
        day = today or dt.datetime.now(dt.UTC).date()
        first = since or self.plan.first_period
        periods = period_range(first, until)
        return self._cached(
            "completeness",
            (str(first), str(until), day.isoformat()),
            lambda: engine_status.completeness(
                self.plan,
                self.submissions(),
                periods,
                deadline_days=self.deadline_days,
                today=day,
            ),
        )

    def values_as_of(self, period: Period) -> pd.DataFrame:
        """The values as they stood at ``period``'s deadline (what a board saw then): the
        rows of ``current_values(engine, as_of=cutoff)`` (``queries.in_force`` at the cutoff).
        When nothing was uploaded after the cutoff they are the rows in force now."""
        cutoff = engine_status.as_of_cutoff(period, self.deadline_days)

        def compute() -> pd.DataFrame:
            subs = self.submissions()
            if not (subs["uploaded_at"] > pd.Timestamp(cutoff)).any():
                return newest_frame(self._current_rows())
            rows = value_rows(self.engine, until=cutoff, accepted=self._accepted_or_none())
            return newest_frame(self._kept(rows))

        return self._cached("values_as_of", (str(period),), compute)

    def completeness_of(self, period: Period, today: dt.date | None = None) -> pd.DataFrame:
        """:meth:`completeness` of one quarter only (what the overview lists as missing)."""
        day = today or dt.datetime.now(dt.UTC).date()
        return self._cached(
            "completeness_of",
            (str(period), day.isoformat()),
            lambda: engine_status.completeness(
                self.plan,
                self.submissions(),
                [period],
                deadline_days=self.deadline_days,
                today=day,
            ),
        )

    def changes(self, since: Period, until: Period) -> pd.DataFrame:
        """Objectives and indicators whose status changed from ``since`` (as it was seen at
        that quarter's deadline) to ``until`` (with today's data)."""
        return self._cached(
            "changes",
            (str(since), str(until)),
            lambda: changes_from_grids(
                self.plan,
                progress.compute_grid(
                    self.plan,
                    self.values_as_of(since),
                    self.thresholds_in_force(),
                    active_decisions(  # the decisions as they stood then, like the values
                        self.engine, as_of=engine_status.as_of_cutoff(since, self.deadline_days)
                    ),
                ),
                self.grid(),
                since,
                until,
            ),
        )

    # ---- one indicator -----------------------------------------------------------------
    def objective_values(self, code: str) -> dict[str, pd.DataFrame]:
        """The current values of each indicator of one objective, every quarter, with
        provenance (service, file, sheet, row, comment, who, when), sorted by period."""

        def compute() -> dict[str, pd.DataFrame]:
            codes = [i.code for i in self.plan.indicators_of(code)]
            frame = current_values(
                self.engine,
                indicators=codes,
                provenance=True,
                accepted=self._accepted_or_none(),
            )
            if self.accepted_only:
                accepted = self.accepted_quarters()
                keys = zip(frame["service"].astype(str), frame["period"].astype(str), strict=True)
                frame = frame[[key in accepted for key in keys]]
            frame = frame.sort_values(["indicator", "period"], kind="stable")
            groups = {str(k): g.reset_index(drop=True) for k, g in frame.groupby("indicator")}
            empty = frame.iloc[0:0]
            return {c: groups.get(c, empty) for c in codes}

        return self._cached("objective_values", (code,), compute)

    def indicator_values(self, code: str) -> pd.DataFrame:
        """:meth:`objective_values` of one indicator."""
        objective = code.split("-I", 1)[0]
        found = self.objective_values(objective).get(code)
        return found if found is not None else current_values(self.engine, [code], True)

    def submission_counts(self) -> dict[tuple[str, str], int]:
        """How many submissions (current and superseded) each service and quarter has."""

        def compute() -> dict[tuple[str, str], int]:
            stmt = select(Submission.service, Submission.period, func.count()).group_by(
                Submission.service, Submission.period
            )
            with self.engine.connect() as conn:
                return {
                    (str(service), str(period)): int(count)
                    for service, period, count in conn.execute(stmt).all()
                }

        return self._cached("submission_counts", (), compute)

    def objective_status(self, code: str, period: Period) -> ObjectiveResult:
        """One objective's status at ``period`` (KeyError if the plan has no such objective):
        from the plan's status when it is already computed, else from that objective's values
        only (an objective's figures depend on its own indicators alone: exactly the same)."""
        whole = _CACHE.peek((self.scope, self.generation, "status", str(period)))
        if isinstance(whole, PlanStatus):
            return whole.objective(code)
        grid = self._objective_grid(code)
        return self._cached(
            "objective_status",
            (code, str(period)),
            lambda: engine_status.status_from_grid(self.plan, grid, period).objective(code),
        )

    def indicator_paths(self, code: str) -> dict[str, list[float | None]] | None:
        """Per plan quarter: year value, expected value, comparable baseline, target and the
        thresholds of one indicator (the status engine's own grid); None if unknown."""
        objective = code.split("-I", 1)[0]
        grid = self._objective_grid(objective)
        row = grid.table.row.get(code)
        if row is None:
            return None
        ig = grid.indicators

        def col(matrix: Any) -> list[float | None]:
            return [clean_number(v) for v in matrix[row]]

        return {
            "value": col(ig.value),
            "expected": col(ig.expected),
            "baseline": col(ig.baseline),
            "target": col(ig.target),
            "green": [clean_number(ig.green[row])] * len(ig.value[row]),
            "amber": [clean_number(ig.amber[row])] * len(ig.value[row]),
        }

    def _objective_grid(self, objective: str) -> progress.Grid:
        """The engine's grid from the values of one objective's indicators only (the other
        rows stay empty): the objective and its indicators exactly, at every quarter."""

        def compute() -> progress.Grid:
            frames = [f for f in self.objective_values(objective).values() if not f.empty]
            values = (
                pd.concat(frames, ignore_index=True)
                if frames
                else pd.DataFrame(columns=["indicator", "period", "value", "stage"])
            )
            thresholds = self.thresholds_in_force()
            return progress.compute_grid(self.plan, values, thresholds, self.milestone_decisions())

        return self._cached("objective_grid", (objective,), compute)

    def value_history(self, code: str, period: str) -> pd.DataFrame:
        return self._cached(
            "value_history",
            (code, period),
            lambda: queries.value_history(self.engine, code, period),
        )

    def objective_history(self, code: str, until: Period) -> pd.DataFrame:
        """Rows of :meth:`history` for one objective and its indicators."""
        frame = self.history(until)
        if frame.empty:
            return frame
        keys = {code, *[i.code for i in self.plan.indicators_of(code)]}
        return frame[frame["key"].astype(str).isin(keys)]


VALUE_KEY = ["indicator", "service", "period"]
LEAN_COLUMNS = ["indicator", "service", "period", "value", "stage", "submission_id"]
PROVENANCE_COLUMNS = ["comment", "sheet", "row", "filename", "uploaded_by", "uploaded_at"]
MEMBER_EXTRA = ["member_key", "numerator", "denominator"]
MEMBER_COLUMNS = [*LEAN_COLUMNS, *MEMBER_EXTRA]
Accepted = set[tuple[str, str]] | None  # (service, quarter) pairs to keep; None: every one


def _member_stmt(columns: list[Any], as_of: dt.datetime | None) -> Any:
    """The member rows in force with ``columns`` and then the members' own three columns,
    oldest submission first."""
    return (
        select(*columns, Value.member_key, Value.numerator, Value.denominator)
        .join(Submission, Submission.id == Value.submission_id)
        .where(queries.in_force(as_of, members=queries.MEMBERS_ONLY))
        .order_by(Submission.uploaded_at, Submission.id)
    )


def _accepted_rows(rows: list[tuple[Any, ...]], accepted: Accepted) -> list[tuple[Any, ...]]:
    """``rows`` (service, quarter second and third) of the accepted quarters only."""
    if accepted is None:
        return rows
    return [r for r in rows if (str(r[1]), str(r[2])) in accepted]


def derived_rows(
    totals: list[tuple[Any, ...]], members: list[tuple[Any, ...]], width: int
) -> list[tuple[Any, ...]]:
    """The totals derived from ``members`` (rows of ``width`` columns, then member key,
    numerator, denominator) for each indicator and quarter no service reported a total of
    (``plan_model.breakdowns.derive_total``): the newest member's row (its service,
    submission and provenance) with the derived value, no stage and no comment."""
    if not members:
        return []
    reported = {(r[0], r[2]) for r in totals}
    grouped: dict[tuple[Any, Any], list[tuple[Any, ...]]] = {}
    for row in members:
        if (row[0], row[2]) not in reported and row[3] is not None:
            grouped.setdefault((row[0], row[2]), []).append(row)
    derived: list[tuple[Any, ...]] = []
    for rows in grouped.values():
        values = [
            MemberValue(str(r[width]), float(r[3]), _float(r[width + 1]), _float(r[width + 2]))
            for r in rows
        ]
        total = derive_total(values)
        if total.value is None:
            continue
        newest = list(rows[-1][:width])
        newest[3], newest[4] = total.value, None
        if width > len(LEAN_COLUMNS):
            newest[len(LEAN_COLUMNS)] = None  # the comment was the member's
        derived.append(tuple(newest))
    return derived


def _float(value: object) -> float | None:
    return None if value is None else float(cast(float, value))


def member_rows(
    engine: Engine, as_of: dt.datetime | None = None, *, accepted: Accepted = None
) -> list[tuple[Any, ...]]:
    """The member rows in force (``MEMBER_COLUMNS``), oldest submission first."""
    columns: list[Any] = [
        Value.indicator,
        Value.service,
        Value.period,
        Value.value,
        Value.stage,
        Value.submission_id,
    ]
    return _accepted_rows(_fetch(engine, _member_stmt(columns, as_of)), accepted)


def member_frame(rows: list[tuple[Any, ...]]) -> pd.DataFrame:
    """The frame of member rows (``MEMBER_COLUMNS``), sorted by indicator, quarter, members
    and service (one row per key: :func:`member_rows` gives the rows in force only)."""
    frame = pd.DataFrame([tuple(r) for r in rows], columns=MEMBER_COLUMNS)
    frame = frame.sort_values(["indicator", "period", "member_key", "service"], kind="stable")
    frame = frame.reset_index(drop=True)
    for column in ("value", "numerator", "denominator"):
        frame[column] = pd.to_numeric(frame[column], errors="coerce").astype(float)
    frame["member_key"] = frame["member_key"].astype(str)
    return frame


def current_values(
    engine: Engine,
    indicators: list[str] | None = None,
    provenance: bool = False,
    as_of: dt.datetime | None = None,
    *,
    accepted: Accepted = None,
) -> pd.DataFrame:
    """The totals in force now (or at ``as_of``), as ``queries.in_force`` defines them
    (per indicator, service and quarter the latest submission giving it a value), with only
    the columns the pages need: one query, ordered by the database, no per-row datetime
    parsing unless ``provenance`` is asked for (then for ``indicators`` only). Where no
    service reported a total but members were delivered, the total derived from them
    (:func:`derived_rows`; members of the ``accepted`` quarters only, when given).
    """
    columns: list[Any] = [
        Value.indicator,
        Value.service,
        Value.period,
        Value.value,
        Value.stage,
        Value.submission_id,
    ]
    names = list(LEAN_COLUMNS)
    if provenance:
        columns += [
            Value.comment,
            Value.sheet,
            Value.row,
            Submission.filename,
            Submission.uploaded_by,
            Submission.uploaded_at,
        ]
        names += PROVENANCE_COLUMNS
    stmt = (
        select(*columns)
        .join(Submission, Submission.id == Value.submission_id)
        .where(queries.in_force(as_of, members=queries.TOTALS_ONLY))
        .order_by(Submission.uploaded_at, Submission.id)
    )
    members = _member_stmt(columns, as_of)
    if indicators is not None:
        stmt = stmt.where(Value.indicator.in_(indicators))
        members = members.where(Value.indicator.in_(indicators))
    totals = _fetch(engine, stmt)
    member_list = _accepted_rows(_fetch(engine, members), accepted)
    return newest_frame(totals + derived_rows(totals, member_list, len(names)), names)


def value_rows(
    engine: Engine, until: dt.datetime | None = None, *, accepted: Accepted = None
) -> list[tuple[Any, ...]]:
    """The lean total rows (``LEAN_COLUMNS``) in force now (or at ``until``), oldest
    submission first (``queries.in_force``), then the totals derived from members where no
    service reported one (:func:`derived_rows`; members of the ``accepted`` quarters only,
    when given)."""
    stmt = (
        select(
            Value.indicator,
            Value.service,
            Value.period,
            Value.value,
            Value.stage,
            Value.submission_id,
        )
        .join(Submission, Submission.id == Value.submission_id)
        .where(queries.in_force(until, members=queries.TOTALS_ONLY))
        .order_by(Submission.uploaded_at, Submission.id)
    )
    totals = _fetch(engine, stmt)
    members = member_rows(engine, until, accepted=accepted)
    return totals + derived_rows(totals, members, len(LEAN_COLUMNS))


def _fetch(engine: Engine, stmt: Any) -> list[tuple[Any, ...]]:
    with engine.connect() as conn:
        result = conn.execute(stmt)
        # the driver's tuples as they are: plain str/float/int here, so SQLAlchemy's per-row
        # processing (most of the time of a large read) is not needed
        rows = result.cursor.fetchall() if result.cursor is not None else result.all()
        result.close()
    return cast(list[tuple[Any, ...]], rows)


def newest_frame(rows: list[tuple[Any, ...]], names: list[str] | None = None) -> pd.DataFrame:
    """The frame of ``rows`` (oldest submission first; their first columns are ``names``,
    by default ``LEAN_COLUMNS``) keeping, per indicator, service and quarter, the newest
    submission's row, sorted by that key."""
    names = list(LEAN_COLUMNS) if names is None else names
    newest = {(r[0], r[1], r[2]): r for r in rows}
    ordered = [newest[k] for k in sorted(newest)]
    # columns by transposing the tuples in C (zip); columns beyond ``names`` (the as-of
    # rows' submission service and quarter) are dropped by the outer zip
    transposed: Any = zip(*ordered, strict=True) if ordered else [[] for _name in names]
    data = dict(zip(names, (list(col) for col in transposed), strict=False))
    frame = pd.DataFrame(data, columns=names)
    frame["value"] = pd.to_numeric(frame["value"], errors="coerce").astype(float)
    if "uploaded_at" in names:
        frame["uploaded_at"] = pd.to_datetime(frame["uploaded_at"], utc=True)
    return frame


def submission_list(engine: Engine) -> pd.DataFrame:
    """Every submission, history included: the columns completeness and pages read."""
    names = ["id", "service", "period", "uploaded_at", "status", "filename"]
    stmt = select(
        Submission.id,
        Submission.service,
        Submission.period,
        Submission.uploaded_at,
        Submission.status,
        Submission.filename,
    ).order_by(Submission.uploaded_at, Submission.id)
    with engine.connect() as conn:
        rows = conn.execute(stmt).all()
    frame = pd.DataFrame(
        {name: [r[i] for r in rows] for i, name in enumerate(names)}, columns=names
    )
    frame["uploaded_at"] = pd.to_datetime(frame["uploaded_at"], utc=True)
    return frame


def load(
    engine: Engine,
    plan: Plan,
    *,
    deadline_days: int,
    thresholds: Thresholds | None = None,
    accepted_only: bool = False,
) -> DashboardData:
    """The dashboard's data for this request (reads the data generation once).
    ``thresholds``: the settings' override of the catalog's global thresholds (None: the
    catalog's); results are cached per thresholds in force. ``accepted_only``: only the
    values the direction accepted (``BOARD_ACCEPTED_ONLY``, for the board's views)."""
    generation = queries.data_generation(engine)
    used = effective_thresholds(plan.catalog.thresholds, thresholds)
    scope = (
        f"{engine.url.render_as_string(hide_password=True)}|{plan.info.id}"
        f"|v{plan.version}-{plan.last_period}"
        f"|{used.green}|{used.amber}{'|accepted' if accepted_only else ''}"
    )
    _CACHE.check(scope, generation)
    return DashboardData(
        engine=engine,
        plan=plan,
        generation=generation,
        deadline_days=deadline_days,
        scope=scope,
        thresholds=thresholds,
        accepted_only=accepted_only,
    )


def settings_thresholds(settings: Settings, plan: Plan) -> Thresholds:
    """The thresholds in force for this installation: ``GREEN_THRESHOLD`` /
    ``AMBER_THRESHOLD`` of the settings over the catalog's (the pages, the downloads and the
    command line all read them here)."""
    overrides = ThresholdOverrides(green=settings.green_threshold, amber=settings.amber_threshold)
    return effective_thresholds(plan.catalog.thresholds, overrides)


def share_of_plan_elapsed(plan: Plan, period: Period) -> float:
    """How much of the plan's time has passed at the end of ``period`` (0-1)."""
    total = plan.last_period.index - plan.first_period.index + 1
    done = period.index - plan.first_period.index + 1
    return min(1.0, max(0.0, done / total))


def with_derived_totals(totals: pd.DataFrame, members: pd.DataFrame) -> pd.DataFrame:
    """``totals`` (a ``queries.values_frame``) with, for each indicator and quarter that no
    service reported a total of, the total derived from ``members`` (a
    ``queries.member_values_frame``): :func:`derived_rows`' rule for frames (the newest
    member's row, its value the derived total, no stage and no comment)."""
    if members.empty:
        return totals
    reported = set(zip(totals["indicator"], totals["period"], strict=True))
    grouped = member_values_of(cast(list[dict[str, object]], members.to_dict("records")))
    extra = []
    for (indicator, period), values in grouped.items():
        if (indicator, period) in reported:
            continue
        total = derive_total(values)
        if total.value is None:
            continue
        rows = members[(members["indicator"] == indicator) & (members["period"] == period)]
        newest = rows.sort_values("uploaded_at", kind="stable").iloc[-1].to_dict()
        newest.update(value=total.value, stage=None, comment=None)
        extra.append({c: newest.get(c) for c in totals.columns})
    if not extra:
        return totals
    frame = pd.concat([totals, pd.DataFrame(extra, columns=totals.columns)], ignore_index=True)
    frame["value"] = frame["value"].astype(float)
    return frame.sort_values(["indicator", "period", "service"], kind="stable").reset_index(
        drop=True
    )
