"""The OpenAPI 3.1 contract of ``/api/v1`` (issue 19), generated, never written by hand.

Every operation of the API is registered here (:func:`register_operation`: path, method,
parameters, response model); ``web.api`` registers its routes *from* this registry, so the
document (:func:`openapi_document`, served at ``/api/v1/openapi.json``) and the routes cannot
drift. Schemas come from the same pydantic models the code answers with
(``indicators.reporting.api_models``, ``model_json_schema``), gathered under
``components/schemas`` and referred to with ``$ref``. ``/api/v1/docs`` renders the document
as a Catalan HTML page (server-side, the app's own style, no script, no CDN).

Other parts of the API (``POST /api/v1/submissions``) call::

    register_operation(
        "post", "/api/v1/submissions",
        operation_id="submitValues", summary="Deliver values", tag="submissions",
        response_model=SubmissionResult, status=201,
        request_body={"application/json": SubmissionPayload,
                      "multipart/form-data": {"type": "object", ...}},
        error_statuses=(400, 401, 403, 422), requires_token=True,
    )
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any

from jinja2 import Environment, FileSystemLoader, select_autoescape
from pydantic import BaseModel

from i18n import translator
from indicators.reporting.api_models import ApiError

API_PREFIX = "/api/v1"
OPENAPI_VERSION = "3.1.0"
API_VERSION = "1.0.0"
SCHEMA_REF = "#/components/schemas/"
ERROR_DESCRIPTIONS = {
    304: "Not modified (the ETag sent in If-None-Match still matches)",
    400: "Malformed request (e.g. a period that is not YYYY-Tn)",
    401: "The token sent is not valid (malformed, unknown, revoked or expired)",
    403: "The token does not allow this",
    404: "Not found (an unknown plan, or a quarter that is not published)",
    413: "The request is too large",
    422: "The content was read but refused by validation",
    429: "Too many requests: wait Retry-After seconds",
}
BodySchema = type[BaseModel] | Mapping[str, Any]


@dataclass(frozen=True)
class Parameter:
    """A parameter of an operation (``location``: ``query``, ``path`` or ``header``)."""

    name: str
    schema: Mapping[str, Any]
    description: str
    location: str = "query"
    required: bool = False

    def document(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "in": self.location,
            "required": self.required or self.location == "path",
            "description": self.description,
            "schema": dict(self.schema),
        }


@dataclass(frozen=True)
class Operation:
    """One operation of the API: what the document says and what the route serves."""

    method: str  # lower case: "get", "post"
    path: str  # OpenAPI template, e.g. "/api/v1/values"
    operation_id: str
    summary: str
    response_model: type[BaseModel] | None
    status: int = 200
    tag: str = "data"
    description: str = ""
    parameters: tuple[Parameter, ...] = ()
    request_body: Mapping[str, BodySchema] | None = None
    error_statuses: tuple[int, ...] = ()
    csv_columns: tuple[str, ...] | None = None  # the CSV answer's columns (``?format=csv``)
    media_type: str = "application/json"
    requires_token: bool = False
    extra_headers: Mapping[str, str] = field(default_factory=dict)

    @property
    def flask_rule(self) -> str:
        """The route's rule: ``{name}`` becomes ``<name>``."""
        return re.sub(r"\{(\w+)\}", r"<\1>", self.path)


_OPERATIONS: dict[tuple[str, str], Operation] = {}


def register_operation(
    method: str,
    path: str,
    *,
    operation_id: str,
    summary: str,
    response_model: type[BaseModel] | None,
    status: int = 200,
    tag: str = "data",
    description: str = "",
    parameters: Sequence[Parameter] = (),
    request_body: Mapping[str, BodySchema] | None = None,
    error_statuses: Sequence[int] = (),
    csv_columns: Sequence[str] | None = None,
    media_type: str = "application/json",
    requires_token: bool = False,
) -> Operation:
    """Add (or replace: same method and path) an operation of the API's contract and
    return it; the caller registers its Flask route with ``operation.flask_rule``.

    ``response_model`` is the pydantic model of the success answer (``status``; ``None`` for
    a body the document describes by ``media_type`` only); ``request_body`` maps a media
    type to a pydantic model or a JSON schema; ``error_statuses`` are answered with
    ``ApiError`` (429 and 500 are always listed)."""
    if not path.startswith(API_PREFIX + "/"):
        raise ValueError(f"an API operation lives under {API_PREFIX}/: {path!r}")
    operation = Operation(
        method=method.lower(),
        path=path,
        operation_id=operation_id,
        summary=summary,
        response_model=response_model,
        status=status,
        tag=tag,
        description=description,
        parameters=tuple(parameters),
        request_body=request_body,
        error_statuses=tuple(sorted(set(error_statuses) | {429})),
        csv_columns=tuple(csv_columns) if csv_columns is not None else None,
        media_type=media_type,
        requires_token=requires_token,
    )
    _OPERATIONS[(operation.method, operation.path)] = operation
    return operation


def operations() -> list[Operation]:
    """Every registered operation, by path then method."""
    return [_OPERATIONS[key] for key in sorted(_OPERATIONS, key=lambda k: (k[1], k[0]))]


# ---- the document --------------------------------------------------------------------------


class _Schemas:
    """``components/schemas``: each model's schema once, ``$ref`` everywhere else."""

    def __init__(self) -> None:
        self.components: dict[str, Any] = {}

    def ref(self, model: type[BaseModel]) -> dict[str, Any]:
        schema = model.model_json_schema(ref_template=SCHEMA_REF + "{model}", mode="serialization")
        for name, sub in schema.pop("$defs", {}).items():
            self.components.setdefault(name, sub)
        self.components.setdefault(model.__name__, schema)
        return {"$ref": SCHEMA_REF + model.__name__}

    def body(self, schema: BodySchema) -> dict[str, Any]:
        if isinstance(schema, type):
            return self.ref(schema)
        return dict(schema)


def _success(op: Operation, schemas: _Schemas) -> dict[str, Any]:
    content: dict[str, Any] = {}
    if op.response_model is not None:
        content[op.media_type] = {"schema": schemas.ref(op.response_model)}
    elif op.media_type.endswith("json"):
        content[op.media_type] = {"schema": {"type": "object"}}
    else:
        content[op.media_type] = {"schema": {"type": "string"}}
    if op.csv_columns is not None:
        content["text/csv"] = {
            "schema": {"type": "string", "description": "Columns: " + ", ".join(op.csv_columns)}
        }
    headers = {
        "ETag": {"schema": {"type": "string"}, "description": "Validator for If-None-Match"},
        "Cache-Control": {"schema": {"type": "string"}},
    }
    return {"description": "OK", "content": content, "headers": headers}


def _responses(op: Operation, schemas: _Schemas) -> dict[str, Any]:
    responses: dict[str, Any] = {str(op.status): _success(op, schemas)}
    error = {"application/json": {"schema": schemas.ref(ApiError)}}
    for code in op.error_statuses:
        answer: dict[str, Any] = {"description": ERROR_DESCRIPTIONS.get(code, "Error")}
        if code == 304:
            responses[str(code)] = answer
            continue
        answer["content"] = error
        if code == 429:
            answer["headers"] = {
                "Retry-After": {"schema": {"type": "integer"}, "description": "Seconds to wait"}
            }
        responses[str(code)] = answer
    return responses


def _operation_document(op: Operation, schemas: _Schemas) -> dict[str, Any]:
    doc: dict[str, Any] = {
        "operationId": op.operation_id,
        "summary": op.summary,
        "tags": [op.tag],
        "parameters": [p.document() for p in op.parameters],
        "responses": _responses(op, schemas),
    }
    if op.description:
        doc["description"] = op.description
    if op.request_body is not None:
        doc["requestBody"] = {
            "required": True,
            "content": {
                media: {"schema": schemas.body(schema)} for media, schema in op.request_body.items()
            },
        }
    doc["security"] = [{"bearerToken": []}] if op.requires_token else [{}, {"bearerToken": []}]
    return doc


def openapi_document(server_url: str = "/") -> dict[str, Any]:
    """The OpenAPI 3.1 document of every registered operation."""
    schemas = _Schemas()
    paths: dict[str, dict[str, Any]] = {}
    for op in operations():
        paths.setdefault(op.path, {})[op.method] = _operation_document(op, schemas)
    return {
        "openapi": OPENAPI_VERSION,
        "info": {
            "title": "Seguiment del Pla — API de dades obertes",
            "version": API_VERSION,
            "description": (
                "The published figures of the strategic plan of the Consorci d'Osona de Serveis "
                "Socials: without a token, what the public view shows; with a personal token, "
                "what its user may see in the app."
            ),
            "license": {"name": "CC BY 4.0", "identifier": "CC-BY-4.0"},
        },
        "servers": [{"url": server_url}],
        "paths": paths,
        "components": {
            "schemas": dict(sorted(schemas.components.items())),
            "securitySchemes": {
                "bearerToken": {
                    "type": "http",
                    "scheme": "bearer",
                    "description": "A personal API token (Authorization: Bearer <token>)",
                }
            },
        },
    }


# ---- the docs page ---------------------------------------------------------------------------

TEMPLATES = Path(__file__).parent / "templates" / "api"


@lru_cache(maxsize=1)
def _environment() -> Environment:
    return Environment(
        loader=FileSystemLoader(str(TEMPLATES)), autoescape=select_autoescape(default=True)
    )


def _type_text(prop: Mapping[str, Any]) -> str:
    if "$ref" in prop:
        return str(prop["$ref"]).removeprefix(SCHEMA_REF)
    if "anyOf" in prop:
        return " | ".join(_type_text(p) for p in prop["anyOf"])
    if prop.get("type") == "array":
        return "array[" + _type_text(prop.get("items", {})) + "]"
    if "enum" in prop:
        return " | ".join(str(v) for v in prop["enum"])
    if "const" in prop:
        return str(prop["const"])
    return str(prop.get("type", "any"))


def _schema_rows(schema: Mapping[str, Any]) -> list[dict[str, Any]]:
    """One row per property of a component schema: name, type, description."""
    required = set(schema.get("required", []))
    return [
        {
            "name": name,
            "kind": _type_text(prop),
            "description": str(prop.get("description", "")),
            "required": name in required,
        }
        for name, prop in schema.get("properties", {}).items()
    ]


def _operation_rows(document: Mapping[str, Any], t: Callable[[str], str]) -> list[dict[str, Any]]:
    rows = []
    for path, methods in document["paths"].items():
        for method, op in methods.items():
            rows.append(
                {
                    "method": method.upper(),
                    "path": path,
                    "summary": t(op["summary"]),
                    "description": op.get("description", ""),
                    "parameters": op["parameters"],
                    "responses": sorted(op["responses"]),
                    "anchor": op["operationId"],
                    "token": op["security"] == [{"bearerToken": []}],
                }
            )
    return rows


def render_docs(document: Mapping[str, Any], lang: str, licence: str = "") -> str:
    """The API's documentation page (HTML, in ``lang``) rendered from ``document``."""
    t: Callable[[str], str] = translator(lang)
    schemas = [
        {"name": name, "rows": _schema_rows(schema)}
        for name, schema in document["components"]["schemas"].items()
    ]
    template = _environment().get_template("docs.html")
    return template.render(
        lang=lang,
        t=t,
        prefix=API_PREFIX,
        licence=licence,
        operations=_operation_rows(document, t),
        schemas=schemas,
    )
