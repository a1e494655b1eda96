"""What a Dash callback request (``POST /_dash-update-component``) may be, and whom it needs.

A request names the callback it wants (``output``) and sends its inputs and state in the
callback's order; Dash hands the values to the function *by position*. Nothing else the
client names is trusted: a request whose inputs or state do not carry the registered ids
and properties, in the registered order, is refused (400) before Dash sees it, so an input
relabelled to dodge a check can never reach a function. The roles a callback needs come from
its registered output and, for the pages router, from the page the router will draw.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

PAGES_CONTENT_ID = "_pages_content"
PAGES_LOCATION_ID = "_pages_location"
RoleLookup = Callable[[str], "frozenset[str] | None"]


def _is_pattern(component_id: Any) -> bool:
    """A pattern-matching id (``{"type": …, "service": ALL}``): Dash's callback map holds it
    as its JSON text."""
    return isinstance(component_id, dict) or (
        isinstance(component_id, str) and component_id.startswith("{")
    )


def _same_item(sent: Any, registered: Mapping[str, Any]) -> bool:
    if _is_pattern(registered.get("id")):  # a pattern-matching input: a list of items
        items = sent if isinstance(sent, list) else [sent]
        return all(isinstance(item, dict) and "property" in item for item in items)
    return (
        isinstance(sent, dict)
        and sent.get("id") == registered.get("id")
        and sent.get("property") == registered.get("property")
    )


def _same_items(sent: Any, registered: list[Mapping[str, Any]]) -> bool:
    return (
        isinstance(sent, list)
        and len(sent) == len(registered)
        and all(_same_item(item, spec) for item, spec in zip(sent, registered, strict=True))
    )


def malformed(payload: Any, callback_map: Mapping[str, Mapping[str, Any]]) -> str | None:
    """Why ``payload`` is not a request for one of the app's callbacks, or None if it is."""
    if not isinstance(payload, dict):
        return "not a JSON object"
    output = payload.get("output")
    spec = callback_map.get(output) if isinstance(output, str) else None
    if spec is None:
        return "unknown output"
    if not _same_items(payload.get("inputs"), list(spec.get("inputs", []))):
        return "inputs differ from the callback's"
    if not _same_items(payload.get("state", []), list(spec.get("state", []))):
        return "state differs from the callback's"
    outputs = payload.get("outputs", [])
    if not (
        isinstance(outputs, dict)
        or (isinstance(outputs, list) and all(isinstance(item, dict | list) for item in outputs))
    ):
        return "bad outputs"
    changed = payload.get("changedPropIds", [])
    if not isinstance(changed, list) or not all(isinstance(item, str) for item in changed):
        return "bad changedPropIds"
    if _pathname_index(spec) is not None and router_pathname(payload, spec) is None:
        return "the pathname is not text"
    return None


def _pathname_index(spec: Mapping[str, Any]) -> int | None:
    for index, item in enumerate(spec.get("inputs", [])):
        if item.get("id") == PAGES_LOCATION_ID and item.get("property") == "pathname":
            return index
    return None


def router_pathname(payload: Mapping[str, Any], spec: Mapping[str, Any]) -> str | None:
    """The pathname a callback reads from the page's location (the pages router draws that
    page): the value at the position of the registered pathname input, whatever the
    request calls it. None if the callback reads no pathname, or it is not text."""
    index = _pathname_index(spec)
    if index is None:
        return None
    value = payload["inputs"][index].get("value")
    return value if isinstance(value, str) else None


def callback_roles(
    payload: Mapping[str, Any],
    spec: Mapping[str, Any],
    prefixes: Mapping[str, frozenset[str]],
    roles_for_path: RoleLookup,
) -> set[str] | None:
    """Roles a well-formed callback request needs (None: any logged-in user)."""
    output = str(payload["output"])
    needed: set[str] | None = None
    for prefix, roles in prefixes.items():
        if prefix in output:
            needed = set(roles) if needed is None else needed & roles
    pathname = router_pathname(payload, spec) if PAGES_CONTENT_ID in output else None
    if pathname is not None:
        page_roles = roles_for_path(pathname)
        if page_roles is not None:
            needed = set(page_roles) if needed is None else needed & page_roles
    return needed
