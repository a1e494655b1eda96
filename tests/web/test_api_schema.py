"""Property-based tests of the read API against its own OpenAPI document (issue 19):
schemathesis reads ``/api/v1/openapi.json`` from the app (through WSGI) and, for every
operation, generates requests from the document: no answer is a 5xx and every answer
conforms to the document (status code, content type, headers, body schema).

One SQLite database with the planted data of ``test_api_fixtures`` for the whole module
(the figures are the same on PostgreSQL: ``test_api.py`` runs on both)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings

from app import create_app
from indicators.storage.engine import get_engine
from indicators.storage.migrate import upgrade
from plan_model.loader import load_plan
from tests.conftest import PLAN_PATH
from tests.web.test_api_fixtures import plant
from tests.web.web_app import web_settings
from web.api import ENDPOINTS


@pytest.fixture(scope="module")
def api_schema(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Any]:
    folder: Path = tmp_path_factory.mktemp("api_schema")
    url = f"sqlite:///{folder / 'api.db'}"
    upgrade(url)
    plant(get_engine(url), load_plan(PLAN_PATH))
    app = create_app(web_settings(url, folder, api_rate_limit_per_minute=1_000_000))
    yield schemathesis.openapi.from_wsgi("/api/v1/openapi.json", app.server)
    get_engine(url).dispose()


PATHS = ["/api/v1" + path for path, _view, _spec in ENDPOINTS]
# invalid requests only where there is something to get wrong: the operations' parameters
CASES = [(path, schemathesis.GenerationMode.POSITIVE) for path in PATHS] + [
    ("/api/v1" + path, schemathesis.GenerationMode.NEGATIVE)
    for path, _view, spec in ENDPOINTS
    if spec.get("parameters")
]


@pytest.mark.parametrize(("path", "mode"), CASES)
def test_every_answer_conforms_to_the_document(
    api_schema: Any, path: str, mode: schemathesis.GenerationMode
) -> None:
    """Valid requests (``positive``) and invalid ones (``negative``: they must be refused
    with a 4xx, never a 5xx)."""
    operation = api_schema[path]["GET"]
    seen: list[int] = []

    @given(case=operation.as_strategy(generation_mode=mode))
    @settings(
        max_examples=8,
        deadline=None,
        suppress_health_check=list(HealthCheck),
        derandomize=True,
        database=None,
    )
    def check(case: Any) -> None:
        response = case.call_and_validate(headers={"Accept-Encoding": "identity"})
        assert response.status_code < 500
        seen.append(response.status_code)

    check()
    assert seen  # examples ran


def test_the_document_lists_every_route(api_schema: Any) -> None:
    assert set(PATHS) <= set(api_schema.raw_schema["paths"])
    assert api_schema.raw_schema["openapi"] == "3.1.0"
