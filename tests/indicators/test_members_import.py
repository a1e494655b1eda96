"""Importing breakdown members (issue 14): dimension columns in long and wide layouts, members
by code or name with or without accents, located Catalan errors with a suggestion, duplicates,
totals that disagree with their members, members of another service, and old files."""

from __future__ import annotations

import datetime as dt
import io
from collections.abc import Sequence

import pytest
from openpyxl import load_workbook
from openpyxl.workbook.workbook import Workbook
from sqlalchemy import Engine

from i18n import gettext
from indicators.intake.form import (
    FORM_SOURCE,
    FormRefused,
    form_entries,
    form_file,
    form_row_ids,
    form_rows,
)
from indicators.intake.importer import ImportResult, import_file
from indicators.intake.issues import Issue
from indicators.intake.template import FIRST_DATA_ROW, HEADER_ROW, build_template
from indicators.reporting import dashboard_data
from indicators.storage.queries import member_values_frame, values_frame
from plan_model.models import Plan
from settings import Settings
from tests.helpers.breakdown_plan import COUNT, HOMELESS, MILESTONE, PERCENT, breakdown_plan
from tests.helpers.sheet_builders import xlsx_bytes

TODAY = dt.date(2025, 11, 20)  # 2025-T3 is open
AT = dt.datetime(2025, 10, 5, 9, 0, tzinfo=dt.UTC)


@pytest.fixture(scope="module")
def bplan() -> Plan:
    return breakdown_plan()


def send(
    engine: Engine,
    plan: Plan,
    service: str,
    rows: Sequence[Sequence[object]],
    *,
    lang: str = "ca",
    dry_run: bool = False,
    at: dt.datetime = AT,
) -> ImportResult:
    return import_file(
        engine,
        plan,
        filename=f"{service}_2025-T3.xlsx",
        content=xlsx_bytes(rows),
        user="tecnica",
        service=service,
        period="2025-T3",
        today=TODAY,
        settings=Settings(),
        uploaded_at=at,
        lang=lang,
        dry_run=dry_run,
    )


def _(msgid: str, lang: str) -> str:
    return gettext(msgid, lang)


def codes(issues: Sequence[Issue]) -> list[str]:
    """The issues' codes, without the reminders of analyses and evidence (issue 17)."""
    return [i.code for i in issues if i.code not in ("analysis_required", "evidence_required")]


def members(engine: Engine) -> dict[tuple[str, str], float]:
    frame = member_values_frame(engine)
    return {
        (str(r["indicator"]), str(r["member_key"])): float(r["value"])
        for r in frame.to_dict("records")
    }


def totals(engine: Engine, plan: Plan) -> dict[str, float]:
    data = dashboard_data.load(engine, plan, deadline_days=15)
    return {str(r["indicator"]): float(r["value"]) for r in data.values().to_dict("records")}


# --- the issue's «Done when» ---------------------------------------------------------------


def test_a_file_with_abss_and_sex_columns_imports(engine: Engine, bplan: Plan) -> None:
    vic = send(
        engine,
        bplan,
        "SBAS-VIC",
        [
            ["Codi", "ABSS", "Sexe", "Valor"],
            [COUNT, "Vic", "Dona", 30],
            [COUNT, "ABSS Vic", "Home", 20],
        ],
    )
    assert vic.ok, vic.errors
    coss = send(
        engine,
        bplan,
        "SBAS-COSS",
        [["Codi", "Sexe", "Valor"], [COUNT, "D", 7], [COUNT, "h", 5]],  # no ABSS: its own
        at=AT + dt.timedelta(hours=1),
    )
    assert coss.ok, coss.errors
    assert members(engine) == {
        (COUNT, "abss=COSS;sex=D"): 7.0,
        (COUNT, "abss=COSS;sex=H"): 5.0,
        (COUNT, "abss=VIC;sex=D"): 30.0,
        (COUNT, "abss=VIC;sex=H"): 20.0,
    }
    # the total shown equals the sum of the members
    assert totals(engine, bplan) == {COUNT: 62.0}
    assert values_frame(engine).empty  # nobody reported a total
    assert [v.to_json()["members"] for v in vic.values] == ["abss=VIC;sex=D", "abss=VIC;sex=H"]


def test_a_percentage_total_is_the_ratio_of_the_summed_counts(engine: Engine, bplan: Plan) -> None:
    result = send(
        engine,
        bplan,
        "SBAS",
        [
            ["Codi", "ABSS", "Numerador", "Denominador", "Valor"],
            [PERCENT, "COSS", 1, 2, None],
            [PERCENT, "Vic", 90, 100, 90],
        ],
    )
    assert result.ok, result.errors
    assert members(engine) == {(PERCENT, "abss=COSS"): 50.0, (PERCENT, "abss=VIC"): 90.0}
    assert totals(engine, bplan)[PERCENT] == pytest.approx(91 / 102 * 100)
    assert totals(engine, bplan)[PERCENT] != pytest.approx((50 + 90) / 2)


def test_a_ratio_member_needs_its_counts(engine: Engine, bplan: Plan) -> None:
    result = send(engine, bplan, "SBAS", [["Codi", "ABSS", "Valor"], [PERCENT, "Vic", 90]])
    assert codes(result.errors) == ["ratio_counts"]
    assert "numerador" in result.errors[0].message.lower()
    zero = send(
        engine,
        bplan,
        "SBAS",
        [["Codi", "ABSS", "Numerador", "Denominador", "Valor"], [PERCENT, "Vic", 0, 0, None]],
    )
    assert codes(zero.errors) == ["ratio_counts"]
    assert (zero.errors[0].row, zero.errors[0].column) == (2, "D")
    differs = send(
        engine,
        bplan,
        "SBAS",
        [["Codi", "ABSS", "Numerador", "Denominador", "Valor"], [PERCENT, "Vic", 9, 10, 50]],
        dry_run=True,
    )
    assert differs.ok and "ratio_value" in codes(differs.warnings)
    assert [v.value for v in differs.values] == [90.0]


def test_a_wrong_member_gets_a_located_catalan_error_with_the_suggestion(
    engine: Engine, bplan: Plan
) -> None:
    result = send(
        engine,
        bplan,
        "SBAS-VIC",
        [["Codi", "ABSS", "Sexe", "Valor"], [COUNT, "Vik", "Dona", 30], [COUNT, "Vic", "Dna", 3]],
    )
    assert not result.ok
    first, second = result.errors
    assert (first.code, first.sheet, first.row, first.column) == ("unknown_member", "Dades", 2, "B")
    assert first.message == (
        "«Vik» no és cap membre d'ABSS (ABSS Consell Comarcal d'Osona, ABSS Vic). "
        "Volíeu dir «ABSS Vic»?"
    )
    assert (second.row, second.column) == (3, "C")
    assert "Volíeu dir «Dona»?" in second.message
    assert first.describe("ca").startswith("Full «Dades», fila 2, columna B: ")
    assert members(engine) == {}


# --- members by code or name ---------------------------------------------------------------


@pytest.mark.parametrize(
    ("header", "written", "key"),
    [
        ("Sexe", "Dona", "sex=D"),
        ("Sexo", "Mujer", "sex=D"),
        ("Sex", "woman", "sex=D"),
        ("SEXE", " d ", "sex=D"),
        ("Gènere", "HOME", "sex=H"),
        ("sexo", "No binario", "sex=X"),
        ("Sexe", "No consta", "sex=NC"),
        ("Sexe", "\u200bDona", "sex=D"),  # an invisible space is no letter
    ],
)
def test_sex_by_code_or_name_in_every_language(
    engine: Engine, bplan: Plan, header: str, written: str, key: str
) -> None:
    result = send(
        engine,
        bplan,
        "SBAS-VIC",
        [["Codi", "Àbss", header, "Valor"], [COUNT, "víc", written, 4]],
        dry_run=True,
    )
    assert result.ok, result.errors
    assert [v.member_key for v in result.values] == [f"abss=VIC;{key}"]


@pytest.mark.parametrize("written", ["08298", 8298, 8298.0, "Vic", "VIC", "vic"])
def test_a_municipality_by_ine_code_or_name_implies_its_abss(
    engine: Engine, bplan: Plan, written: object
) -> None:
    result = send(
        engine,
        bplan,
        "SBAS",
        [["Codi", "Municipio", "Valor"], [HOMELESS, written, 4]],
        dry_run=True,
    )
    assert result.ok, result.errors
    assert [v.member_key for v in result.values] == ["abss=VIC;municipality=08298"]


def test_a_municipality_of_another_abss_is_refused(engine: Engine, bplan: Plan) -> None:
    result = send(
        engine,
        bplan,
        "SBAS",
        [["Codi", "ABSS", "Municipi", "Valor"], [HOMELESS, "COSS", "Vic", 4]],
    )
    assert codes(result.errors) == ["member_mismatch"]
    assert result.errors[0].column == "B"


# --- layouts and headers -------------------------------------------------------------------


def test_wide_layout_with_dimension_columns(engine: Engine, bplan: Plan) -> None:
    result = send(
        engine,
        bplan,
        "SBAS-VIC",
        [
            ["Codi", "Sexe", "2025-T2", "2025-T3"],
            [COUNT, "Dona", 28, 30],
            [COUNT, "Home", 19, 20],
        ],
    )
    assert result.ok, result.errors
    got = {(v.period, v.member_key): v.value for v in result.values}
    assert got == {
        ("2025-T2", "abss=VIC;sex=D"): 28.0,
        ("2025-T3", "abss=VIC;sex=D"): 30.0,
        ("2025-T2", "abss=VIC;sex=H"): 19.0,
        ("2025-T3", "abss=VIC;sex=H"): 20.0,
    }


def test_a_blank_dimension_is_the_total_over_it(engine: Engine, bplan: Plan) -> None:
    result = send(
        engine,
        bplan,
        "SBAS-VIC",
        [["Codi", "ABSS", "Sexe", "Valor"], [COUNT, "Vic", None, 50], [COUNT, "Vic", "Dona", 30]],
    )
    assert result.ok, result.errors
    assert [v.member_key for v in result.values] == ["abss=VIC", "abss=VIC;sex=D"]
    # Vic's own total stands for Vic: not 50 + 30
    assert totals(engine, bplan) == {COUNT: 50.0}


# --- refusals ------------------------------------------------------------------------------


def test_duplicate_indicator_quarter_and_members(engine: Engine, bplan: Plan) -> None:
    result = send(
        engine,
        bplan,
        "SBAS-VIC",
        [
            ["Codi", "Sexe", "Valor"],
            [COUNT, "Dona", 30],
            [COUNT, "Home", 20],
            [COUNT, "D", 31],
        ],
    )
    assert codes(result.errors) == ["duplicate_member_row"]
    assert result.errors[0].row == 4
    assert result.errors[0].message == (
        "L'indicador «P2.01-I1» surt dues vegades per al 3r trimestre de 2025 i ABSS Vic, Dona "
        "(també a la fila 2)."
    )


def test_a_service_cannot_deliver_another_services_member(engine: Engine, bplan: Plan) -> None:
    result = send(
        engine, bplan, "SBAS-VIC", [["Codi", "ABSS", "Sexe", "Valor"], [COUNT, "COSS", "D", 3]]
    )
    assert codes(result.errors) == ["member_not_reported"]
    assert result.errors[0].column == "B"
    assert "SBAS-COSS" in result.errors[0].message
    # the responsible service, whose members are all reported by the ABSS teams
    responsible = send(engine, bplan, "SBAS", [["Codi", "Valor"], [COUNT, 3]])
    assert codes(responsible.errors) == ["wrong_service"]


def test_a_dimension_the_indicator_is_not_broken_down_by(engine: Engine, bplan: Plan) -> None:
    result = send(
        engine,
        bplan,
        "SBAS-VIC",
        [["Codi", "Sexe", "Grup d'edat", "Valor"], [COUNT, "Dona", "0-17", 3]],
    )
    assert codes(result.errors) == ["not_broken_down"]
    assert result.errors[0].column == "C"
    milestone = send(
        engine,
        bplan,
        "DIRECCIO",
        [["Codi", "Sexe", "Valor"], [MILESTONE, "Dona", "Finalitzat"]],
    )
    assert codes(milestone.errors) == ["not_broken_down"]


def test_a_total_that_disagrees_with_its_members_is_warned(engine: Engine, bplan: Plan) -> None:
    rows: list[list[object]] = [
        ["Codi", "Municipi", "Valor"],
        [HOMELESS, None, 100],
        [HOMELESS, "08298", 60],
        [HOMELESS, "Calldetenes", 30],
        [HOMELESS, "Torelló", 5],
    ]
    result = send(engine, bplan, "SBAS", rows, dry_run=True)
    assert result.ok
    assert codes(result.warnings) == ["total_mismatch"]
    assert result.warnings[0].row == 2
    assert "95" in result.warnings[0].message
    rows[1][2] = 95
    assert codes(send(engine, bplan, "SBAS", rows, dry_run=True).warnings) == []
    # members not all delivered: nothing to compare
    partial = send(engine, bplan, "SBAS", rows[:3], dry_run=True)
    assert partial.ok and codes(partial.warnings) == []


# --- old files and old values --------------------------------------------------------------


def test_a_file_without_dimension_columns_keeps_working(engine: Engine, bplan: Plan) -> None:
    result = send(
        engine,
        bplan,
        "SBAS",
        [["Codi", "Valor"], [HOMELESS, 80], [PERCENT, 55]],
    )
    assert result.ok, result.errors
    assert codes(result.warnings) == ["breakdown_missing", "breakdown_missing"]
    assert "Municipi" in result.warnings[0].message
    assert [v.member_key for v in result.values] == ["", ""]
    assert totals(engine, bplan) == {HOMELESS: 80.0, PERCENT: 55.0}
    # an indicator without breakdowns: as ever, no warning
    plain = send(engine, bplan, "DIRECCIO", [["Codi", "Valor"], [MILESTONE, "Finalitzat"]])
    assert plain.ok and codes(plain.warnings) == []


def test_an_abss_team_file_without_dimension_columns_is_its_own_member(
    engine: Engine, bplan: Plan
) -> None:
    result = send(engine, bplan, "SBAS-VIC", [["Codi", "Valor"], [COUNT, 50]])
    assert result.ok, result.errors
    assert [v.member_key for v in result.values] == ["abss=VIC"]


def test_changes_are_per_member(engine: Engine, bplan: Plan) -> None:
    rows: list[list[object]] = [["Codi", "Sexe", "Valor"], [COUNT, "Dona", 30], [COUNT, "Home", 2]]
    assert send(engine, bplan, "SBAS-VIC", rows).ok
    rows[1][2] = 31
    again = send(engine, bplan, "SBAS-VIC", rows[:2], at=AT + dt.timedelta(hours=1))
    kinds = {(c.members, c.kind) for c in again.changes}
    assert kinds == {("abss=VIC;sex=D", "changed"), ("abss=VIC;sex=H", "kept")}


# --- hostile shapes ------------------------------------------------------------------------


@pytest.mark.parametrize(
    "written",
    ["x" * 5000, "Dona;sex=H", "abss=VIC", 1e308, -1.0, True, "NaN", "D\u00a0x", "#N/A"],
)
def test_hostile_member_cells_are_located_errors(
    engine: Engine, bplan: Plan, written: object
) -> None:
    result = send(
        engine,
        bplan,
        "SBAS-VIC",
        [["Codi", "Sexe", "Valor"], [COUNT, written, 3]],
        dry_run=True,
    )
    assert not result.ok
    assert codes(result.errors) == ["unknown_member"]
    assert (result.errors[0].row, result.errors[0].column) == (2, "B")
    assert len(result.errors[0].message) < 600


# --- the template --------------------------------------------------------------------------


def _workbook(content: bytes) -> Workbook:
    return load_workbook(io.BytesIO(content))


def test_the_template_has_a_row_per_member_the_service_reports(bplan: Plan) -> None:
    wb = _workbook(build_template(bplan, "SBAS-VIC", "2025-T3"))
    assert wb.sheetnames == ["Instruccions", "Dades", "_meta", "_membres"]
    assert wb["_membres"].sheet_state == "veryHidden"
    ws = wb["Dades"]
    header = [c.value for c in ws[HEADER_ROW]]
    assert header == [
        "Codi",
        "Indicador",
        "Unitat",
        "Període",
        "ABSS",
        "Sexe",
        "Últim valor",
        "Meta 2025",
        "Valor",
        "Comentari",
    ]
    rows = [r[:6] for r in ws.iter_rows(min_row=FIRST_DATA_ROW, values_only=True)]
    assert [(r[0], r[4], r[5]) for r in rows] == [
        (COUNT, "ABSS Vic", "Dona"),
        (COUNT, "ABSS Vic", "Home"),
        (COUNT, "ABSS Vic", "Altres / no binari"),
        (COUNT, "ABSS Vic", "No consta"),
    ]
    lists = {
        str(dv.formula1): str(dv.sqref)
        for dv in ws.data_validations.dataValidation
        if dv.type == "list"
    }
    assert lists == {"'_membres'!$A$2:$A$3": "E3:E6", "'_membres'!$B$2:$B$5": "F3:F6"}
    members_sheet = wb["_membres"]
    assert [c.value for c in members_sheet["B"]] == [
        "Sexe",
        "Dona",
        "Home",
        "Altres / no binari",
        "No consta",
    ]
    assert not ws["E3"].protection.locked and ws["A3"].protection.locked


def test_the_template_of_a_ratio_has_its_counts_and_plain_rows_stay(bplan: Plan) -> None:
    ws = _workbook(build_template(bplan, "SBAS", "2025-T3"))["Dades"]
    header = [c.value for c in ws[HEADER_ROW]]
    assert header[4:6] == ["ABSS", "Municipi"]
    assert header[-4:] == ["Numerador", "Denominador", "Valor", "Comentari"]
    rows = [(r[0], r[4], r[5]) for r in ws.iter_rows(min_row=FIRST_DATA_ROW, values_only=True)]
    assert rows == [
        (PERCENT, "ABSS Consell Comarcal d'Osona", None),
        (PERCENT, "ABSS Vic", None),
        (HOMELESS, None, "Vic"),
        (HOMELESS, None, "Calldetenes"),
        (HOMELESS, None, "Torelló"),
    ]
    # a service without breakdowns gets the sheet as it always was
    plain = _workbook(build_template(bplan, "DIRECCIO", "2025-T3"))
    assert plain.sheetnames == ["Instruccions", "Dades", "_meta"]
    assert len(list(plain["Dades"][HEADER_ROW])) == 8


@pytest.mark.parametrize("lang", ["ca", "es", "en"])
def test_a_filled_template_imports(engine: Engine, bplan: Plan, lang: str) -> None:
    content = build_template(
        bplan,
        "SBAS",
        "2025-T3",
        lang=lang,
        filled_members={(HOMELESS, "municipality=08298"): (60.0, "nota")},
    )
    wb = _workbook(content)
    ws = wb.worksheets[1]
    header = [c.value for c in ws[HEADER_ROW]]
    num, den = header.index(_("Numerator", lang)) + 1, header.index(_("Denominator", lang)) + 1
    ws.cell(row=FIRST_DATA_ROW, column=num, value=1)
    ws.cell(row=FIRST_DATA_ROW, column=den, value=2)
    ws.cell(row=FIRST_DATA_ROW + 1, column=num, value=90)
    ws.cell(row=FIRST_DATA_ROW + 1, column=den, value=100)
    buffer = io.BytesIO()
    wb.save(buffer)
    result = import_file(
        engine,
        bplan,
        filename="plantilla_SBAS_2025-T3.xlsx",
        content=buffer.getvalue(),
        user="tecnica",
        today=TODAY,
        settings=Settings(),
        uploaded_at=AT,
        lang=lang,
    )
    assert result.ok, result.errors
    assert {(v.indicator, v.member_key): v.value for v in result.values} == {
        (PERCENT, "abss=COSS"): 50.0,
        (PERCENT, "abss=VIC"): 90.0,
        (HOMELESS, "abss=VIC;municipality=08298"): 60.0,
    }
    assert totals(engine, bplan)[PERCENT] == pytest.approx(9100 / 102)


# --- the browser form (the same code path) -------------------------------------------------


def test_the_form_has_a_row_per_member_and_imports_them(engine: Engine, bplan: Plan) -> None:
    rows = form_rows(bplan, "SBAS", "2025-T3", {}, "ca")
    assert [(r.code, r.indicator, r.members, r.ratio) for r in rows] == [
        (f"{PERCENT}@abss=COSS", PERCENT, "ABSS Consell Comarcal d'Osona", True),
        (f"{PERCENT}@abss=VIC", PERCENT, "ABSS Vic", True),
        (f"{HOMELESS}@municipality=08298", HOMELESS, "Vic", False),
        (f"{HOMELESS}@municipality=08037", HOMELESS, "Calldetenes", False),
        (f"{HOMELESS}@municipality=08285", HOMELESS, "Torelló", False),
    ]
    assert form_row_ids(bplan, "SBAS") == [r.code for r in rows]
    entries = form_entries(
        [(rows[0].code, "1 / 2"), (rows[1].code, "90/100"), (rows[2].code, "60")],
        [(rows[0].code, ""), (rows[1].code, ""), (rows[2].code, "nota")],
        service="SBAS",
        codes=form_row_ids(bplan, "SBAS"),
    )
    form = form_file(bplan, "SBAS", "2025-T3", entries)
    assert form.sheets[0].rows[0] == [
        "Codi",
        "Període",
        "ABSS",
        "Municipi",
        "Numerador",
        "Denominador",
        "Valor",
        "Comentari",
    ]
    result = import_file(
        engine,
        bplan,
        filename=form.filename,
        content=form.content,
        user="tecnica",
        source=FORM_SOURCE,
        today=TODAY,
        settings=Settings(),
        uploaded_at=AT,
        sheets=form.sheets,
    )
    assert result.ok, result.errors
    assert {(v.indicator, v.member_key): v.value for v in result.values} == {
        (PERCENT, "abss=COSS"): 50.0,
        (PERCENT, "abss=VIC"): 90.0,
        (HOMELESS, "abss=VIC;municipality=08298"): 60.0,
    }
    # the stored CSV imports again to the same values
    again = import_file(
        engine,
        bplan,
        filename=form.filename,
        content=form.content,
        user="tecnica",
        today=TODAY,
        settings=Settings(),
        uploaded_at=AT,
        dry_run=True,
    )
    assert [(v.member_key, v.value) for v in again.values] == [
        (v.member_key, v.value) for v in result.values
    ]


def test_the_form_refuses_a_member_row_of_another_service(bplan: Plan) -> None:
    with pytest.raises(FormRefused):
        form_entries(
            [(f"{COUNT}@abss=COSS;sex=D", "3")],
            [(f"{COUNT}@abss=COSS;sex=D", "")],
            service="SBAS-VIC",
            codes=form_row_ids(bplan, "SBAS-VIC"),
        )
