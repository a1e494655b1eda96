"""The final evaluation page (``/avaluacio``) and its downloads, on the tiny plan with known
values: any signed-in user sees it (a reader too), «Provisional» while the plan is open, the
summary and every lever, the four downloads; once the plan is closed, ``/`` lands on it."""

from __future__ import annotations

import io
import json
import re
from collections.abc import Iterator
from typing import Any

import openpyxl
import pytest
from dash import Dash

from accounts import plan_states
from accounts.roles import Actor
from app import create_app
from i18n import gettext
from indicators.reporting import dashboard_data
from indicators.storage.engine import get_engine
from plan_model import status_types as st
from settings import Settings
from tests.helpers.evaluation_data import PLAN_FILE, load_known_data, tiny_plan
from tests.helpers.web_login import login, make_user

ROUTER_OUTPUT = ".._pages_content.children..._pages_store.data.."


@pytest.fixture
def web(db_url: str) -> Iterator[Dash]:
    load_known_data(get_engine(db_url), tiny_plan())
    dashboard_data.clear_caches()
    settings = Settings(
        database_url=db_url, plan_path=PLAN_FILE, environment="test", secret_key="e" * 32
    )
    yield create_app(settings)
    dashboard_data.clear_caches()


def _page(client: Any, path: str, search: str = "") -> str:
    body = {
        "output": ROUTER_OUTPUT,
        "outputs": [
            {"id": "_pages_content", "property": "children"},
            {"id": "_pages_store", "property": "data"},
        ],
        "inputs": [
            {"id": "_pages_location", "property": "pathname", "value": path},
            {"id": "_pages_location", "property": "search", "value": search},
        ],
        "state": [],
        "changedPropIds": ["_pages_location.pathname"],
    }
    response = client.post("/_dash-update-component", json=body)
    assert response.status_code == 200, response.get_data(as_text=True)[:300]
    return json.dumps(response.get_json(), ensure_ascii=False)


@pytest.fixture
def reader(web: Dash, db_url: str) -> Any:
    client = web.server.test_client()
    login(client, *make_user(db_url, "lectora", role="consulta"))
    return client


def test_a_reader_sees_the_provisional_evaluation(reader: Any) -> None:
    text = _page(reader, "/avaluacio")
    assert "Avaluació final del pla · Provisional" in text
    assert "el pla encara no està tancat" in text
    for heading in ("Resum", "Palanca 1. Persones i professionals", "Fites", "Valoracions"):
        assert heading in text
    assert "Compliment dels lliuraments al llarg del període" in text
    assert "P2.01" in text and "cap esmena" in text and "Meta revisada" in text
    # a status: icon and label, never colour alone (P2.01-I1 keeps a value: «Desviació…»)
    assert "✖" in text and gettext(st.MAINTAIN_STATUS_LABELS[st.Status.RED], "ca") in text
    for fmt in ("pdf", "pptx", "xlsx", "md"):
        assert f"/descarrega/avaluacio?format={fmt}&lang=ca" in text
    assert "Definitiva" not in text


def test_the_page_follows_the_language(reader: Any) -> None:
    text = _page(reader, "/avaluacio", "?lang=es")
    assert "Evaluación final del plan · Provisional" in text and "ninguna enmienda" in text


def test_the_overview_stays_while_the_plan_is_open(reader: Any) -> None:
    text = _page(reader, "/")
    assert "Avaluació final del pla" not in text and "Resum" in text


def test_a_closed_plan_lands_on_its_definitive_evaluation(reader: Any, db_url: str) -> None:
    plan_states.close_plan(get_engine(db_url), tiny_plan(), by=Actor.operator("op"), reason="Fi")
    text = _page(reader, "/")
    assert "Avaluació final del pla · Definitiva" in text
    assert "el pla es va tancar el" in text and "op" in text
    assert "Provisional" not in text
    # the menu names it, as the current page
    assert '["Avaluació final", {' in text
    assert re.search(r'"href": "/avaluacio\?[^"]*", "className": "nav-link active"', text)
    assert "Avaluació final del pla · Definitiva" in _page(reader, "/avaluacio")


def test_the_downloads_answer_each_format(reader: Any) -> None:
    response = reader.get("/descarrega/avaluacio?format=md&lang=ca")
    assert response.status_code == 200
    assert "avaluacio-final-prova-provisional.md" in response.headers["Content-Disposition"]
    assert response.headers["Cache-Control"] == "no-store"
    body = response.get_data(as_text=True)
    assert body.startswith("# Avaluació final del pla · Provisional")
    response = reader.get("/descarrega/avaluacio?format=xlsx")
    assert response.status_code == 200
    book = openpyxl.load_workbook(io.BytesIO(response.data))
    assert all("Provisional" in str(ws["A1"].value) for ws in book.worksheets)


@pytest.mark.parametrize("fmt", ["doc", "../../etc/passwd", "PDF%00", ""])
def test_an_unknown_format_is_refused(reader: Any, fmt: str) -> None:
    response = reader.get(f"/descarrega/avaluacio?format={fmt}")
    if fmt == "":  # no format: the PDF (charts need a browser: 200 or a clear 503)
        assert response.status_code in (200, 503)
        return
    assert response.status_code == 400


def test_signed_out_visitors_are_sent_to_the_login(web: Dash) -> None:
    client = web.server.test_client()
    response = client.get("/descarrega/avaluacio?format=md")
    assert response.status_code in (302, 401)
    assert b"Avaluaci" not in response.data
