"""The board pack (PDF and PPTX) and the values export, on data imported through the real
import, on SQLite and PostgreSQL.

The pack's charts need Chromium (kaleido): locally the pack tests skip when it is missing,
in CI (``CI=true``) they fail.
"""

from __future__ import annotations

import io
import os
import shutil
import subprocess
import sys
import uuid
from collections.abc import Iterator
from pathlib import Path

import pandas as pd
import pytest
from sqlalchemy import Engine, text

from i18n import format_percent
from indicators.reporting import dashboard_data
from indicators.reporting.export import export_frame, export_values, headers, read_export, reimport
from indicators.reporting.pack import build_pack, render
from indicators.reporting.pack.charts import find_browser
from indicators.storage import queries
from indicators.storage.engine import make_engine
from indicators.storage.migrate import upgrade
from plan_model.models import Plan
from plan_model.periods import Period
from tests.helpers.board_data import LAST, MISSING_SERVICE_LAST, TODAY, load_board_data

KEY_COLUMNS = ["indicator", "service", "period", "value", "stage", "comment"]


def _need_browser() -> str:
    path = find_browser()
    if path is None:
        if os.environ.get("CI") == "true":
            pytest.fail("CI must have Chromium for the board pack's charts")
        pytest.skip("Chromium is not installed")
    return path


def _need_pdftotext() -> None:
    if shutil.which("pdftotext") is None:
        if os.environ.get("CI") == "true":
            pytest.fail("CI must have pdftotext (poppler-utils)")
        pytest.skip("pdftotext (poppler-utils) is not installed")


@pytest.fixture
def loaded(engine: Engine, plan: Plan) -> Engine:
    load_board_data(engine, plan)
    return engine


def _pdf_pages(content: bytes, tmp_path: Path) -> list[str]:
    path = tmp_path / "pack.pdf"
    path.write_bytes(content)
    out = subprocess.run(
        ["pdftotext", "-layout", str(path), "-"], capture_output=True, check=True, text=True
    ).stdout
    return out.replace("\xa0", " ").split("\f")


def _pct(value: float | None, lang: str = "ca") -> str:
    return format_percent(value, lang).replace("\xa0", " ")


def test_board_pack_pdf_and_pptx(
    loaded: Engine, plan: Plan, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    browser = _need_browser()
    _need_pdftotext()
    import kaleido

    opened = []
    original_open = kaleido.Kaleido.open

    async def counting_open(self: kaleido.Kaleido) -> None:
        opened.append(self)
        await original_open(self)

    monkeypatch.setattr(kaleido.Kaleido, "open", counting_open)
    messages: list[str] = []
    pack = build_pack(
        loaded,
        plan,
        "2025-T4",
        "pdf",
        lang="ca",
        browser=browser,
        today=TODAY,
        progress=messages.append,
    )

    # one browser for every chart of the pack, and progress along the way
    charts = pack.board.charts
    assert len(charts) == 5 and len(opened) == 1
    assert set(pack.images) == {c.key for c in charts}
    assert all(png.startswith(b"\x89PNG") for png in pack.images.values())
    assert any("5/5" in m for m in messages)

    # the PDF: 16:9 pages, the slides' titles and numbers, the appendix
    assert pack.content.startswith(b"%PDF") and pack.filename == "informe-junta-2025-T4.pdf"
    pages = _pdf_pages(pack.content, tmp_path)
    text_all = "\n".join(pages)
    result = dashboard_data.load(loaded, plan, deadline_days=30).status(Period(2025, 4))
    assert plan.info.name.split(" 2022")[0][:40] in pages[0].replace("\n", " ")
    assert "4t trimestre de 2025" in pages[0]
    assert _pct(result.plan.achievement) in pages[0]
    assert "El pla d'un cop d'ull" in pages[1]
    for i, lever in enumerate(plan.levers):
        page = pages[2 + i]
        assert lever.name in page
        assert _pct(result.lever(lever.number).achievement) in page
    assert "Objectius en risc" in text_all
    assert "Què ha canviat des del 3r trimestre de 2025" in text_all
    assert "Lliuraments del 4t trimestre de 2025" in text_all
    siad = plan.service_by_code[MISSING_SERVICE_LAST]
    assert siad.email in text_all  # the service to remind
    assert "Annex: tots els objectius" in text_all
    for objective in plan.objectives:
        assert objective.code in text_all
    assert "Dada revisada per l'equip" in text_all  # a technician's comment
    info = (
        subprocess.run(
            ["pdfinfo", str(tmp_path / "pack.pdf")], capture_output=True, text=True
        ).stdout
        if shutil.which("pdfinfo")
        else ""
    )
    if info:
        size = next(line for line in info.splitlines() if line.startswith("Page size"))
        width, height = (float(x) for x in size.split(":")[1].split("pts")[0].split(" x "))
        assert abs(width / height - 16 / 9) < 0.01

    # the PPTX from the same content and charts: editable text, tables, the charts as pictures
    from pptx import Presentation
    from pptx.util import Emu

    pptx_bytes = render(pack.board, "pptx", pack.images)
    prs = Presentation(io.BytesIO(pptx_bytes))
    slide_w, slide_h = prs.slide_width, prs.slide_height
    assert slide_w is not None and slide_h is not None
    assert abs(Emu(slide_w).inches / Emu(slide_h).inches - 16 / 9) < 0.01
    slides = list(prs.slides)
    texts = [
        "\n".join(shape.text_frame.text for shape in slide.shapes if shape.has_text_frame).replace(
            "\xa0", " "
        )
        for slide in slides
    ]
    tables = [shape.table for slide in slides for shape in slide.shapes if shape.has_table]
    pictures = [shape for slide in slides for shape in slide.shapes if shape.shape_type == 13]
    assert plan.info.name in texts[0] and "4t trimestre de 2025" in texts[0]
    assert _pct(result.plan.achievement) in texts[0]
    assert len(pictures) == 5
    for lever in plan.levers:  # a lever's slide may go on over a second one ("continuació")
        first = next(text for text in texts if lever.name in text)
        assert _pct(result.lever(lever.number).achievement) in first
    table_text = "\n".join(
        cell.text for table in tables for row in table.rows for cell in row.cells
    )
    for objective in plan.objectives:
        assert objective.code in table_text
    assert "Comentaris dels tècnics" in table_text
    assert len(slides) >= len(pack.board.slides) + 1


def test_board_content_in_spanish_matches_the_statuses(loaded: Engine, plan: Plan) -> None:
    from indicators.reporting.board import build_board

    data = dashboard_data.load(loaded, plan, deadline_days=30)
    board = build_board(data, Period(2025, 4), since=Period(2025, 2), lang="es", today=TODAY)
    kinds = [s.kind for s in board.slides]
    assert kinds == [
        "title",
        "glance",
        "lever",
        "lever",
        "lever",
        "lever",
        "lever",
        "risk",
        "changes",
        "submissions",
    ]
    assert board.period_label == "4.º trimestre de 2025"
    assert board.slides[8].title == "Qué ha cambiado desde el 2.º trimestre de 2025"
    result = data.status(Period(2025, 4))
    glance = board.slides[1]
    assert [c.value for c in glance.cards] == [
        format_percent(lv.achievement, "es") for lv in result.levers
    ]
    assert [c.status.key for c in glance.cards] == [str(lv.status) for lv in result.levers]
    # every status is written with an icon and a label, never colour alone
    assert all(c.status.icon and c.status.label for c in glance.cards)
    # the submissions slide names the service that sent nothing
    names = [row[0].text for row in board.slides[9].table.rows]  # type: ignore[union-attr]
    assert plan.service_by_code[MISSING_SERVICE_LAST].name in names
    assert len(board.appendix.rows) == len(plan.objectives)


def test_board_uses_the_one_set_of_glyphs(loaded: Engine, plan: Plan) -> None:
    """The slides (and so the pack) show the pages' icons: ``plan_model.status_types``."""
    from indicators.reporting.board import build_board
    from plan_model import status_types as st
    from plan_model.changes import CHANGE_LABELS
    from plan_model.completeness import COMPLETENESS_LABELS

    data = dashboard_data.load(loaded, plan, deadline_days=30)
    board = build_board(data, Period(2025, 4), lang="ca", today=TODAY)
    slides = {s.kind: s for s in board.slides}
    badges = [c.status for s in board.slides for c in s.cards]
    badges += [
        cell.status
        for s in board.slides
        if s.table
        for row in s.table.rows
        for cell in row
        if cell.status is not None
    ]
    assert badges and all(b.icon == st.STATUS_ICONS[st.Status(b.key)] for b in badges)
    changes = slides["changes"]
    assert [m.label for m in changes.metrics] == [
        st.icon_text(st.CHANGE_ICONS[k], CHANGE_LABELS[k], "ca")
        for k in ("up", "down", "new_data", "no_data")
    ]
    assert changes.table is not None and changes.table.rows
    assert all(
        row[-1].text.split(" ", 1)[0] in st.CHANGE_ICONS.values() for row in changes.table.rows
    )
    submissions = slides["submissions"]
    assert [m.label for m in submissions.metrics] == [
        st.icon_text(st.COMPLETENESS_ICONS[k], COMPLETENESS_LABELS[k], "ca")
        for k in ("on_time", "late", "pending")
    ]
    assert submissions.table is not None and submissions.table.rows
    assert all(
        row[1].text.split(" ", 1)[0] in st.COMPLETENESS_ICONS.values()
        for row in submissions.table.rows
    )
    at_risk = st.icon_text(st.AT_RISK_ICON, st.AT_RISK_LABEL, "ca")
    assert slides["risk"].metrics[-1].label == at_risk


def test_export_writes_the_status_with_the_same_icon_and_label(loaded: Engine, plan: Plan) -> None:
    from plan_model.status_types import status_text

    frame = export_frame(loaded, plan, period="2025-T4")
    assert len(frame) > 0
    assert list(frame["status"]) == [status_text(k, "ca") for k in frame["status_key"]]


# ---- export ---------------------------------------------------------------------------------


@pytest.fixture
def empty_url(db_url: str, tmp_path: Path) -> Iterator[str]:
    """A second, empty (migrated) database on the same backend as ``db_url``."""
    if db_url.startswith("sqlite"):
        url = f"sqlite:///{tmp_path / 'empty.db'}"
        upgrade(url)
        yield url
        return
    from sqlalchemy.engine import make_url

    base = os.environ["TEST_DATABASE_URL"]  # db_url is on PostgreSQL: it is set
    schema = f"t_{uuid.uuid4().hex[:12]}"
    admin = make_engine(base)
    with admin.begin() as conn:
        conn.execute(text(f'CREATE SCHEMA "{schema}"'))
    try:
        parsed = make_url(base)
        url = parsed.set(
            query={**parsed.query, "options": f"-csearch_path={schema}"}
        ).render_as_string(hide_password=False)
        upgrade(url)
        yield url
    finally:
        with admin.begin() as conn:
            conn.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
        admin.dispose()


def _values(engine: Engine) -> pd.DataFrame:
    frame = queries.values_frame(engine)[KEY_COLUMNS]
    frame = frame.sort_values(["indicator", "service", "period"]).reset_index(drop=True)
    return frame.astype({"stage": object, "comment": object}).where(frame.notna(), None)


@pytest.mark.parametrize("fmt", ["xlsx", "csv"])
def test_export_round_trip(loaded: Engine, plan: Plan, empty_url: str, fmt: str) -> None:
    # a re-upload supersedes a file: the export carries only the values in force
    from indicators.intake.importer import import_file
    from tests.helpers.board_data import service_csv

    again = service_csv(plan, "SAD", LAST).replace(b"\n", b" (revisat)\n", 1)
    redo = import_file(
        loaded,
        plan,
        filename="SAD-revisat.csv",
        content=again,
        user="tec-sad",
        service="SAD",
        period=str(LAST),
        today=TODAY,
    )
    assert redo.status == "ok" and redo.superseded_id is not None

    export = export_values(loaded, plan, fmt)
    before = _values(loaded)
    assert export.rows == len(before) > 500
    frame = read_export(export.filename, export.content)
    assert list(frame.columns)[:5] == ["indicator", "service", "period", "value", "comment"]
    # provenance and statuses are there
    for column in (
        "submission_id",
        "filename",
        "sheet",
        "row",
        "uploaded_by",
        "uploaded_at",
        "status",
        "achievement",
    ):
        assert column in frame.columns
    sad = frame[(frame["service"] == "SAD") & (frame["period"] == str(LAST))]
    assert set(sad["filename"]) == {"SAD-revisat.csv"}

    target = make_engine(empty_url)
    try:
        results = reimport(target, plan, export.filename, export.content, user="test")
        assert all(r.status == "ok" for r in results), [
            r.errors[:2] for r in results if r.status != "ok"
        ]
        after = _values(target)
        pd.testing.assert_frame_equal(before, after, check_dtype=False)
        # who uploaded each submission and when is kept
        subs = queries.submissions_frame(target)
        assert "tec-sad" in set(subs["uploaded_by"])
        assert subs["uploaded_at"].min() < pd.Timestamp("2024-06-01", tz="UTC")
    finally:
        target.dispose()


def test_export_frame_has_statuses_and_catalan_headers(loaded: Engine, plan: Plan) -> None:
    frame = export_frame(loaded, plan, period="2025-T4")
    assert set(frame["period"]) == {"2025-T4"}
    assert set(frame["status_key"]) <= {"green", "amber", "red", "grey"}
    assert frame["status"].str.len().min() > 2  # icon and label
    milestones = frame[frame["stage_key"].notna()]
    assert len(milestones) and all(isinstance(v, str) for v in milestones["value"])
    names = headers("ca")
    assert names["indicator"] == "Codi" and names["period"] == "Període"
    # the import parser recognises the export's own columns
    from indicators.intake.parse import header_role

    roles = {key: header_role(name) for key, name in names.items()}
    assert roles["indicator"] and roles["indicator"][0] == "indicator"
    assert roles["service"] and roles["service"][0] == "service"
    assert roles["period"] and roles["period"][0] == "period"
    assert roles["value"] and roles["value"][0] == "value"
    assert roles["comment"] and roles["comment"][0] == "comment"
    clashing = [
        k
        for k, role in roles.items()
        if k not in ("indicator", "service", "period", "value", "comment")
        and role is not None
        and role[1] >= 3
    ]
    assert clashing == []


def test_building_the_pack_imports_no_dash(tmp_path: Path) -> None:
    code = (
        "import sys; import indicators.reporting.pack, indicators.reporting.board, indicators.reporting.export; "
        "sys.exit(1 if any(m == 'dash' or m.startswith('dash.') for m in sys.modules) "
        "else 0)"
    )
    done = subprocess.run([sys.executable, "-c", code], cwd=Path(__file__).parents[3])
    assert done.returncode == 0


def test_board_on_an_empty_database(engine: Engine, plan: Plan) -> None:
    """Before any submission: every light grey ("Sense dades"), nothing to compare, every
    service pending; the pack is still written."""
    from indicators.reporting.board import build_board

    data = dashboard_data.load(engine, plan, deadline_days=30)
    board = build_board(data, data.latest_period(), lang="ca", today=TODAY)
    assert board.period == "2022-T1"
    assert {c.status.key for c in board.slides[1].cards} == {"grey"}
    assert {c.status.label for c in board.slides[1].cards} == {"Sense dades"}
    changes = board.slides[8].table
    assert changes is not None and changes.rows == [] and changes.empty_text
    pending = board.slides[9].table
    assert pending is not None and len(pending.rows) == len(
        {i.responsible_service for i in plan.indicators}
    )
    assert render(board, "pdf", {}).startswith(b"%PDF")
    assert render(board, "pptx", {})[:2] == b"PK"


def test_export_xlsx_has_the_plan_status(loaded: Engine, plan: Plan) -> None:
    export = export_values(loaded, plan, "xlsx", period="2025-T4")
    sheets = pd.read_excel(io.BytesIO(export.content), sheet_name=None, engine="calamine")
    assert list(sheets)[:2] == ["Valors", "Estat del pla"]
    levels = sheets["Estat del pla"]
    assert set(levels["Període"]) == {"2025-T4"}
    assert len(levels) == 1 + len(plan.levers) + len(plan.axes) + len(plan.objectives)
    result = dashboard_data.load(loaded, plan, deadline_days=30).status(Period(2025, 4))
    plan_row = levels[levels["Codi"] == "plan"].iloc[0]
    assert plan_row["Grau d'assoliment"] == pytest.approx(result.plan.achievement)
    assert plan_row["Semàfor"].endswith(
        {
            "green": "En bon camí",
            "amber": "Desviació lleu",
            "red": "Desviació greu",
            "grey": "Sense dades",
        }[str(result.plan.status)]
    )


def test_export_follows_the_thresholds_setting(loaded: Engine, plan: Plan) -> None:
    """GREEN_THRESHOLD / AMBER_THRESHOLD (the app's override) apply to the export too."""
    from plan_model.models import Thresholds

    default = export_frame(loaded, plan, period="2025-T4")
    lenient = export_frame(
        loaded, plan, period="2025-T4", thresholds=Thresholds(green=0.05, amber=0.01)
    )
    assert (default["status_key"] != "green").sum() > 0
    with_data = lenient["achievement"].notna()
    assert (lenient[with_data]["status_key"] == "green").mean() > (
        default[with_data]["status_key"] == "green"
    ).mean()
