"""Breakdown members in the public read model and the API's values (issues 14 and 19): a
small member is «< 5» and the member that would reveal it is hidden too; a token holder sees
every member (SQLite and PostgreSQL)."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import Engine

from accounts import approvals, publications
from accounts.roles import Actor
from indicators.intake.validate import ParsedValue
from indicators.reporting import api_models, dashboard_data, public
from indicators.storage.store import store
from plan_model.periods import Period
from tests.helpers.breakdown_plan import COUNT, breakdown_plan

QUARTER = Period(2025, 3)
OPERATOR = Actor.operator("op")


def _member(key: str, value: float, row: int) -> ParsedValue:
    return ParsedValue(
        indicator=COUNT,
        period=str(QUARTER),
        value=value,
        comment=None,
        sheet="Dades",
        row=row,
        column="E",
        member_key=key,
    )


def _published(engine: Engine) -> None:
    dashboard_data.clear_caches()
    stored = store(
        engine,
        service="SBAS-VIC",
        period=str(QUARTER),
        filename="vic.xlsx",
        content=b"vic-members",
        user="tecnica",
        source="cli",
        values=[
            _member("abss=VIC;sex=D", 30, 2),
            _member("abss=VIC;sex=H", 2, 3),
            _member("abss=VIC;sex=X", 9, 4),
        ],
        warnings=[],
        uploaded_at=dt.datetime(2025, 10, 5, 9, tzinfo=dt.UTC),
    )
    assert stored.status == "ok"
    approvals.validate(engine, "SBAS-VIC", str(QUARTER), by=OPERATOR)
    approvals.approve(engine, "SBAS-VIC", str(QUARTER), by=OPERATOR)
    approvals.lock_period(engine, str(QUARTER), by=OPERATOR, reason="prova")
    publications.publish_period(engine, str(QUARTER), by=OPERATOR, plan_id=breakdown_plan().info.id)


def test_a_small_member_and_the_one_that_would_reveal_it_are_hidden(engine: Engine) -> None:
    _published(engine)
    plan = breakdown_plan()
    model = public.load(engine, plan, deadline_days=15, small_count=5)
    shown = model.breakdowns(COUNT, QUARTER)
    sexes = shown["sex"].members
    assert sexes["H"].value is None and sexes["H"].suppressed and sexes["H"].below == 5
    hidden = [m for m, d in sexes.items() if d.suppressed]
    assert len(hidden) >= 2  # the total and the others never give the small one away
    assert shown["abss"].members["VIC"].value == 41.0

    rows = api_models.public_values(model, QUARTER)
    members = [b for r in rows if r.indicator == COUNT for b in r.breakdowns]
    assert {(b.dimension, b.member) for b in members} >= {("sex", "H"), ("abss", "VIC")}
    assert all(b.value is None for b in members if b.suppressed)
    assert 2.0 not in {b.value for b in members}


def test_a_token_holder_sees_every_member(engine: Engine) -> None:
    _published(engine)
    data = dashboard_data.load(engine, breakdown_plan(), deadline_days=15)
    rows = api_models.internal_values(data, QUARTER)
    members = {(b.dimension, b.member): b.value for r in rows for b in r.breakdowns}
    assert members[("sex", "H")] == 2.0 and members[("sex", "D")] == 30.0
