"""Dashboard pages without a browser: layouts rendered in a request context, callbacks over the
Flask test client (logged in), the page cache and its invalidation by imports."""

from __future__ import annotations

import dataclasses
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import dash
import pytest
from dash import Dash

from app import create_app
from i18n import format_percent
from indicators.reporting import dashboard_data
from indicators.storage.engine import get_engine
from indicators.storage.migrate import upgrade
from indicators.storage.store import store
from layouts.shell import page_cache, with_parameter
from plan_model.models import Plan
from plan_model.periods import Period, period_range
from plan_model.status import compute_status, objectives_of, objectives_with_data
from plan_model.status_types import LevelResult, Status
from settings import Settings
from tests.helpers.dash_sample import load_sample, submission_values
from tests.helpers.dash_tree import current_app, page_for, tree_json
from tests.helpers.status_factory import frame
from tests.helpers.web_login import login, make_user

LAST = Period(2023, 2)
SKIPPED = ("SIS", "2023-T2")


@pytest.fixture(scope="module")
def sample_url(tmp_path_factory: pytest.TempPathFactory, plan: Plan) -> str:
    url = f"sqlite:///{tmp_path_factory.mktemp('dash') / 'dash.db'}"
    upgrade(url)
    load_sample(get_engine(url), plan, period_range(Period(2022, 1), LAST), skip=[SKIPPED])
    return url


@pytest.fixture(scope="module")
def app(sample_url: str) -> Dash:
    dashboard_data.clear_caches()
    return create_app(Settings(database_url=sample_url, environment="test", secret_key="s" * 32))


def render(app: Dash, path: str, query: str = "") -> str:
    """The page at ``path?query`` as the pages router renders it, as JSON text."""
    page, variables = page_for(path)  # the router's own lookup
    if page is None:
        page = next(p for m, p in dash.page_registry.items() if m.endswith("not_found_404"))
    params = dict(pair.split("=", 1) for pair in query.split("&") if pair)
    with app.server.test_request_context(f"{path}?{query}"):
        return tree_json(page["layout"](**{**variables, **params}))


def test_overview_shows_plan_levers_and_overall_achievement(
    app: Dash, plan: Plan, sample_url: str
) -> None:
    text = render(app, "/")
    result = compute_status(
        plan, dashboard_data.load(get_engine(sample_url), plan, deadline_days=30).values(), LAST
    )
    assert "Resum" in text and plan.info.name in text
    assert "es mostra el 2n trimestre de 2023" in text  # defaults to the latest quarter with data
    assert format_percent(result.plan.achievement, "ca") in text
    for lever in plan.levers:
        assert lever.name in text and lever.tagline in text
    assert "Objectius més en risc" in text
    # the skipped submission is listed as missing, with its contact
    assert "sis@example.org" in text
    assert "Temps del pla transcorregut" in text and format_percent(6 / 16, "ca") in text
    # data coverage as objectives with a light of those due, for the plan and each lever
    found = objectives_with_data(objectives_of(result))
    assert 0 < found.with_data < found.due <= len(plan.objectives)
    assert "Objectius amb dades" in text
    assert f"{found.with_data} dels {found.due} objectius que toca mesurar" in text
    for lever_result in result.levers:
        assert objectives_with_data(objectives_of(lever_result)).text("ca") in text


def test_quarter_and_language_come_from_the_url(app: Dash) -> None:
    text = render(app, "/", "t=2022-T3&lang=es")
    assert "Resumen" in text and "se muestra el 3.er trimestre de 2022" in text
    assert '"lang": "es"' in text or '"lang":"es"' in text
    # a quarter outside the plan falls back to the latest with data
    assert "es mostra el 2n trimestre de 2023" in render(app, "/", "t=2031-T1")


def test_lever_page_grid_and_filters(app: Dash, plan: Plan) -> None:
    text = render(app, "/palanca/3")
    rows = _grid_rows(text)
    assert {r["code"] for r in rows} == {o.code for o in plan.lever(3).objectives}
    assert all(r["href"].startswith(f"/objectiu/{r['code']}?t=2023-T2") for r in rows)
    assert all(r["status_text"].split(" ", 1)[0] in "✔⚠✖–" for r in rows)
    assert "Evolució del grau d'assoliment per eix" in text
    statuses = {r["status"] for r in rows}
    one = sorted(statuses)[0]
    filtered = _grid_rows(render(app, "/palanca/3", f"estat={one}"))
    assert filtered and {r["status"] for r in filtered} == {one}
    axis = plan.lever(3).axes[0].number
    by_axis = _grid_rows(render(app, "/palanca/3", f"eix={axis}"))
    assert {r["code"] for r in by_axis} == {o.code for o in plan.lever(3).objectives_of(axis)}


def _grid_rows(text: str) -> list[dict[str, Any]]:
    found: list[list[dict[str, Any]]] = []

    def walk(node: Any) -> None:
        if isinstance(node, dict):
            if node.get("type") == "AgGrid":
                found.append(node["props"]["rowData"])
            for value in node.values():
                walk(value)
        elif isinstance(node, list):
            for value in node:
                walk(value)

    walk(json.loads(text))
    assert len(found) == 1
    return found[0]


def test_objective_page_charts_values_and_provenance(app: Dash, plan: Plan) -> None:
    code = "P3.07"
    text = render(app, f"/objectiu/{code}")
    assert plan.objective_by_code[code].text in text
    for ind in plan.indicators_of(code):
        assert ind.code in text and f"chart-{ind.code}" in text
        service = ind.responsible_service
        assert f"{service}_2023-T2.xlsx" in text  # the file each value came from
        assert f"tecnic.{service.lower()}" in text  # who uploaded it
    assert "Valors trimestrals" in text and "full Dades, fila 2" in text
    assert "Sense incidències remarcables." in text  # the technicians' comment


def test_objective_page_says_its_origin_and_links_its_challenges(app: Dash) -> None:
    text = render(app, "/objectiu/P5.08")
    assert "Origen" in text and "Operativa del COSS" in text
    assert "Reptes" in text and "7. Apostar per les TIC" in text
    assert "/objectius?t=" in text and "repte=7" in text  # the objectives serving challenge 7
    assert "Proposta del Departament de Drets Socials" in render(app, "/objectiu/P1.01")


def test_submissions_matrix_and_reminder(app: Dash) -> None:
    text = render(app, "/lliuraments", "any=2023")
    assert "Lliuraments per servei i trimestre, 2023" in text
    assert "Lliurat a temps" in text or "Delivered on time" in text
    assert "Copia el recordatori" in text
    assert "sis@example.org" in text and "2n trimestre de 2023" in text


def test_changes_page_groups(app: Dash) -> None:
    text = render(app, "/canvis", "des_de=2022-T1")
    assert "Canvis" in text and "2022-T1" in text
    for section in ("changes-down", "changes-up", "changes-new_data"):
        assert section in text


@pytest.mark.parametrize("path", ["/palanca/9", "/objectiu/P9.99", "/palanca/x"])
def test_unknown_levers_and_objectives_are_404_in_catalan(app: Dash, path: str) -> None:
    assert "Pàgina no trobada" in render(app, path)


def test_every_page_has_landmarks_and_a_skip_link(app: Dash) -> None:
    for path in ("/", "/palanca/1", "/objectiu/P1.01", "/lliuraments", "/canvis", "/pla"):
        text = render(app, path)
        assert '"main-content"' in text  # the skip link's target
        assert '"type": "Header"' in text.replace('"type":"Header"', '"type": "Header"')
        assert "Navegació principal" in text


def test_url_parameter_helper() -> None:
    assert with_parameter("?t=2023-T1&lang=es", "t", "2023-T2") == "?lang=es&t=2023-T2"
    assert with_parameter("?t=2023-T1&estat=red", "estat", "tots") == "?t=2023-T1"
    assert with_parameter("?t=2023-T1&des_de=2022-T4", "t", "2022-T2") == "?t=2022-T2"
    assert with_parameter("", "lang", None) == ""


# --- over HTTP, logged in --------------------------------------------------------------------


@pytest.fixture(scope="module")
def client(app: Dash, sample_url: str) -> Iterator[Any]:
    test_client = app.server.test_client()
    login(test_client, *make_user(sample_url, role="consulta"))
    test_client.get("/")  # first request: Dash registers the pages router
    yield test_client


def router_body(pathname: str, search: str) -> dict[str, Any]:
    output = next(k for k in current_app().callback_map if "_pages_content.children" in k)
    return {
        "output": output,
        "outputs": [
            {"id": "_pages_content", "property": "children"},
            {"id": "_pages_store", "property": "data"},
        ],
        "inputs": [
            {"id": "_pages_location", "property": "pathname", "value": pathname},
            {"id": "_pages_location", "property": "search", "value": search},
        ],
        "changedPropIds": ["_pages_location.pathname"],
        "state": [],
    }


def test_router_callback_renders_pages_with_titles(client: Any) -> None:
    response = client.post("/_dash-update-component", json=router_body("/palanca/2", "?lang=es"))
    assert response.status_code == 200
    payload = response.get_json()["response"]
    assert payload["_pages_store"]["data"]["title"] == "Palanca 2 · Seguiment del Pla"
    assert "Resumen" in json.dumps(payload["_pages_content"]["children"], ensure_ascii=False)


def test_page_cache_serves_until_the_next_import(
    client: Any, app: Dash, plan: Plan, sample_url: str
) -> None:
    body = router_body("/lliuraments", "?t=2023-T2")
    first = client.post("/_dash-update-component", json=body)
    assert first.status_code == 200
    assert "Pendent" in json.dumps(first.get_json(), ensure_ascii=False)
    cache = page_cache(app)
    assert cache is not None and cache._entries
    again = client.post("/_dash-update-component", json=body)
    assert again.get_data() == first.get_data()
    # an import (the missing submission arrives) bumps the generation: the page changes
    service, period = SKIPPED
    store(
        get_engine(sample_url),
        service=service,
        period=period,
        filename="late.xlsx",
        content=b"late",
        user="tecnic.sis",
        source="cli",
        values=submission_values(plan, service, Period.parse(period)),
        warnings=[],
    )
    after = client.post("/_dash-update-component", json=body)
    assert after.status_code == 200
    assert after.get_data() != first.get_data()
    assert "late.xlsx" not in first.get_data(as_text=True)


def test_quarter_selector_writes_the_url(client: Any, app: Dash) -> None:
    key = next(
        k
        for k, v in app.callback_map.items()
        if "_pages_location.search" in k and any(i["id"] == "quarter-select" for i in v["inputs"])
    )
    body = {
        "output": key,
        "outputs": {"id": "_pages_location", "property": key.split(".", 1)[1]},
        "inputs": [{"id": "quarter-select", "property": "value", "value": "2022-T4"}],
        "state": [{"id": "_pages_location", "property": "search", "value": "?lang=es&t=2023-T2"}],
        "changedPropIds": ["quarter-select.value"],
    }
    response = client.post("/_dash-update-component", json=body)
    assert response.status_code == 200, response.get_data(as_text=True)[:300]
    assert response.get_json()["response"]["_pages_location"]["search"] == "?lang=es&t=2022-T4"


def test_assets_are_local(app: Dash) -> None:
    assets = Path(app.config.assets_folder)
    assert (assets / "00-bootstrap-5.3.6.min.css").exists()
    assert not app.config.external_stylesheets


def test_level_badge_names_insufficient_data(plan: Plan) -> None:
    """A grey level with some data but too little for a status says so (not «Sense dades»),
    with its icon, in the page's language."""
    from layouts import components as c

    def text(level: LevelResult, lang: str) -> str:
        return tree_json(c.level_badge(level, lang))

    level = compute_status(plan, frame([]), LAST).plan
    some = dataclasses.replace(level, status=Status.GREY, insufficient_data=True)
    none = dataclasses.replace(level, status=Status.GREY, insufficient_data=False)
    assert "Dades insuficients" in text(some, "ca") and "–" in text(some, "ca")
    assert "Insufficient data" in text(some, "en")
    assert "Sense dades" in text(none, "ca") and "insuficients" not in text(none, "ca")


# --- one home per rule: the at-risk ranking, the glyphs, the caches --------------------------


def _at_risk_codes(text: str) -> list[str]:
    """The objective codes of the overview's «Objectius més en risc» table, in order."""
    found: list[str] = []

    def walk(node: Any, inside: bool) -> None:
        if isinstance(node, dict):
            props = node.get("props", {})
            inside = inside or props.get("aria-labelledby") == "at-risk-title"
            if inside and node.get("type") == "Link":
                found.append(props["children"])
            for value in props.values() if "props" in node else node.values():
                walk(value, inside)
        elif isinstance(node, list):
            for value in node:
                walk(value, inside)

    walk(json.loads(text), False)
    return found


def test_overview_and_board_rank_the_objectives_at_risk_alike(
    app: Dash, plan: Plan, sample_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Twelve objectives tie (amber, same achievement, same forecast) and the plan lists
    them in reverse: the overview and the board show them in the same order (by code)."""
    from dataclasses import replace

    from indicators.reporting.board import build_board
    from plan_model.ranking import at_risk_ranking
    from plan_model.status_types import ObjectiveResult, Status

    data = dashboard_data.load(get_engine(sample_url), plan, deadline_days=30)
    real = data.status(LAST)
    tied = set(sorted(o.code for o in real.objectives)[:12])

    def tweak(o: ObjectiveResult) -> ObjectiveResult:
        if o.code in tied:
            return replace(o, status=Status.AMBER, achievement=0.8, at_risk=False)
        return replace(o, status=Status.GREEN, at_risk=False)

    synthetic = replace(
        real,
        levers=[
            replace(
                lever,
                axes=[
                    replace(axis, objectives=[tweak(o) for o in reversed(axis.objectives)])
                    for axis in reversed(lever.axes)
                ],
            )
            for lever in reversed(real.levers)
        ],
    )
    monkeypatch.setattr(dashboard_data.DashboardData, "status", lambda self, period: synthetic)
    expected = sorted(tied)
    assert [o.code for o in at_risk_ranking(synthetic)] == expected
    page = _at_risk_codes(render(app, "/", f"t={LAST}"))
    board = build_board(data, LAST, lang="ca")
    risk = next(s for s in board.slides if s.kind == "risk")
    assert risk.table is not None
    assert page == expected[: len(page)] and len(page) == 8  # the overview shows eight
    assert [row[0].text for row in risk.table.rows] == expected


def test_pages_use_the_one_set_of_glyphs(app: Dash) -> None:
    from layouts import components as c
    from layouts.pages import changes, submissions
    from plan_model import status_types as st

    assert {s: c.status_icon(s) for s in c.STATUSES} == {
        str(s): icon for s, icon in st.STATUS_ICONS.items()
    }
    assert {kind: icon for kind, icon, _label in changes.KINDS} == st.CHANGE_ICONS
    assert {state: icon for state, (icon, _l, _c) in submissions.STATES.items()} == {
        k: v for k, v in st.COMPLETENESS_ICONS.items() if k in submissions.STATES
    }
    assert submissions.SUPERSEDED[0] == st.COMPLETENESS_ICONS["superseded"]
    text = render(app, "/canvis", f"t={LAST}")
    assert all(icon in text for icon in st.CHANGE_ICONS.values())


def test_the_overview_is_cached_once(app: Dash) -> None:
    """Its rendering is cheap: the router's answer is cached (PageResponseCache), the
    component tree is not cached again in the data cache."""
    render(app, "/", f"t={LAST}")
    pages = [
        k
        for k in dashboard_data._CACHE._entries
        if isinstance(k, tuple) and len(k) > 4 and k[2] == "memo" and k[3] == "page"
    ]
    assert all(k[4] != "overview" for k in pages)
