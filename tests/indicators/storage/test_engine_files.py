"""The SQLite database file holds password hashes and uploads: only its owner reads it."""

from __future__ import annotations

import stat
from pathlib import Path

from sqlalchemy import text

from indicators.storage.engine import make_engine
from indicators.storage.migrate import upgrade


def _mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def test_a_new_sqlite_database_is_created_0600(tmp_path: Path) -> None:
    db = tmp_path / "sub" / "app.db"
    upgrade(f"sqlite:///{db}")
    assert _mode(db) == 0o600
    engine = make_engine(f"sqlite:///{db}")
    with engine.begin() as conn:
        conn.execute(text("SELECT 1"))
    for extra in (Path(f"{db}-wal"), Path(f"{db}-shm")):
        if extra.exists():
            assert _mode(extra) & 0o077 == 0
    engine.dispose()


def test_an_existing_world_readable_database_is_tightened(tmp_path: Path) -> None:
    db = tmp_path / "old.db"
    db.write_bytes(b"")
    db.chmod(0o644)
    make_engine(f"sqlite:///{db}").dispose()
    assert _mode(db) == 0o600
