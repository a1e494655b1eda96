"""The breakdown pages (issue 14, item 6) over HTTP, logged in: ``/territori`` (values, rank,
distance, coverage, ``?abss=``, its download), the objective page's charts by ABSS and by sex,
``?abss=`` on the overview and the lever pages, and «< 5» for the read-only role."""

from __future__ import annotations

import json
from typing import Any

import pytest
from dash import Dash

from app import create_app
from indicators.reporting import dashboard_data
from indicators.storage.engine import get_engine
from indicators.storage.migrate import upgrade
from layouts.components import NAV_ITEMS
from settings import Settings
from tests.helpers.breakdown_plan import PLAN_FILE
from tests.helpers.dash_tree import current_app
from tests.helpers.territory_data import load_territory_sample
from tests.helpers.web_login import login, make_user


@pytest.fixture(scope="module")
def territory_url(tmp_path_factory: pytest.TempPathFactory) -> str:
    url = f"sqlite:///{tmp_path_factory.mktemp('territory') / 'territory.db'}"
    upgrade(url)
    load_territory_sample(get_engine(url))
    return url


@pytest.fixture(scope="module")
def app(territory_url: str) -> Dash:
    dashboard_data.clear_caches()
    settings = Settings(
        database_url=territory_url,
        environment="test",
        secret_key="t" * 32,
        plan_path=PLAN_FILE / "plan.yaml",
    )
    return create_app(settings)


def _client(app: Dash, url: str, role: str) -> Any:
    client = app.server.test_client()
    login(client, *make_user(url, role=role))
    return client


def _page(client: Any, pathname: str, search: str = "") -> str:
    """The page the router answers for ``pathname?search``, as JSON text."""
    output = next(k for k in current_app().callback_map if "_pages_content.children" in k)
    body = {
        "output": output,
        "outputs": [
            {"id": "_pages_content", "property": "children"},
            {"id": "_pages_store", "property": "data"},
        ],
        "inputs": [
            {"id": "_pages_location", "property": "pathname", "value": pathname},
            {"id": "_pages_location", "property": "search", "value": search},
        ],
        "changedPropIds": ["_pages_location.pathname"],
        "state": [],
    }
    response = client.post("/_dash-update-component", json=body)
    assert response.status_code == 200, response.get_data(as_text=True)[:300]
    return json.dumps(response.get_json()["response"]["_pages_content"], ensure_ascii=False)


def test_territory_compares_the_abss(app: Dash, territory_url: str) -> None:
    text = _page(_client(app, territory_url, "director"), "/territori", "?t=2025-T3")
    assert "Territori" in text and "3r trimestre de 2025" in text
    assert ("/territori", "Territory") in NAV_ITEMS
    assert "ABSS Vic" in text and "ABSS Consell Comarcal d'Osona" in text
    assert "57,1\\u00a0%" in text or "57,1\u00a0%" in text  # 80 / 140, the ratio of the sums
    assert "145\u00a0persones" in text  # the comarca's persons: the sum of the members
    assert "2 de 2 ABSS" in text
    assert "posició 1 de 2" in text
    assert "respecte de la comarca" in text and "−7,1\u00a0p. p." in text  # Vic: 50 - 57,1
    assert "/descarrega/territori?t=2025-T3&lang=ca&format=csv" in text
    assert "table-scroll" in text and "abss-highlight" not in text


def test_territory_highlights_the_abss_asked_for(app: Dash, territory_url: str) -> None:
    client = _client(app, territory_url, "director")
    text = _page(client, "/territori", "?t=2025-T3&abss=vic")
    assert "abss-highlight" in text and "✔ ABSS Vic" in text and "seleccionada" in text
    assert "abss=VIC" in text  # the download keeps it
    coverage = _page(client, "/territori", "?t=2025-T2")
    assert "1 de 2 ABSS" in coverage


def test_territory_download_holds_the_rows(app: Dash, territory_url: str) -> None:
    client = _client(app, territory_url, "director")
    response = client.get("/descarrega/territori?t=2025-T3&format=csv")
    assert response.status_code == 200
    assert "attachment" in response.headers["Content-Disposition"]
    lines = response.get_data().decode("utf-8-sig").splitlines()
    assert lines[0].startswith("Trimestre;Indicador;")
    assert len(lines) == 5  # two indicators x two ABSS
    assert client.get("/descarrega/territori?format=pdf").status_code == 400


def test_the_objective_page_shows_the_breakdowns(app: Dash, territory_url: str) -> None:
    text = _page(_client(app, territory_url, "director"), "/objectiu/P2.01", "?t=2025-T3")
    assert "Desglossament" in text
    assert "breakdown-abss-P2.01-I1" in text and "breakdown-sex-P2.01-I1" in text
    assert "breakdown-lines-P2.01-I1" in text
    assert "P2.01-I1 per Sexe al 3r trimestre de 2025. Dona: 33\u00a0persones" in text
    assert "ABSS Vic: 50\u00a0persones" in text
    assert "Home: 112\u00a0persones" in text


def test_the_read_only_role_sees_small_counts_hidden(app: Dash, territory_url: str) -> None:
    board = _client(app, territory_url, "consulta")
    text = _page(board, "/objectiu/P2.01", "?t=2025-T3")
    assert "Dona: 33\u00a0persones" in text  # nothing small there
    assert "només es mostra al personal dels serveis" in text  # no line per ABSS of a count
    staff = _page(_client(app, territory_url, "director"), "/objectiu/P2.01", "?t=2025-T3")
    assert "només es mostra al personal dels serveis" not in staff


def test_overview_and_lever_narrowed_to_one_abss(app: Dash, territory_url: str) -> None:
    client = _client(app, territory_url, "director")
    whole = _page(client, "/", "?t=2025-T3")
    assert "abss-notice" not in whole
    text = _page(client, "/", "?t=2025-T3&abss=VIC")
    assert "Només es mostra l'ABSS Vic" in text and "Vegeu tota la comarca" in text
    assert "/palanca/1?t=2025-T3&abss=VIC" in text  # the lever cards keep the ABSS
    lever = _page(client, "/palanca/2", "?t=2025-T3&abss=VIC")
    assert "Només es mostra l'ABSS Vic" in lever
    assert "sense desglossament per ABSS" in lever  # P2.01: a count, rated for the comarca
    assert "sense desglossament per ABSS" not in _page(client, "/palanca/2", "?t=2025-T3")
    unknown = _page(client, "/", "?t=2025-T3&abss=NOPE")
    assert "abss-notice" not in unknown
