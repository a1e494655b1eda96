"""The dashboard's data service on SQLite and PostgreSQL: periods, statuses, caches that follow
the data generation (as several workers would see it)."""

from __future__ import annotations

import pandas as pd
import pytest
from sqlalchemy import Engine

from indicators.reporting import dashboard_data
from indicators.storage.store import store
from plan_model.models import Plan
from plan_model.periods import Period
from tests.helpers.dash_sample import load_sample, submission_values


def test_empty_database_defaults_to_the_first_quarter(engine: Engine, plan: Plan) -> None:
    dashboard_data.clear_caches()
    data = dashboard_data.load(engine, plan, deadline_days=30)
    assert data.periods_with_data() == []
    assert data.latest_period() == plan.first_period
    assert data.resolve_period("2024-T2") == Period(2024, 2)
    assert data.resolve_period("nonsense") == plan.first_period
    result = data.status(plan.first_period)
    assert str(result.plan.status) == "grey"


def test_status_history_and_completeness(engine: Engine, plan: Plan) -> None:
    dashboard_data.clear_caches()
    load_sample(engine, plan, [Period(2022, 1), Period(2022, 2)], skip=[("SIS", "2022-T2")])
    data = dashboard_data.load(engine, plan, deadline_days=30)
    assert data.latest_period() == Period(2022, 2)
    assert data.resolve_period("2030-T1") == Period(2022, 2)
    result = data.status(Period(2022, 2))
    assert result.plan.achievement is not None
    history = data.history(Period(2022, 2))
    assert set(history["period"]) == {"2022-T1", "2022-T2"}
    states = data.completeness(Period(2022, 2))
    sis = states[(states["service"] == "SIS") & (states["period"] == "2022-T2")]
    assert list(sis["state"]) == ["pending"]
    values = data.indicator_values(plan.indicators_of_service("SIS")[0].code)
    assert list(values["period"]) == ["2022-T1"]
    paths = data.indicator_paths(plan.indicators[0].code)
    assert paths is not None and len(paths["expected"]) == 16


def test_caches_follow_the_data_generation(engine: Engine, plan: Plan) -> None:
    dashboard_data.clear_caches()
    load_sample(engine, plan, [Period(2022, 1)])
    before = dashboard_data.load(engine, plan, deadline_days=30)
    assert before.values() is before.values()  # cached within a generation
    assert before.latest_period() == Period(2022, 1)
    calls: list[int] = []

    def computed(answer: int) -> int:
        calls.append(1)
        return answer

    assert before.memo(("x",), lambda: computed(1)) == 1
    assert before.memo(("x",), lambda: computed(2)) == 1
    assert calls == [1]
    # another worker imports: this worker sees the new generation on its next request
    store(
        engine,
        service="SIS",
        period="2022-T2",
        filename="SIS.xlsx",
        content=b"new",
        user="tecnic.sis",
        source="cli",
        values=submission_values(plan, "SIS", Period(2022, 2)),
        warnings=[],
    )
    after = dashboard_data.load(engine, plan, deadline_days=30)
    assert after.generation > before.generation
    assert after.latest_period() == Period(2022, 2)
    assert after.memo(("x",), lambda: 3) == 3
    dashboard_data.clear_caches()
    assert dashboard_data.load(engine, plan, deadline_days=30).memo(("x",), lambda: 4) == 4


def test_share_of_plan_elapsed(plan: Plan) -> None:
    assert dashboard_data.share_of_plan_elapsed(plan, Period(2022, 1)) == 1 / 16
    assert dashboard_data.share_of_plan_elapsed(plan, Period(2025, 4)) == 1.0
    assert dashboard_data.share_of_plan_elapsed(plan, Period(2030, 1)) == 1.0


def test_lean_values_are_the_values_in_force(engine: Engine, plan: Plan) -> None:
    """The dashboard's lean query gives exactly the rows of ``queries.values_frame``, with
    re-uploads (supersede) and files that repeat an earlier quarter's figures."""
    from indicators.intake.validate import ParsedValue
    from indicators.storage.queries import values_frame

    load_sample(engine, plan, [Period(2022, 1), Period(2022, 2)])
    code = plan.indicators_of_service("SIS")[0].code
    # SIS re-sends 2022-T2, its file also carrying a corrected 2022-T1 figure
    history = [
        ParsedValue(code, "2022-T1", 1234.0, "corregit", "Dades", 9, "E"),
        *submission_values(plan, "SIS", Period(2022, 2)),
    ]
    store(
        engine,
        service="SIS",
        period="2022-T2",
        filename="SIS_v2.xlsx",
        content=b"v2",
        user="tecnic.sis",
        source="cli",
        values=history,
        warnings=[],
    )
    lean = dashboard_data.current_values(engine)
    reference = values_frame(engine)[dashboard_data.LEAN_COLUMNS]
    reference = reference.sort_values(dashboard_data.VALUE_KEY).reset_index(drop=True)
    pd.testing.assert_frame_equal(lean, reference, check_dtype=False)
    corrected = lean[(lean["indicator"] == code) & (lean["period"] == "2022-T1")]
    assert list(corrected["value"]) == [1234.0]
    with_provenance = dashboard_data.current_values(engine, [code], provenance=True)
    row = with_provenance[with_provenance["period"] == "2022-T1"].iloc[0]
    assert (row["filename"], row["row"], row["comment"]) == ("SIS_v2.xlsx", 9, "corregit")


def test_lean_values_as_of_match_values_frame(engine: Engine, plan: Plan) -> None:
    import datetime as dt

    from indicators.storage.queries import values_frame

    load_sample(engine, plan, [Period(2022, 1), Period(2022, 2)])
    # a later re-upload of SIS 2022-T2 with one value only: before it, the first file rules
    late = dt.datetime(2022, 9, 20, tzinfo=dt.UTC)
    first_value = submission_values(plan, "SIS", Period(2022, 2))[:1]
    store(
        engine,
        service="SIS",
        period="2022-T2",
        filename="SIS_v2.xlsx",
        content=b"v2",
        user="tecnic.sis",
        source="cli",
        values=first_value,
        warnings=[],
        uploaded_at=late,
    )
    for cutoff in (
        dt.datetime(2022, 5, 1, tzinfo=dt.UTC),
        dt.datetime(2022, 8, 1, tzinfo=dt.UTC),
        dt.datetime(2022, 10, 1, tzinfo=dt.UTC),
    ):
        lean = dashboard_data.current_values(engine, as_of=cutoff)
        reference = values_frame(engine, as_of=cutoff)[dashboard_data.LEAN_COLUMNS]
        reference = reference.sort_values(dashboard_data.VALUE_KEY).reset_index(drop=True)
        pd.testing.assert_frame_equal(lean, reference, check_dtype=False)


def test_values_as_of_a_quarter_match_values_frame(engine: Engine, plan: Plan) -> None:
    """``DashboardData.values_as_of`` (current rows already read plus the superseded files in
    force then) gives exactly ``values_frame(as_of=deadline)`` at every quarter's deadline."""
    import datetime as dt

    from indicators.intake.validate import ParsedValue
    from indicators.storage.queries import values_frame
    from plan_model.completeness import as_of_cutoff, expected_services

    dashboard_data.clear_caches()
    quarters = [Period(2022, 1), Period(2022, 2), Period(2022, 3)]
    load_sample(engine, plan, quarters)
    sis = submission_values(plan, "SIS", Period(2022, 2))
    number = next(v for v in sis if isinstance(v.value, float))
    code = number.indicator
    other = next(s for s in expected_services(plan) if s != "SIS")
    # SIS re-sends 2022-T2 on time (the first file is superseded within the quarter's
    # deadline), then again after the next quarter's deadline with one value and a corrected
    # 2022-T1 figure; another service re-sends 2022-T1 late, after 2022-T2's deadline
    store(
        engine,
        service="SIS",
        period="2022-T2",
        filename="SIS_v2.xlsx",
        content=b"v2",
        user="tecnic.sis",
        source="cli",
        values=sis,
        warnings=[],
        uploaded_at=dt.datetime(2022, 7, 20, tzinfo=dt.UTC),
    )
    store(
        engine,
        service="SIS",
        period="2022-T2",
        filename="SIS_v3.xlsx",
        content=b"v3",
        user="tecnic.sis",
        source="cli",
        warnings=[],
        values=[ParsedValue(code, "2022-T1", 4321.0, None, "Dades", 3, "E"), number],
        uploaded_at=dt.datetime(2022, 11, 15, tzinfo=dt.UTC),
    )
    store(
        engine,
        service=other,
        period="2022-T1",
        filename="v2.xlsx",
        content=b"v2",
        user="tecnic",
        source="cli",
        warnings=[],
        values=submission_values(plan, other, Period(2022, 1))[:2],
        uploaded_at=dt.datetime(2022, 9, 1, tzinfo=dt.UTC),
    )
    data = dashboard_data.load(engine, plan, deadline_days=30)
    data.values()  # the current rows are read first, as on a page
    for quarter in [*quarters, Period(2022, 4)]:
        cutoff = as_of_cutoff(quarter, 30)
        reference = values_frame(engine, as_of=cutoff)[dashboard_data.LEAN_COLUMNS]
        reference = reference.sort_values(dashboard_data.VALUE_KEY).reset_index(drop=True)
        pd.testing.assert_frame_equal(data.values_as_of(quarter), reference, check_dtype=False)

    # the corrected 2022-T1 figure counts only once its file had been sent
    def t1(frame: pd.DataFrame) -> list[float]:
        rows = frame[(frame["indicator"] == code) & (frame["period"] == "2022-T1")]
        return list(rows["value"])

    assert t1(data.values_as_of(Period(2022, 3))) != [4321.0]
    assert t1(data.values_as_of(Period(2022, 4))) == [4321.0]
    assert t1(data.values()) == [4321.0]


def test_settings_thresholds_change_the_lights(engine: Engine, plan: Plan) -> None:
    from plan_model.models import Thresholds

    dashboard_data.clear_caches()
    load_sample(engine, plan, [Period(2022, 1)])
    default = dashboard_data.load(engine, plan, deadline_days=30)
    strict = dashboard_data.load(
        engine, plan, deadline_days=30, thresholds=Thresholds(green=1.5, amber=1.4)
    )
    assert strict.scope != default.scope  # cached apart
    lights = {str(o.status) for o in strict.status(Period(2022, 1)).objectives}
    assert "green" not in lights  # nothing reaches 150 % of the expected progress
    assert "green" in {str(o.status) for o in default.status(Period(2022, 1)).objectives}


def test_an_import_drops_what_was_cached_under_thresholds(engine: Engine, plan: Plan) -> None:
    """Entries computed with the settings' thresholds are dropped at the next generation too
    (they were left to the LRU when the scope carried the thresholds)."""
    from plan_model.models import Thresholds

    dashboard_data.clear_caches()
    load_sample(engine, plan, [Period(2022, 1)])
    strict = Thresholds(green=1.5, amber=1.4)
    before = dashboard_data.load(engine, plan, deadline_days=30, thresholds=strict)
    before.status(Period(2022, 1))
    old_key = (before.scope, before.generation, "status", "2022-T1")
    assert dashboard_data._CACHE.peek(old_key) is not None
    store(
        engine,
        service="SIS",
        period="2022-T2",
        filename="SIS.xlsx",
        content=b"new",
        user="tecnic.sis",
        source="cli",
        values=submission_values(plan, "SIS", Period(2022, 2)),
        warnings=[],
    )
    after = dashboard_data.load(engine, plan, deadline_days=30, thresholds=strict)
    assert after.scope == before.scope and after.generation > before.generation
    assert dashboard_data._CACHE.peek(old_key) is None


def test_the_catalogs_thresholds_share_one_cache(engine: Engine, plan: Plan) -> None:
    """No override, or an override equal to the catalog's: the same thresholds in force, so
    the same cached results."""
    dashboard_data.clear_caches()
    same = plan.catalog.thresholds
    plain = dashboard_data.load(engine, plan, deadline_days=30)
    explicit = dashboard_data.load(engine, plan, deadline_days=30, thresholds=same)
    assert plain.scope == explicit.scope
    assert plain.status(plan.first_period) is explicit.status(plan.first_period)


def test_settings_thresholds_read_the_override_over_the_catalog(plan: Plan) -> None:
    from plan_model.models import Thresholds
    from settings import Settings

    catalog = plan.catalog.thresholds
    assert dashboard_data.settings_thresholds(Settings(), plan) == catalog
    assert dashboard_data.settings_thresholds(Settings(green_threshold=0.95), plan) == (
        Thresholds(green=0.95, amber=catalog.amber)
    )
    assert dashboard_data.settings_thresholds(Settings(amber_threshold=0.5), plan) == (
        Thresholds(green=catalog.green, amber=0.5)
    )


def test_the_command_line_reads_the_same_thresholds(
    plan: Plan, monkeypatch: pytest.MonkeyPatch
) -> None:
    """``seguiment status/report/export`` and the pages take the same thresholds."""
    from cli.status import configured_thresholds
    from settings import Settings, get_settings

    monkeypatch.setenv("GREEN_THRESHOLD", "0.95")
    monkeypatch.delenv("AMBER_THRESHOLD", raising=False)
    get_settings.cache_clear()
    try:
        assert configured_thresholds(plan) == dashboard_data.settings_thresholds(
            Settings(green_threshold=0.95), plan
        )
        assert configured_thresholds(plan).green == 0.95
    finally:
        get_settings.cache_clear()
