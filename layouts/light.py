"""Light HTML elements for large tables: Dash's wire format written directly.

``el("Td", "3", className="num")`` is what ``html.Td("3", className="num").to_plotly_json()``
gives: the same element in the browser (same DOM, same accessibility), without building a
Dash component object (whose constructor validates every argument: about a hundred times
slower). Use it for the rows of big tables, where a page would otherwise build thousands of
components; keep Dash components for everything that has an ``id`` or a callback.
"""

from __future__ import annotations

from typing import Any

NAMESPACE = "dash_html_components"


def el(tag: str, children: Any = None, **props: Any) -> Any:  # Dash types know no dicts
    """An ``html.<tag>`` element as a plain dict (props are Dash's prop names: ``className``,
    ``scope``, ``colSpan``; dashed HTML attributes through ``**{"aria-label": ...}``)."""
    if children is not None:
        props["children"] = children
    return {"type": tag, "namespace": NAMESPACE, "props": props}


def link(children: Any, href: str, **props: Any) -> Any:
    """A ``dcc.Link`` (client-side navigation) as a plain dict."""
    return {
        "type": "Link",
        "namespace": "dash_core_components",
        "props": {"children": children, "href": href, **props},
    }
