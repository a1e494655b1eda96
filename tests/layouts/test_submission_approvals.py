"""``/lliuraments`` shows each submission's approval state (who validated it, who accepted it)
and which quarters are locked, read through the read model (issue 16), and an approval shows
at once although the page is cached (it bumps the data generation)."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import dash
import pytest
from dash import Dash

from accounts import approvals, roles, users
from app import create_app
from indicators.reporting import dashboard_data
from indicators.storage.engine import get_engine
from indicators.storage.migrate import upgrade
from plan_model.models import Plan
from plan_model.periods import Period, period_range
from settings import Settings
from tests.helpers.dash_sample import load_sample
from tests.helpers.web_login import login, make_user

LAST = Period(2023, 2)
QUARTER = "2023-T1"


@pytest.fixture()
def sample_url(tmp_path: Path, plan: Plan) -> str:
    url = f"sqlite:///{tmp_path / 'approvals.db'}"
    upgrade(url)
    load_sample(get_engine(url), plan, period_range(Period(2022, 1), LAST))
    return url


@pytest.fixture()
def client(sample_url: str) -> Iterator[Any]:
    dashboard_data.clear_caches()
    app: Dash = create_app(
        Settings(database_url=sample_url, environment="test", secret_key="s" * 32)
    )
    test_client = app.server.test_client()
    login(test_client, *make_user(sample_url, username="directora", role="director"))
    yield test_client
    dashboard_data.clear_caches()


def _page(client: Any, search: str) -> dict[str, Any]:
    """``/lliuraments`` as the pages router sends it to the browser."""
    app = dash.get_app()  # type: ignore[no-untyped-call]  # dash is untyped
    output = next(k for k in app.callback_map if "_pages_content.children" in k)
    body = {
        "output": output,
        "outputs": [
            {"id": "_pages_content", "property": "children"},
            {"id": "_pages_store", "property": "data"},
        ],
        "inputs": [
            {"id": "_pages_location", "property": "pathname", "value": "/lliuraments"},
            {"id": "_pages_location", "property": "search", "value": search},
        ],
        "changedPropIds": ["_pages_location.pathname"],
        "state": [],
    }
    response = client.post("/_dash-update-component", json=body)
    assert response.status_code == 200
    content = response.get_json()["response"]["_pages_content"]["children"]
    assert isinstance(content, dict)
    return content


def _elements(node: Any, tag: str) -> Iterator[dict[str, Any]]:
    """Every element ``tag`` of a page tree (Dash's wire format), depth first."""
    if isinstance(node, list):
        for child in node:
            yield from _elements(child, tag)
    elif isinstance(node, dict):
        if node.get("type") == tag:
            yield node
        yield from _elements(node.get("props", {}).get("children"), tag)


def _text(node: Any) -> str:
    return json.dumps(node, ensure_ascii=False)


def _matrix(page: dict[str, Any]) -> dict[str, Any]:
    return next(t for t in _elements(page, "Table") if "matrix" in t["props"]["className"])


def _headers(page: dict[str, Any]) -> dict[str, str]:
    """The quarters' column headers as {quarter: the header's text}."""
    out: dict[str, str] = {}
    for th in list(_elements(next(_elements(_matrix(page), "Thead")), "Th"))[1:]:
        children = th["props"]["children"]
        out[children if isinstance(children, str) else children[0]] = _text(th)
    return out


def _matrix_cells(page: dict[str, Any]) -> dict[tuple[str, str], str]:
    """The matrix as {(service, quarter): the cell's text}."""
    quarters = list(_headers(page))
    cells: dict[tuple[str, str], str] = {}
    for row in _elements(next(_elements(_matrix(page), "Tbody")), "Tr"):
        service = next(_elements(row, "Span"))["props"]["children"]
        for quarter, cell in zip(quarters, _elements(row, "Td"), strict=True):
            cells[(service, quarter)] = _text(cell)
    return cells


def test_each_submission_says_who_validated_and_who_accepted_it(
    client: Any, plan: Plan, sample_url: str
) -> None:
    engine = get_engine(sample_url)
    first, second, third = (s.code for s in plan.services[:3])
    users.create_user(engine, "cap-a", "longenough", roles.HEAD, [first])
    users.create_user(engine, "cap-b", "longenough", roles.HEAD, [second])
    before = _matrix_cells(_page(client, "?t=2023-T2"))
    assert "Validat per" not in before[(first, QUARTER)]  # nothing approved yet
    assert "Pendent de validar pel responsable" in before[(first, QUARTER)]

    approvals.validate(engine, first, QUARTER, by="cap-a")
    approvals.approve(engine, first, QUARTER, by="directora")
    approvals.validate(engine, second, QUARTER, by="cap-b")

    # the page is cached per data generation: the approvals show at once all the same
    cells = _matrix_cells(_page(client, "?t=2023-T2"))
    assert "Validat per cap-a" in cells[(first, QUARTER)]
    assert "Acceptat per directora" in cells[(first, QUARTER)]
    assert "Validat per cap-b: pendent d'acceptar" in cells[(second, QUARTER)]
    assert "Acceptat" not in cells[(second, QUARTER)]
    # a service without a head waits for the direction only (issue 17: accepted directly)
    assert "Pendent d'acceptar per la direcció" in cells[(third, QUARTER)]
    assert "Validat per" not in cells[(first, "2023-T2")]  # another quarter, not approved

    spanish = _matrix_cells(_page(client, "?t=2023-T2&lang=es"))
    assert "Validado por cap-a" in spanish[(first, QUARTER)]


def test_a_locked_quarter_is_marked_in_its_column(client: Any, sample_url: str) -> None:
    assert "tancat" not in _headers(_page(client, "?t=2023-T2"))[QUARTER]
    approvals.lock_period(get_engine(sample_url), QUARTER, by="directora", reason="tancament")
    headers = _headers(_page(client, "?t=2023-T2"))
    assert "tancat" in headers[QUARTER] and "lock-sign is-locked" in headers[QUARTER]
    assert "tancat" not in headers["2023-T2"]


def _objective_page(client: Any, code: str, search: str) -> Any:
    app = dash.get_app()  # type: ignore[no-untyped-call]  # dash is untyped
    output = next(k for k in app.callback_map if "_pages_content.children" in k)
    body = {
        "output": output,
        "outputs": [
            {"id": "_pages_content", "property": "children"},
            {"id": "_pages_store", "property": "data"},
        ],
        "inputs": [
            {"id": "_pages_location", "property": "pathname", "value": f"/objectiu/{code}"},
            {"id": "_pages_location", "property": "search", "value": search},
        ],
        "changedPropIds": ["_pages_location.pathname"],
        "state": [],
    }
    response = client.post("/_dash-update-component", json=body)
    assert response.status_code == 200
    return response.get_json()["response"]["_pages_content"]["children"]


def test_the_provenance_table_says_who_approved_each_quarter(
    client: Any, plan: Plan, sample_url: str
) -> None:
    """Issue 16: the approval state is visible in each value's provenance table too."""
    engine = get_engine(sample_url)
    indicator = next(i for i in plan.catalog.indicators if not i.is_milestone)
    service, objective = indicator.responsible_service, indicator.objective_code
    users.create_user(engine, "cap-p", "longenough", roles.HEAD, [service])
    approvals.validate(engine, service, QUARTER, by="cap-p")
    approvals.approve(engine, service, QUARTER, by="directora")
    approvals.lock_period(engine, QUARTER, by="directora", reason="test")
    page = _objective_page(client, objective, "?t=2023-T2")
    table = next(t for t in _elements(page, "Table") if "provenance" in t["props"]["className"])
    rows = {
        next(_elements(row, "Th"))["props"]["children"]: _text(row)
        for row in _elements(next(_elements(table, "Tbody")), "Tr")
    }
    assert "Validat per cap-p" in rows[QUARTER] and "Acceptat per directora" in rows[QUARTER]
    assert "lock-sign is-locked" in rows[QUARTER]
    assert "Acceptat per" not in rows["2023-T2"]  # the next quarter, not approved
