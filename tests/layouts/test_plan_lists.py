"""The plan-wide list ``/objectius`` and its downloads, the unknown-quarter notice, the lights
of ``/pla`` and the numbers of ``/canvis`` (issue 16, part 2), without a browser."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterator
from typing import Any

import dash
import pytest
from dash import Dash
from dash._utils import to_json
from openpyxl import load_workbook

from app import create_app
from i18n import format_percent
from indicators.reporting import dashboard_data, plan_list
from indicators.storage.engine import get_engine
from indicators.storage.migrate import upgrade
from layouts import components as c
from plan_model.models import Plan
from plan_model.periods import Period, period_range
from settings import Settings
from tests.helpers.dash_sample import load_sample
from tests.helpers.web_login import login, make_user

LAST = Period(2023, 2)


@pytest.fixture(scope="module")
def sample_url(tmp_path_factory: pytest.TempPathFactory, plan: Plan) -> str:
    url = f"sqlite:///{tmp_path_factory.mktemp('lists') / 'lists.db'}"
    upgrade(url)
    load_sample(
        get_engine(url), plan, period_range(Period(2022, 1), LAST), skip=[("SIS", str(LAST))]
    )
    return url


@pytest.fixture(scope="module")
def app(sample_url: str) -> Dash:
    dashboard_data.clear_caches()
    return create_app(Settings(database_url=sample_url, environment="test", secret_key="s" * 32))


@pytest.fixture(scope="module")
def client(app: Dash, sample_url: str) -> Iterator[Any]:
    test_client = app.server.test_client()
    login(test_client, *make_user(sample_url, role="consulta"))
    test_client.get("/")
    yield test_client


def render(app: Dash, path: str, query: str = "") -> str:
    """The page at ``path?query`` as the pages router renders it, as JSON text."""
    page, variables = dash._pages._path_to_page(path.strip("/"))  # type: ignore[no-untyped-call]
    assert page, path
    params = dict(pair.split("=", 1) for pair in query.split("&") if pair)
    with app.server.test_request_context(f"{path}?{query}"):
        layout = page["layout"](**{**(variables or {}), **params})
        return json.dumps(json.loads(to_json(layout)), ensure_ascii=False)  # type: ignore[no-untyped-call]


def _csv_rows(content: bytes) -> list[list[str]]:
    return list(csv.reader(io.StringIO(content.decode("utf-8-sig")), delimiter=";"))


def test_the_list_shows_every_objective_and_is_in_the_menu(app: Dash, plan: Plan) -> None:
    text = render(app, "/objectius")
    assert all(o.code in text for o in plan.objectives)
    assert "/objectius?t=2023-T2" in render(app, "/pla")  # the menu links to it
    assert "/descarrega/objectius?" in text and "format=xlsx" in text


def test_the_url_filters_the_list(app: Dash, plan: Plan) -> None:
    lever_3 = {o.code for o in plan.lever(3).objectives}
    text = render(app, "/objectius", "palanca=3")
    assert all(code in text for code in lever_3)
    others = [o.code for o in plan.objectives if o.code not in lever_3]
    assert not any(f'"{code}"' in text for code in others)
    service = plan.services[0].code
    text = render(app, "/objectius", f"servei={service}")
    shown = [i for i in plan.indicators if i.responsible_service == service]
    assert shown and all(i.code in text for i in shown)
    assert not any(
        f'"{i.code}"' in text for i in plan.indicators if i.responsible_service != service
    )
    needle = plan.indicators[0].name.split()[0]
    assert plan.indicators[0].code in render(app, "/objectius", f"q={needle.upper()}")
    assert "Cap objectiu no compleix" in render(app, "/objectius", "q=zzzzqqq")


def test_the_download_holds_the_rows_shown(client: Any, plan: Plan) -> None:
    response = client.get("/descarrega/objectius?format=csv&palanca=2&t=2023-T2")
    assert response.status_code == 200
    assert "attachment" in response.headers["Content-Disposition"]
    rows = _csv_rows(response.data)
    assert rows[0][:3] == ["Palanca", "Eix", "Objectiu"]
    objectives = {row[2] for row in rows[1:]}
    assert objectives == {o.code for o in plan.lever(2).objectives if plan.indicators_of(o.code)}
    xlsx = client.get("/descarrega/objectius?format=xlsx&estat=grey")
    assert xlsx.status_code == 200
    sheet = load_workbook(io.BytesIO(xlsx.data)).active
    assert sheet is not None
    greys = [row for row in sheet.iter_rows(min_row=2, values_only=True)]
    assert greys and all(row[8] == "Sense dades" for row in greys)
    assert client.get("/descarrega/objectius?format=doc").status_code == 400


def test_an_unknown_quarter_says_so(app: Dash) -> None:
    for path in ("/", "/pla", "/objectius", "/canvis", "/palanca/1"):
        text = render(app, path, "t=2030-T1")
        assert "unknown-period-notice" in text and "2030-T1" in text, path
        assert "es mostra el 2n trimestre de 2023" in text, path
        assert "unknown-period-notice" not in render(app, path, "t=2023-T2"), path
    assert "unknown-period-notice" in render(app, "/pla", "t=nonsense")


def test_the_plan_tree_shows_the_lights(app: Dash, plan: Plan, sample_url: str) -> None:
    status = dashboard_data.load(get_engine(sample_url), plan, deadline_days=30).status(LAST)
    text = render(app, "/pla")
    badges = text.count("status-badge status-")
    assert badges == len(plan.levers) + len(plan.axes) + len(plan.objectives)
    assert c.status_label(str(status.levers[0].status), "ca") in text
    assert "status-icon" in text  # a glyph next to the label, never colour alone


def test_changes_show_the_numbers(app: Dash, plan: Plan, sample_url: str) -> None:
    data = dashboard_data.load(get_engine(sample_url), plan, deadline_days=30)
    frame = data.changes(LAST.prev(), LAST)
    assert not frame.empty
    row = frame.iloc[0]
    text = render(app, "/canvis")
    expected = (
        f"{format_percent(row.achievement_before, 'ca')} → "
        f"{format_percent(row.achievement_after, 'ca')}"
    )
    assert expected in text
    assert "Grau d'assoliment: abans → ara" in text
    assert "/descarrega/canvis?" in text


def test_changes_and_lever_grid_downloads(client: Any, plan: Plan) -> None:
    changes = client.get("/descarrega/canvis?format=csv&t=2023-T2&nivell=objective")
    assert changes.status_code == 200
    rows = _csv_rows(changes.data)
    assert rows[0][:3] == ["Canvi", "Nivell", "Codi"]
    assert len(rows) > 1 and all(row[1] == "Objectiu" for row in rows[1:])
    lever = client.get("/descarrega/palanca/3?format=csv&t=2023-T2")
    assert lever.status_code == 200
    codes = {row[0] for row in _csv_rows(lever.data)[1:]}
    assert codes == {o.code for o in plan.lever(3).objectives}
    assert client.get("/descarrega/palanca/9?format=csv").status_code == 404


def test_the_lever_page_links_its_download(app: Dash) -> None:
    text = render(app, "/palanca/3", "eix=7")
    assert "/descarrega/palanca/3?" in text and "eix=7" in text


def test_user_text_in_a_table_is_never_a_formula() -> None:
    table = plan_list.Table(["Nom"], [["=HYPERLINK(1)"], [1.5], [None]])
    assert _csv_rows(plan_list.write_table(table, "csv"))[1:] == [["'=HYPERLINK(1)"], ["1,5"], [""]]
    sheet = load_workbook(io.BytesIO(plan_list.write_table(table, "xlsx"))).active
    assert sheet is not None and sheet["A2"].data_type == "s"
    assert sheet["A2"].value == "=HYPERLINK(1)"


def test_a_grey_objective_says_why(app: Dash, plan: Plan) -> None:
    code = next(
        o.code
        for o in plan.objectives
        if any(i.responsible_service == "SIS" for i in plan.indicators_of(o.code))
    )
    text = render(app, f"/objectiu/{code}")
    assert "El servei SIS no ha lliurat el 2n trimestre de 2023." in text
    assert "/lliuraments?t=2023-T2" in text
    assert "grey-reasons" not in render(app, f"/objectiu/{code}", "t=2023-T1")


def test_the_objective_provenance_download(client: Any, app: Dash, plan: Plan) -> None:
    code = plan.objectives[0].code
    assert f"/descarrega/objectiu/{code}?" in render(app, f"/objectiu/{code}")
    response = client.get(f"/descarrega/objectiu/{code}?format=csv&t=2022-T4")
    assert response.status_code == 200
    rows = _csv_rows(response.data)
    assert rows[0][:3] == ["Indicador", "Trimestre", "Valor"]
    indicators = {i.code for i in plan.indicators_of(code)}
    assert len(rows) > 1 and {row[0] for row in rows[1:]} <= indicators
    assert all(row[1] <= "2022-T4" for row in rows[1:])
    assert client.get("/descarrega/objectiu/P9.99?format=csv").status_code == 404
