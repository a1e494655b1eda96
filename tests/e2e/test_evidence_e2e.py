"""Issue 17 in Chromium on the demo data: a director attaches evidence to a milestone's value
on its objective's page. A compression bomb renamed ``.docx`` is refused in Catalan; a PDF
is attached, listed in the provenance table after a reload, and downloads as an attachment
with ``nosniff``. axe-core clean on the panel."""

from __future__ import annotations

import io
import zipfile
from pathlib import Path
from typing import Any

from conftest import LiveServer

from indicators.reporting import dashboard_data
from indicators.storage import locks
from indicators.storage.engine import make_engine
from plan_model.periods import Period
from tests.e2e.test_analysis_e2e import DRAWN, _serious_violations

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
FILE_INPUT = "#evidencia-file input[type=file]"


def _milestone_value(server: LiveServer) -> tuple[str, Period]:
    """An objective with a milestone value stored in an open quarter, and that quarter."""
    engine = make_engine(server.db_url)
    try:
        data = dashboard_data.load(engine, server.plan, deadline_days=30)
        locked = locks.locked_periods(engine)
        frame = data.values()
        for period in reversed(data.periods_with_data()):
            if str(period) in locked:
                continue
            rows = frame[(frame["period"] == str(period)) & frame["stage"].notna()]
            for code in rows["indicator"]:
                return str(code).split("-I", 1)[0], period
    finally:
        engine.dispose()
    raise AssertionError("the demo data has a milestone value in an open quarter")


def _bomb() -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", b"<Types/>")
        archive.writestr("word/document.xml", b"<w:document/>")
        archive.writestr("word/media/huge.bin", b"\x00" * (150 * 1024 * 1024))
    return buffer.getvalue()


def _open(page: Any, server: LiveServer, path: str) -> None:
    page.goto(server.url(path))
    page.wait_for_selector("#main-content h1", timeout=30_000)
    page.wait_for_function(DRAWN, timeout=30_000)


def _attach(page: Any, path: Path, title: str) -> str:
    page.fill("#evidencia-title-text", title)
    page.set_input_files(FILE_INPUT, str(path))
    # the browser has read the file into the upload's contents once the form names it
    page.wait_for_function(
        "name => document.querySelector('#evidencia-file-chosen').innerText.includes(name)",
        arg=path.name,
        timeout=30_000,
    )
    # the previous answer goes first: waiting for «an alert» must wait for this one
    page.evaluate("document.querySelector('#evidencia-message').replaceChildren()")
    page.click("#evidencia-attach")
    page.wait_for_selector("#evidencia-message .alert", timeout=30_000)
    return str(page.inner_text("#evidencia-message"))


def test_a_director_attaches_evidence_and_a_bomb_is_refused(
    director_page: Any, live_server: LiveServer, tmp_path: Path
) -> None:
    code, period = _milestone_value(live_server)
    page = director_page
    _open(page, live_server, f"/objectiu/{code}?t={period}")
    page.wait_for_selector("section.evidence-panel #evidencia-attach")
    assert not _serious_violations(page, "section.evidence-panel")

    bomb = tmp_path / "protocol.docx"
    bomb.write_bytes(_bomb())
    assert "bomba de compressió" in _attach(page, bomb, "Protocol")

    pdf = tmp_path / "acord de la comissió.pdf"
    pdf.write_bytes(PDF)
    # the refused file was emptied from the form: it is never sent again
    assert page.inner_text("#evidencia-file-chosen") == ""
    _open(page, live_server, f"/objectiu/{code}?t={period}")
    page.wait_for_selector("section.evidence-panel #evidencia-attach")
    assert "S'ha adjuntat «Acord de la comissió»" in _attach(page, pdf, "Acord de la comissió")

    _open(page, live_server, f"/objectiu/{code}?t={period}")
    link = page.locator("table.provenance a.evidence-item", has_text="Acord de la comissió")
    href = link.first.get_attribute("href")
    assert href and href.startswith("/descarrega/evidencia/")
    response = page.request.get(live_server.url(href))
    assert response.status == 200 and response.body() == PDF
    assert response.headers["content-type"].startswith("application/pdf")
    assert response.headers["content-disposition"].startswith("attachment;")
    assert response.headers["x-content-type-options"] == "nosniff"
