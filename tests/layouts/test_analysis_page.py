"""Issue 17 on the pages: an objective's analysis of the quarter (valoració) on its page, the
form for its responsible service (and a director) only, written through the callback, and
rolled up on the lever page with the red or amber objectives that lack one."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterator
from typing import Any

import pytest
from dash import Dash

from app import create_app
from indicators.reporting import dashboard_data
from indicators.storage import analyses
from indicators.storage.engine import get_engine
from indicators.storage.migrate import upgrade
from plan_model.analyses import needs_analysis, responsible_services
from plan_model.models import Plan
from plan_model.periods import Period, period_range
from settings import Settings
from tests.helpers.dash_sample import load_sample
from tests.helpers.dash_tree import current_app
from tests.helpers.web_login import login, make_user

LAST = Period(2023, 2)
MISSING = "és en desviació: cal la valoració del trimestre"


@pytest.fixture(scope="module")
def sample_url(tmp_path_factory: pytest.TempPathFactory, plan: Plan) -> str:
    url = f"sqlite:///{tmp_path_factory.mktemp('analyses') / 'dash.db'}"
    upgrade(url)
    load_sample(get_engine(url), plan, period_range(Period(2022, 1), LAST))
    return url


@pytest.fixture(scope="module")
def off_track(sample_url: str, plan: Plan) -> tuple[str, str]:
    """An objective red or amber at LAST with one responsible service, and that service."""
    data = dashboard_data.load(get_engine(sample_url), plan, deadline_days=30)
    for objective in data.status(LAST).objectives:
        services = responsible_services(plan, objective.code)
        if needs_analysis(objective) and len(services) == 1 and "DIRECCIO" not in services:
            return objective.code, next(iter(services))
    raise AssertionError("the sample has no off-track objective")


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
def clients(app: Dash, sample_url: str, off_track: tuple[str, str]) -> Iterator[dict[str, Any]]:
    own = off_track[1]
    other = "SAD" if own != "SAD" else "SIS"
    yield {
        "own": _client(app, sample_url, "own-tec", "tecnic", (own,)),
        "other": _client(app, sample_url, "other-tec", "tecnic", (other,)),
        "viewer": _client(app, sample_url, "viewer", "consulta"),
    }


def _page(client: Any, pathname: str) -> str:
    output = next(k for k in current_app().callback_map if "_pages_content.children" in k)
    body = {
        "output": output,
        "outputs": [
            {"id": "_pages_content", "property": "children"},
            {"id": "_pages_store", "property": "data"},
        ],
        "inputs": [
            {"id": "_pages_location", "property": "pathname", "value": pathname},
            {"id": "_pages_location", "property": "search", "value": f"?t={LAST}"},
        ],
        "changedPropIds": ["_pages_location.pathname"],
        "state": [],
    }
    response = client.post("/_dash-update-component", json=body)
    assert response.status_code == 200, response.get_data(as_text=True)[:300]
    return json.dumps(response.get_json()["response"]["_pages_content"], ensure_ascii=False)


def _save(client: Any, objective: str, happened: str) -> Any:
    states = [
        ("happened", "value", happened),
        ("steps", "value", "Reforçar l'equip"),
        ("due", "value", "2023-12-31"),
        ("public", "value", ["1"]),
        ("target", "data", {"objective": objective, "period": str(LAST), "lang": "ca"}),
    ]
    return client.post(
        "/_dash-update-component",
        json={
            "output": "valoracio-message.children",
            "outputs": {"id": "valoracio-message", "property": "children"},
            "inputs": [{"id": "valoracio-save", "property": "n_clicks", "value": 1}],
            "state": [{"id": f"valoracio-{n}", "property": p, "value": v} for n, p, v in states],
            "changedPropIds": ["valoracio-save.n_clicks"],
        },
    )


def test_the_analysis_is_asked_for_written_and_rolled_up(
    clients: dict[str, Any], off_track: tuple[str, str], sample_url: str, plan: Plan
) -> None:
    code = off_track[0]
    lever = f"/palanca/{code[1]}"
    own_view = _page(clients["own"], f"/objectiu/{code}")
    assert "Valoració del trimestre" in own_view and MISSING in own_view
    assert "valoracio-save" in own_view  # the form, for the objective's own service
    for who in ("other", "viewer"):
        seen = _page(clients[who], f"/objectiu/{code}")
        assert MISSING in seen and "valoracio-save" not in seen
    assert "valoracions-missing" in _page(clients["viewer"], lever)

    assert _save(clients["viewer"], code, "No hi tinc accés").status_code == 403
    refused = json.dumps(_save(clients["other"], code, "Tampoc").get_json(), ensure_ascii=False)
    assert "Només la direcció o el servei responsable" in refused
    assert analyses.analyses_in_force(get_engine(sample_url)) == []

    answer = _save(clients["own"], code, "Hi ha hagut baixes a l'equip")
    assert "S'ha desat la valoració" in json.dumps(answer.get_json(), ensure_ascii=False)
    [stored] = analyses.analyses_in_force(get_engine(sample_url), str(LAST))
    assert (stored.objective, stored.author, stored.public) == (code, "own-tec", True)
    assert stored.due_by == dt.date(2023, 12, 31)

    seen = _page(clients["viewer"], f"/objectiu/{code}")
    assert "Hi ha hagut baixes a l'equip" in seen and MISSING not in seen
    rolled_up = _page(clients["viewer"], lever)
    assert "Hi ha hagut baixes a l'equip" in rolled_up
    assert f'"data-objective": "{code}"' in rolled_up
