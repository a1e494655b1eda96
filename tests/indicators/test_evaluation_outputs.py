"""The final evaluation's four formats on the tiny plan with known values: the Markdown text,
the workbook's sheets and cells (user text never a formula), the PDF's text through
``pdftotext`` (the headline figures, «Provisional» on every page) and the PPTX's slide texts;
hostile text (a formula, pipes, markup) stays inert everywhere."""

from __future__ import annotations

import io
import re
import shutil
import subprocess
from pathlib import Path

import openpyxl
import pytest
from pptx import Presentation

from i18n import format_percent
from indicators.reporting import dashboard_data
from indicators.reporting.evaluation import Evaluation, load_evaluation, write_evaluation
from indicators.storage.engine import make_engine
from indicators.storage.migrate import upgrade
from tests.helpers.evaluation_data import (
    HOSTILE_TEXT,
    TODAY,
    add_analysis_and_evidence,
    load_known_data,
    tiny_plan,
)


@pytest.fixture(scope="module")
def evaluation(tmp_path_factory: pytest.TempPathFactory) -> Evaluation:
    url = f"sqlite:///{tmp_path_factory.mktemp('evaluation') / 'e.db'}"
    upgrade(url)
    engine = make_engine(url)
    plan = tiny_plan()
    load_known_data(engine, plan)
    add_analysis_and_evidence(engine, plan)
    dashboard_data.clear_caches()
    found = load_evaluation(engine, plan, today=TODAY)
    engine.dispose()
    return found


@pytest.fixture(scope="module")
def pdf_pages(evaluation: Evaluation, tmp_path_factory: pytest.TempPathFactory) -> list[str]:
    if shutil.which("pdftotext") is None:
        pytest.fail("pdftotext (poppler-utils) is needed to read the PDF")
    written = write_evaluation(evaluation, "pdf", "ca")
    assert written.content.startswith(b"%PDF") and written.mimetype == "application/pdf"
    path = tmp_path_factory.mktemp("pdf") / written.filename
    path.write_bytes(written.content)
    text = subprocess.run(
        ["pdftotext", "-layout", str(path), "-"], check=True, capture_output=True, text=True
    ).stdout
    # pdftotext writes the no-break space of «70 %» as a plain space: compare alike
    return [page.replace("\u00a0", " ") for page in text.split("\f") if page.strip()]


@pytest.fixture(scope="module")
def slides(evaluation: Evaluation) -> list[str]:
    written = write_evaluation(evaluation, "pptx", "ca")
    deck = Presentation(io.BytesIO(written.content))
    texts = []
    for slide in deck.slides:
        parts = []
        for shape in slide.shapes:
            if shape.has_text_frame:
                parts.append(shape.text_frame.text)
            if shape.has_table:
                parts += [cell.text for row in shape.table.rows for cell in row.cells]
        texts.append("\n".join(parts))
    return texts


def test_markdown_says_it_all_in_catalan(evaluation: Evaluation) -> None:
    written = write_evaluation(evaluation, "md", "ca")
    text = written.content.decode("utf-8")
    assert written.filename == "avaluacio-final-prova-provisional.md"
    assert text.startswith("# Avaluació final del pla · Provisional\n")
    assert "el pla encara no està tancat" in text
    achievement = format_percent(evaluation.plan.achievement, "ca")
    assert f"**Grau d'assoliment global**: {achievement}" in text
    assert "| P2.01 |" in text and "cap esmena" in text
    assert "## Fites · Provisional" in text and "| P1.02-I1 |" in text and "Finalitzada" in text
    assert "acord-junta.pdf" in text and "https://example.org/protocol" in text
    # every table row has as many cells as its header: the analysis' pipes are escaped
    line = next(x for x in text.splitlines() if "HYPERLINK" in x)
    assert "\\|" in line and "\n" not in line
    cells = re.split(r"(?<!\\)\|", line)[1:-1]
    assert len(cells) == 7 and cells[2].strip().startswith("=HYPERLINK")
    assert "ana@example.org" not in text and "dir.ana" not in text


def test_markdown_in_spanish_and_english(evaluation: Evaluation) -> None:
    es = write_evaluation(evaluation, "md", "es").content.decode("utf-8")
    assert es.startswith("# Evaluación final del plan · Provisional") and "ninguna enmienda" in es
    en = write_evaluation(evaluation, "md", "en").content.decode("utf-8")
    assert en.startswith("# Final evaluation of the plan · Provisional") and "no amendment" in en


def test_the_workbook_has_a_sheet_per_part_each_marked(evaluation: Evaluation) -> None:
    written = write_evaluation(evaluation, "xlsx", "ca")
    book = openpyxl.load_workbook(io.BytesIO(written.content))
    assert book.sheetnames == [
        "Resum",
        "Palanques",
        "Eixos",
        "Objectius",
        "Indicadors",
        "Trajectòria",
        "Compliment",
        "Fites",
        "Valoracions",
        "Evidències",
    ]
    for ws in book.worksheets:
        assert "Provisional" in str(ws["A1"].value), ws.title
        assert "encara no està tancat" in str(ws["A2"].value), ws.title
        header = ws.oddHeader
        assert header is not None and "Provisional" in str(header.center.text)
    objectives = book["Objectius"]
    assert [c.value for c in objectives[4]][:2] == ["Objectiu", "Nom"]
    rows = {r[0].value: r for r in objectives.iter_rows(min_row=5)}
    p201 = rows["P2.01"]
    assert isinstance(p201[5].value, float) and p201[5].number_format == "0%"
    assert p201[5].value == pytest.approx(evaluation.objectives[2].result.achievement)
    completeness = book["Compliment"]
    cells = {r[0].value: [c.value for c in r] for r in completeness.iter_rows(min_row=5)}
    assert cells["Total"][1:4] == [15, 1, 16]


def test_user_text_is_never_a_formula_in_the_workbook(evaluation: Evaluation) -> None:
    book = openpyxl.load_workbook(io.BytesIO(write_evaluation(evaluation, "xlsx").content))
    found = [
        cell
        for ws in book.worksheets
        for row in ws.iter_rows()
        for cell in row
        if isinstance(cell.value, str) and cell.value.startswith("=")
    ]
    assert found, "the analysis starting with '=' is in the workbook"
    assert all(cell.data_type == "s" for cell in found)
    assert found[0].value == HOSTILE_TEXT


def test_every_pdf_page_is_marked_provisional(pdf_pages: list[str]) -> None:
    assert len(pdf_pages) >= 4  # summary, two levers, the rest
    for number, page in enumerate(pdf_pages, start=1):
        assert "PROVISIONAL" in page, f"page {number} is not marked"
    first = pdf_pages[0]
    assert "Avaluació final del pla" in first and "Pla de prova" in first
    assert "Objectius per estat" in first and "Les palanques" in first
    assert "Palanca 1" not in pdf_pages[0].split("Les palanques")[0]


def test_the_pdf_summary_holds_the_headline_figures(
    evaluation: Evaluation, pdf_pages: list[str]
) -> None:
    first = pdf_pages[0]
    assert format_percent(evaluation.plan.achievement, "ca").replace("\u00a0", " ") in first
    assert "Els 5 objectius més endarrerits" in first and "P2.01" in first
    lever_pages = [p for p in pdf_pages if "Persones i professionals" in p]
    assert any("Indicadors: assolit davant de les metes" in p for p in lever_pages)
    rest = "\n".join(pdf_pages)
    assert "acord-junta.pdf" in rest and "<script>" in rest  # markup shown, not read


def test_the_slides_are_each_marked(slides: list[str], evaluation: Evaluation) -> None:
    assert len(slides) >= 6  # title, summary, most behind, two per lever, appendix
    for number, text in enumerate(slides, start=1):
        assert "PROVISIONAL" in text, f"slide {number} is not marked"
    assert "Avaluació final del pla" in slides[0]
    assert format_percent(evaluation.plan.achievement, "ca") in slides[0]
    assert "Les palanques" not in slides[1] and "Palanca 1. Persones i professionals" in slides[1]
    assert "Els 5 objectius més endarrerits" in slides[2] and "P2.01" in slides[2]
    assert any("Objectius de la palanca 2" in s and "P2.01" in s for s in slides)
    assert "Fites" in slides[-1] and "P1.02-I1" in slides[-1] and "Finalitzada" in slides[-1]


def test_an_unknown_format_is_refused(evaluation: Evaluation) -> None:
    with pytest.raises(ValueError, match="unknown format"):
        write_evaluation(evaluation, "docx")


def test_files_are_left_for_the_eyes(evaluation: Evaluation, tmp_path: Path) -> None:
    written = write_evaluation(evaluation, "md", "ca")
    (tmp_path / written.filename).write_bytes(written.content)
    assert (tmp_path / written.filename).stat().st_size > 1000
