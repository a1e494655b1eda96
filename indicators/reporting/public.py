"""What the public sees (issue 19): the read model of the public view, the embeds, the
open-data API and its files. No Dash, no Flask here.

The rule, in one place:

- only **published** quarters (``indicators.storage.publications``, a director's decision
  taken after the quarter is locked) leave the app; a quarter that is not published is
  :class:`NotPublished` (the web answers 404);
- only **accepted** values (the direction accepted the service's delivery, as the board's
  ``BOARD_ACCEPTED_ONLY`` views) and only values **of published quarters**: a figure of a
  published quarter is computed from the accepted values of the published quarters up to it,
  so nothing of an unpublished quarter reaches the public even inside a year-to-date sum;
- small counts are suppressed (:mod:`plan_model.disclosure`, ``SMALL_COUNT``);
- the public fields only: code, name, light, figures, trend; never contacts, user names,
  comments, file names or anything about the submissions' people.

Figures are cached per data generation and set of published quarters (publishing bumps
nothing else), so a traffic spike computes each quarter once per worker.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, cast

import pandas as pd
from sqlalchemy import Engine

from indicators.reporting import dashboard_data
from indicators.reporting.dashboard_data import DashboardData
from indicators.reporting.numbers import clean_number
from indicators.storage import publications
from indicators.storage.publications import PublicationInfo
from plan_model import progress
from plan_model import status as engine_status
from plan_model.disclosure import (
    DEFAULT_SMALL_COUNT,
    Disclosed,
    MembersDisclosed,
    disclose,
    disclose_breakdowns,
)
from plan_model.models import Plan, Thresholds
from plan_model.periods import Period
from plan_model.status_types import IndicatorResult, PlanStatus

# the columns of a public value row (``PublicData.values``)
VALUE_COLUMNS = ["indicator", "service", "period", "value", "stage", "suppressed", "below"]


class NotPublished(LookupError):
    """The quarter asked for is not published (or not a quarter of the plan)."""

    def __init__(self, period: str | None) -> None:
        super().__init__(period)
        self.period = period


@dataclass(frozen=True)
class PublicData:
    """The public figures of one plan, for one request (the generation read once)."""

    data: DashboardData  # accepted_only=True
    published: Mapping[str, PublicationInfo]
    small_count: int = DEFAULT_SMALL_COUNT

    @property
    def plan(self) -> Plan:
        return self.data.plan

    # ---- quarters ----------------------------------------------------------------------
    def periods(self) -> list[Period]:
        """The published quarters of the plan, oldest first."""
        found = (Period.try_parse(text) for text in self.published)
        plan = self.plan
        return sorted(
            p for p in found if p is not None and plan.first_period <= p <= plan.last_period
        )

    def latest(self) -> Period | None:
        """The latest published quarter (``None`` while nothing is published)."""
        periods = self.periods()
        return periods[-1] if periods else None

    def period(self, text: str | None) -> Period:
        """The published quarter ``text`` names (the latest when ``None`` or empty);
        :class:`NotPublished` for any other text."""
        if not text:
            latest = self.latest()
            if latest is None:
                raise NotPublished(None)
            return latest
        period = Period.try_parse(text)
        if period is None or period not in self.periods():
            raise NotPublished(text)
        return period

    def published_at(self, period: Period) -> dt.datetime:
        """When ``period`` was published (the publication in force)."""
        return self.published[str(period)].published_at

    def _key(self) -> tuple[str, ...]:
        return ("public", *(str(p) for p in self.periods()))

    # ---- values ------------------------------------------------------------------------
    def raw_values(self) -> pd.DataFrame:
        """The accepted values of the published quarters (lean columns, not suppressed):
        what the public figures are computed from. Never serve this frame as it is."""

        def compute() -> pd.DataFrame:
            shown = {str(p) for p in self.periods()}
            frame = self.data.values()
            return frame[frame["period"].astype(str).isin(shown)].reset_index(drop=True)

        return self.data.memo((*self._key(), "raw"), compute)

    def values(self, period: Period | None = None) -> pd.DataFrame:
        """The public value rows (``VALUE_COLUMNS``), of ``period`` only when given: small
        counts suppressed (``value`` empty, ``suppressed`` true, ``below`` the threshold)."""

        def compute() -> pd.DataFrame:
            frame = self.raw_values()
            rows = []
            by_code = self.plan.indicator_by_code
            records = cast(list[dict[str, Any]], frame.to_dict("records"))
            for rec in records:
                indicator = by_code.get(str(rec["indicator"]))
                if indicator is None:  # a code no longer in the catalog: not a plan figure
                    continue
                value = clean_number(rec["value"])
                shown = disclose(indicator, value, self.small_count)
                raw_stage = rec["stage"]
                stage = raw_stage if isinstance(raw_stage, str) and raw_stage else None
                rows.append(
                    (
                        str(rec["indicator"]),
                        str(rec["service"]),
                        str(rec["period"]),
                        shown.value,
                        stage,
                        shown.suppressed,
                        shown.below,
                    )
                )
            return pd.DataFrame(rows, columns=VALUE_COLUMNS)

        frame = self.data.memo((*self._key(), "values", self.small_count), compute)
        if period is None:
            return frame
        return frame[frame["period"] == str(period)].reset_index(drop=True)

    # ---- figures -----------------------------------------------------------------------
    def thresholds(self) -> Thresholds:
        """The thresholds in force (shown on the "com es calcula" page)."""
        return self.data.thresholds_in_force()

    def grid(self) -> progress.Grid:
        """The status engine's grid over the public values (every quarter)."""

        def compute() -> progress.Grid:
            return progress.compute_grid(
                self.plan,
                self.raw_values(),
                self.thresholds(),
                self.data.milestone_decisions(),
            )

        return self.data.memo((*self._key(), "grid"), compute)

    def status(self, period: Period) -> PlanStatus:
        """The plan's public status at ``period`` (a published quarter)."""
        if period not in self.periods():
            raise NotPublished(str(period))
        return self.data.memo(
            (*self._key(), "status", str(period)),
            lambda: engine_status.status_from_grid(self.plan, self.grid(), period),
        )

    def history(self, until: Period) -> pd.DataFrame:
        """Achievement and status per level at every published quarter up to ``until``
        (``plan_model.status.HISTORY_COLUMNS``): the public trend."""
        periods = [p for p in self.periods() if p <= until]
        return self.data.memo(
            (*self._key(), "history", str(until)),
            lambda: engine_status.history_from_grid(self.grid(), periods),
        )

    def breakdowns(self, code: str, period: Period) -> dict[str, MembersDisclosed]:
        """The breakdown members of indicator ``code`` at a published ``period``, per
        dimension, as the public may see them (small counts and the cells that would reveal
        them suppressed: ``plan_model.disclosure.disclose_breakdowns``); empty for an
        indicator without breakdowns. The members are the accepted ones of that quarter."""
        if period not in self.periods():
            raise NotPublished(str(period))
        indicator = self.plan.indicator_by_code[code]
        if not indicator.breakdowns:
            return {}
        results = self.data.breakdowns(code, period)
        raw = self.raw_values()
        rows = raw[(raw["indicator"] == code) & (raw["period"] == str(period))]
        numbers = [v for v in (clean_number(x) for x in rows["value"]) if v is not None]
        total = sum(numbers) if numbers else None
        return disclose_breakdowns(indicator, total, results, self.small_count)

    def indicator_figure(self, result: IndicatorResult) -> Disclosed:
        """An indicator's value at a quarter as the public may see it (see
        :meth:`progress_shown` for its share of target)."""
        return disclose(self.plan.indicator_by_code[result.code], result.value, self.small_count)

    def quarter_figure(self, result: IndicatorResult) -> Disclosed:
        """An indicator's own figure of the quarter as the public may see it."""
        indicator = self.plan.indicator_by_code[result.code]
        return disclose(indicator, result.quarter_value, self.small_count)

    def progress_shown(self, result: IndicatorResult) -> bool:
        """Whether an indicator's progress, share of target and forecast may be shown: not
        when its value or its quarter's figure is suppressed (they would reveal it)."""
        return not (
            self.indicator_figure(result).suppressed or self.quarter_figure(result).suppressed
        )


def load(
    engine: Engine,
    plan: Plan,
    *,
    deadline_days: int,
    thresholds: Thresholds | None = None,
    small_count: int = DEFAULT_SMALL_COUNT,
) -> PublicData:
    """The public read model for this request."""
    data = dashboard_data.load(
        engine, plan, deadline_days=deadline_days, thresholds=thresholds, accepted_only=True
    )
    published = publications.published_periods(engine, plan.info.id)
    return PublicData(data=data, published=published, small_count=small_count)
