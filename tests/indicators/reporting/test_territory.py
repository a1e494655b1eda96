"""The territory read model (issue 14, item 6) on SQLite and PostgreSQL: each ABSS's figure,
rank, distance to the comarca figure (the ratio of the sums for a percentage, never the mean
of the percentages), coverage, small counts for the read-only role, one ABSS's plan
(``?abss=``) and the download's table."""

from __future__ import annotations

import datetime as dt
import io

import pytest
from sqlalchemy import Engine

from accounts.roles import DIRECTOR, READ_ONLY, TECHNICIAN
from indicators.reporting import dashboard_data, plan_list, territory
from indicators.storage.records import ParsedValue
from indicators.storage.store import store
from plan_model.periods import Period
from plan_model.status_types import Status
from tests.helpers.breakdown_plan import COUNT, PERCENT, breakdown_plan

Q3 = Period(2025, 3)
Q2 = Period(2025, 2)


def _value(
    code: str,
    key: str,
    value: float,
    period: Period,
    row: int,
    num: float | None = None,
    den: float | None = None,
) -> ParsedValue:
    return ParsedValue(
        indicator=code,
        period=str(period),
        value=value,
        comment=None,
        sheet="Dades",
        row=row,
        column="E",
        member_key=key,
        numerator=num,
        denominator=den,
    )


def _put(engine: Engine, service: str, period: Period, values: list[ParsedValue]) -> None:
    stored = store(
        engine,
        service=service,
        period=str(period),
        filename=f"{service}-{period}.xlsx",
        content=f"{service}{period}{len(values)}".encode(),
        user="tecnica",
        source="cli",
        values=values,
        warnings=[],
        uploaded_at=dt.datetime(2025, 10, 5, 9, tzinfo=dt.UTC),
    )
    assert stored.status == "ok"


def _load(engine: Engine) -> dashboard_data.DashboardData:
    """Vic and the Consell Comarcal's ABSS at 2025-T3; only Vic's persons at 2025-T2."""
    dashboard_data.clear_caches()
    _put(
        engine,
        "SBAS-VIC",
        Q3,
        [_value(COUNT, "abss=VIC;sex=D", 30, Q3, 2), _value(COUNT, "abss=VIC;sex=H", 20, Q3, 3)],
    )
    _put(
        engine,
        "SBAS-COSS",
        Q3,
        [
            _value(COUNT, "abss=COSS;sex=D", 3, Q3, 2),
            _value(COUNT, "abss=COSS;sex=H", 92, Q3, 3),
        ],
    )
    _put(
        engine,
        "SBAS",
        Q3,
        [
            _value(PERCENT, "abss=VIC", 50, Q3, 2, num=50, den=100),
            _value(PERCENT, "abss=COSS", 75, Q3, 3, num=30, den=40),
        ],
    )
    _put(engine, "SBAS-VIC", Q2, [_value(COUNT, "abss=VIC;sex=D", 40, Q2, 2)])
    return dashboard_data.load(engine, breakdown_plan(), deadline_days=15)


def _row(rows: list[territory.TerritoryRow], code: str) -> territory.TerritoryRow:
    return next(r for r in rows if r.indicator.code == code)


def test_each_abss_its_rank_and_distance_to_the_ratio_of_the_sums(engine: Engine) -> None:
    data = _load(engine)
    rows = territory.territory_rows(data, Q3)
    assert [r.indicator.code for r in rows] == [PERCENT, COUNT]  # catalog order, abss only
    percent = _row(rows, PERCENT)
    comarca = 80 / 140 * 100  # (50 + 30) / (100 + 40): not the mean of 50 and 75 (62,5)
    assert percent.comarca == pytest.approx(comarca)
    by = {m.member: m for m in percent.members}
    assert by["VIC"].value == 50 and by["COSS"].value == 75
    assert by["COSS"].rank == 1 and by["VIC"].rank == 2  # increase: the highest first
    assert by["VIC"].distance == pytest.approx(50 - comarca)
    assert (percent.covered, percent.of) == (2, 2)

    count = _row(rows, COUNT)
    assert count.comarca == 145.0  # 30 + 20 + 3 + 92: the sum for a count
    assert {m.member: m.value for m in count.members} == {"COSS": 95.0, "VIC": 50.0}
    # a count is a part of the comarca's total: its share, never a rank or a distance to it
    shares = {m.member: m.share for m in count.members}
    assert shares == {"COSS": pytest.approx(95 / 145), "VIC": pytest.approx(50 / 145)}
    assert all(m.rank is None and m.distance is None for m in count.members)
    assert all(m.share is None for m in percent.members)


def test_coverage_counts_the_abss_delivered(engine: Engine) -> None:
    data = _load(engine)
    count = _row(territory.territory_rows(data, Q2), COUNT)
    assert (count.covered, count.of) == (1, 2)
    assert count.comarca == 40.0
    assert territory.coverage_text(count, "ca") == "1 de 2 ABSS"
    by = {m.member: m for m in count.members}
    assert by["COSS"].value is None and by["COSS"].rank is None and by["COSS"].distance is None


def test_the_read_only_role_sees_small_counts_hidden(engine: Engine) -> None:
    data = _load(engine)
    assert territory.small_count_for(READ_ONLY, 5) == 5
    assert territory.small_count_for(DIRECTOR, 5) == 0
    assert territory.small_count_for(TECHNICIAN, 5) == 0
    sexes = territory.dimension_figures(data, breakdown_plan().indicator_by_code[COUNT], "sex", Q3)
    assert {f.member: f.value for f in sexes}["D"] == 33.0  # staff: every member

    shown = {
        f.member: f
        for f in territory.dimension_figures(
            data, breakdown_plan().indicator_by_code[COUNT], "abss", Q3, small_count=5
        )
    }
    assert shown["VIC"].value == 50.0  # nothing small by ABSS
    rows = territory.territory_rows(data, Q3, small_count=5)
    assert all(not m.suppressed for m in _row(rows, COUNT).members)

    # 2025-T2 by sex: D 40 only; a «< 5» member appears once a small one is stored
    _put(engine, "SBAS-COSS", Q2, [_value(COUNT, "abss=COSS;sex=H", 2, Q2, 2)])
    data = dashboard_data.load(engine, breakdown_plan(), deadline_days=15)
    hidden = {m.member: m for m in _row(territory.territory_rows(data, Q2, 5), COUNT).members}
    assert hidden["COSS"].suppressed and hidden["COSS"].below == 5 and hidden["COSS"].value is None
    assert hidden["VIC"].suppressed and hidden["VIC"].value is None  # it would reveal COSS's
    assert hidden["COSS"].rank is None and hidden["VIC"].distance is None
    assert territory.figure_text(hidden["COSS"], "ca") == "< 5"
    assert territory.figure_text(hidden["VIC"], "ca") == "no publicat"


def test_one_abss_plan_rates_its_percentages_and_leaves_the_counts_out(engine: Engine) -> None:
    data = _load(engine)
    whole = data.status(Q3)
    vic = territory.abss_data(data, "VIC")
    narrowed = vic.status(Q3)
    percent = next(i for i in narrowed.objective("P1.01").indicators if i.code == PERCENT)
    assert percent.quarter_value == 50.0  # Vic's own figure
    whole_percent = next(i for i in whole.objective("P1.01").indicators if i.code == PERCENT)
    assert whole_percent.quarter_value == pytest.approx(80 / 140 * 100)
    count = next(i for i in narrowed.objective("P2.01").indicators if i.code == COUNT)
    assert count.quarter_value is None and count.status == Status.GREY
    assert vic.whole().status(Q3).plan.achievement == whole.plan.achievement
    assert territory.valid_abss(breakdown_plan(), "vic") == "VIC"
    assert territory.valid_abss(breakdown_plan(), "ZZZ") is None


def test_the_download_holds_what_the_page_shows(engine: Engine) -> None:
    data = _load(engine)
    rows = territory.territory_rows(data, Q3)
    table = territory.territory_table(breakdown_plan(), rows, Q3, "ca")
    assert len(table.rows) == 4  # two indicators x two ABSS
    first = table.rows[0]
    assert first[0] == "3r trimestre de 2025" and first[1] == PERCENT
    assert first[4] == "ABSS Consell Comarcal d'Osona" and first[5] == 75.0 and first[6] == 1
    assert first[9] == "2 de 2 ABSS"
    text = plan_list.write_table(table, "csv").decode("utf-8-sig")
    assert "Distància a la comarca" in text.splitlines()[0]
    assert "57,14" in text
    from openpyxl import load_workbook

    sheet = load_workbook(io.BytesIO(plan_list.write_table(table, "xlsx"))).active
    assert sheet is not None and sheet.max_row == 5


def test_figures_draw_the_members_and_say_when_there_is_nothing() -> None:
    figures = [
        territory.MemberFigure("VIC", "ABSS Vic", 1234.5),
        territory.MemberFigure("COSS", "ABSS Consell", None, suppressed=True, below=5),
    ]
    bar = territory.members_bar_figure(figures, "ca", unit="persones")
    assert bar["data"][0]["text"] == ["< 5", "1.234,5"]  # the first member drawn on top
    assert bar["layout"]["separators"] == ",."
    empty = territory.members_bar_figure(
        [territory.MemberFigure("VIC", "Vic", None)], "ca", unit=None
    )
    assert empty["data"] == [] and empty["layout"]["annotations"]
    lines = territory.members_line_figure(
        {
            "VIC": [("2025-T1", 3.0), ("2025-T2", None)],
            "COSS": [("2025-T1", 4.0), ("2025-T2", 5.0)],
        },
        {"VIC": "Vic", "COSS": "Consell"},
        "ca",
        unit=None,
    )
    assert [t["name"] for t in lines["data"]] == ["Vic", "Consell"]
    assert lines["data"][0]["line"]["dash"] != lines["data"][1]["line"]["dash"]
    assert territory.distance_text(-30.0, "ca", "persones") == "−30\u00a0persones"
    assert territory.distance_text(2.5, "ca", "%") == "+2,5\u00a0p. p."
