"""The data of the API tests, set up through the real import, approval, lock and publish
functions: 2022-T1..T3 delivered by every expected service, T1 and T3 accepted, locked and
published, T2 accepted and locked but NOT published. Unique markers are planted where
nothing public may show them: the uploader's name, the file names, a comment, a value of
the unpublished quarter and a small count of a published one."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import dash
import pytest
from sqlalchemy import Engine

from accounts import approvals, publications
from accounts.roles import Actor
from app import create_app
from indicators.intake.importer import import_file
from indicators.reporting import dashboard_data
from indicators.storage.cache import get_cache
from indicators.storage.engine import get_engine
from plan_model.completeness import expected_services
from plan_model.models import Aggregation, Indicator, Plan
from plan_model.periods import Period
from tests.helpers.dash_sample import submission_values
from tests.web.web_app import web_settings
from web.api_auth import Principal

T1, T2, T3 = Period(2022, 1), Period(2022, 2), Period(2022, 3)
PUBLISHED = (T1, T3)
OPERATOR = Actor.operator("op")
UPLOADER = "zqxuploader"  # the account name that delivers: never public
COMMENT = "ZQX-COMMENT-7Q2"
FILE_MARK = "zqxfile"
HIDDEN_VALUE = 4242.42  # a value of the unpublished quarter T2
SMALL = 3.0  # a count under SMALL_COUNT (5) in the published T3
TOKEN = "Bearer test-token-abc"
PRINCIPAL = Principal(
    user_id=1, username="guest", role="consulta", services=(), scope="read", token_id=42
)


@dataclass(frozen=True)
class Planted:
    """Where the markers went."""

    hidden_indicator: str  # carries HIDDEN_VALUE in T2
    small_indicator: str  # carries SMALL in T3
    emails: tuple[str, ...]


def _numeric_free(plan: Plan, integer: bool) -> Indicator:
    """A numeric indicator that may hold the marker: a fraction up to 5,000 or more (not
    ``integer``), or a count whose quarter stands for the year (``integer``)."""
    for indicator in plan.indicators:
        bounds = indicator.bounds
        if (
            indicator.kind.value != "numeric"
            or indicator.integer is not integer
            or indicator.breakdowns
        ):
            continue
        roomy = bounds is None or bounds.max is None or bounds.max >= HIDDEN_VALUE
        if (integer and indicator.aggregation is Aggregation.LAST) or (not integer and roomy):
            return indicator
    raise AssertionError("no suitable indicator in the plan")


def _csv(plan: Plan, service: str, period: Period, overrides: dict[str, float]) -> bytes:
    names = {s.key: s.name for s in plan.catalog.stages}
    lines = ["Codi;Període;Valor;Comentari"]
    for k, parsed in enumerate(submission_values(plan, service, period)):
        value = overrides.get(parsed.indicator, parsed.value)
        text = names.get(value, value) if isinstance(value, str) else str(value).replace(".", ",")
        lines.append(f"{parsed.indicator};{period};{text};{COMMENT if k == 0 else ''}")
    return ("\n".join(lines) + "\n").encode("utf-8")


def plant(engine: Engine, plan: Plan) -> Planted:
    """Deliver, accept, lock and publish (see the module docstring)."""
    dashboard_data.clear_caches()
    hidden = _numeric_free(plan, integer=False)
    small = _numeric_free(plan, integer=True)
    for period in (T1, T2, T3):
        overrides: dict[str, float] = {}
        if period == T2:
            overrides[hidden.code] = HIDDEN_VALUE
        if period == T3:
            overrides[small.code] = SMALL
        for service in expected_services(plan):
            result = import_file(
                engine,
                plan,
                filename=f"{FILE_MARK}-{service}-{period}.csv",
                content=_csv(plan, service, period, overrides),
                user=UPLOADER,
                service=service,
                period=str(period),
                source="web",
                today=dt.date(2022, 12, 31),
            )
            assert result.status == "ok", [e.message for e in result.errors][:3]
            approvals.validate(engine, service, str(period), by=OPERATOR)
            approvals.approve(engine, service, str(period), by=OPERATOR)
        approvals.lock_period(engine, str(period), by=OPERATOR, reason="prova")
    for period in PUBLISHED:
        publications.publish_period(engine, str(period), by=OPERATOR)
    return Planted(hidden.code, small.code, tuple(s.email for s in plan.services))


@pytest.fixture
def api_app(db_url: str, tmp_path: Path) -> Iterator[dash.Dash]:
    """The app on a fresh database with the planted data; a generous rate limit."""
    application = create_app(web_settings(db_url, tmp_path, api_rate_limit_per_minute=10_000))
    yield application
    get_engine(db_url).dispose()


@pytest.fixture
def planted(api_app: dash.Dash, db_url: str, plan: Plan) -> Planted:
    return plant(get_engine(db_url), plan)


@pytest.fixture
def api(api_app: dash.Dash, planted: Planted, db_url: str) -> Any:
    """An anonymous test client of the app with the planted data."""
    get_cache(api_app.server.config["SEGUIMENT_SETTINGS"], get_engine(db_url)).clear()
    return api_app.server.test_client()


@pytest.fixture
def with_token(monkeypatch: pytest.MonkeyPatch) -> Callable[[], dict[str, str]]:
    """Make ``TOKEN`` a valid read token (the tokens themselves are another module's)."""
    from flask import request

    import web.api
    from web.api_auth import TokenRefused

    def principal() -> Principal | None:
        header = request.headers.get("Authorization")
        if header is None:
            return None
        if header != TOKEN:
            raise TokenRefused("unknown token")
        return PRINCIPAL

    monkeypatch.setattr(web.api, "token_principal", principal)
    return lambda: {"Authorization": TOKEN}
