"""``seguiment import``: exit codes, the JSON shape, the Catalan report, on both backends."""

from __future__ import annotations

import io
import json
import random
from collections.abc import Iterator
from pathlib import Path

import openpyxl
import pytest
from sqlalchemy import func, select

from cli import main
from indicators.storage.engine import make_engine
from indicators.storage.schema import Submission
from plan_model.models import Indicator, Plan
from settings import get_settings


@pytest.fixture
def configured(db_url: str, monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    monkeypatch.setenv("DATABASE_URL", db_url)
    monkeypatch.setenv("USER", "tecnic.cli")
    get_settings.cache_clear()
    yield db_url
    get_settings.cache_clear()


def _valid_cell(plan: Plan, indicator: Indicator) -> object:
    if indicator.is_milestone:
        return plan.stages[1].name
    bounds = indicator.bounds
    low = bounds.min if bounds is not None and bounds.min is not None else 0
    high = bounds.max if bounds is not None and bounds.max is not None else low + 100
    return (low + high) / 2


def workbook(plan: Plan, tmp_path: Path, *, bad: bool = False, name: str = "dades.xlsx") -> Path:
    indicator = plan.indicators[0]
    wb = openpyxl.Workbook()
    ws = wb.active
    assert ws is not None
    ws.title = "Dades"
    ws.append([f"Servei {indicator.responsible_service}"])
    ws.append([])
    ws.append(["Codi", "Nom", "Període", "Valor", "Comentari"])
    ws.append([indicator.code, indicator.name, "2025-T3", _valid_cell(plan, indicator), "ok"])
    if bad:
        ws.append(["P9.99-I9", "No existeix", "2025-T3", 1, None])
        ws.append([indicator.code, indicator.name, "2025-T2", "no ho sé", None])
    buffer = io.BytesIO()
    wb.save(buffer)
    path = tmp_path / name
    path.write_bytes(buffer.getvalue())
    return path


def submissions(url: str) -> int:
    engine = make_engine(url)
    try:
        with engine.connect() as conn:
            return int(conn.execute(select(func.count()).select_from(Submission)).scalar_one())
    finally:
        engine.dispose()


def test_import_json_ok(
    configured: str, plan: Plan, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = workbook(plan, tmp_path)
    service = plan.indicators[0].responsible_service
    assert main(["import", str(path), "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["status"] == "ok"
    assert (data["service"], data["period"]) == (service, "2025-T3")
    assert data["errors"] == [] and isinstance(data["warnings"], list)
    value = data["values"][0]
    assert {"indicator", "period", "value", "comment", "sheet", "row"} <= set(value)
    assert (value["indicator"], value["period"], value["sheet"], value["row"]) == (
        plan.indicators[0].code,
        "2025-T3",
        "Dades",
        4,
    )
    assert data["submission_id"] is not None
    assert submissions(configured) == 1
    # the same file again: a no-op, still exit 0
    assert main(["import", str(path), "--json"]) == 0
    again = json.loads(capsys.readouterr().out)
    assert again["status"] == "duplicate"
    assert submissions(configured) == 1


def test_import_rejected_json(
    configured: str, plan: Plan, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = workbook(plan, tmp_path, bad=True)
    assert main(["import", str(path), "--json", "--user", "anna"]) == 1
    data = json.loads(capsys.readouterr().out)
    assert data["status"] == "rejected"
    codes = [(e["code"], e["sheet"], e["row"], e["column"]) for e in data["errors"]]
    assert ("unknown_indicator", "Dades", 5, "A") in codes
    assert len(data["errors"]) >= 2
    for error in data["errors"]:
        assert set(error) == {"code", "sheet", "row", "column", "value", "message"}
    assert submissions(configured) == 0


def test_import_report_in_catalan(
    configured: str, plan: Plan, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = workbook(plan, tmp_path, bad=True)
    assert main(["import", str(path)]) == 1
    out = capsys.readouterr().out
    assert "S'ha rebutjat el fitxer" in out
    assert "Full «Dades», fila 5, columna A: L'indicador «P9.99-I9» no existeix." in out
    assert "Traceback" not in out


def test_dry_run_stores_nothing(
    configured: str, plan: Plan, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = workbook(plan, tmp_path)
    assert main(["import", str(path), "--dry-run"]) == 0
    assert "no s'ha desat res" in capsys.readouterr().out
    assert submissions(configured) == 0


def test_service_and_period_options(
    configured: str, plan: Plan, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    indicator = plan.indicators[0]
    path = tmp_path / "dades.csv"
    path.write_text(
        f"Codi;Valor\n{indicator.code};{_valid_cell(plan, indicator)}\n", encoding="utf-8"
    )
    assert (
        main(
            [
                "import",
                str(path),
                "--service",
                indicator.responsible_service,
                "--period",
                "T2 2024",
                "--json",
            ]
        )
        == 0
    )
    data = json.loads(capsys.readouterr().out)
    assert data["period"] == "2024-T2" and data["values"][0]["period"] == "2024-T2"


def test_unreadable_file_is_rejected_without_traceback(
    configured: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "dades.xlsx"
    path.write_bytes(random.Random(1).randbytes(3000))
    assert main(["import", str(path), "--json"]) == 1
    data = json.loads(capsys.readouterr().out)
    assert data["status"] == "rejected"
    assert "no és un full de càlcul" in data["errors"][0]["message"]


def test_usage_errors_exit_2(
    configured: str, tmp_path: Path, plan: Plan, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["import", str(tmp_path / "no-hi-es.xlsx")]) == 2
    assert "no existeix" in capsys.readouterr().err
    path = workbook(plan, tmp_path)
    with pytest.raises(SystemExit) as exc:
        main(["import", str(path), "--period", "2025-T7"])
    assert exc.value.code == 2
    with pytest.raises(SystemExit) as exc:
        main(["import"])
    assert exc.value.code == 2


def test_database_not_migrated(
    fresh_db_url: str,
    plan: Plan,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    monkeypatch.setenv("DATABASE_URL", fresh_db_url)
    get_settings.cache_clear()
    try:
        assert main(["import", str(workbook(plan, tmp_path))]) == 1
    finally:
        get_settings.cache_clear()
    assert "seguiment db upgrade" in capsys.readouterr().err
