"""The security headers (web/headers.py): a Content-Security-Policy the pages work under,
no framing, the referrer kept on the site, device features denied, HSTS only in production
over HTTPS."""

from __future__ import annotations

import base64
import hashlib
import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

import dash
import pytest

from app import create_app
from tests.helpers.web_login import PASSWORD, login, make_user
from tests.web.web_app import web_settings


def directives(policy: str) -> dict[str, list[str]]:
    """``"a x y; b z"`` → ``{"a": ["x", "y"], "b": ["z"]}``."""
    parsed: dict[str, list[str]] = {}
    for part in policy.split(";"):
        words = part.split()
        if words:
            parsed[words[0]] = words[1:]
    return parsed


def sha256_source(text: str) -> str:
    return "'sha256-" + base64.b64encode(hashlib.sha256(text.encode()).digest()).decode() + "'"


def inline_scripts(page: str) -> list[str]:
    """The bodies of the page's inline scripts that a browser would run."""
    found = []
    for attributes, body in re.findall(r"<script([^>]*)>(.*?)</script>", page, flags=re.S):
        if "src=" in attributes or "application/json" in attributes:
            continue
        found.append(body)
    return found


def test_dash_pages_allow_only_their_own_inline_scripts(
    client_for: Callable[[str | None], Any],
) -> None:
    guest = client_for("guest")
    response = guest.get("/palanca/1")
    assert response.status_code == 200
    policy = directives(response.headers["Content-Security-Policy"])
    scripts = inline_scripts(response.get_data(as_text=True))
    assert scripts, "Dash's index page starts its renderer with an inline script"
    script_src = policy["script-src"]
    assert "'self'" in script_src
    for body in scripts:
        assert sha256_source(body) in script_src
    assert not {"'unsafe-inline'", "'unsafe-eval'", "*", "data:"} & set(script_src)
    assert policy["default-src"] == ["'self'"]
    assert policy["object-src"] == ["'none'"] and policy["frame-ancestors"] == ["'none'"]
    assert policy["base-uri"] == ["'self'"] and policy["form-action"] == ["'self'"]
    assert policy["connect-src"] == ["'self'"]


def test_own_pages_run_no_script_and_only_their_style(
    client_for: Callable[[str | None], Any],
) -> None:
    for path in ("/login", "/no-such-page"):
        response = client_for(None).get(path)
        page = response.get_data(as_text=True)
        policy = directives(response.headers["Content-Security-Policy"])
        assert "<script" not in page
        assert policy["default-src"] == ["'none'"] and "script-src" not in policy, path
        styles = re.findall(r"<style>(.*?)</style>", page, flags=re.S)
        assert styles and policy["style-src"] == [sha256_source(styles[0])], path
        assert policy["form-action"] == ["'self'"] and policy["frame-ancestors"] == ["'none'"]


def test_json_answers_and_files_get_the_empty_policy(
    client_for: Callable[[str | None], Any],
) -> None:
    guest = client_for("guest")
    for path in ("/_dash-layout", "/healthz", "/descarrega/valors?format=csv"):
        response = guest.get(path)
        assert response.status_code == 200, path
        policy = directives(response.headers["Content-Security-Policy"])
        assert policy["default-src"] == ["'none'"], path
        assert policy["frame-ancestors"] == ["'none'"], path


def test_every_answer_forbids_framing_sniffing_referrers_and_devices(
    client_for: Callable[[str | None], Any],
) -> None:
    anonymous, guest = client_for(None), client_for("guest")
    for client, path in (
        (anonymous, "/login"),
        (anonymous, "/_dash-layout"),
        (anonymous, "/palanca/1"),
        (guest, "/"),
        (guest, "/_dash-layout"),
        (guest, "/gestio"),
    ):
        headers = client.get(path).headers
        assert headers["X-Frame-Options"] == "DENY", path
        assert headers["X-Content-Type-Options"] == "nosniff", path
        assert headers["Referrer-Policy"] == "same-origin", path
        features = dict(
            item.strip().split("=", 1) for item in headers["Permissions-Policy"].split(",")
        )
        for feature in ("camera", "microphone", "geolocation", "payment", "usb"):
            assert features[feature] == "()", (path, feature)
        assert "fullscreen" not in features  # the board session goes full screen
        assert "Strict-Transport-Security" not in headers  # not production


@pytest.mark.parametrize(
    "environment, base_url, forwarded, expected",
    [
        ("production", "https://seguiment.example", None, True),
        ("production", "http://seguiment.example", None, False),
        ("production", "http://seguiment.example", "https", True),  # behind the proxy
        ("test", "https://seguiment.example", None, False),
    ],
)
def test_hsts_only_in_production_over_https(
    db_url: str,
    tmp_path: Path,
    environment: str,
    base_url: str,
    forwarded: str | None,
    expected: bool,
) -> None:
    app = create_app(
        web_settings(
            db_url, tmp_path, environment=environment, proxy_fix_hops=1 if forwarded else 0
        )
    )
    headers = {"X-Forwarded-Proto": forwarded} if forwarded else {}
    response = app.server.test_client().get("/login", base_url=base_url, headers=headers)
    assert response.status_code == 200
    hsts = response.headers.get("Strict-Transport-Security")
    assert (hsts is not None) is expected
    if hsts:
        assert int(re.search(r"max-age=(\d+)", hsts).group(1)) >= 180 * 24 * 3600  # type: ignore[union-attr]


def test_the_csp_follows_the_apps_inline_scripts(db_url: str, tmp_path: Path) -> None:
    """A clientside callback added to the app is allowed by its hash, nothing else is."""
    app = create_app(web_settings(db_url, tmp_path))
    app.clientside_callback(  # type: ignore[no-untyped-call]
        "function(x) { return x; }",
        dash.Output("page-lang-sink", "title"),
        dash.Input("page-lang-sink", "children"),
    )
    make_user(db_url, "guest", "consulta")
    client = app.server.test_client()
    login(client, "guest", PASSWORD)
    response = client.get("/")
    page = response.get_data(as_text=True)
    script_src = directives(response.headers["Content-Security-Policy"])["script-src"]
    bodies = inline_scripts(page)
    assert any("function(x) { return x; }" in body for body in bodies)
    assert sorted(script_src) == sorted({"'self'", *(sha256_source(b) for b in bodies)})
