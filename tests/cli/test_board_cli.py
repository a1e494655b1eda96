"""``seguiment report``, ``seguiment export`` and ``seguiment reimport`` on SQLite and
PostgreSQL: files written, progress on stderr, exit codes, round trip through the CLI."""

from __future__ import annotations

import io
import os
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pandas as pd
import pytest

from cli import main
from indicators.reporting.pack.charts import find_browser
from indicators.storage import queries
from indicators.storage.engine import get_engine
from plan_model.models import Plan
from settings import get_settings
from tests.helpers.board_data import load_board_data


@pytest.fixture
def cli_db(db_url: str, plan: Plan, monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    monkeypatch.setenv("DATABASE_URL", db_url)
    get_settings.cache_clear()
    load_board_data(get_engine(db_url), plan)
    yield db_url
    get_settings.cache_clear()
    get_engine(db_url).dispose()


def test_export_csv_and_xlsx(
    cli_db: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    target = tmp_path / "valors.csv"
    assert main(["export", "--format", "csv", "-o", str(target), "--period", "T4 2025"]) == 0
    out = capsys.readouterr().out
    frame = pd.read_csv(target, sep=";", encoding="utf-8-sig", dtype=str)
    assert f"{len(frame)} valors desats" in out
    assert set(frame["Període"]) == {"2025-T4"}
    # the format follows the file name when --format is not given
    book = tmp_path / "valors.xlsx"
    assert main(["export", "-o", str(book)]) == 0
    assert book.read_bytes()[:2] == b"PK"
    whole = pd.read_excel(book, engine="calamine")
    assert len(whole) == len(queries.values_frame(get_engine(cli_db)))


def test_export_to_stdout_in_spanish(
    cli_db: str, capsysbinary: pytest.CaptureFixture[bytes]
) -> None:
    assert main(["export", "--format", "csv", "-o", "-", "--lang", "es"]) == 0
    frame = pd.read_csv(
        io.BytesIO(capsysbinary.readouterr().out), sep=";", encoding="utf-8-sig", dtype=str
    )
    assert list(frame.columns[:5]) == ["Código", "Servicio", "Periodo", "Valor", "Comentario"]


def test_export_then_reimport(
    cli_db: str,
    plan: Plan,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    target = tmp_path / "valors.xlsx"
    assert main(["export", "-o", str(target)]) == 0
    before = queries.values_frame(get_engine(cli_db))
    empty = f"sqlite:///{tmp_path / 'buida.db'}"
    from indicators.storage.migrate import upgrade

    upgrade(empty)
    monkeypatch.setenv("DATABASE_URL", empty)
    get_settings.cache_clear()
    assert main(["reimport", str(target)]) == 0
    assert "0 rebutjats" in capsys.readouterr().out
    after = queries.values_frame(get_engine(empty))
    columns = ["indicator", "service", "period", "value", "stage", "comment"]
    key = ["indicator", "service", "period"]
    pd.testing.assert_frame_equal(
        before[columns].sort_values(key).reset_index(drop=True),
        after[columns].sort_values(key).reset_index(drop=True),
        check_dtype=False,
    )
    get_engine(empty).dispose()
    assert main(["reimport", str(tmp_path / "no-hi-es.xlsx")]) == 2


def test_report_pdf_with_progress(
    cli_db: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    if find_browser() is None:
        if os.environ.get("CI") == "true":
            pytest.fail("CI must have Chromium for the board pack's charts")
        pytest.skip("Chromium is not installed")
    target = tmp_path / "junta.pdf"
    assert (
        main(
            [
                "report",
                "--period",
                "2025-T4",
                "--since",
                "2025-T2",
                "--lang",
                "ca",
                "--format",
                "pdf",
                "-o",
                str(target),
            ]
        )
        == 0
    )
    captured = capsys.readouterr()
    assert target.read_bytes().startswith(b"%PDF")
    assert "Informe de la junta del 4t trimestre de 2025 desat" in captured.out
    assert "Dibuixant 5 gràfics" in captured.err and "5/5" in captured.err
    if find_pdftotext():
        text = subprocess.run(
            ["pdftotext", str(target), "-"], capture_output=True, text=True, check=True
        ).stdout
        assert "Què ha canviat des del 2n trimestre de 2025" in text


def find_pdftotext() -> bool:
    from shutil import which

    return which("pdftotext") is not None


def test_report_usage_errors(
    cli_db: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["report", "-o", str(tmp_path / "informe.txt")]) == 2
    assert "--format pdf" in capsys.readouterr().err
    with pytest.raises(SystemExit) as exc:
        main(["report", "--period", "ahir", "--format", "pdf", "-o", str(tmp_path / "x.pdf")])
    assert exc.value.code == 2
