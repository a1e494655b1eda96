"""Evidence on the objective page (issue 17): a milestone stored as "Finalitzat" without
evidence is flagged in the provenance table and the panel; the value's own service attaches
a link or a file through the callback (hostile ones refused in Catalan), which then shows
in the provenance table with its download link; readers see no form and their callback
requests are refused; removing an attachment brings the warning back."""

from __future__ import annotations

import base64
import datetime as dt
import io
import json
import zipfile
from collections.abc import Iterator
from typing import Any

import pytest
from dash import Dash

from app import create_app
from indicators.reporting import dashboard_data
from indicators.storage import evidence
from indicators.storage.engine import get_engine
from indicators.storage.migrate import upgrade
from indicators.storage.store import store
from plan_model.models import Plan
from plan_model.periods import Period, period_range
from settings import Settings
from tests.helpers.dash_sample import load_sample, submission_values
from tests.helpers.dash_tree import current_app
from tests.helpers.web_login import login, make_user

LAST = Period(2023, 2)
SERVICE, MILESTONE = "SBAS-COSS", "P1.06-I2"
NEEDED = "Cal una evidència: acord, protocol o informe"
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\n%%EOF\n"


@pytest.fixture(scope="module")
def sample_url(tmp_path_factory: pytest.TempPathFactory, plan: Plan) -> str:
    url = f"sqlite:///{tmp_path_factory.mktemp('evidence') / 'dash.db'}"
    upgrade(url)
    engine = get_engine(url)
    load_sample(engine, plan, period_range(Period(2022, 1), LAST.prev()))
    values = [
        v if v.indicator != MILESTONE else v.__class__(**{**v.__dict__, "value": "finalitzat"})
        for v in submission_values(plan, SERVICE, LAST)
    ]
    store(
        engine,
        service=SERVICE,
        period=str(LAST),
        filename="sbas.xlsx",
        content=b"sbas",
        user="tecnic.sbas",
        source="cli",
        values=values,
        warnings=[],
        uploaded_at=dt.datetime(2023, 7, 10, tzinfo=dt.UTC),
    )
    return url


@pytest.fixture(scope="module")
def app(sample_url: str) -> Dash:
    dashboard_data.clear_caches()
    return create_app(Settings(database_url=sample_url, environment="test", secret_key="s" * 32))


def _client(app: Dash, url: str, name: str, role: str, services: tuple[str, ...] = ()) -> Any:
    client = app.server.test_client()
    login(client, *make_user(url, name, role=role, services=services))
    client.get("/")  # first request: Dash registers the pages router
    return client


@pytest.fixture(scope="module")
def clients(app: Dash, sample_url: str) -> Iterator[dict[str, Any]]:
    yield {
        "own": _client(app, sample_url, "own-tec", "tecnic", (SERVICE,)),
        "other": _client(app, sample_url, "other-tec", "tecnic", ("SIS",)),
        "viewer": _client(app, sample_url, "viewer", "consulta"),
    }


def _page(client: Any) -> str:
    output = next(k for k in current_app().callback_map if "_pages_content.children" in k)
    body = {
        "output": output,
        "outputs": [
            {"id": "_pages_content", "property": "children"},
            {"id": "_pages_store", "property": "data"},
        ],
        "inputs": [
            {"id": "_pages_location", "property": "pathname", "value": "/objectiu/P1.06"},
            {"id": "_pages_location", "property": "search", "value": f"?t={LAST}"},
        ],
        "changedPropIds": ["_pages_location.pathname"],
        "state": [],
    }
    response = client.post("/_dash-update-component", json=body)
    assert response.status_code == 200, response.get_data(as_text=True)[:300]
    return json.dumps(response.get_json()["response"]["_pages_content"], ensure_ascii=False)


def _data_url(content: bytes) -> str:
    return "data:application/octet-stream;base64," + base64.b64encode(content).decode()


def _attach(
    client: Any, *, title: str, url: str | None = None, file: tuple[str, bytes] | None = None
) -> Any:
    states = [
        ("evidencia-value", "value", f"{MILESTONE}|{SERVICE}"),
        ("evidencia-title-text", "value", title),
        ("evidencia-url", "value", url),
        ("evidencia-file", "contents", _data_url(file[1]) if file else None),
        ("evidencia-file", "filename", file[0] if file else None),
        ("evidencia-target", "data", {"period": str(LAST), "lang": "ca"}),
    ]
    return client.post(
        "/_dash-update-component",
        json={
            "output": "..evidencia-message.children...evidencia-file.contents"
            "...evidencia-file.filename..",
            "outputs": [
                {"id": "evidencia-message", "property": "children"},
                {"id": "evidencia-file", "property": "contents"},
                {"id": "evidencia-file", "property": "filename"},
            ],
            "inputs": [{"id": "evidencia-attach", "property": "n_clicks", "value": 1}],
            "state": [{"id": i, "property": p, "value": v} for i, p, v in states],
            "changedPropIds": ["evidencia-attach.n_clicks"],
        },
    )


def _remove(client: Any, attachment_id: int) -> Any:
    return client.post(
        "/_dash-update-component",
        json={
            "output": "evidencia-remove-message.children",
            "outputs": {"id": "evidencia-remove-message", "property": "children"},
            "inputs": [{"id": "evidencia-remove", "property": "n_clicks", "value": 1}],
            "state": [
                {"id": "evidencia-remove-choice", "property": "value", "value": str(attachment_id)},
                {"id": "evidencia-target", "property": "data", "value": {"lang": "ca"}},
            ],
            "changedPropIds": ["evidencia-remove.n_clicks"],
        },
    )


def _text(response: Any) -> str:
    assert response.status_code == 200, response.get_data(as_text=True)[:300]
    return json.dumps(response.get_json(), ensure_ascii=False)


def _bomb() -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", b"<Types/>")
        archive.writestr("word/document.xml", b"<w:document/>")
        archive.writestr("word/media/huge.bin", b"\x00" * (120 * 1024 * 1024))
    return buffer.getvalue()


def test_missing_evidence_is_flagged_and_only_the_service_gets_the_form(
    clients: dict[str, Any],
) -> None:
    own = _page(clients["own"])
    assert NEEDED in own and "evidencia-attach" in own and "Adjunts" in own
    for who in ("other", "viewer"):
        seen = _page(clients[who])
        assert NEEDED in seen and "evidencia-attach" not in seen


def test_readers_and_other_services_are_refused(clients: dict[str, Any], sample_url: str) -> None:
    link = "https://exemple.cat/acord"
    assert _attach(clients["viewer"], title="Acord", url=link).status_code == 403
    refused = _text(_attach(clients["other"], title="Acord", url=link))
    assert "Només la direcció o un tècnic o responsable de SBAS-COSS" in refused
    assert evidence.attachments(get_engine(sample_url)) == []


def test_hostile_attachments_are_refused_in_catalan(
    clients: dict[str, Any], sample_url: str
) -> None:
    own = clients["own"]
    scheme = _text(_attach(own, title="Acord", url="javascript:alert(document.cookie)"))
    assert "Només es poden adjuntar enllaços web" in scheme
    fake = _text(_attach(own, title="Acord", file=("acord.pdf", b"<html><script>x</script>")))
    assert "El nom del fitxer diu que és un document PDF" in fake
    bomb = _text(_attach(own, title="Protocol", file=("protocol.docx", _bomb())))
    assert "bomba de compressió" in bomb
    both = _text(_attach(own, title="Acord", url="https://exemple.cat", file=("a.pdf", PDF)))
    assert "només un dels dos" in both
    assert evidence.attachments(get_engine(sample_url), history=True) == []


def test_the_service_attaches_a_file_which_the_table_lists_then_removes_it(
    clients: dict[str, Any], sample_url: str
) -> None:
    answer = _text(_attach(clients["own"], title="Acord de la comissió", file=("acord.pdf", PDF)))
    assert "S'ha adjuntat «Acord de la comissió» a P1.06-I2 (2n trimestre de 2023)" in answer
    # the file field is emptied: the next attachment never sends this file again
    emptied = json.loads(answer)["response"]["evidencia-file"]
    assert emptied == {"contents": None, "filename": None}
    [stored] = evidence.attachments(get_engine(sample_url))
    assert (stored.content_type, stored.added_by) == ("application/pdf", "own-tec")
    seen = _page(clients["own"])
    assert f"/descarrega/evidencia/{stored.id}" in seen and NEEDED not in seen
    reader = _page(clients["viewer"])
    assert "Acord de la comissió" in reader and "/descarrega/evidencia/" not in reader

    assert _remove(clients["viewer"], stored.id).status_code == 403
    assert "S'ha retirat «Acord de la comissió»" in _text(_remove(clients["own"], stored.id))
    assert NEEDED in _page(clients["own"])
    assert len(evidence.attachments(get_engine(sample_url), history=True)) == 1
