"""Neither server names its version or Python's in ``Server``: the development server
(``seguiment serve``, web/devserver.py) and gunicorn (``serve --production``,
gunicorn.conf.py), which also sends the security headers."""

from __future__ import annotations

import argparse
import os
import re
import socket
import subprocess
import sys
import threading
import time
import urllib.request
from pathlib import Path
from typing import Any

import pytest
from werkzeug.serving import make_server

import app as app_module
from cli import serve
from indicators.storage.migrate import upgrade
from tests.web.web_app import SECRET, web_settings

REPO = Path(__file__).resolve().parents[2]
VERSION = re.compile(r"\d+\.\d+|python|werkzeug", re.IGNORECASE)


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def test_development_server_does_not_name_its_versions(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    url = f"sqlite:///{tmp_path / 'dev.db'}"
    upgrade(url)
    real_app = app_module.create_app(web_settings(url, tmp_path))
    seen: dict[str, Any] = {}

    class Recorder:
        def run(self, **kwargs: Any) -> None:
            seen.update(kwargs)

    monkeypatch.setattr(app_module, "create_app", lambda *a, **k: Recorder())
    serve.run(argparse.Namespace(production=False, host="127.0.0.1", port=0))
    handler = seen["request_handler"]  # what `seguiment serve` hands to Werkzeug
    server = make_server("127.0.0.1", 0, real_app.server, request_handler=handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        with urllib.request.urlopen(f"http://127.0.0.1:{server.port}/login", timeout=30) as resp:
            assert resp.status == 200
            header = resp.headers["Server"]
    finally:
        server.shutdown()
        thread.join(timeout=10)
    assert header and not VERSION.search(header), header


def test_gunicorn_does_not_name_its_versions_and_sends_the_headers(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'prod.db'}"
    upgrade(url)
    port = _free_port()
    env = {
        **os.environ,
        "DATABASE_URL": url,
        "ENVIRONMENT": "production",
        "SECRET_KEY": SECRET,
        "WORKERS": "1",
        "SEGUIMENT_BIND": f"127.0.0.1:{port}",
        "DEMO_DIR": str(tmp_path / "demo"),
        "UPLOAD_DIR": str(tmp_path / "uploads"),
    }
    log = (tmp_path / "gunicorn.log").open("w")
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "gunicorn",
            "-c",
            str(REPO / "gunicorn.conf.py"),
            "--bind",
            f"127.0.0.1:{port}",
            "wsgi:application",
        ],
        cwd=REPO,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    try:
        headers = _first_answer(f"http://127.0.0.1:{port}/login", process, tmp_path)
    finally:
        process.terminate()
        process.wait(timeout=30)
        log.close()
    assert headers["Server"] and not VERSION.search(headers["Server"]), headers["Server"]
    assert "frame-ancestors 'none'" in headers["Content-Security-Policy"]
    assert headers["X-Frame-Options"] == "DENY"
    assert "camera=()" in headers["Permissions-Policy"]
    assert "Strict-Transport-Security" not in headers  # plain HTTP


def _first_answer(address: str, process: subprocess.Popen[bytes], folder: Path) -> Any:
    deadline = time.monotonic() + 120
    while True:
        try:
            with urllib.request.urlopen(address, timeout=5) as response:
                return response.headers
        except OSError:
            if process.poll() is not None or time.monotonic() > deadline:
                pytest.fail(
                    "gunicorn did not start: " + (folder / "gunicorn.log").read_text()[-3000:]
                )
            time.sleep(0.5)
