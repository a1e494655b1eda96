"""The indicator's fitxa on the objective page (issue 15): definition, formula, periodicity and
source of verification in a disclosure per indicator, and the service's responsible role."""

from __future__ import annotations

import pytest
from dash import Dash, html
from dash.development.base_component import Component

from app import create_app
from indicators.reporting import dashboard_data
from indicators.storage.engine import get_engine
from indicators.storage.migrate import upgrade
from layouts import components as c
from plan_model.models import Plan
from plan_model.periods import Period, period_range
from settings import Settings
from tests.helpers.dash_sample import load_sample
from tests.helpers.dash_tree import page_for, walk
from tests.layouts.test_dashboard_pages import render


@pytest.fixture(scope="module")
def app(tmp_path_factory: pytest.TempPathFactory, plan: Plan) -> Dash:
    url = f"sqlite:///{tmp_path_factory.mktemp('fitxa') / 'fitxa.db'}"
    upgrade(url)
    load_sample(get_engine(url), plan, period_range(Period(2022, 1), Period(2023, 2)))
    dashboard_data.clear_caches()
    return create_app(Settings(database_url=url, environment="test", secret_key="s" * 32))


def _tree(app: Dash, path: str, query: str = "") -> Component:
    page, variables = page_for(path)
    assert page is not None
    params = dict(pair.split("=", 1) for pair in query.split("&") if pair)
    with app.server.test_request_context(f"{path}?{query}"):
        tree = page["layout"](**{**variables, **params})
    assert isinstance(tree, Component)
    return tree


@pytest.mark.parametrize("code", ["P1.10", "P1.05", "P5.08"])
def test_each_indicator_has_its_fitxa_in_catalan(app: Dash, plan: Plan, code: str) -> None:
    tree = _tree(app, f"/objectiu/{code}")
    sheets = {getattr(n, "id", None): n for n in walk(tree) if isinstance(n, html.Details)}
    for ind in plan.indicators_of(code):
        sheet = sheets[f"fitxa-{ind.code}"]
        summary = [n for n in walk(sheet) if isinstance(n, html.Summary)]
        assert len(summary) == 1 and summary[0].children == "Fitxa de l'indicador"
        terms = [n.children for n in walk(sheet) if isinstance(n, html.Dt)]
        assert terms == ["Definició", "Fórmula", "Periodicitat", "Font de verificació"]
        values = [n.children for n in walk(sheet) if isinstance(n, html.Dd)]
        assert values == [ind.description, ind.formula, "Trimestral", ind.source]


def test_a_missing_fitxa_field_says_so(app: Dash, plan: Plan) -> None:
    from layouts.pages import objective

    ind = plan.indicator_by_code["P1.10-I1"].model_copy(update={"formula": None})
    with app.server.test_request_context("/objectiu/P1.10"):
        ctx = c.PageContext.from_query({}, "/objectiu/P1.10")
        sheet = objective._fitxa(ctx, ind)
    values = [d.children for d in walk(sheet) if isinstance(d, html.Dd)]
    assert values[1] == "No consta"


def test_the_responsible_role_is_shown_beside_the_service(app: Dash) -> None:
    text = render(app, "/objectiu/P1.10")
    assert "RRHH" in text and "Recursos humans i formació" in text
    assert "Responsable (càrrec)" in text and "Cap de Recursos Humans" in text


def test_the_fitxa_in_spanish(app: Dash) -> None:
    text = render(app, "/objectiu/P1.07", "lang=es")
    for label in ("Ficha del indicador", "Definición", "Periodicidad", "Fuente de verificación"):
        assert label in text
    assert "Responsable (cargo)" in text
