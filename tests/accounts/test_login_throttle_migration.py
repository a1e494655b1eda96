"""The throttling migration (issue 13) drops the account lock and keeps every account, its
services and its password, on SQLite and PostgreSQL (a batch copy of ``users`` would trip
over the foreign keys of ``user_services`` once accounts exist)."""

from __future__ import annotations

from sqlalchemy import inspect, text

from indicators.storage.engine import make_engine
from indicators.storage.migrate import downgrade, upgrade

BEFORE = "a17b00000005"


def _columns(url: str, table: str) -> set[str]:
    engine = make_engine(url)
    try:
        return {c["name"] for c in inspect(engine).get_columns(table)}
    finally:
        engine.dispose()


def test_the_lock_columns_go_and_accounts_stay(fresh_db_url: str) -> None:
    upgrade(fresh_db_url, BEFORE)
    engine = make_engine(fresh_db_url)
    with engine.begin() as conn:
        conn.execute(
            text(
                "INSERT INTO users (id, username, password_hash, role, active, is_demo,"
                " created_at, failed_logins, locked_until, session_version) VALUES (7, 'anna',"
                " 'h', 'tecnic', true, false, '2026-01-01 00:00:00', 4,"
                " '2026-01-01 00:05:00', 2)"
            )
        )
        conn.execute(text("INSERT INTO user_services (user_id, service) VALUES (7, 'SIS')"))
    engine.dispose()
    upgrade(fresh_db_url)
    assert not {"failed_logins", "locked_until"} & _columns(fresh_db_url, "users")
    assert {"scope", "account", "address", "blocked_until"} <= _columns(
        fresh_db_url, "login_throttle"
    )
    engine = make_engine(fresh_db_url)
    with engine.connect() as conn:
        user = conn.execute(
            text("SELECT username, password_hash, session_version FROM users WHERE id = 7")
        ).one()
        services = conn.execute(text("SELECT service FROM user_services")).scalars().all()
    engine.dispose()
    assert tuple(user) == ("anna", "h", 2) and services == ["SIS"]
    downgrade(fresh_db_url, BEFORE)
    assert {"failed_logins", "locked_until"} <= _columns(fresh_db_url, "users")
    engine = make_engine(fresh_db_url)
    with engine.connect() as conn:
        assert conn.execute(text("SELECT failed_logins FROM users")).scalars().all() == [0]
    engine.dispose()
    upgrade(fresh_db_url)
