"""The board's web side without a browser: the /sessio layout and the download routes, on
SQLite and PostgreSQL (the browser walk through the slides is in tests/e2e/test_session.py)."""

from __future__ import annotations

import io
import os
from collections.abc import Iterator
from pathlib import Path

import dash
import pandas as pd
import pytest
from dash.development.base_component import Component

from app import create_app
from indicators.reporting.pack.charts import find_browser
from indicators.storage.engine import get_engine
from plan_model.models import Plan
from settings import Settings
from tests.helpers.board_data import MISSING_SERVICE_LAST, load_board_data
from tests.helpers.dash_tree import props, walk
from tests.helpers.web_login import PASSWORD, login, make_user


@pytest.fixture
def app(db_url: str, tmp_path: Path, plan: Plan) -> Iterator[dash.Dash]:
    settings = Settings(
        database_url=db_url,
        environment="test",
        secret_key="test-secret-key-0123456789abcdef",
        upload_dir=tmp_path / "uploads",
        demo_dir=tmp_path / "demo",
    )
    application = create_app(settings)
    load_board_data(get_engine(db_url), plan)
    make_user(db_url, "junta", "consulta")
    yield application
    get_engine(db_url).dispose()


def _texts(component: Component) -> str:
    """The text children of every component of the tree, in order, joined by spaces."""
    parts: list[str] = []
    for node in walk(component):
        children = getattr(node, "children", None)
        if isinstance(children, str):
            parts.append(children)
        elif isinstance(children, list):
            parts += [c for c in children if isinstance(c, str)]
    return " ".join(parts)


def test_session_layout_has_every_slide(app: dash.Dash, plan: Plan) -> None:
    from layouts.pages import session

    with app.server.test_request_context("/sessio?t=2025-T4&s=3"):
        deck = session.layout(t="2025-T4", s="3", since="2025-T2", auto="20")
    deck_props = props(deck)
    assert deck_props["id"] == "session-deck"
    assert deck_props["data-current"] == "3" and deck_props["data-total"] == "10"
    assert deck_props["data-auto"] == "20" and deck_props["data-exit"].startswith("/?t=2025-T4")
    slides = [n for n in walk(deck) if "session-slide" in (props(n).get("className") or "")]
    assert len(slides) == 10
    assert ["is-current" in props(s)["className"] for s in slides] == [i == 2 for i in range(10)]
    text = _texts(deck)
    assert "El pla d'un cop d'ull" in text
    assert "Què ha canviat des del 2n trimestre de 2025" in text
    for lever in plan.levers:
        assert lever.name in text
    graphs = [props(n) for n in walk(deck) if isinstance(n, dash.dcc.Graph)]
    assert len(graphs) == 5
    for graph in graphs:  # no hover-only information on the projector
        assert graph["config"]["staticPlot"] is True
        assert graph["figure"]["layout"]["hovermode"] is False
        assert graph["figure"]["layout"]["separators"] == ",."  # Catalan numbers
    hrefs = [props(n)["href"] for n in walk(deck) if isinstance(n, dash.html.A)]
    assert any("/descarrega/informe?" in h and "format=pdf" in h for h in hrefs)


def test_session_slide_number_is_clamped(app: dash.Dash) -> None:
    from layouts.pages import session

    with app.server.test_request_context("/sessio?s=99"):
        deck = session.layout(s="99", lang="es")
    deck_props = props(deck)
    assert deck_props["data-current"] == "10" and deck_props["lang"] == "es"
    assert "El plan de un vistazo" in _texts(deck)


def test_downloads_need_a_login(app: dash.Dash) -> None:
    client = app.server.test_client()
    for url in ("/descarrega/valors?format=csv", "/descarrega/informe?format=pdf"):
        response = client.get(url)
        assert response.status_code in (302, 401, 403)
        assert not response.data.startswith(b"%PDF")
        assert b"Codi;" not in response.data


def test_values_download(app: dash.Dash, plan: Plan) -> None:
    client = app.server.test_client()
    login(client, "junta", PASSWORD)
    response = client.get("/descarrega/valors?format=csv&t=2025-T4")
    assert response.status_code == 200
    assert response.mimetype == "text/csv"
    assert "seguiment-valors-2025-T4.csv" in response.headers["Content-Disposition"]
    frame = pd.read_csv(io.BytesIO(response.data), sep=";", encoding="utf-8-sig", dtype=str)
    assert list(frame.columns[:5]) == ["Codi", "Servei", "Període", "Valor", "Comentari"]
    assert set(frame["Període"]) == {"2025-T4"}
    assert MISSING_SERVICE_LAST not in set(frame["Servei"])
    assert client.get("/descarrega/valors?format=doc").status_code == 400
    assert client.get("/descarrega/valors?format=csv&t=ahir").status_code == 400
    xlsx = client.get("/descarrega/valors?format=xlsx")
    assert xlsx.status_code == 200 and xlsx.data[:2] == b"PK"


def test_pack_download(app: dash.Dash) -> None:
    if find_browser() is None:
        if os.environ.get("CI") == "true":
            pytest.fail("CI must have Chromium for the board pack's charts")
        pytest.skip("Chromium is not installed")
    client = app.server.test_client()
    login(client, "junta", PASSWORD)
    response = client.get("/descarrega/informe?t=2025-T4&since=2025-T2&format=pptx")
    assert response.status_code == 200
    assert response.headers["Content-Disposition"].startswith("attachment;")
    from pptx import Presentation

    prs = Presentation(io.BytesIO(response.data))
    first = "\n".join(s.text_frame.text for s in prs.slides[0].shapes if s.has_text_frame)
    assert "4t trimestre de 2025" in first
    assert client.get("/descarrega/informe?format=docx").status_code == 400


def test_session_with_board_accepted_only_says_what_is_left_out(
    db_url: str, tmp_path: Path, plan: Plan
) -> None:
    """``BOARD_ACCEPTED_ONLY``: /sessio counts only accepted values (none here: nothing of
    the sample is accepted) and says which deliveries are pending acceptance."""
    settings = Settings(
        database_url=db_url,
        environment="test",
        secret_key="test-secret-key-0123456789abcdef",
        upload_dir=tmp_path / "uploads",
        demo_dir=tmp_path / "demo",
        board_accepted_only=True,
    )
    application = create_app(settings)
    from layouts.pages import session  # (after the app: its pages register on it)

    load_board_data(get_engine(db_url), plan)
    try:
        with application.server.test_request_context("/sessio?t=2025-T4"):
            text = _texts(session.layout(t="2025-T4"))
    finally:
        get_engine(db_url).dispose()
    assert "Només es mostren els valors acceptats per la direcció; pendents d'acceptar: " in text
    assert "· pendent d'acceptar" in text
