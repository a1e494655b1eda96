"""Database engine and sessions (SQLite by default, PostgreSQL in production).

SQLite is hardened for its real use: WAL journal, a busy timeout and foreign keys on.
"""

from __future__ import annotations

import contextlib
import logging
import os
import stat
from collections.abc import Iterator
from contextlib import contextmanager
from functools import lru_cache
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, create_engine, event, text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import InterfaceError, OperationalError
from sqlalchemy.orm import Session, sessionmaker

SQLITE_BUSY_TIMEOUT_MS = 30_000
log = logging.getLogger(__name__)


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute(f"PRAGMA busy_timeout={SQLITE_BUSY_TIMEOUT_MS}")
    with contextlib.suppress(Exception):  # an in-memory database has no WAL; that is fine
        cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.close()


def _sqlite_begin(conn: Any) -> None:
    # Take the write lock at BEGIN so concurrent writers queue instead of deadlocking.
    conn.exec_driver_sql("BEGIN IMMEDIATE")


def private_sqlite_file(path: Path) -> None:
    """Make sure the SQLite file exists and only its owner can read it (mode 0600).

    It holds password hashes and every uploaded file, like the secret key beside it. SQLite
    gives its ``-wal`` and ``-shm`` files the database file's mode. An existing file readable
    by others is tightened (with a warning): it was made by an earlier version.
    """
    path.parent.mkdir(parents=True, exist_ok=True)
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        mode = stat.S_IMODE(path.stat().st_mode)
        if mode & 0o077:
            log.warning("database file %s was readable by others (%o): now 0600", path, mode)
            for candidate in (path, Path(f"{path}-wal"), Path(f"{path}-shm")):
                with contextlib.suppress(FileNotFoundError):
                    candidate.chmod(0o600)
    else:
        os.close(fd)


def make_engine(url: str, **kwargs: Any) -> Engine:
    """Create an engine for ``url`` with the project's settings for its dialect."""
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite":
        database = parsed.database
        if database and database != ":memory:" and not database.startswith("file:"):
            private_sqlite_file(Path(database))
        connect_args = {"timeout": SQLITE_BUSY_TIMEOUT_MS / 1000, "check_same_thread": False}
        engine = create_engine(url, connect_args=connect_args, **kwargs)
        event.listen(engine, "connect", _sqlite_pragmas)

        @event.listens_for(engine, "connect")
        def _no_pysqlite_begin(dbapi_connection: Any, _record: Any) -> None:
            # let SQLAlchemy's "begin" event emit BEGIN IMMEDIATE itself
            dbapi_connection.isolation_level = None

        event.listen(engine, "begin", _sqlite_begin)
        return engine
    if parsed.get_backend_name() == "postgresql" and parsed.get_driver_name() in ("", "psycopg2"):
        # psycopg 3 is the project's driver
        url = parsed.set(drivername="postgresql+psycopg").render_as_string(hide_password=False)
    kwargs.setdefault("pool_pre_ping", True)
    return create_engine(url, **kwargs)


@lru_cache(maxsize=8)
def get_engine(url: str) -> Engine:
    """One engine per URL per process."""
    return make_engine(url)


def session_factory(engine: Engine) -> sessionmaker[Session]:
    """Sessions on ``engine`` whose objects stay readable after commit."""
    return sessionmaker(bind=engine, expire_on_commit=False)


@contextmanager
def transaction(engine: Engine) -> Iterator[Session]:
    """A session whose work is one transaction: committed on success, rolled back on error."""
    with session_factory(engine)() as session, session.begin():
        yield session


# Connection-level failures: the database does not answer (an integrity error is a bug, not an
# outage). The web layer maps these to its "database unavailable" page without importing
# SQLAlchemy itself.
DATABASE_UNAVAILABLE_ERRORS: tuple[type[Exception], ...] = (OperationalError, InterfaceError)


def ping(url: str) -> None:
    """Run ``SELECT 1`` on the database at ``url``; raises one of DATABASE_UNAVAILABLE_ERRORS."""
    with get_engine(url).connect() as conn:
        conn.execute(text("SELECT 1"))


@contextmanager
def reading(db: Engine | Session) -> Iterator[Session]:
    """A session to read with: ``db`` itself when it is one (the caller's transaction), or a
    new one on the engine, closed afterwards."""
    if isinstance(db, Session):
        yield db
        return
    with Session(db) as session:
        yield session
