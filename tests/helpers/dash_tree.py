"""Dash pages read without a browser, typed: a component's properties, a tree as JSON text,
the page the router picks for a path, and the running app.

Dash's own functions for these are untyped; each is called here once, so the page tests stay
strictly typed.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import dash
from dash import Dash
from dash._utils import to_json
from dash.development.base_component import Component


def props(component: Component) -> dict[str, Any]:
    """The properties set on ``component``, as the browser receives them (JSON values)."""
    data = component.to_plotly_json()  # type: ignore[no-untyped-call]  # dash is untyped
    assert isinstance(data, dict)
    found = data["props"]
    assert isinstance(found, dict)
    return found


def tree_json(component: Component) -> str:
    """The component tree as the JSON text a page sends, non-ASCII characters kept."""
    text = to_json(component)  # type: ignore[no-untyped-call]  # dash is untyped
    assert isinstance(text, str)
    return json.dumps(json.loads(text), ensure_ascii=False)


def walk(component: object) -> Iterator[Component]:
    """Every Dash component of a tree, the root first, depth first (text is skipped)."""
    if not isinstance(component, Component):
        return
    yield component
    children = getattr(component, "children", None)
    if isinstance(children, list | tuple):
        for child in children:
            yield from walk(child)
    else:
        yield from walk(children)


def page_for(path: str) -> tuple[dict[str, Any] | None, dict[str, str]]:
    """The registered page the pages router shows at ``path`` (None: none matches), with the
    variables of its path template."""
    page, variables = dash._pages._path_to_page(path.strip("/"))  # type: ignore[no-untyped-call]
    assert isinstance(page, dict)
    return (page or None), dict(variables or {})


def current_app() -> Dash:
    """The Dash app of this process (the last one created)."""
    app = dash.get_app()  # type: ignore[no-untyped-call]  # dash is untyped
    assert isinstance(app, Dash)
    return app
