"""Roles on pages decided by the server alone (web/guard.py, web/callbacks.py): the pages
router's request cannot be relabelled to reach a restricted page, every restricted page
refuses other roles with 403 (never a 500), whatever way it is reached."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import dash
import pytest
from flask_login import login_user
from werkzeug.exceptions import Forbidden

from accounts import users
from indicators.storage.engine import get_engine
from tests.helpers.web_login import PASSWORD, login, make_user
from web.guard import ROLE_PAGES
from web.users import WebUser

ROUTER_OUTPUT = ".._pages_content.children..._pages_store.data.."
RESTRICTED_PAGES = {
    path: roles for path, roles in ROLE_PAGES.items() if not path.startswith("/descarrega")
}
RESTRICTED_IDS = ("gestio-", "usuaris-", "auditoria-", "enviar-")


def router_body(inputs: list[dict[str, Any]]) -> dict[str, Any]:
    return {
        "output": ROUTER_OUTPUT,
        "outputs": [
            {"id": "_pages_content", "property": "children"},
            {"id": "_pages_store", "property": "data"},
        ],
        "inputs": inputs,
        "state": [],
        "changedPropIds": [f"{inputs[0]['id']}.{inputs[0]['property']}"],
    }


def relabelled(pathname: str) -> list[list[dict[str, Any]]]:
    """Requests for ``pathname`` whose inputs do not name the router's pathname input."""
    search = {"id": "_pages_location", "property": "search", "value": ""}
    return [
        [{"id": "x", "property": "pathname", "value": pathname}, search],
        [{"id": "_pages_location", "property": "hash", "value": pathname}, search],
        [{"id": "_pages_location", "property": "pathname ", "value": pathname}, search],
        [{"id": {"type": "_pages_location"}, "property": "pathname", "value": pathname}, search],
        [
            {"id": "_pages_location", "property": "search", "value": pathname},
            {"id": "_pages_location", "property": "pathname", "value": "/"},
        ],
        [{"id": "_pages_location", "property": "pathname", "value": pathname}],
        [{"id": "_pages_location", "property": "pathname", "value": pathname}, search, search],
    ]


@pytest.mark.parametrize("path", sorted(RESTRICTED_PAGES))
def test_a_relabelled_router_input_never_reaches_a_restricted_page(
    client_for: Callable[[str | None], Any], path: str
) -> None:
    guest = client_for("guest")
    for inputs in relabelled(path):
        response = guest.post("/_dash-update-component", json=router_body(inputs))
        assert response.status_code in (400, 403), (inputs, response.status_code)
        assert not any(marker.encode() in response.data for marker in RESTRICTED_IDS)
    # the well-formed request is refused by the role, as a 403
    proper = [
        {"id": "_pages_location", "property": "pathname", "value": path},
        {"id": "_pages_location", "property": "search", "value": ""},
    ]
    response = guest.post("/_dash-update-component", json=router_body(proper))
    assert response.status_code == 403
    assert response.get_json()["error"] == "forbidden"


def test_restricted_pages_refuse_other_roles_inside_their_layout(
    web_app: dash.Dash, db_url: str
) -> None:
    """Even called without the guard (as the router does), each restricted page's layout
    refuses an account of another role with a 403, and draws itself for an allowed one."""
    engine = get_engine(db_url)
    guest, boss = users.get_user(engine, "guest"), users.get_user(engine, "boss")
    assert guest is not None and boss is not None
    layouts = {page["path"]: page["layout"] for page in dash.page_registry.values()}
    assert set(RESTRICTED_PAGES) <= set(layouts)
    for path in RESTRICTED_PAGES:
        with web_app.server.test_request_context(path):
            login_user(WebUser(guest))
            with pytest.raises(Forbidden):
                layouts[path]()
        with web_app.server.test_request_context(path):
            login_user(WebUser(boss))
            assert layouts[path]() is not None


@pytest.mark.parametrize("username", ["boss", "tec", "guest", "lonely"])
def test_every_page_answers_its_page_or_403_never_500(
    web_app: dash.Dash, db_url: str, username: str
) -> None:
    make_user(db_url, "lonely", "tecnic")  # a technician without services yet
    client = web_app.server.test_client()
    login(client, username, PASSWORD)
    role = users.get_user(get_engine(db_url), username).role  # type: ignore[union-attr]
    for page in dash.page_registry.values():
        path = str(page["path"])
        proper = [
            {"id": "_pages_location", "property": "pathname", "value": path},
            {"id": "_pages_location", "property": "search", "value": ""},
        ]
        response = client.post("/_dash-update-component", json=router_body(proper))
        allowed = role in RESTRICTED_PAGES.get(path, frozenset({role}))
        assert response.status_code == (200 if allowed else 403), (path, response.data[:300])
        if allowed:
            assert "Traceback" not in json.dumps(response.get_json())
