"""What people really send is accepted: formats, layouts, headers, Catalan numbers, stages."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import Engine

from indicators.intake.cells import StageMatcher, parse_number
from indicators.intake.importer import ImportResult, import_file
from indicators.storage.engine import make_engine
from indicators.storage.migrate import upgrade
from plan_model.models import Plan
from settings import Settings
from tests.helpers.intake_plan import TODAY
from tests.helpers.sheet_builders import csv_bytes, ods_bytes, xls_bytes, xlsx_bytes


@pytest.fixture(scope="module")
def sqlite_engine(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Engine]:
    """One migrated SQLite database for the dry-run parsing tests of this module."""
    url = f"sqlite:///{tmp_path_factory.mktemp('accept') / 'db.sqlite'}"
    upgrade(url)
    engine = make_engine(url)
    yield engine
    engine.dispose()


def run(
    engine: Engine,
    plan: Plan,
    content: bytes,
    filename: str = "dades.xlsx",
    *,
    service: str | None = None,
    period: str | None = None,
) -> ImportResult:
    """A dry-run import of ``content`` as of ``TODAY``, with the default settings."""
    return import_file(
        engine,
        plan,
        filename=filename,
        content=content,
        user="test",
        service=service,
        period=period,
        dry_run=True,
        today=TODAY,
        settings=Settings(),
    )


def values_of(result: ImportResult) -> dict[tuple[str, str], object]:
    return {(v.indicator, v.period): v.value for v in result.values}


HEADER: list[object] = ["Codi", "Indicador", "Període", "Valor", "Comentari"]
ROWS: list[list[object]] = [
    ["P1.01-I1", "Hores de SAD", "2025-T3", "1.234,5", "Dades provisionals"],
    ["P1.01-I2", "% persones", "2025-T3", "45 %", None],
    ["P1.02-I1", "Protocol", "2025-T3", "En desenvolupament", None],
]
EXPECTED = {
    ("P1.01-I1", "2025-T3"): 1234.5,
    ("P1.01-I2", "2025-T3"): 45.0,
    ("P1.02-I1", "2025-T3"): "en_desenvolupament",
}


@pytest.mark.parametrize(
    ("number", "text"),
    [
        (1234.5, "1.234,5"),
        (12.5, "12,5"),
        (45.0, "45 %"),
        (45.0, "45%"),
        (1234.0, "1 234"),
        (1234.0, "1.234"),
        (-3.5, "-3,5"),
        (1234567.0, "1.234.567"),
        (1234.5, "1,234.5"),
        (0.5, "0,5"),
        (12.5, "12.5"),
        (7.0, 7),
        (7.25, 7.25),
        (1234.0, "1\u00a0234"),
    ],
)
def test_catalan_numbers(number: float, text: object) -> None:
    assert parse_number(text) == number


@pytest.mark.parametrize("text", ["molts", "", "12,5 persones", "n/d", True, "1,2,3"])
def test_not_numbers(text: object) -> None:
    assert parse_number(text) is None


@pytest.mark.parametrize(
    ("cell", "key"),
    [
        ("En desenvolupament", "en_desenvolupament"),
        ("EN DESARROLLO", "en_desenvolupament"),
        ("in progress", "en_desenvolupament"),
        ("Avancat", "avancat"),
        ("avanzado", "avancat"),
        ("Finalitzat", "finalitzat"),
        ("finalizado", "finalitzat"),
        ("No iniciat", "no_iniciat"),
        ("Finalitzat (100 %)", "finalitzat"),
        ("50 %", "en_desenvolupament"),
        ("50%", "en_desenvolupament"),
        (50, "en_desenvolupament"),
        (0.8, "avancat"),
        ("Ajornat", "ajornat"),
        ("desestimado", "desestimat"),
        ("10 %", "planificat"),
    ],
)
def test_stages_by_name_or_percentage(plan: Plan, cell: object, key: str) -> None:
    assert StageMatcher(plan.stages).match(cell) == key


@pytest.mark.parametrize("cell", ["Gairebé acabat", "55 %", 55, "", None])
def test_unknown_stages(plan: Plan, cell: object) -> None:
    assert StageMatcher(plan.stages).match(cell) is None


def test_hand_made_sheet_with_title_rows_blank_rows_and_notes(
    sqlite_engine: Engine, small_plan: Plan
) -> None:
    rows: list[list[object]] = [
        ["Seguiment del Pla – Servei SAD"],
        ["Dades del tercer trimestre"],
        [],
        HEADER,
        ROWS[0],
        [],
        ROWS[1],
        [None, None, None, None, None],
        ROWS[2],
        [],
        ["Notes: les dades del SAD són provisionals."],
        ["Font: registre propi"],
    ]
    content = xlsx_bytes(rows, start_row=2, start_col=2, merges=["B2:F2", "B3:F3"])
    result = run(sqlite_engine, small_plan, content)
    assert result.status == "ok", result.errors
    assert result.service == "SAD"  # every indicator is the SAD's
    assert result.period == "2025-T3"
    assert values_of(result) == EXPECTED
    first = result.values[0]
    assert (first.sheet, first.row, first.column) == ("Dades", 6, "E")  # header on row 5
    assert first.comment == "Dades provisionals"


@pytest.mark.parametrize(
    "header",
    [
        ["Código", "Nombre", "Periodo", "Valor", "Observaciones"],
        ["Code", "Name", "Period", "Value", "Comments"],
        ["CODI", "NOM", "TRIMESTRE", "valor", "Observacions"],
        ["codi de l'indicador", "nom", "periode", "Valor assolit", "comentaris"],
    ],
)
def test_headers_in_spanish_english_any_case(
    sqlite_engine: Engine, small_plan: Plan, header: list[str]
) -> None:
    result = run(sqlite_engine, small_plan, xlsx_bytes([header, *ROWS]))
    assert result.status == "ok", result.errors
    assert values_of(result) == EXPECTED
    assert result.values[0].comment == "Dades provisionals"


def test_other_sheets_in_the_workbook(sqlite_engine: Engine, small_plan: Plan) -> None:
    instructions = [["Instruccions"], ["Ompliu la columna Valor."], ["Codi: no toqueu"]]
    lists = [["Estats"], ["No iniciat"], ["Finalitzat"]]
    content = xlsx_bytes(
        [HEADER, *ROWS],
        sheet="Dades 3T",
        before=[("Instruccions", instructions), ("Llistes", lists)],
    )
    result = run(sqlite_engine, small_plan, content)
    assert result.status == "ok", result.errors
    assert {v.sheet for v in result.values} == {"Dades 3T"}


def test_wide_format_one_column_per_quarter(sqlite_engine: Engine, small_plan: Plan) -> None:
    rows: list[list[object]] = [
        ["Codi", "Indicador", "2025-T1", "T2 2025", "3T 2025", "2025 Q4", "Observacions"],
        ["P1.01-I1", "Hores", 100, "110,5", None, "130", "sense T3"],
        ["P1.02-I1", "Protocol", "Iniciat", "Iniciat", "En desenvolupament", None, None],
    ]
    result = run(sqlite_engine, small_plan, xlsx_bytes(rows), service="SAD")
    assert result.status == "ok", result.errors
    assert values_of(result) == {
        ("P1.01-I1", "2025-T1"): 100.0,
        ("P1.01-I1", "2025-T2"): 110.5,
        ("P1.01-I1", "2025-T4"): 130.0,
        ("P1.02-I1", "2025-T1"): "iniciat",
        ("P1.02-I1", "2025-T2"): "iniciat",
        ("P1.02-I1", "2025-T3"): "en_desenvolupament",
    }
    assert result.period == "2025-T4"  # the file's latest quarter
    by_key = {(v.indicator, v.period): v for v in result.values}
    assert by_key[("P1.01-I1", "2025-T2")].column == "D"
    assert by_key[("P1.02-I1", "2025-T3")].row == 3


def test_long_format_carries_several_quarters(sqlite_engine: Engine, small_plan: Plan) -> None:
    rows = [HEADER] + [
        ["P1.01-I1", "Hores", period, str(100 + i), None]
        for i, period in enumerate(["2024-T4", "T1 2025", "2n trimestre 2025", "3T 2025"])
    ]
    result = run(sqlite_engine, small_plan, xlsx_bytes(rows))
    assert result.status == "ok", result.errors
    assert [v.period for v in result.values] == ["2024-T4", "2025-T1", "2025-T2", "2025-T3"]
    assert result.period == "2025-T3"


def test_template_meta_sheet_gives_service_and_period(
    sqlite_engine: Engine, small_plan: Plan
) -> None:
    rows: list[list[object]] = [
        ["Codi", "Nom", "Unitat", "Darrer valor", "Meta 2025", "Valor", "Comentari"],
        ["P1.01-I1", "Hores", "hores", 1200, 1500, 1300, None],
        ["P1.01-I2", "%", "%", 40, 50, None, None],  # left empty: a warning, not an error
        ["P1.02-I1", "Protocol", "", "Iniciat", "", "Avançat", "quasi fet"],
    ]
    content = xlsx_bytes(
        rows, meta={"service": "SAD", "period": "2025-T2", "template_version": "1"}
    )
    result = run(sqlite_engine, small_plan, content, filename="plantilla.xlsx")
    assert result.status == "ok", result.errors
    assert (result.service, result.period) == ("SAD", "2025-T2")
    assert values_of(result) == {
        ("P1.01-I1", "2025-T2"): 1300.0,
        ("P1.02-I1", "2025-T2"): "avancat",
    }
    assert [
        (w.code, w.row, w.column) for w in result.warnings if w.code != "analysis_required"
    ] == [("empty_value", 3, "A")]


def test_period_from_title_and_service_from_file_name(
    sqlite_engine: Engine, small_plan: Plan
) -> None:
    rows: list[list[object]] = [["Dades SAD – 2T 2025"], [], ["Codi", "Valor"], ["P1.01-I1", 5]]
    result = run(sqlite_engine, small_plan, xlsx_bytes(rows), filename="SAD_dades.xlsx")
    assert result.status == "ok", result.errors
    assert (result.service, result.period) == ("SAD", "2025-T2")


CSV_ROWS: list[list[object]] = [
    ["Codi", "Període", "Valor", "Comentari"],
    ["P1.01-I1", "2025-T3", "1.234,5", "Atenció: provisional"],
    ["P1.01-I2", "2025-T3", "45 %", ""],
    ["P1.02-I1", "2025-T3", "En desenvolupament", ""],
]


@pytest.mark.parametrize(
    ("delimiter", "encoding", "bom"),
    [
        (";", "utf-8", False),
        (";", "utf-8", True),
        (";", "cp1252", False),
        (",", "utf-8", False),
        ("\t", "utf-8", False),
        ("\t", "utf-16", False),
    ],
)
def test_csv_encodings_and_delimiters(
    sqlite_engine: Engine, small_plan: Plan, delimiter: str, encoding: str, bom: bool
) -> None:
    rows = [list(r) for r in CSV_ROWS]
    if delimiter == ",":
        rows = [[f'"{c}"' if "," in str(c) else c for c in r] for r in rows]
    content = csv_bytes(rows, delimiter=delimiter, encoding=encoding, bom=bom)
    result = run(sqlite_engine, small_plan, content, filename="dades.csv")
    assert result.status == "ok", result.errors
    assert values_of(result) == EXPECTED
    assert result.values[0].comment == "Atenció: provisional"
    assert result.values[0].row == 2


def test_xls_ods_xlsm_give_the_same_values(sqlite_engine: Engine, small_plan: Plan) -> None:
    rows: list[list[object]] = [["Títol del full"], [], HEADER, *ROWS]
    for name, content in [
        ("dades.xls", xls_bytes(rows)),
        ("dades.ods", ods_bytes(rows)),
        ("dades.xlsm", xlsx_bytes(rows, macro=True)),
        ("sense_extensio", xlsx_bytes(rows)),  # told by magic bytes, not the name
    ]:
        result = run(sqlite_engine, small_plan, content, filename=name)
        assert result.status == "ok", (name, result.errors)
        assert values_of(result) == EXPECTED, name
        assert result.values[0].row == 4, name


def test_numeric_cells_and_percent_cells(sqlite_engine: Engine, small_plan: Plan) -> None:
    rows: list[list[object]] = [
        ["Codi", "Valor"],
        ["P1.01-I1", 1234.5],
        ["P1.02-I1", 0.5],
        ["P1.02-I2", 12],
    ]
    result = run(sqlite_engine, small_plan, xlsx_bytes(rows), period="2025-T3")
    assert result.status == "ok", result.errors
    assert values_of(result) == {
        ("P1.01-I1", "2025-T3"): 1234.5,
        ("P1.02-I1", "2025-T3"): "en_desenvolupament",
        ("P1.02-I2", "2025-T3"): 12.0,
    }


def test_json_shape(sqlite_engine: Engine, small_plan: Plan, tmp_path: Path) -> None:
    result = run(sqlite_engine, small_plan, xlsx_bytes([HEADER, *ROWS]))
    data = result.to_json()
    assert {"status", "service", "period", "values", "errors", "warnings"} <= set(data)
    assert set(data["values"][0]) >= {"indicator", "period", "value", "comment", "sheet", "row"}
    assert data["status"] == "ok" and data["period"] == "2025-T3"


def test_a_hidden_copy_does_not_win_over_the_visible_data(
    sqlite_engine: Engine, small_plan: Plan
) -> None:
    import io

    import openpyxl

    wb = openpyxl.Workbook()
    old = wb.active
    assert old is not None
    old.title = "Còpia antiga"
    hidden_rows: list[list[object]] = [HEADER, *ROWS, ["P1.02-I2", "x", "2025-T3", "7", None]]
    for row in hidden_rows:
        old.append(row)
    old.sheet_state = "hidden"
    data = wb.create_sheet("Dades")
    for row in [HEADER, ROWS[0]]:
        data.append(row)
    buffer = io.BytesIO()
    wb.save(buffer)
    result = run(sqlite_engine, small_plan, buffer.getvalue())
    assert result.status == "ok", result.errors
    assert [(v.sheet, v.indicator) for v in result.values] == [("Dades", "P1.01-I1")]


def test_a_percentage_written_as_a_fraction_is_a_warning(
    sqlite_engine: Engine, small_plan: Plan
) -> None:
    rows: list[list[object]] = [["Codi", "Valor"], ["P1.01-I2", 0.45], ["P1.01-I1", 0.5]]
    result = run(sqlite_engine, small_plan, xlsx_bytes(rows), period="2025-T3")
    assert result.status == "ok"
    assert [
        (w.code, w.row, w.column) for w in result.warnings if w.code != "analysis_required"
    ] == [("percent_as_fraction", 2, "B")]
    assert "si vol dir 45 %, escriviu 45" in result.warnings[0].message
