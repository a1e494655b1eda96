"""The public read model (``indicators.reporting.public``, issue 19): only published
quarters, only accepted values, nothing of an unpublished quarter even inside a figure of a
published one, small counts suppressed (SQLite and PostgreSQL)."""

from __future__ import annotations

import pandas as pd
import pytest
from sqlalchemy import Engine

from accounts import approvals, publications
from accounts.roles import Actor
from indicators.reporting import dashboard_data, public
from plan_model import progress
from plan_model import status as engine_status
from plan_model.completeness import expected_services
from plan_model.models import Plan
from plan_model.periods import Period
from tests.helpers.dash_sample import load_sample

T1, T2, T3 = Period(2022, 1), Period(2022, 2), Period(2022, 3)
OPERATOR = Actor.operator("op")


def _accept_all(engine: Engine, plan: Plan, period: Period, but: str | None = None) -> None:
    for service in expected_services(plan):
        if service == but:
            continue
        approvals.validate(engine, service, str(period), by=OPERATOR)
        approvals.approve(engine, service, str(period), by=OPERATOR)


def _publish(engine: Engine, period: Period) -> None:
    approvals.lock_period(engine, period=str(period), by=OPERATOR, reason="prova")
    publications.publish_period(engine, str(period), by=OPERATOR)


@pytest.fixture
def published(engine: Engine, plan: Plan) -> Engine:
    """2022-T1..T3 delivered and accepted (but SIS in T1); T1 and T3 published, T2 not."""
    dashboard_data.clear_caches()
    load_sample(engine, plan, [T1, T2, T3])
    _accept_all(engine, plan, T1, but="SIS")
    _accept_all(engine, plan, T2)
    _accept_all(engine, plan, T3)
    _publish(engine, T1)
    _publish(engine, T3)
    return engine


def _model(engine: Engine, plan: Plan, small_count: int = 5) -> public.PublicData:
    return public.load(engine, plan, deadline_days=30, small_count=small_count)


def test_only_published_quarters_are_public(published: Engine, plan: Plan) -> None:
    model = _model(published, plan)
    assert model.periods() == [T1, T3]
    assert model.latest() == T3
    assert model.period(None) == T3 and model.period("2022-T1") == T1
    for refused in ("2022-T2", "2022-T4", "2030-T1", "nonsense", "2022-T1'--"):
        with pytest.raises(public.NotPublished):
            model.period(refused)
    with pytest.raises(public.NotPublished):
        model.status(T2)


def test_nothing_of_an_unpublished_quarter_nor_an_unaccepted_delivery(
    published: Engine, plan: Plan
) -> None:
    model = _model(published, plan)
    assert set(model.values()["period"]) == {"2022-T1", "2022-T3"}
    assert "SIS" not in set(model.values(T1)["service"])  # not accepted in T1
    assert "SIS" in set(model.values(T3)["service"])
    # the figures of T3 are computed without T2: as if T2 had never been delivered
    internal = dashboard_data.load(published, plan, deadline_days=30, accepted_only=True)
    without_t2 = internal.values()
    without_t2 = without_t2[without_t2["period"] != "2022-T2"]
    grid = progress.compute_grid(plan, without_t2, internal.thresholds_in_force(), [])
    expected = engine_status.status_from_grid(plan, grid, T3)
    got = model.status(T3)
    assert got.plan.achievement == pytest.approx(expected.plan.achievement)
    assert [o.status for o in got.objectives] == [o.status for o in expected.objectives]
    assert list(model.history(T3)["period"].unique()) == ["2022-T1", "2022-T3"]


def test_small_counts_are_suppressed_in_the_values(published: Engine, plan: Plan) -> None:
    # counts, and (issue 14) the sensitive indicators, percentages too
    counts = {i.code for i in plan.indicators if (i.integer or i.sensitive) and not i.is_milestone}
    raw = _model(published, plan, small_count=0).values()
    assert not raw["suppressed"].any()  # the rule turned off
    big = int(raw[raw["indicator"].isin(counts)]["value"].max()) + 1
    model = _model(published, plan, small_count=big)
    shown = model.values()
    rows = shown[shown["indicator"].isin(counts)]
    positive = raw[raw["indicator"].isin(counts) & (raw["value"] > 0)]
    assert len(positive) > 0
    assert rows["suppressed"].sum() == len(positive)
    assert rows[rows["suppressed"]]["value"].isna().all()
    assert set(rows[rows["suppressed"]]["below"]) == {big}
    others = shown[~shown["indicator"].isin(counts)]
    assert not others["suppressed"].any()
    assert list(shown.columns) == public.VALUE_COLUMNS
    assert not {"comment", "uploaded_by", "filename"} & set(shown.columns)


def test_an_indicator_with_a_suppressed_count_hides_its_progress(
    published: Engine, plan: Plan
) -> None:
    model = _model(published, plan, small_count=10**9)
    status = model.status(T3)
    hidden = [i for i in status.indicators if not model.progress_shown(i)]
    found = [plan.indicator_by_code[i.code] for i in hidden]
    assert found and all(i.integer or i.sensitive for i in found)
    assert all(model.indicator_figure(i).value is None for i in hidden)


def test_publishing_another_quarter_is_seen_at_once(published: Engine, plan: Plan) -> None:
    assert _model(published, plan).periods() == [T1, T3]
    _publish(published, T2)
    model = _model(published, plan)
    assert model.periods() == [T1, T2, T3]
    assert isinstance(model.values(T2), pd.DataFrame) and not model.values(T2).empty
