"""The objectives' analyses (valoracions, issue 17) in the board pack and the export: the
lever slides and the appendix list them, the xlsx has their sheet (text, never formulas), the
CSV is unchanged and the export→reimport round trip stays lossless (SQLite and PostgreSQL)."""

from __future__ import annotations

import datetime as dt
import io
import zipfile
from pathlib import Path

from openpyxl import load_workbook
from sqlalchemy import Engine

from accounts.analyses import write_analysis
from accounts.roles import Actor
from indicators.reporting import dashboard_data
from indicators.reporting.board import build_board
from indicators.reporting.export import export_values, reimport
from indicators.storage import queries
from indicators.storage.engine import make_engine
from indicators.storage.migrate import upgrade
from plan_model.analyses import needs_analysis
from plan_model.models import Plan
from plan_model.periods import Period, period_range
from tests.helpers.dash_sample import load_sample

LAST = Period(2023, 2)
OPERATOR = Actor.operator("admin")
HOSTILE = '=HYPERLINK("http://example.invalid/","clic")'


def _write(engine: Engine, plan: Plan, code: str, text: str, period: Period = LAST) -> None:
    write_analysis(
        engine,
        plan,
        code,
        str(period),
        what_happened=text,
        next_steps="Revisar el circuit",
        due_by=dt.date(2023, 12, 31),
        by=OPERATOR,
    )


def _loaded(engine: Engine, plan: Plan) -> dashboard_data.DashboardData:
    load_sample(engine, plan, period_range(Period(2023, 1), LAST))
    return dashboard_data.load(engine, plan, deadline_days=30)


def _values(engine: Engine) -> set[tuple[str, str, float]]:
    frame = queries.values_frame(engine)
    frame = frame[frame["value"].notna()]
    return set(zip(frame["indicator"], frame["period"], frame["value"], strict=True))


def test_the_board_lists_the_analyses_of_the_objectives_behind(engine: Engine, plan: Plan) -> None:
    data = _loaded(engine, plan)
    behind = [o for o in data.status(LAST).objectives if needs_analysis(o)]
    lever = behind[0].lever
    mine = [o.code for o in behind if o.lever == lever]
    _write(engine, plan, mine[0], "Baixes a l'equip durant el trimestre")
    data = dashboard_data.load(engine, plan, deadline_days=30)
    board = build_board(data, LAST, lang="ca", today=dt.date(2023, 7, 20))
    slide = next(s for s in board.slides if s.kind == "lever" and s.kicker.endswith(str(lever)))
    [note] = [n for n in slide.notes if n.startswith("Valoracions dels objectius")]
    written, _sep, missing = note.partition("; sense valoració: ")
    assert written == f"Valoracions dels objectius en desviació: {mine[0]}"
    assert missing.split(" i ")[0].split(", ") == mine[1:9] if mine[1:] else missing == "–"
    row = next(r for r in board.appendix.rows if r[0].text == mine[0])
    assert row[4].text.startswith(
        "Valoració: Baixes a l'equip durant el trimestre · "
        "Què es farà: Revisar el circuit (31 de des. 2023)"
    )
    others = next(r for r in board.appendix.rows if r[0].text not in mine)
    assert "Valoració:" not in others[4].text


def test_the_xlsx_has_the_analyses_sheet_and_the_round_trip_is_lossless(
    engine: Engine, plan: Plan, tmp_path: Path
) -> None:
    data = _loaded(engine, plan)
    code = next(o.code for o in data.status(LAST).objectives)
    csv_before = export_values(engine, plan, "csv").content
    _write(engine, plan, code, "Primera versió")
    _write(engine, plan, code, HOSTILE)  # supersedes the first
    _write(engine, plan, code, "Trimestre anterior", Period(2023, 1))
    assert export_values(engine, plan, "csv").content == csv_before  # the CSV is unchanged

    export = export_values(engine, plan, "xlsx")
    with zipfile.ZipFile(io.BytesIO(export.content)) as archive:
        for name in archive.namelist():
            if name.startswith("xl/worksheets/"):
                assert b"<f>" not in archive.read(name), name
    book = load_workbook(io.BytesIO(export.content))
    sheet = book["Valoracions"]
    rows = [[cell.value for cell in row] for row in sheet.iter_rows()]
    assert rows[0][:4] == ["Objectiu", "Període", "Què ha passat", "Què es farà"]
    assert [(r[0], r[1], r[2]) for r in rows[1:]] == [
        (code, "2023-T1", "Trimestre anterior"),
        (code, str(LAST), HOSTILE),
    ]
    one_quarter = load_workbook(
        io.BytesIO(export_values(engine, plan, "xlsx", period=str(LAST)).content)
    )["Valoracions"]
    assert [r[1].value for r in one_quarter.iter_rows(min_row=2)] == [str(LAST)]

    target_url = f"sqlite:///{tmp_path / 'copy.db'}"
    upgrade(target_url)
    target = make_engine(target_url)
    try:
        results = reimport(target, plan, export.filename, export.content, user="test")
        assert results and all(r.ok for r in results)
        assert _values(target) == _values(engine)
    finally:
        target.dispose()
