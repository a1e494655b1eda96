"""Assignments and locks show at once: a changed technician's services or a locked quarter
bump the data generation, so the cached ``/enviar`` page is drawn again without an import
(issue 13)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from sqlalchemy import Engine

from accounts import approvals, users
from indicators.storage.cache import current_generation
from indicators.storage.engine import get_engine

ROUTER_OUTPUT = ".._pages_content.children..._pages_store.data.."


def render(client: Any, path: str) -> str:
    """The pages router's answer for ``path``, as the browser asks for it."""
    body = {
        "output": ROUTER_OUTPUT,
        "outputs": [
            {"id": "_pages_content", "property": "children"},
            {"id": "_pages_store", "property": "data"},
        ],
        "inputs": [
            {"id": "_pages_location", "property": "pathname", "value": path},
            {"id": "_pages_location", "property": "search", "value": ""},
        ],
        "state": [],
        "changedPropIds": ["_pages_location.pathname"],
    }
    response = client.post("/_dash-update-component", json=body)
    assert response.status_code == 200, response.status_code
    return str(response.get_data(as_text=True))


def test_a_new_service_is_offered_on_the_next_render(
    client_for: Callable[[str | None], Any], db_url: str
) -> None:
    tec = client_for("tec")
    before = render(tec, "/enviar")
    assert "SBAS-VIC" not in before
    users.set_services(get_engine(db_url), "tec", ["SIS", "SBAS-VIC"])
    assert "SBAS-VIC" in render(tec, "/enviar")


def test_locking_a_quarter_bumps_the_generation(engine: Engine) -> None:
    users.create_user(engine, "cap", "longenough", "director")
    before = current_generation(engine)
    assert approvals.lock_period(engine, "2026-T1", by="cap", reason="test")
    after_lock = current_generation(engine)
    assert approvals.reopen_period(engine, "2026-T1", by="cap")
    assert before < after_lock < current_generation(engine)
