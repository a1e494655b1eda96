"""The audit log: events written alone or inside a transaction, and read back filtered."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import Engine

from accounts import audit
from indicators.storage.engine import transaction


def test_audit_frame_filters_by_date(engine: Engine) -> None:
    day = dt.datetime(2025, 3, 3, 12, tzinfo=dt.UTC)
    audit.record(engine, "a", "login", "a", at=day)
    audit.record(engine, "b", "login", "b", at=day + dt.timedelta(days=2))
    assert list(audit.audit_frame(engine, until=day.date())["username"]) == ["a"]
    assert list(
        audit.audit_frame(engine, since=(day + dt.timedelta(days=1)).date())["username"]
    ) == ["b"]
    assert audit.audit_usernames(engine) == ["a", "b"]
    empty = audit.audit_frame(engine, username="nobody")
    assert empty.empty and list(empty.columns) == audit.AUDIT_COLUMNS


def test_filters_by_action_target_and_exact_times(engine: Engine) -> None:
    t0 = dt.datetime(2025, 6, 1, 8, tzinfo=dt.UTC)
    audit.record(engine, "boss", audit.ACTION_LOCK, "2025-T1", at=t0)
    audit.record(
        engine,
        "boss",
        audit.ACTION_REOPEN,
        "2025-T1",
        {"reason": "fix"},
        at=t0 + dt.timedelta(hours=1),
    )
    audit.record(engine, "boss", audit.ACTION_LOCK, "2025-T2", at=t0 + dt.timedelta(hours=2))
    locks = audit.audit_frame(engine, action=audit.ACTION_LOCK)
    assert list(locks["target"]) == ["2025-T2", "2025-T1"]  # newest first
    both = audit.audit_frame(
        engine, action=[audit.ACTION_LOCK, audit.ACTION_REOPEN], target="2025-T1"
    )
    assert list(both["action"]) == ["period_reopen", "period_lock"]
    assert both.iloc[0]["details"] == {"reason": "fix"}
    window = audit.audit_frame(
        engine, since=t0 + dt.timedelta(minutes=30), until=t0 + dt.timedelta(hours=2)
    )
    assert list(window["action"]) == ["period_reopen"]  # ``until`` as a time is exclusive
    assert len(audit.audit_frame(engine, limit=2)) == 2


def test_record_inside_a_transaction_rolls_back_with_it(engine: Engine) -> None:
    try:
        with transaction(engine) as session:
            audit.record(session, "boss", audit.ACTION_APPROVE, "SIS 2025-T1")
            raise RuntimeError("the change failed")
    except RuntimeError:
        pass
    assert audit.audit_frame(engine).empty
    with transaction(engine) as session:
        audit.record(session, "boss", audit.ACTION_APPROVE, "SIS 2025-T1")
    assert list(audit.audit_frame(engine)["username"]) == ["boss"]
