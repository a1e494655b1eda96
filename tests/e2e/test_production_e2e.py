"""Production in a real browser: ``seguiment serve --production`` (gunicorn, 2 workers) on
PostgreSQL reached through a TCP forwarder the test stops and restarts.

A logged-in director browses while requests land on either worker; then the database becomes
unreachable: an in-app navigation shows the Catalan banner, a full page load the Catalan 503
page; the database comes back and the same server, never restarted, serves pages again.
"""

from __future__ import annotations

import os
import secrets
import socket
import subprocess
import sys
import time
import urllib.request
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import text
from sqlalchemy.engine import make_url

from indicators.storage.engine import make_engine
from tests.conftest import with_search_path
from tests.helpers.browser_login import create_account, login
from tests.production.tcp_proxy import TcpProxy

REPO = Path(__file__).resolve().parents[2]
BIN = Path(sys.executable).parent
CATALAN_OUTAGE = "La base de dades no respon"


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.fixture
def production_server(tmp_path: Path) -> Iterator[tuple[str, str, TcpProxy]]:
    """(base URL, database URL, proxy): gunicorn with 2 workers on PostgreSQL via the proxy."""
    base = os.environ.get("TEST_DATABASE_URL")
    if not base:
        if os.environ.get("CI") == "true":
            pytest.fail("CI must set TEST_DATABASE_URL")
        pytest.skip("the production browser test needs TEST_DATABASE_URL (PostgreSQL)")
    parsed = make_url(base)
    proxy = TcpProxy(parsed.host or "127.0.0.1", parsed.port or 5432)
    proxy.start()
    schema = f"t_{uuid.uuid4().hex[:12]}"
    admin = make_engine(base)
    with admin.begin() as conn:
        conn.execute(text(f'CREATE SCHEMA "{schema}"'))
    db_url = with_search_path(
        parsed.set(host="127.0.0.1", port=proxy.port).render_as_string(hide_password=False), schema
    )
    port = _free_port()
    env = {
        **os.environ,
        "DATABASE_URL": db_url,
        "SECRET_KEY": secrets.token_hex(32),
        "GUNICORN_ACCESS_LOG": "",
        "LOG_LEVEL": "warning",
    }
    env.pop("ENVIRONMENT", None)  # --production sets it
    process: subprocess.Popen[bytes] | None = None
    log_path = tmp_path / "gunicorn.log"
    try:
        upgrade = subprocess.run(
            [str(BIN / "seguiment"), "db", "upgrade"],
            env=env,
            cwd=REPO,
            capture_output=True,
            text=True,
            timeout=300,
            check=False,
        )
        assert upgrade.returncode == 0, upgrade.stderr
        with log_path.open("wb") as log:
            process = subprocess.Popen(
                [
                    str(BIN / "seguiment"),
                    "serve",
                    "--production",
                    "--workers",
                    "2",
                    "--host",
                    "127.0.0.1",
                    "--port",
                    str(port),
                ],
                env=env,
                cwd=REPO,
                stdout=log,
                stderr=subprocess.STDOUT,
            )
        base_url = f"http://127.0.0.1:{port}"
        deadline = time.monotonic() + 180
        while True:
            try:
                with urllib.request.urlopen(base_url + "/healthz", timeout=5) as response:
                    if response.status == 200:
                        break
            except OSError:
                pass
            if process.poll() is not None or time.monotonic() > deadline:
                pytest.fail("gunicorn did not start: " + log_path.read_text()[-3000:])
            time.sleep(0.5)
        yield base_url, db_url, proxy
    finally:
        if process is not None and process.poll() is None:
            process.terminate()
            try:
                process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                process.kill()
        proxy.stop()
        with admin.begin() as conn:
            conn.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
        admin.dispose()


def test_production_server_survives_a_database_outage(
    browser: Any, production_server: tuple[str, str, TcpProxy]
) -> None:
    base_url, db_url, proxy = production_server
    username, password = create_account(db_url, "e2e-prod-director", role="director")
    context = browser.new_context(viewport={"width": 1366, "height": 768}, locale="ca-ES")
    page = context.new_page()
    try:
        login(page, base_url, username, password)
        page.goto(base_url + "/")
        page.wait_for_selector("#main-content", timeout=30_000)
        # the same session, request after request, whichever of the 2 workers answers
        for _ in range(8):
            assert context.request.get(base_url + "/_dash-layout").status == 200

        proxy.stop()
        link = page.locator("nav a[href^='/lliuraments']").first
        link.click()  # an in-app navigation: Dash's page callback gets the 503
        banner = page.locator("#seguiment-db-unavailable")
        banner.wait_for(state="visible", timeout=30_000)
        assert CATALAN_OUTAGE in banner.inner_text()
        response = page.goto(base_url + "/")  # a full page load
        assert response is not None and response.status == 503
        assert CATALAN_OUTAGE in page.inner_text("body")

        proxy.start()  # the database is back; the server was never restarted
        response = page.goto(base_url + "/lliuraments")
        assert response is not None and response.status == 200
        page.wait_for_selector("#main-content", timeout=30_000)
        assert not page.locator("#seguiment-db-unavailable").is_visible()
    finally:
        context.close()
