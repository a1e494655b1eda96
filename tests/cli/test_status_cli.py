"""``seguiment status`` and ``seguiment bench``: JSON shape, text tree, as-of, usage errors."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterator

import pandas as pd
import pytest

import cli.status as status_cli
from cli import main
from indicators.intake.importer import import_file
from indicators.storage.engine import get_engine
from indicators.storage.queries import MEMBER_COLUMNS
from plan_model.models import Plan
from settings import get_settings

STATUSES = {"green", "amber", "red", "grey"}


@pytest.fixture
def cli_db(db_url: str, monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    monkeypatch.setenv("DATABASE_URL", db_url)
    get_settings.cache_clear()
    yield db_url
    get_settings.cache_clear()
    get_engine(db_url).dispose()


def _first_numeric(plan: Plan) -> tuple[str, str]:
    ind = next(i for i in plan.indicators if not i.is_milestone)
    return ind.code, ind.responsible_service


def _check_shape(doc: dict[str, object]) -> None:
    assert {"period", "as_of", "plan", "levers"} <= set(doc)
    levers = doc["levers"]
    assert isinstance(levers, list) and levers
    for lever in levers:
        assert {
            "number",
            "name",
            "achievement",
            "status",
            "trend",
            "counts",
            "coverage",
            "axes",
        } <= set(lever)
        assert lever["status"] in STATUSES
        for axis in lever["axes"]:
            assert {"number", "status", "objectives"} <= set(axis)
            for objective in axis["objectives"]:
                assert {
                    "code",
                    "achievement",
                    "status",
                    "trend",
                    "counts",
                    "coverage",
                    "indicators",
                } <= set(objective)
                for ind in objective["indicators"]:
                    assert {
                        "code",
                        "value",
                        "expected",
                        "achievement",
                        "status",
                        "trend",
                        "forecast",
                    } <= set(ind)
                    # issue 15: a context indicator has no light (status null)
                    if ind["kind"] == "context":
                        assert ind["status"] is None
                    else:
                        assert ind["status"] in STATUSES


def test_status_json_with_a_frame_source(
    plan: Plan, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    code, _service = _first_numeric(plan)
    frame = pd.DataFrame(
        {"indicator": [code], "period": ["2024-T3"], "value": [1.0], "stage": [None]}
    )
    seen: list[dt.datetime | None] = []

    def fake(as_of: dt.datetime | None) -> pd.DataFrame:
        seen.append(as_of)
        return frame

    monkeypatch.setattr(status_cli, "load_values", fake)
    monkeypatch.setattr(status_cli, "load_decisions", lambda as_of: [])  # no database here
    monkeypatch.setattr(status_cli, "plan_for_quarter", lambda plan, *_a, **_k: plan)
    no_members = pd.DataFrame(columns=MEMBER_COLUMNS)
    monkeypatch.setattr(status_cli, "load_members", lambda *_a, **_k: no_members)
    assert main(["status", "--json"]) == 0  # defaults to the latest quarter with data
    doc = json.loads(capsys.readouterr().out)
    _check_shape(doc)
    assert doc["period"] == "2024-T3" and doc["as_of"] is None and seen == [None]
    found = [
        i
        for lv in doc["levers"]
        for a in lv["axes"]
        for o in a["objectives"]
        for i in o["indicators"]
        if i["code"] == code
    ]
    assert found[0]["value"] is not None
    assert main(["status", "--period", "2024-T4", "--as-of", "2024-T3", "--json"]) == 0
    doc = json.loads(capsys.readouterr().out)
    assert doc["as_of"] == "2024-T3"
    # issue 15, finding 8: the deadline day ends at midnight in Madrid (CET: 23:00 UTC)
    assert seen[-1] == dt.datetime(2024, 10, 30, 22, 59, 59, 999999, tzinfo=dt.UTC)


def test_status_tree_in_catalan_and_spanish(
    plan: Plan, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setattr(
        status_cli,
        "load_values",
        lambda as_of: pd.DataFrame(columns=["indicator", "period", "value", "stage"]),
    )
    monkeypatch.setattr(status_cli, "load_decisions", lambda as_of: [])  # no database here
    monkeypatch.setattr(status_cli, "plan_for_quarter", lambda plan, *_a, **_k: plan)
    no_members = pd.DataFrame(columns=MEMBER_COLUMNS)
    monkeypatch.setattr(status_cli, "load_members", lambda *_a, **_k: no_members)
    assert main(["status", "--period", "2023-T2"]) == 0
    out = capsys.readouterr().out
    assert "2n trimestre de 2023" in out
    assert "Palanca 1." in out and "– Sense dades" in out and "cobertura" in out
    assert main(["status", "--period", "2023-T2", "--lang", "es"]) == 0
    assert "Sin datos" in capsys.readouterr().out


def test_status_usage_errors(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setattr(
        status_cli,
        "load_values",
        lambda as_of: pd.DataFrame(columns=["indicator", "period", "value", "stage"]),
    )
    assert main(["status", "--period", "2030-T1"]) == 2
    assert "no és un trimestre del pla" in capsys.readouterr().err
    assert main(["status", "--as-of", "nonsense"]) == 2


def test_status_from_the_database_as_of_a_quarter(
    cli_db: str, plan: Plan, capsys: pytest.CaptureFixture[str]
) -> None:
    engine = get_engine(cli_db)
    code, service = _first_numeric(plan)
    ind = plan.indicator_by_code[code]
    assert ind.baseline is not None and ind.targets is not None
    first, second = ind.baseline.value, ind.targets[2025]

    def upload(value: float, when: dt.datetime) -> None:
        content = f"Codi;Període;Valor\n{code};2025-T1;{value}\n".encode()
        result = import_file(
            engine,
            plan,
            filename="dades.csv",
            content=content,
            user="test",
            service=service,
            period="2025-T1",
            uploaded_at=when,
        )
        assert result.status == "ok", result.errors

    upload(first, dt.datetime(2025, 4, 10, 9, 0, tzinfo=dt.UTC))  # by the deadline (04-30)
    upload(second, dt.datetime(2025, 6, 15, 9, 0, tzinfo=dt.UTC))  # corrected later

    def value_of(doc: dict[str, object]) -> object:
        levers = doc["levers"]
        assert isinstance(levers, list)
        return next(
            i
            for lv in levers
            for a in lv["axes"]
            for o in a["objectives"]
            for i in o["indicators"]
            if i["code"] == code
        )

    assert main(["status", "--period", "2025-T1", "--json"]) == 0
    now = json.loads(capsys.readouterr().out)
    _check_shape(now)
    assert main(["status", "--period", "2025-T1", "--as-of", "2025-T1", "--json"]) == 0
    then = json.loads(capsys.readouterr().out)
    got_now, got_then = value_of(now), value_of(then)
    assert isinstance(got_now, dict) and isinstance(got_then, dict)
    assert got_now["quarter_value"] == pytest.approx(second)
    assert got_then["quarter_value"] == pytest.approx(first)
    assert then["as_of_cutoff"].startswith("2025-04-30T21:59:59")  # midnight in Madrid (CEST)


def test_bench_dispatcher_lists_and_runs_status(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    from cli import bench
    from cli.bench import status as bench_status

    assert "status" in bench.kinds()
    calls: list[int] = []

    def fake_measure(plan: Plan, repeat: int = 3) -> dict[str, object]:
        calls.append(repeat)
        return {"period": "2025-T4", "scales": [], "baseline_s": 1.0, "ratio": 0.1}

    monkeypatch.setattr(bench_status, "measure", fake_measure)
    assert main(["bench", "status", "--json", "--repeat", "1"]) == 0
    assert json.loads(capsys.readouterr().out)["ratio"] == 0.1
    assert calls == [1]


def test_bench_status_measures_every_scale(plan: Plan) -> None:
    from cli.bench.status import SCALES, scaled_plan, synthetic_values

    ten = scaled_plan(plan, 10)
    assert len(ten.indicators) == 10 * len(plan.indicators)
    assert len(ten.services) == 10 * len(plan.services)
    assert len({i.code for i in ten.indicators}) == len(ten.indicators)
    values = synthetic_values(ten)
    assert len(values) > 0.9 * 16 * len(ten.indicators)
    assert [label for label, _f in SCALES] == ["1x", "10x", "100x"]
