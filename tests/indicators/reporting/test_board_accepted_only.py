"""``BOARD_ACCEPTED_ONLY``: the board's views count only the values the direction accepted
and name the deliveries left out, «pendent d'acceptar» (SQLite and PostgreSQL)."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import Engine

from accounts import approvals, users
from indicators.reporting import dashboard_data
from indicators.reporting.board import build_board
from indicators.storage.store import store
from plan_model.models import Plan
from plan_model.periods import Period
from tests.helpers.dash_sample import load_sample, submission_values

QUARTER = Period(2022, 1)


def test_only_accepted_values_reach_the_board(engine: Engine, plan: Plan) -> None:
    dashboard_data.clear_caches()
    load_sample(engine, plan, [QUARTER])
    users.create_user(engine, "boss", "longenough", "director")
    approvals.approve(engine, "SIS", str(QUARTER), by="boss")  # SIS has no head: accepted

    everything = dashboard_data.load(engine, plan, deadline_days=30)
    board_view = dashboard_data.load(engine, plan, deadline_days=30, accepted_only=True)
    assert set(everything.values()["service"]) > {"SIS"}
    assert set(board_view.values()["service"]) == {"SIS"}
    assert board_view.pending_acceptance(QUARTER) == sorted(
        set(everything.values()["service"]) - {"SIS"}
    )
    assert everything.pending_acceptance(QUARTER) == []  # the setting is off: nothing left out
    sis = plan.indicators_of_service("SIS")[0].code
    other = next(
        i.code for i in plan.indicators if i.responsible_service != "SIS" and not i.is_milestone
    )
    assert not board_view.indicator_values(sis).empty
    assert board_view.indicator_values(other).empty
    assert board_view.status(QUARTER).indicator(other).status.value == "grey"
    assert everything.status(QUARTER).indicator(other).status.value != "grey"

    board = build_board(board_view, QUARTER, lang="ca", today=dt.date(2022, 6, 1))
    title = board.slides[0]
    assert any("pendents d'acceptar: " in note for note in title.notes)
    submissions = next(s for s in board.slides if s.kind == "submissions")
    assert submissions.table is not None
    states = [row[1].text for row in submissions.table.rows]
    assert any(text.endswith("· pendent d'acceptar") for text in states)


def test_a_change_after_acceptance_leaves_the_board_until_accepted_again(
    engine: Engine, plan: Plan
) -> None:
    dashboard_data.clear_caches()
    load_sample(engine, plan, [QUARTER])
    users.create_user(engine, "boss", "longenough", "director")
    approvals.approve(engine, "SIS", str(QUARTER), by="boss")
    assert ("SIS", str(QUARTER)) in approvals.accepted_quarters(engine)
    store(  # a re-delivery supersedes the accepted submission
        engine,
        service="SIS",
        period=str(QUARTER),
        filename="SIS_again.xlsx",
        content=b"SIS|again",
        user="tecnic.sis",
        source="cli",
        values=submission_values(plan, "SIS", QUARTER),
        warnings=[],
    )
    assert ("SIS", str(QUARTER)) not in approvals.accepted_quarters(engine)
