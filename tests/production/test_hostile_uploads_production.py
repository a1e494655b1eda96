"""Hostile uploads through the web check step of a real ``seguiment serve --production``.

gunicorn runs one worker; a technician logs in and sends each crafted workbook to the
upload page's check callback, as the browser does. Each must get a Catalan refusal, the
worker must survive (same process, /healthz answers) and its peak memory must stay bounded:
the limits are enforced before any parser allocates, and the read itself runs in a child
interpreter under a hard memory bound.
"""

from __future__ import annotations

import base64
import io
import os
import re
import secrets
import signal
import socket
import subprocess
import sys
import time
import zipfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import requests

REPO = Path(__file__).resolve().parents[2]
BIN = Path(sys.executable).parent
PASSWORD = "una-contrasenya-llarga-de-prova"
PEAK_GROWTH_LIMIT_KB = 300 * 1024  # the worker may grow by at most 300 MB over the whole run

_CONTENT_TYPES = (
    '<?xml version="1.0" encoding="UTF-8"?>'
    '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
    '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
    '<Default Extension="xml" ContentType="application/xml"/>'
    '<Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>'
    '<Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>'
    "</Types>"
)
_RELS = (
    '<?xml version="1.0" encoding="UTF-8"?>'
    '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
    '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="xl/workbook.xml"/>'
    "</Relationships>"
)
_WORKBOOK = (
    '<?xml version="1.0" encoding="UTF-8"?>'
    '<workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" '
    'xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships">'
    '<sheets><sheet name="Dades" sheetId="1" r:id="rId1"/></sheets></workbook>'
)
_WORKBOOK_RELS = (
    '<?xml version="1.0" encoding="UTF-8"?>'
    '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
    '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" Target="worksheets/sheet1.xml"/>'
    "</Relationships>"
)


def _xlsx(sheet_data: str, dimension: str = "") -> bytes:
    sheet = (
        '<?xml version="1.0" encoding="UTF-8"?>'
        '<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
        f"{dimension}<sheetData>{sheet_data}</sheetData></worksheet>"
    )
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", _CONTENT_TYPES)
        archive.writestr("_rels/.rels", _RELS)
        archive.writestr("xl/workbook.xml", _WORKBOOK)
        archive.writestr("xl/_rels/workbook.xml.rels", _WORKBOOK_RELS)
        archive.writestr("xl/worksheets/sheet1.xml", sheet)
    return out.getvalue()


def _ods(table: str) -> bytes:
    content = (
        '<?xml version="1.0" encoding="UTF-8"?>'
        '<office:document-content xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0" '
        'xmlns:table="urn:oasis:names:tc:opendocument:xmlns:table:1.0" '
        'xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0" office:version="1.2">'
        f'<office:body><office:spreadsheet><table:table table:name="Dades">{table}'
        "</table:table></office:spreadsheet></office:body></office:document-content>"
    )
    manifest = (
        '<?xml version="1.0" encoding="UTF-8"?>'
        '<manifest:manifest xmlns:manifest="urn:oasis:names:tc:opendocument:xmlns:manifest:1.0">'
        '<manifest:file-entry manifest:full-path="/" '
        'manifest:media-type="application/vnd.oasis.opendocument.spreadsheet"/>'
        '<manifest:file-entry manifest:full-path="content.xml" manifest:media-type="text/xml"/>'
        "</manifest:manifest>"
    )
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        archive.writestr(
            zipfile.ZipInfo("mimetype"), "application/vnd.oasis.opendocument.spreadsheet"
        )
        archive.writestr("content.xml", content, zipfile.ZIP_DEFLATED)
        archive.writestr("META-INF/manifest.xml", manifest, zipfile.ZIP_DEFLATED)
    return out.getvalue()


HEADER = "<row r='1'><c r='A1' t='inlineStr'><is><t>Codi</t></is></c></row>"
SHAPES: dict[str, tuple[str, bytes]] = {
    "xlsx far cell, single quotes": (
        "far.xlsx",
        _xlsx(HEADER + "<row r='1048576'><c r='XFD1048576'><v>1</v></c></row>"),
    ),
    "xlsx far cell, spaces around =": (
        "spaces.xlsx",
        _xlsx(HEADER + '<row r = "1048000"><c r = "XFA1048000"><v>1</v></c></row>'),
    ),
    "xlsx moderate span": (
        "span.xlsx",
        _xlsx(HEADER + "<row r='200000'><c r='CV200000'><v>1</v></c></row>"),
    ),
    "xlsx far dimension": ("dim.xlsx", _xlsx(HEADER, dimension="<dimension ref='A1:XFD1048576'/>")),
    "ods repeated columns, single quotes": (
        "cols.ods",
        _ods(
            "<table:table-row><table:table-cell table:number-columns-repeated='16000'>"
            "<text:p>x</text:p></table:table-cell></table:table-row>"
            "<table:table-row table:number-rows-repeated='1000000'>"
            "<table:table-cell><text:p>y</text:p></table:table-cell></table:table-row>"
        ),
    ),
}


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _children(pid: int) -> list[int]:
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
            except OSError:
                continue
            if int(fields[1]) == pid:
                found.append(int(entry.name))
    return found


def _peak_rss_kb(pid: int) -> int:
    status = Path(f"/proc/{pid}/status").read_text()
    match = re.search(r"VmHWM:\s+(\d+) kB", status)
    assert match is not None
    return int(match.group(1))


def _run(args: list[str], env: dict[str, str]) -> None:
    result = subprocess.run(
        [str(BIN / "seguiment"), *args],
        env=env,
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert result.returncode == 0, result.stderr


@pytest.fixture(scope="module")
def production(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, int]]:
    """(base URL, worker pid) of gunicorn with one worker on a fresh SQLite database."""
    folder = tmp_path_factory.mktemp("hostile")
    env = {
        **os.environ,
        "DATABASE_URL": f"sqlite:///{folder / 'app.db'}",
        "SECRET_KEY": secrets.token_urlsafe(32),
        "GUNICORN_ACCESS_LOG": "",
        "LOG_LEVEL": "warning",
        "DEMO_DIR": str(folder / "demo"),
    }
    env.pop("ENVIRONMENT", None)
    _run(["db", "upgrade"], env)
    _run(
        [
            "users",
            "create",
            "--username",
            "tec-sad",
            "--password",
            PASSWORD,
            "--role",
            "tecnic",
            "--service",
            "SAD",
        ],
        env,
    )
    port = _free_port()
    log_path = folder / "gunicorn.log"
    with log_path.open("wb") as log:
        master = subprocess.Popen(
            [
                str(BIN / "seguiment"),
                "serve",
                "--production",
                "--workers",
                "1",
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
    try:
        deadline = time.monotonic() + 120
        while True:
            try:
                if requests.get(base_url + "/healthz", timeout=20).status_code == 200:
                    break
            except requests.RequestException:
                pass
            assert master.poll() is None, log_path.read_text(errors="replace")
            assert time.monotonic() < deadline, "gunicorn did not start"
            time.sleep(0.5)
        workers = _children(master.pid)
        assert len(workers) == 1, workers
        yield base_url, workers[0]
    finally:
        master.send_signal(signal.SIGTERM)
        try:
            master.wait(timeout=30)
        except subprocess.TimeoutExpired:
            master.kill()


def _login(base_url: str) -> tuple[requests.Session, dict[str, str]]:
    session = requests.Session()
    origin = {"Origin": base_url}
    form = session.get(base_url + "/login", timeout=30).text
    token = re.search(r'name="csrf_token"\s+value="([^"]+)"', form)
    assert token is not None
    response = session.post(
        base_url + "/login",
        headers=origin,
        allow_redirects=False,
        timeout=30,
        data={"username": "tec-sad", "password": PASSWORD, "csrf_token": token.group(1)},
    )
    assert response.status_code == 302
    session.get(base_url + "/enviar", timeout=30)
    csrf = session.cookies.get("_csrf_token")
    assert csrf
    return session, {**origin, "X-CSRFToken": csrf}


def _check_callback(session: requests.Session, base_url: str) -> dict[str, Any]:
    specs = session.get(base_url + "/_dash-dependencies", timeout=30).json()
    return next(s for s in specs if "enviar-check-result.children" in s["output"])


def _outputs(spec: dict[str, Any]) -> list[dict[str, str]]:
    outputs = []
    for part in spec["output"].strip(".").split("..."):
        ident, _, prop = part.rpartition(".")
        outputs.append({"id": ident, "property": prop})
    return outputs


def test_hostile_workbooks_are_refused_and_the_worker_lives(production: tuple[str, int]) -> None:
    base_url, worker = production
    session, headers = _login(base_url)
    spec = _check_callback(session, base_url)
    baseline = _peak_rss_kb(worker)
    for name, (filename, content) in SHAPES.items():
        data_url = "data:application/octet-stream;base64," + base64.b64encode(content).decode()
        payload = {
            "output": spec["output"],
            "outputs": _outputs(spec),
            "inputs": [
                {"id": "enviar-upload", "property": "contents", "value": data_url},
                {"id": "enviar-service", "property": "value", "value": "SAD"},
                {"id": "enviar-period", "property": "value", "value": "2025-T4"},
            ],
            "changedPropIds": ["enviar-upload.contents"],
            "state": [
                {"id": "enviar-upload", "property": "filename", "value": filename},
                {"id": "enviar-lang", "property": "data", "value": "ca"},
                {"id": "enviar-file", "property": "data", "value": None},  # the last file picked
            ],
        }
        response = session.post(
            base_url + "/_dash-update-component", json=payload, headers=headers, timeout=120
        )
        assert response.status_code == 200, (name, response.status_code, response.text[:500])
        body = response.text
        assert "Traceback" not in body
        result = response.json()["response"]
        assert result["enviar-confirm"]["disabled"] is True, name  # nothing to confirm
        assert "enviar-check-result" in result, name
        assert requests.get(base_url + "/healthz", timeout=30).status_code == 200, name
        assert Path(f"/proc/{worker}").exists(), f"{name}: the worker died"
        growth = _peak_rss_kb(worker) - baseline
        assert growth < PEAK_GROWTH_LIMIT_KB, f"{name}: the worker grew by {growth} kB"
