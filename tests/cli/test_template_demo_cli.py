"""``seguiment template``, ``demo``, ``setup`` and ``bench import`` from the command line."""

from __future__ import annotations

import io
import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from openpyxl import load_workbook

from cli import main
from indicators.demo.generate import MANIFEST, has_submissions
from indicators.intake.template import FIRST_DATA_ROW, META_SHEET
from indicators.storage.engine import get_engine
from indicators.storage.queries import submissions_frame
from plan_model.models import Plan
from settings import get_settings


@pytest.fixture
def cli_db(db_url: str, monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Iterator[str]:
    monkeypatch.setenv("DATABASE_URL", db_url)
    monkeypatch.setenv("DEMO_DIR", str(tmp_path / "demo"))
    get_settings.cache_clear()
    yield db_url
    get_settings.cache_clear()
    get_engine(db_url).dispose()


@pytest.fixture
def no_db(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Iterator[Path]:
    """A database URL naming a file that does not exist: templates must not create it."""
    missing = tmp_path / "none.db"
    monkeypatch.setenv("DATABASE_URL", f"sqlite:///{missing}")
    get_settings.cache_clear()
    yield missing
    get_settings.cache_clear()


def test_template_writes_workbook(
    no_db: Path, tmp_path: Path, plan: Plan, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "sis.xlsx"
    assert main(["template", "--service", "SIS", "--period", "4T 2025", "-o", str(out)]) == 0
    assert "Plantilla desada" in capsys.readouterr().out
    wb = load_workbook(out)
    assert wb.sheetnames == ["Instruccions", "Dades", META_SHEET]
    rows = list(wb["Dades"].iter_rows(min_row=FIRST_DATA_ROW, values_only=True))
    assert [r[0] for r in rows] == [i.code for i in plan.indicators_of_service("SIS")]
    assert {r[3] for r in rows} == {"2025-T4"}
    assert not no_db.exists()  # no database was created to look for last values


@pytest.mark.parametrize(
    ("args", "words"),
    [
        (["--service", "NOPE", "--period", "2025-T4"], "Servei desconegut"),
        (["--service", "SIS", "--period", "2025-T7"], "Període mal escrit"),
        (["--service", "SIS", "--period", "2027-T1"], "fora del pla"),
        (["--service", "SIS", "--period", "2025-T4", "-o", "x.csv"], ".xlsx"),
    ],
)
def test_template_usage_errors(
    no_db: Path,
    tmp_path: Path,
    args: list[str],
    words: str,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.chdir(tmp_path)
    assert main(["template", *args]) == 2
    assert words in capsys.readouterr().err
    assert not list(tmp_path.glob("*.xlsx"))


def test_demo_then_template_shows_last_values(
    cli_db: str, tmp_path: Path, plan: Plan, capsys: pytest.CaptureFixture[str]
) -> None:
    folder = tmp_path / "files"
    assert (
        main(["demo", "--dir", str(folder), "--service", "SIS", "--service", "OPE", "--json"]) == 0
    )
    summary = json.loads(capsys.readouterr().out)
    assert summary["files"] == summary["imported"] > 0 and summary["failures"] == []
    assert (folder / MANIFEST).exists()
    subs = submissions_frame(get_engine(cli_db))
    assert set(subs["service"]) == {"SIS", "OPE"} and len(subs) == summary["files"]
    # the template of the next quarter shows the service's last stored values
    out = tmp_path / "t.xlsx"
    assert main(["template", "--service", "OPE", "--period", "2025-T4", "-o", str(out)]) == 0
    rows = list(load_workbook(out)["Dades"].iter_rows(min_row=FIRST_DATA_ROW, values_only=True))
    assert rows and all(r[4] is not None for r in rows)
    # a second demo run changes nothing: the same files are already current
    assert main(["demo", "--dir", str(folder), "--service", "OPE"]) == 0
    assert "ja hi eren carregats" in capsys.readouterr().out
    assert len(submissions_frame(get_engine(cli_db))) == len(subs)


def test_demo_no_load_and_unknown_service(
    cli_db: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    folder = tmp_path / "only-files"
    assert main(["demo", "--dir", str(folder), "--no-load", "--service", "SAI"]) == 0
    assert "fitxers de demostració desats" in capsys.readouterr().out
    assert sorted(p.name for p in (folder / "SAI").iterdir())
    assert not has_submissions(get_engine(cli_db))
    assert main(["demo", "--dir", str(folder), "--service", "XYZ"]) == 2
    assert "Servei desconegut" in capsys.readouterr().err


def test_setup_with_data_does_nothing(
    cli_db: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["setup"]) == 0  # no flag: no demo data
    assert not has_submissions(get_engine(cli_db))
    assert main(["demo", "--dir", str(tmp_path / "d"), "--service", "SAI"]) == 0
    capsys.readouterr()
    count = len(submissions_frame(get_engine(cli_db)))
    assert main(["setup", "--demo-if-empty"]) == 0
    assert "ja té lliuraments" in capsys.readouterr().out
    assert len(submissions_frame(get_engine(cli_db))) == count


def test_bench_import_json_shape(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["bench", "import", "--rows", "200", "--repeats", "1", "--json"]) == 0
    result = json.loads(capsys.readouterr().out)
    for key in ("rows", "ours_s", "baseline_s", "ratio", "repeats", "backend", "reader"):
        assert key in result
    assert result["rows"] == result["stored_values"] == 200
    assert result["ours_s"] > 0 and result["baseline_s"] > 0
    assert result["ratio"] == pytest.approx(result["ours_s"] / result["baseline_s"], rel=0.01)


def test_bench_workbook_has_the_rows(plan: Plan) -> None:
    from cli.bench.import_ import build_workbook

    bench_plan, content, service = build_workbook(plan, 333)
    ws = load_workbook(io.BytesIO(content))["Dades"]
    assert ws.max_row == 334  # header + rows
    codes = {row[0] for row in ws.iter_rows(min_row=2, values_only=True)}
    assert codes <= {i.code for i in bench_plan.indicators_of_service(service)}
