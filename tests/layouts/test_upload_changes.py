"""The upload check panel lists what the file changes and bounds the error list (issue 13)."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import dash
import plotly
import pytest

from app import create_app
from i18n import translator
from indicators.intake.changes import Change
from indicators.intake.importer import ImportResult
from indicators.intake.issues import Issue, IssueList
from indicators.storage.records import ParsedValue
from plan_model.models import Plan
from settings import Settings


@pytest.fixture
def app(tmp_path: Path) -> Iterator[dash.Dash]:
    settings = Settings(
        database_url=f"sqlite:///{tmp_path / 'app.db'}",
        environment="test",
        secret_key="test-secret-key-0123456789abcdef",
        upload_dir=tmp_path / "uploads",
        demo_dir=tmp_path / "demo",
    )
    yield create_app(settings)


def _panel(result: ImportResult, app: dash.Dash | None = None, lang: str = "ca") -> Any:
    from layouts.pages.upload import _result_panel

    assert app is not None
    with app.server.app_context():
        return _result_panel(result, translator(lang), lang)


def _text(components: list[object]) -> str:
    return json.dumps(components, cls=plotly.utils.PlotlyJSONEncoder, ensure_ascii=False)


def test_the_check_panel_shows_the_changes_and_the_submission_replaced(app: dash.Dash) -> None:
    result = ImportResult(status="ok", service="SAD", period="2025-T3", dry_run=True)
    result.changes = [
        Change("P1.01-I1", "2025-T3", "changed", 120.0, 130.0, 4),
        Change("P1.01-I2", "2025-T3", "kept", 40.0, 40.0, 4),
        Change("P1.02-I1", "2025-T3", "cleared", "iniciat", None, 4),
    ]
    result.replaces_id = 4
    text = _text(_panel(result, app))
    assert "enviar-changes" in text
    assert "Substitueix el lliurament número 4." in text
    assert "Es manté (en blanc)" in text and "Esborrat" in text and "Canviat" in text


def test_the_check_panel_says_how_many_errors_are_not_listed(app: dash.Dash) -> None:
    errors = IssueList(limit=2)
    errors.extend(Issue("not_a_number", "Dades", i, "C", "x", "no") for i in range(5))
    result = ImportResult(status="rejected", service="SAD", period="2025-T3", errors=errors)
    text = _text(_panel(result, app))
    assert "(els primers 2 de 5 errors)" in text


def test_the_preview_writes_numbers_and_stages_in_the_page_language(
    app: dash.Dash, plan: Plan
) -> None:
    stage = plan.stages[2]
    result = ImportResult(status="ok", service="SAD", period="2025-T3", dry_run=True)
    result.values = [
        ParsedValue("P1.01-I1", "2025-T3", 1234.5, None, "Dades", 3),
        ParsedValue("P1.02-I1", "2025-T3", stage.key, None, "Dades", 4),
    ]
    result.changes = [
        Change("P1.01-I1", "2025-T3", "changed", 3064.0, 1234.5, 4),
        Change("P1.02-I1", "2025-T3", "changed", plan.stages[1].key, stage.key, 4),
    ]
    text = _text(_panel(result, app))
    assert (
        "1.234,5" in text and "3.064" in text and stage.name in text and plan.stages[1].name in text
    )
    assert "1234.5" not in text and "3064.0" not in text and f'"{stage.key}"' not in text
    english = _text(_panel(result, app, "en"))
    assert "1,234.5" in english and stage.name_en in english
