"""Browser tests: the real app (``seguiment serve``) on a temporary SQLite database with the demo
data, driven by Debian's Chromium through Playwright (never a downloaded browser).

Fixtures (session scope unless said otherwise):
- ``live_server``: ``LiveServer(base_url, db_url, plan)``, migrated, demo data loaded;
- ``browser``: headless Chromium from ``/usr/bin/chromium`` (``CHROMIUM_PATH`` to override);
  missing Chromium skips locally but FAILS when ``CI=true``;
- ``director_page`` (function scope): a fresh tab of a context logged in as a director.
Every test here is marked ``e2e``.
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from plan_model.loader import load_plan
from plan_model.models import Plan

REPO = Path(__file__).resolve().parents[2]
BIN = Path(sys.executable).parent
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-dev-shm-usage",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
START_TIMEOUT_S = 120


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    here = Path(__file__).parent
    for item in items:
        if Path(str(item.fspath)).is_relative_to(here):
            item.add_marker(pytest.mark.e2e)


def chromium_path() -> str | None:
    candidate = os.environ.get("CHROMIUM_PATH") or "/usr/bin/chromium"
    return candidate if Path(candidate).exists() else shutil.which("chromium")


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@dataclass(frozen=True)
class LiveServer:
    base_url: str
    db_url: str
    plan: Plan

    def url(self, path: str) -> str:
        return self.base_url + path


def _seguiment(args: list[str], env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    """Run a ``seguiment`` command with ``env``; fail the test on a non-zero exit."""
    result = subprocess.run(
        [str(BIN / "seguiment"), *args],
        env=env,
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )
    assert result.returncode == 0, f"seguiment {' '.join(args)}: {result.stderr[-2000:]}"
    return result


@pytest.fixture(scope="session")
def browser() -> Iterator[Any]:
    path = chromium_path()
    if path is None:
        if os.environ.get("CI") == "true":
            pytest.fail("Chromium is missing: CI must install chromium (apt-get install chromium)")
        pytest.skip("Chromium is not installed (apt-get install -y chromium chromium-driver)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=path, args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


@pytest.fixture(scope="session")
def live_server(browser: Any, tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    """``seguiment serve`` on a free port, on a fresh SQLite database with the demo data."""
    folder = tmp_path_factory.mktemp("e2e")
    db_url = f"sqlite:///{folder / 'e2e.db'}"
    env = {
        **os.environ,
        "DATABASE_URL": db_url,
        "ENVIRONMENT": "test",
        "SECRET_KEY": "e2e-secret-key-" + "x" * 32,
        "DEMO_DIR": str(folder / "demo"),
    }
    _seguiment(["db", "upgrade"], env)
    _seguiment(["demo", "--dir", str(folder / "demo")], env)
    port = _free_port()
    log = (folder / "server.log").open("w")
    process = subprocess.Popen(
        [str(BIN / "seguiment"), "serve", "--host", "127.0.0.1", "--port", str(port)],
        env=env,
        cwd=REPO,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    base_url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + START_TIMEOUT_S
    while True:
        try:
            with urllib.request.urlopen(base_url + "/login", timeout=5) as response:
                if response.status == 200:
                    break
        except OSError:
            pass
        if process.poll() is not None or time.monotonic() > deadline:
            process.kill()
            pytest.fail("the app did not start: " + (folder / "server.log").read_text()[-3000:])
        time.sleep(0.5)
    try:
        yield LiveServer(base_url, db_url, load_plan(REPO / "data" / "plan.yaml"))
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
        log.close()


@pytest.fixture(scope="session")
def director_context(browser: Any, live_server: LiveServer) -> Iterator[Any]:
    from tests.helpers.browser_login import create_account, login

    username, password = create_account(live_server.db_url, "e2e-director", "director")
    context = browser.new_context(viewport={"width": 1366, "height": 768}, locale="ca-ES")
    page = context.new_page()
    login(page, live_server.base_url, username, password)
    page.close()
    yield context
    context.close()


@pytest.fixture
def director_page(director_context: Any) -> Iterator[Any]:
    page = director_context.new_page()
    page.set_default_timeout(30_000)
    yield page
    page.close()
