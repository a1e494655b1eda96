"""«Claus d'accés a l'API» (``/claus``, issue 19) through Flask's test client, on SQLite and
PostgreSQL: any signed-in account opens it (and finds it in the account bar); a key is made
and shown once (with a copy button and the warning), listed without its secret, revoked by its
owner or a director; a reader may only make read keys; crafted requests are refused."""

from __future__ import annotations

import json
from typing import Any

import dash

from accounts import tokens
from i18n import gettext
from indicators.storage.engine import get_engine
from layouts.account_bar import USER_LINKS
from tests.layouts.test_security import (
    app,
    call,
    callback_key,
    client_for,
    pages_body,
)

__all__ = ["app"]  # the fixture
REVOKE = "claus-revoke"  # layouts.pages.tokens.REVOKE (a page module: imported by the app)


def _page(client: Any) -> str:
    response = client.post("/_dash-update-component", json=pages_body("/claus"))
    assert response.status_code == 200, response.data[:300]
    return str(response.get_data(as_text=True))


def _create(
    client: Any, app: dash.Dash, name: object, scope: object, days: object, status: int = 200
) -> dict[str, Any]:
    key = callback_key(app, "claus-new", "claus-create.n_clicks")
    values = {
        "claus-create.n_clicks": 1,
        "claus-name.value": name,
        "claus-scope.value": scope,
        "claus-days.value": days,
        "claus-version.data": 0,
        "page-lang.data": "ca",
    }
    response = call(client, app, key, values, "claus-create.n_clicks")
    assert response.status_code == status, response.data[:300]
    return response.get_json()["response"] if status == 200 else {}


def _listed(client: Any, app: dash.Dash) -> str:
    key = callback_key(app, "claus-list", "claus-version.data")
    response = call(client, app, key, {"claus-version.data": 1, "page-lang.data": "ca"})
    assert response.status_code == 200, response.data[:300]
    return json.dumps(response.get_json()["response"], ensure_ascii=False)


def _revoke(client: Any, app: dash.Dash, token_id: object, status: int = 200) -> Any:
    key = callback_key(app, "claus-message", None)
    ident = {"token": token_id, "type": REVOKE}
    body = {
        "output": key,
        "outputs": [
            {"id": "claus-message", "property": "children"},
            {"id": "claus-version", "property": "data"},
        ],
        "inputs": [[{"id": ident, "property": "n_clicks", "value": 1}]],
        "state": [
            {"id": "claus-version", "property": "data", "value": 0},
            {"id": "page-lang", "property": "data", "value": "ca"},
        ],
        "changedPropIds": [json.dumps(ident, sort_keys=True, separators=(",", ":")) + ".n_clicks"],
    }
    response = client.post("/_dash-update-component", json=body)
    assert response.status_code == status, response.data[:300]
    return response.get_json()["response"] if status == 200 else None


def _find(tree: Any, wanted: str, key: str = "id") -> dict[str, Any] | None:
    """The first component of a Dash JSON tree whose ``id`` (or ``type``) is ``wanted``."""
    if isinstance(tree, list):
        for item in tree:
            found = _find(item, wanted, key)
            if found is not None:
                return found
        return None
    if not isinstance(tree, dict):
        return None
    props = tree.get("props", {})
    if (props.get("id") if key == "id" else tree.get("type")) == wanted:
        return tree
    return _find(props.get("children"), wanted, key)


def test_every_account_opens_the_page_and_finds_it_in_the_account_bar(app: dash.Dash) -> None:
    assert ("/claus", "API access keys") in [(path, label) for path, label, _r in USER_LINKS]
    title = gettext("API access keys", "ca")
    assert title == "Claus d'accés a l'API"
    for user in ("boss", "tec", "guest"):
        text = _page(client_for(app, user))
        assert json.dumps(title)[1:-1] in text or title in text
        assert "claus-create" in text and "claus-list" in text
    anonymous = client_for(app, None).post("/_dash-update-component", json=pages_body("/claus"))
    assert anonymous.status_code in (401, 403) and b"claus-create" not in anonymous.data


def test_a_key_is_shown_once_listed_without_its_secret_and_revoked(
    app: dash.Dash, db_url: str
) -> None:
    tec = client_for(app, "tec")
    made = _create(tec, app, "Exportació SIS", "submit", 30)
    shown = json.dumps(made["claus-new"]["children"], ensure_ascii=False)
    assert made["claus-version"]["data"] == 1
    engine = get_engine(db_url)
    (info,) = tokens.visible_tokens(engine, viewer="tec")
    secret = _find(made["claus-new"]["children"], "claus-secret")
    assert secret is not None and _find(made["claus-new"]["children"], "Clipboard", "type")
    text = str(secret["props"]["children"])
    assert text.startswith(f"sdp_{info.prefix}_")
    assert gettext("Copy the key now: it will not be shown again.", "ca") in shown
    assert tokens.authenticate(engine, text).username == "tec"
    listed = _listed(tec, app)
    assert "Exportació SIS" in listed and f"sdp_{info.prefix}_…" in listed
    assert text not in listed  # never again
    assert "✔ " + gettext("Active", "ca") in listed
    answer = _revoke(tec, app, info.id)
    assert "està revocada" in json.dumps(answer, ensure_ascii=False)
    after = _listed(tec, app)
    assert "✖ " in after and gettext("Revoke", "ca") + '"' not in after.split("claus-table")[-1]
    again = _revoke(tec, app, info.id)
    assert "ja estava revocada" in json.dumps(again, ensure_ascii=False)


def test_a_director_sees_everybodys_keys_and_revokes_any(app: dash.Dash, db_url: str) -> None:
    engine = get_engine(db_url)
    theirs = tokens.create_token(
        engine, user="tec", name="Del tècnic", scope="read", days=5, by="tec"
    )
    boss = client_for(app, "boss")
    listed = _listed(boss, app)
    assert "Del tècnic" in listed and '"tec"' in listed  # with the user's column
    assert "Del tècnic" not in _listed(client_for(app, "guest"), app)
    _revoke(boss, app, theirs.info.id)
    info = tokens.visible_tokens(engine, viewer="boss")[0]
    assert info.revoked_by == "boss"


def test_someone_elses_key_cannot_be_revoked(app: dash.Dash, db_url: str) -> None:
    engine = get_engine(db_url)
    theirs = tokens.create_token(engine, user="tec", name="x", scope="read", days=5, by="tec")
    answer = _revoke(client_for(app, "guest"), app, theirs.info.id)
    assert gettext("No such token: {id}.", "ca", id=theirs.info.id) in json.dumps(
        answer, ensure_ascii=False
    )
    assert tokens.visible_tokens(engine, viewer="boss")[0].revoked_at is None
    for crafted in ("1", None, True, [1]):
        response = _revoke(client_for(app, "guest"), app, crafted)
        assert response is None or "claus-revoked" not in json.dumps(response)


def test_a_reader_makes_read_keys_only_and_bad_requests_are_refused(
    app: dash.Dash, db_url: str
) -> None:
    guest = client_for(app, "guest")
    assert '"submit"' not in _page(guest)  # the form does not offer it
    refused = _create(guest, app, "x", "submit", 30)
    assert "claus-refused" in json.dumps(refused)
    for name, scope, days in (
        ("", "read", 30),
        ("x", "read", 0),
        ("x", "read", 366),
        ("x", "read", "molts"),
        ("x", "read", 2.5),
        ({"a": 1}, "read", 30),
        ("x", ["read"], 30),
        ("x" * 500, "read", 30),
    ):
        answer = _create(guest, app, name, scope, days)
        assert "claus-refused" in json.dumps(answer), (name, scope, days)
    assert tokens.visible_tokens(get_engine(db_url), viewer="guest") == []
    made = _create(guest, app, "Lectura", "read", "7")
    assert "claus-created" in json.dumps(made)
