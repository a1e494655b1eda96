"""The quarter lock: its state read through an Engine, a Connection or a Session, and its one
rule (a locked quarter takes no new data), on SQLite and PostgreSQL."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import Engine
from sqlalchemy.orm import Session

from indicators.storage import locks
from indicators.storage.engine import transaction
from indicators.storage.schema import PeriodLock


def _lock(engine: Engine, period: str, locked: bool = True) -> None:
    with transaction(engine) as session:
        session.add(PeriodLock(period=period, locked=locked, changed_by="boss"))


def test_locked_periods_all_or_among_the_given(engine: Engine) -> None:
    assert locks.locked_periods(engine) == set()
    _lock(engine, "2025-T1")
    _lock(engine, "2025-T2")
    _lock(engine, "2024-T4", locked=False)  # reopened: a row, not locked
    assert locks.locked_periods(engine) == {"2025-T1", "2025-T2"}
    assert locks.locked_periods(engine, ["2025-T2", "2024-T4", "2025-T3"]) == {"2025-T2"}
    assert locks.locked_periods(engine, iter(["2025-T1", "2025-T1"])) == {"2025-T1"}
    assert locks.locked_periods(engine, []) == set()  # none asked: none, not all


def test_readers_take_an_engine_a_connection_or_a_session(engine: Engine) -> None:
    _lock(engine, "2025-T1")
    _lock(engine, "2024-T4", locked=False)
    _check_reader(engine)
    with engine.connect() as conn:  # one at a time: a SQLite reader takes the write lock
        _check_reader(conn)
    with Session(engine) as session:
        _check_reader(session)


def _check_reader(db: locks.Db) -> None:
    assert locks.is_locked(db, "2025-T1")
    assert not locks.is_locked(db, "2024-T4")
    assert not locks.is_locked(db, "2025-T3")
    assert locks.refused_periods(db, ["2025-T1", "2025-T3"]) == {"2025-T1"}


def test_the_rule_refuses_exactly_the_locked_quarters(engine: Engine) -> None:
    assert locks.refused_periods(engine, ["2025-T1", "2025-T2"]) == set()
    _lock(engine, "2025-T2")
    assert locks.refused_periods(engine, ["2025-T1", "2025-T2"]) == {"2025-T2"}
    assert locks.refused_periods(engine, []) == set()


def test_a_lock_read_inside_the_writers_transaction(engine: Engine) -> None:
    with transaction(engine) as session:
        assert locks.set_lock(session, "2025-T1", locked=True, by="boss")
        assert locks.is_locked(session, "2025-T1")  # seen before the commit
    assert locks.is_locked(engine, "2025-T1")


def test_set_lock_says_whether_it_changed_anything(engine: Engine) -> None:
    at = dt.datetime(2025, 5, 1, 9, tzinfo=dt.UTC)
    with transaction(engine) as session:
        assert locks.set_lock(session, "2025-T1", locked=False, by="boss") is False  # never locked
    assert locks.lock_states(engine) == []
    with transaction(engine) as session:
        assert locks.set_lock(session, "2025-T1", locked=True, by="boss", at=at) is True
    with transaction(engine) as session:
        assert locks.set_lock(session, "2025-T1", locked=True, by="other") is False
    [state] = locks.lock_states(engine)
    assert (state.period, state.locked, state.changed_by) == ("2025-T1", True, "boss")
    changed_at = state.changed_at
    assert (changed_at if changed_at.tzinfo else changed_at.replace(tzinfo=dt.UTC)) == at
    with transaction(engine) as session:
        assert locks.set_lock(session, "2025-T1", locked=False, by="other") is True
    with Session(engine) as session:
        [state] = locks.lock_states(session)
    assert (state.locked, state.changed_by) == (False, "other")  # the row stays, reopened
    assert locks.locked_periods(engine) == set()
