"""Breakdown members in storage (issue 14), on SQLite and PostgreSQL: a value carries its
members, they are part of the key in force, the totals' readers keep their meaning (one total
per indicator, service and quarter: reported, or derived from the members), and the migration
keeps every stored value as a total."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

import pytest
from sqlalchemy import Engine, insert, inspect, select, text
from sqlalchemy.exc import IntegrityError

from indicators.reporting import dashboard_data
from indicators.storage.engine import make_engine
from indicators.storage.migrate import downgrade, upgrade
from indicators.storage.queries import member_values_frame, value_history, values_frame
from indicators.storage.records import ParsedValue
from indicators.storage.schema import Submission, Value
from indicators.storage.store import (
    member_values_in_force,
    store,
    stored_values,
    values_in_force,
)
from plan_model.models import Plan
from plan_model.periods import Period
from tests.helpers.breakdown_plan import COUNT, PERCENT
from tests.helpers.breakdown_plan import breakdown_plan as load_breakdown_plan

T0 = dt.datetime(2025, 10, 5, 9, 0, tzinfo=dt.UTC)


@pytest.fixture(scope="module")
def breakdown_plan() -> Plan:
    return load_breakdown_plan()


def member(
    code: str,
    key: str,
    value: float | None,
    *,
    period: str = "2025-T3",
    row: int = 2,
    num: float | None = None,
    den: float | None = None,
    cleared: bool = False,
) -> ParsedValue:
    return ParsedValue(
        indicator=code,
        period=period,
        value=None if value is None else float(value),
        comment=None,
        sheet="Dades",
        row=row,
        column="E",
        cleared=cleared,
        member_key=key,
        numerator=num,
        denominator=den,
    )


def put(
    engine: Engine,
    service: str,
    values: Sequence[ParsedValue],
    *,
    at: dt.datetime = T0,
    name: str = "f.xlsx",
) -> int:
    stored = store(
        engine,
        service=service,
        period="2025-T3",
        filename=name,
        content=f"{service}{at}{name}".encode(),
        user="tecnica",
        source="cli",
        values=values,
        warnings=[],
        uploaded_at=at,
    )
    assert stored.status == "ok" and stored.submission_id is not None
    return stored.submission_id


def lean(engine: Engine) -> dict[tuple[str, str, str], float]:
    frame = dashboard_data.newest_frame(dashboard_data.value_rows(engine))
    return {
        (str(r["indicator"]), str(r["service"]), str(r["period"])): float(r["value"])
        for r in frame.to_dict("records")
    }


def test_members_are_stored_and_read_apart_from_the_totals(engine: Engine) -> None:
    put(
        engine,
        "SBAS-VIC",
        [
            member(COUNT, "abss=VIC;sex=D", 30, row=2),
            member(COUNT, "abss=VIC;sex=H", 20, row=3),
        ],
    )
    put(engine, "SBAS", [member(PERCENT, "", 55.0)])
    # the totals' readers: the reported total only, as before
    assert list(values_frame(engine)["indicator"]) == [PERCENT]
    assert stored_values(engine, "SBAS-VIC", [COUNT], ["2025-T3"]) == {}
    assert values_in_force(engine, "SBAS-VIC", ["2025-T3"]) == {}
    # the members' readers
    members = member_values_frame(engine)
    assert list(zip(members["member_key"], members["value"], strict=True)) == [
        ("abss=VIC;sex=D", 30.0),
        ("abss=VIC;sex=H", 20.0),
    ]
    assert set(members["sheet"]) == {"Dades"} and list(members["row"]) == [2, 3]
    held = member_values_in_force(engine, "SBAS-VIC", ["2025-T3"])
    assert {k: v.value for k, v in held.items()} == {
        (COUNT, "2025-T3", "abss=VIC;sex=D"): 30.0,
        (COUNT, "2025-T3", "abss=VIC;sex=H"): 20.0,
    }


def test_the_total_is_derived_from_the_members_of_every_service(engine: Engine) -> None:
    put(engine, "SBAS-VIC", [member(COUNT, "abss=VIC;sex=D", 30), member(COUNT, "abss=VIC", 45)])
    put(
        engine,
        "SBAS-COSS",
        [member(COUNT, "abss=COSS;sex=D", 7), member(COUNT, "abss=COSS;sex=H", 5)],
        at=T0 + dt.timedelta(hours=1),
    )
    # Vic's own total (45) stands for Vic, not 30 + its women again; COSS is 7 + 5
    assert lean(engine) == {(COUNT, "SBAS-COSS", "2025-T3"): 57.0}
    frame = dashboard_data.current_values(engine, provenance=True)
    assert list(frame["value"]) == [57.0]
    assert frame["comment"].isna().all()
    # one total row per indicator and quarter, with the same columns as ever
    assert list(frame.columns) == [
        *dashboard_data.LEAN_COLUMNS,
        *dashboard_data.PROVENANCE_COLUMNS,
    ]


def test_a_reported_total_wins_over_the_members(engine: Engine) -> None:
    put(engine, "SBAS-VIC", [member(COUNT, "abss=VIC;sex=D", 30)])
    put(engine, "SBAS", [member(COUNT, "", 100)], at=T0 + dt.timedelta(hours=1))
    assert lean(engine) == {(COUNT, "SBAS", "2025-T3"): 100.0}


def test_a_ratio_total_is_the_ratio_of_the_sums(engine: Engine) -> None:
    put(
        engine,
        "SBAS",
        [
            member(PERCENT, "abss=COSS", 50.0, num=1, den=2),
            member(PERCENT, "abss=VIC", 90.0, num=90, den=100, row=3),
        ],
    )
    # (1 + 90) / (2 + 100) = 89.2 %, never the mean of 50 % and 90 %
    assert lean(engine)[(PERCENT, "SBAS", "2025-T3")] == pytest.approx(9100 / 102)
    members = member_values_frame(engine)
    assert list(members["numerator"]) == [1.0, 90.0]
    assert list(members["denominator"]) == [2.0, 100.0]


def test_members_are_part_of_the_key_in_force(engine: Engine) -> None:
    put(
        engine,
        "SBAS-VIC",
        [member(COUNT, "abss=VIC;sex=D", 30), member(COUNT, "abss=VIC;sex=H", 20)],
    )
    # a later file gives only the women again: the men keep their value (a blank changes
    # nothing), and a clear takes one member out
    put(
        engine,
        "SBAS-VIC",
        [member(COUNT, "abss=VIC;sex=D", 31)],
        at=T0 + dt.timedelta(hours=1),
        name="g.xlsx",
    )
    assert lean(engine) == {(COUNT, "SBAS-VIC", "2025-T3"): 51.0}
    put(
        engine,
        "SBAS-VIC",
        [member(COUNT, "abss=VIC;sex=H", None, cleared=True)],
        at=T0 + dt.timedelta(hours=2),
        name="h.xlsx",
    )
    assert lean(engine) == {(COUNT, "SBAS-VIC", "2025-T3"): 31.0}
    history = value_history(engine, COUNT, "2025-T3", "abss=VIC;sex=D")
    assert list(history["value"]) == [30.0, 31.0]
    assert value_history(engine, COUNT, "2025-T3").empty  # no total was ever reported
    # as it stood after the first file
    before = dashboard_data.newest_frame(
        dashboard_data.value_rows(engine, until=T0 + dt.timedelta(minutes=5))
    )
    assert list(before["value"]) == [50.0]


def test_only_accepted_members_make_a_total_when_asked(engine: Engine) -> None:
    put(engine, "SBAS-VIC", [member(COUNT, "abss=VIC;sex=D", 30)])
    put(engine, "SBAS-COSS", [member(COUNT, "abss=COSS;sex=D", 7)], at=T0 + dt.timedelta(hours=1))
    rows = dashboard_data.value_rows(engine, accepted={("SBAS-VIC", "2025-T3")})
    assert [(r[1], r[3]) for r in rows] == [("SBAS-VIC", 30.0)]
    assert dashboard_data.value_rows(engine, accepted=set()) == []


def test_dashboard_data_reads_totals_and_members(engine: Engine, breakdown_plan: Plan) -> None:
    put(
        engine,
        "SBAS-VIC",
        [member(COUNT, "abss=VIC;sex=D", 30), member(COUNT, "abss=VIC;sex=H", 2)],
    )
    data = dashboard_data.load(engine, breakdown_plan, deadline_days=15)
    values = data.values()
    assert list(values.columns) == dashboard_data.LEAN_COLUMNS
    assert list(values["value"]) == [32.0]
    members = data.member_values()
    assert list(members.columns) == dashboard_data.MEMBER_COLUMNS
    assert list(members["member_key"]) == ["abss=VIC;sex=D", "abss=VIC;sex=H"]
    assert data.member_values(T0 - dt.timedelta(days=1)).empty


def test_the_database_refuses_a_member_twice_in_one_submission(engine: Engine) -> None:
    sub = put(engine, "SBAS-VIC", [member(COUNT, "abss=VIC;sex=D", 30)])
    row = {
        "submission_id": sub,
        "indicator": COUNT,
        "service": "SBAS-VIC",
        "period": "2025-T3",
        "value": 1.0,
        "sheet": "Dades",
        "row": 9,
    }
    with engine.begin() as conn:
        conn.execute(insert(Value).values(**row, member_key="abss=VIC;sex=H"))
        conn.execute(insert(Value).values(**row))  # the total: another key
    with pytest.raises(IntegrityError), engine.begin() as conn:
        conn.execute(insert(Value).values(**row, member_key="abss=VIC;sex=D"))


def test_the_migration_keeps_every_value_as_a_total(fresh_db_url: str) -> None:
    upgrade(fresh_db_url, "a19b00000010")
    engine = make_engine(fresh_db_url)
    try:
        with engine.begin() as conn:
            sub = conn.execute(
                insert(Submission)
                .values(
                    service="SBAS",
                    period="2025-T3",
                    filename="old.xlsx",
                    content=b"old",
                    sha256="0" * 64,
                    size_bytes=3,
                    uploaded_by="tecnica",
                    uploaded_at=T0,
                    source="cli",
                    status="current",
                )
                .returning(Submission.id)
            ).scalar_one()
            conn.execute(
                text(
                    "INSERT INTO indicator_values (submission_id, indicator, service, period,"
                    " value, sheet, \"row\") VALUES (:s, 'P2.01-I1', 'SBAS', '2025-T3', 42,"
                    " 'Dades', 5)"
                ),
                {"s": sub},
            )
        upgrade(fresh_db_url)
        columns = {c["name"] for c in inspect(engine).get_columns("indicator_values")}
        assert {"member_key", "numerator", "denominator"} <= columns
        with engine.connect() as conn:
            keys = conn.execute(select(Value.member_key, Value.value)).all()
        assert [tuple(k) for k in keys] == [("", 42.0)]
        assert list(values_frame(engine)["value"]) == [42.0]
        # members can be stored next to it, and going back keeps the totals
        put(engine, "SBAS-VIC", [member(COUNT, "abss=VIC;sex=D", 3)], name="new.xlsx")
        engine.dispose()
        downgrade(fresh_db_url, "a19b00000010")
        with engine.connect() as conn:
            left = conn.execute(text("SELECT value FROM indicator_values")).scalars().all()
        assert left == [42.0]
    finally:
        engine.dispose()


def test_dashboard_data_gives_the_breakdown_of_an_indicator(
    engine: Engine, breakdown_plan: Plan
) -> None:
    put(
        engine,
        "SBAS-VIC",
        [member(COUNT, "abss=VIC;sex=D", 30), member(COUNT, "abss=VIC;sex=H", 2)],
    )
    put(
        engine,
        "SBAS-VIC",
        [member(COUNT, "abss=VIC;sex=D", 25, period="2025-T2")],
        at=T0 + dt.timedelta(hours=1),
        name="t2.xlsx",
    )
    data = dashboard_data.load(engine, breakdown_plan, deadline_days=15)
    found = data.breakdowns(COUNT, Period(2025, 3))
    assert [(r.member, r.value, r.trend) for r in found["abss"]] == [("VIC", 32.0, "up")]
    assert [(r.member, r.value, r.previous) for r in found["sex"]] == [
        ("D", 30.0, 25.0),
        ("H", 2.0, None),
    ]
    assert data.breakdowns("P1.02-I1", Period(2025, 3)) == {}
    with pytest.raises(KeyError):
        data.breakdowns("P9.99-I9", Period(2025, 3))
