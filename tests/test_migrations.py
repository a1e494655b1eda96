"""Alembic owns the schema: upgrade from empty to head and back, on every backend."""

from __future__ import annotations

from sqlalchemy import inspect

from indicators.storage.engine import make_engine
from indicators.storage.migrate import downgrade, upgrade


def test_upgrade_and_downgrade(fresh_db_url: str) -> None:
    upgrade(fresh_db_url)
    engine = make_engine(fresh_db_url)
    try:
        tables = set(inspect(engine).get_table_names())
        assert {"submissions", "indicator_values", "users", "audit_log"} <= tables
    finally:
        engine.dispose()
    downgrade(fresh_db_url)
    engine = make_engine(fresh_db_url)
    try:
        assert set(inspect(engine).get_table_names()) <= {"alembic_version"}
    finally:
        engine.dispose()
    upgrade(fresh_db_url)
