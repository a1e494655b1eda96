"""Fixtures of the production tests: a PostgreSQL server reached through a TCP forwarder the
tests can stop and start (``tcp_proxy.TcpProxy``)."""

from __future__ import annotations

import os
from collections.abc import Iterator

import pytest
from sqlalchemy.engine import make_url

from tests.production.tcp_proxy import TcpProxy


@pytest.fixture
def pg_proxy() -> Iterator[tuple[TcpProxy, str]]:
    """(proxy, base URL) for a PostgreSQL server reached through a forwarder we control."""
    base = os.environ.get("TEST_DATABASE_URL")
    if not base:
        if os.environ.get("CI") == "true":
            pytest.fail("CI must set TEST_DATABASE_URL")
        pytest.skip("the outage test needs TEST_DATABASE_URL (PostgreSQL)")
    parsed = make_url(base)
    proxy = TcpProxy(parsed.host or "127.0.0.1", parsed.port or 5432)
    proxy.start()
    try:
        yield (
            proxy,
            parsed.set(host="127.0.0.1", port=proxy.port).render_as_string(hide_password=False),
        )
    finally:
        proxy.stop()
