"""``seguiment evaluation --plan ID --format pdf|pptx|xlsx|md -o FILE [--lang ca]``: exit 0 and
where it wrote; the format from the file name; an unknown plan or format a usage error (2);
an unwritable path a clear error (1), nothing written."""

from __future__ import annotations

import io
from collections.abc import Iterator
from pathlib import Path

import openpyxl
import pytest

from cli import main
from indicators.reporting import dashboard_data
from indicators.storage.engine import get_engine
from settings import get_settings
from tests.helpers.evaluation_data import PLAN_FILE, load_known_data, tiny_plan


@pytest.fixture
def cli_db(db_url: str, monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    monkeypatch.setenv("DATABASE_URL", db_url)
    monkeypatch.setenv("PLAN_PATH", str(PLAN_FILE))
    get_settings.cache_clear()
    load_known_data(get_engine(db_url), tiny_plan())
    dashboard_data.clear_caches()
    yield db_url
    get_settings.cache_clear()
    get_engine(db_url).dispose()


def test_markdown_is_written_and_said_where(
    cli_db: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "sub" / "avaluacio.md"
    assert main(["evaluation", "--plan", "prova", "--format", "md", "-o", str(out)]) == 0
    said = capsys.readouterr().out
    assert "Avaluació final de prova escrita a" in said and str(out) in said
    text = out.read_text(encoding="utf-8")
    assert text.startswith("# Avaluació final del pla · Provisional")


def test_the_format_comes_from_the_file_name_and_the_language_is_chosen(
    cli_db: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "evaluacion.xlsx"
    assert main(["evaluation", "-o", str(out), "--lang", "es"]) == 0
    book = openpyxl.load_workbook(io.BytesIO(out.read_bytes()))
    assert book.sheetnames[0] == "Resumen"
    assert str(book.worksheets[0]["A1"].value) == "Evaluación final del plan · Provisional"
    assert "escrita en" in capsys.readouterr().out


def test_the_plan_file_path_is_read_as_a_file(cli_db: str, tmp_path: Path) -> None:
    out = tmp_path / "a.md"
    assert main(["evaluation", "--plan", str(PLAN_FILE), "-o", str(out)]) == 0
    assert "Pla de prova" in out.read_text(encoding="utf-8")


@pytest.mark.parametrize("plan", ["coss-2022-2025", "nope", "", "prova/../x"])
def test_an_unknown_plan_is_a_usage_error(
    cli_db: str, tmp_path: Path, capsys: pytest.CaptureFixture[str], plan: str
) -> None:
    out = tmp_path / "a.md"
    assert main(["evaluation", "--plan", plan, "-o", str(out)]) == 2
    assert "no hi ha cap pla" in capsys.readouterr().err
    assert not out.exists()


@pytest.mark.parametrize("name", ["a.docx", "a", "a.md.exe"])
def test_an_unknown_format_is_a_usage_error(
    cli_db: str, tmp_path: Path, capsys: pytest.CaptureFixture[str], name: str
) -> None:
    assert main(["evaluation", "-o", str(tmp_path / name)]) == 2
    assert "indiqueu --format pdf, pptx, xlsx o md" in capsys.readouterr().err
    with pytest.raises(SystemExit) as exited:
        main(["evaluation", "--format", "docx", "-o", str(tmp_path / "a.md")])
    assert exited.value.code == 2


def test_an_unwritable_path_is_a_clear_error(
    cli_db: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    a_file = tmp_path / "a-file.txt"
    a_file.write_text("x", encoding="utf-8")
    targets = [
        tmp_path,  # a folder
        a_file / "a.md",  # under a file
        Path("/proc/seguiment-evaluation/a.md"),  # no folder can be made there, even as root
        Path("/proc/version"),  # a file that cannot be written, even as root
    ]
    for target in targets:
        assert main(["evaluation", "-o", str(target), "--format", "md"]) == 1, target
        err = capsys.readouterr().err
        assert f"No es pot escriure l'avaluació a {target}" in err
        assert "Traceback" not in err
    assert a_file.read_text(encoding="utf-8") == "x"


def test_a_pdf_is_written(cli_db: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "avaluacio.pdf"
    assert main(["evaluation", "-o", str(out)]) == 0
    assert out.read_bytes().startswith(b"%PDF")
    assert "[" in capsys.readouterr().err  # progress on stderr
