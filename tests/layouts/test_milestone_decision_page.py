"""Issue 15 on the pages: a milestone reported Ajornat without a decision is a proposal on
the objective page (for everyone); a director records the decision there (a technician
cannot); the overview's headline is the objectives by status, the weighted figure second."""

from __future__ import annotations

import dataclasses
import json
from collections.abc import Iterator
from typing import Any

import pytest
from dash import Dash

from accounts import approvals
from accounts.roles import Actor
from app import create_app
from indicators.reporting import dashboard_data
from indicators.storage import decisions
from indicators.storage.engine import get_engine
from indicators.storage.migrate import upgrade
from indicators.storage.store import store
from plan_model.models import Plan
from plan_model.periods import Period, period_range
from settings import Settings
from tests.helpers.dash_sample import load_sample, submission_values
from tests.helpers.dash_tree import current_app
from tests.helpers.web_login import login, make_user

MILESTONE = "P1.02-I1"
LAST = Period(2023, 2)
PROPOSAL = "Proposta: pendent de decisió de la direcció"


@pytest.fixture(scope="module")
def sample_url(tmp_path_factory: pytest.TempPathFactory, plan: Plan) -> str:
    url = f"sqlite:///{tmp_path_factory.mktemp('decisions') / 'dash.db'}"
    upgrade(url)
    engine = get_engine(url)
    load_sample(engine, plan, period_range(Period(2022, 1), LAST))
    service = plan.indicator_by_code[MILESTONE].responsible_service
    values = [
        dataclasses.replace(v, value="ajornat") if v.indicator == MILESTONE else v
        for v in submission_values(plan, service, LAST)
    ]
    store(
        engine,
        service=service,
        period=str(LAST),
        filename="ajornat.xlsx",
        content=b"ajornat",
        user="tecnic",
        source="cli",
        values=values,
        warnings=[],
    )
    return url


@pytest.fixture(scope="module")
def app(sample_url: str) -> Dash:
    dashboard_data.clear_caches()
    return create_app(Settings(database_url=sample_url, environment="test", secret_key="s" * 32))


def _client(app: Dash, sample_url: str, role: str) -> Any:
    client = app.server.test_client()
    login(client, *make_user(sample_url, role=role))
    client.get("/")  # first request: Dash registers the pages router
    return client


@pytest.fixture(scope="module")
def director(app: Dash, sample_url: str) -> Iterator[Any]:
    yield _client(app, sample_url, "director")


@pytest.fixture(scope="module")
def technician(app: Dash, sample_url: str) -> Iterator[Any]:
    yield _client(app, sample_url, "tecnic")


def _page(client: Any, pathname: str, search: str = f"?t={LAST}") -> str:
    output = next(k for k in current_app().callback_map if "_pages_content.children" in k)
    body = {
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
    response = client.post("/_dash-update-component", json=body)
    assert response.status_code == 200, response.get_data(as_text=True)[:300]
    return json.dumps(response.get_json()["response"]["_pages_content"], ensure_ascii=False)


def _decide(client: Any, reason: str, body: str) -> Any:
    names = ["proposal", "effective", "date", "reason", "body", "lang"]
    values = [f"{MILESTONE}|ajornat", str(LAST), "2023-07-10", reason, body, "ca"]
    props = ["value", "value", "value", "value", "value", "data"]
    return client.post(
        "/_dash-update-component",
        json={
            "output": "decisio-message.children",
            "outputs": {"id": "decisio-message", "property": "children"},
            "inputs": [{"id": "decisio-record", "property": "n_clicks", "value": 1}],
            "state": [
                {"id": f"decisio-{n}", "property": p, "value": v}
                for n, p, v in zip(names, props, values, strict=True)
            ],
            "changedPropIds": ["decisio-record.n_clicks"],
        },
    )


def _text(response: Any) -> str:
    return json.dumps(response.get_json(), ensure_ascii=False)


def _read_model_proposal(sample_url: str, plan: Plan) -> bool:
    data = dashboard_data.load(get_engine(sample_url), plan, deadline_days=30)
    result = data.status(LAST).objective("P1.02")
    return next(i.proposal for i in result.indicators if i.code == MILESTONE)


def test_a_reported_ajornat_is_a_proposal_until_a_director_decides(
    director: Any, technician: Any, sample_url: str, plan: Plan
) -> None:
    engine = get_engine(sample_url)
    assert _read_model_proposal(sample_url, plan) is True
    seen_by_technician = _page(technician, "/objectiu/P1.02")
    assert PROPOSAL in seen_by_technician
    assert "decisio-record" not in seen_by_technician  # no form for a technician
    seen_by_director = _page(director, "/objectiu/P1.02")
    assert PROPOSAL in seen_by_director and "decisio-record" in seen_by_director
    assert "Propostes sobre fites pendents de decisió" in seen_by_director

    # a locked quarter never moves: no quarter left to decide in, so no form, a note
    operator = Actor.operator("admin")
    approvals.lock_period(engine, str(LAST), by=operator, reason="tancament")
    locked = _page(director, "/objectiu/P1.02")
    assert "torneu-ne a obrir un per decidir" in locked and "decisio-record" not in locked
    approvals.reopen_period(engine, str(LAST), by=operator)

    refused = _decide(technician, "motiu", "Comissió de direcció")
    assert refused.status_code == 403  # the callback checks the role
    assert decisions.active_decisions(engine) == []

    missing = _decide(director, "", "Comissió de direcció")
    assert "necessita el motiu" in _text(missing)  # a decision needs its reason
    answer = _decide(director, "Manca de finançament", "Comissió de direcció")
    assert answer.status_code == 200
    assert "Decisió registrada" in _text(answer)
    [decision] = decisions.active_decisions(engine)
    assert (decision.indicator, decision.effective, decision.by) == (
        MILESTONE,
        str(LAST),
        "test-director",
    )
    assert decision.body == "Comissió de direcció"
    # decided: no longer a proposal, for anyone, in the read model the pages use too
    assert _read_model_proposal(sample_url, plan) is False
    assert PROPOSAL not in _page(technician, "/objectiu/P1.02")
    assert "decisio-record" not in _page(director, "/objectiu/P1.02")


def test_the_overview_headline_is_the_objectives_by_status_first(technician: Any) -> None:
    text = _page(technician, "/")
    headline = text.index("plan-headline")
    weighted = text.index("Grau d'assoliment ponderat")
    assert text.index("Objectius per estat") < headline < weighted
    assert "Grau d'assoliment global" not in text  # one headline figure, named weighted
    # counts with their label as text (never colour alone)
    assert '"data-status": "green"' in text or '"data-status": "red"' in text
