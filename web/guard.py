"""The deny-by-default guard that runs before every request, and the role → page rules.

Every route except the login page, static assets and ``/healthz`` needs a logged-in user.
Without a session, a page of the app is redirected to ``/login`` and Dash's ``/_dash-*``
endpoints and JSON requests get 401; an address that is neither a route nor a page gets
404 (never Dash's index page). Pages and callbacks of restricted areas (``ROLE_PAGES``,
``ROLE_COMPONENT_PREFIXES``) answer 403 to other roles; a callback request that is not one
of the app's callbacks as registered answers 400 (``web.callbacks``). The restricted pages'
layouts refuse other roles themselves too (:func:`protect_pages`), whatever the router was
asked, and the callbacks check again (``require_role``).
"""

from __future__ import annotations

import logging
import re
from collections.abc import Callable, Mapping
from fnmatch import fnmatchcase
from typing import Any

import dash
from flask import Response, current_app, request

from web.callbacks import callback_roles, malformed
from web.csrf import refuse_forged_request
from web.responses import DASH_ENDPOINTS, forbidden, json_error, not_found, unauthenticated
from web.users import DIRECTOR, UPLOADERS, current_account, require_role

log = logging.getLogger("seguiment.auth")

PUBLIC_PREFIXES = (
    "/_dash-component-suites/",
    "/assets/",
    "/login",
    "/healthz",
    "/_favicon.ico",
    "/favicon.ico",
)
# areas without login (issue 19): the public view and the open-data API; each answers its
# own 404 for an address of its own it does not know (never Dash's index page), and the API
# checks its tokens itself
OPEN_AREAS = ("/public", "/api/v1")
CATCH_ALL_RULE = "/<path:path>"  # Dash's: every other address is its index page
DASH_APP_KEY = "seguiment_dash_app"
# pages and the roles that may open them (everything else: any logged-in user)
ROLE_PAGES: dict[str, frozenset[str]] = {
    "/enviar": UPLOADERS,
    "/gestio": DIRECTOR,
    "/usuaris": DIRECTOR,
    "/auditoria": DIRECTOR,
    "/descarrega/plantilla": UPLOADERS,
    "/descarrega/lliurament": UPLOADERS,
}
# component id prefixes of restricted pages: their callbacks need the same roles
ROLE_COMPONENT_PREFIXES: dict[str, frozenset[str]] = {
    "enviar-": UPLOADERS,
    "gestio-": DIRECTOR,
    "usuaris-": DIRECTOR,
    "auditoria-": DIRECTOR,
    "lliuraments-remind": DIRECTOR,  # the button that sends the reminders
    "decisio-": DIRECTOR,  # a milestone decision (accounts.milestone_decisions refuses too)
    "evidencia-": UPLOADERS,  # evidence attachments (accounts.evidence refuses too)
}


def normalise_path(path: str) -> str:
    """``//enviar/`` → ``/enviar`` (how Dash's page router reads a pathname)."""
    return "/" + "/".join(part for part in path.split("/") if part)


def is_open_path(path: str) -> bool:
    """Whether ``path`` is in an area without login (``OPEN_AREAS``: the area itself or
    under it; ``/publicitat`` is not ``/public``)."""
    return any(path == area or path.startswith(area + "/") for area in OPEN_AREAS)


def roles_for_path(path: str) -> frozenset[str] | None:
    """The roles that may open ``path`` (None: any logged-in user)."""
    norm = normalise_path(path)
    for prefix, roles in ROLE_PAGES.items():
        if norm == prefix or norm.startswith(prefix + "/"):
            return roles
    return None


def role_allows_path(role: str | None, path: str) -> bool:
    roles = roles_for_path(path)
    return roles is None or role in roles


def is_page_path(path: str) -> bool:
    """Whether the pages router draws one of the app's pages at ``path``."""
    norm = normalise_path(path).strip("/")
    for registered in dash.page_registry.values():
        template = registered.get("path_template")
        if template and fnmatchcase(norm, re.sub("<.*?>", "*", template.strip("/"))):
            return True
        if norm == str(registered.get("path", "")).strip("/"):
            return True
    return False


def _is_known_address() -> bool:
    """A route of the server, one of Dash's endpoints (whatever the method) or a page."""
    rule = request.url_rule
    if request.path.startswith(DASH_ENDPOINTS):
        return True
    return rule is not None and (rule.rule != CATCH_ALL_RULE or is_page_path(request.path))


def _callback_map() -> Mapping[str, Mapping[str, Any]]:
    callbacks: Mapping[str, Mapping[str, Any]] = current_app.extensions[DASH_APP_KEY].callback_map
    return callbacks


def _refuse_callback(role: str) -> Response | None:
    payload = request.get_json(silent=True)
    callbacks = _callback_map()
    problem = malformed(payload, callbacks)
    if problem is not None:
        log.warning(
            "refused a malformed callback request (%s) from %s", problem, request.remote_addr
        )
        return json_error(400, "bad_request", "Malformed callback request.")
    assert isinstance(payload, dict)  # (malformed() said so)
    needed = callback_roles(
        payload, callbacks[payload["output"]], ROLE_COMPONENT_PREFIXES, roles_for_path
    )
    if needed is not None and role not in needed:
        return forbidden()
    return None


def guard() -> Response | None:
    """The before-request hook: CSRF, login, roles (see the module docstring)."""
    refused = refuse_forged_request()
    if refused is not None:
        return refused
    path = request.path
    if (
        path.startswith(PUBLIC_PREFIXES)
        or is_open_path(path)
        or request.routing_exception is not None
    ):
        return None  # nothing of ours runs: a file, the login form, or Flask's 404/405
    info = current_account()
    if info is None:
        return unauthenticated() if _is_known_address() else not_found()
    if not role_allows_path(info.role, path):
        return forbidden()
    if path.endswith("/_dash-update-component"):
        return _refuse_callback(info.role)
    return None


def mark_unknown_pages(response: Response) -> Response:
    """Dash answers every other address with its index page (the app draws its 404 page
    there): say 404 in the status too."""
    if (
        request.url_rule is not None
        and request.url_rule.rule == CATCH_ALL_RULE
        and response.status_code == 200
        and not is_page_path(request.path)
    ):
        response.status_code = 404
    return response


def _protected(layout: Callable[..., Any], roles: frozenset[str]) -> Callable[..., Any]:
    def layout_for_roles(*args: Any, **kwargs: Any) -> Any:
        require_role(*roles)
        return layout(*args, **kwargs)

    layout_for_roles.__wrapped__ = layout  # type: ignore[attr-defined]
    return layout_for_roles


def protect_pages() -> None:
    """Make each restricted page's layout refuse (403) an account without the page's roles,
    by the page's registered path: whatever pathname the router was sent, the page it draws
    decides."""
    for registered in dash.page_registry.values():
        roles = roles_for_path(str(registered.get("path", "")))
        layout = registered.get("layout")
        if roles is not None and callable(layout) and not hasattr(layout, "__wrapped__"):
            registered["layout"] = _protected(layout, roles)
