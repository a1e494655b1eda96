"""Shared fixtures: the real plan, and migrated databases on SQLite and PostgreSQL.

Storage tests take the ``db_url`` (or ``engine``) fixture: it runs each test on a fresh
SQLite file and, when ``TEST_DATABASE_URL`` names a PostgreSQL server (CI sets it), again
on PostgreSQL in a schema of its own. In CI (``CI=true``) a missing PostgreSQL fails.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import Engine, text
from sqlalchemy.engine import make_url

from indicators.storage.engine import make_engine
from indicators.storage.migrate import upgrade
from plan_model.loader import load_plan
from plan_model.models import Plan

REPO_ROOT = Path(__file__).resolve().parent.parent
PLAN_PATH = REPO_ROOT / "data" / "plan.yaml"
BACKENDS = ["sqlite", "postgresql"]


@pytest.fixture(scope="session")
def plan() -> Plan:
    return load_plan(PLAN_PATH)


def postgres_base_url() -> str | None:
    url = os.environ.get("TEST_DATABASE_URL")
    if not url:
        if os.environ.get("CI") == "true":
            pytest.fail("CI must set TEST_DATABASE_URL: storage tests run on PostgreSQL too")
        return None
    return url


def with_search_path(url: str, schema: str) -> str:
    parsed = make_url(url)
    query = dict(parsed.query)
    query["options"] = f"-csearch_path={schema}"
    return parsed.set(query=query).render_as_string(hide_password=False)


@pytest.fixture
def fresh_db_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """An empty (not migrated) database URL for the backend in ``request.param``."""
    backend = getattr(request, "param", "sqlite")
    if backend == "sqlite":
        yield f"sqlite:///{tmp_path / 'test.db'}"
        return
    base = postgres_base_url()
    if base is None:
        pytest.skip("PostgreSQL tests need TEST_DATABASE_URL")
    schema = f"t_{uuid.uuid4().hex[:12]}"
    admin = make_engine(base)
    with admin.begin() as conn:
        conn.execute(text(f'CREATE SCHEMA "{schema}"'))
    try:
        yield with_search_path(base, schema)
    finally:
        with admin.begin() as conn:
            conn.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
        admin.dispose()


@pytest.fixture(params=BACKENDS)
def db_url(request: pytest.FixtureRequest, fresh_db_url: str) -> str:
    """A migrated database URL, once per backend."""
    upgrade(fresh_db_url)
    return fresh_db_url


# make `fresh_db_url` follow db_url's parametrisation
def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    if "fresh_db_url" in metafunc.fixturenames and "db_url" not in metafunc.fixturenames:
        metafunc.parametrize("fresh_db_url", BACKENDS, indirect=True)


@pytest.fixture
def engine(db_url: str) -> Iterator[Engine]:
    eng = make_engine(db_url)
    yield eng
    eng.dispose()
