"""The demo history: every quarter but the latest validated, accepted and locked through the
real approval functions (SQLite and PostgreSQL)."""

from __future__ import annotations

from sqlalchemy import Engine

from accounts import approvals, audit
from indicators.demo import generate as demo
from indicators.storage import locks
from indicators.storage.queries import submissions_frame
from plan_model.models import Plan
from settings import Settings


def test_every_quarter_but_the_latest_is_accepted_and_locked(engine: Engine, plan: Plan) -> None:
    settings = Settings(submission_deadline_days=30)
    _data, report = demo.run(engine, plan, settings=settings, services=["SIS", "OPE"])
    assert report is not None and report.ok
    subs = submissions_frame(engine)
    periods = sorted(set(subs["period"]))
    assert locks.locked_periods(engine) == set(periods[:-1])
    for period in periods[:-1]:
        reviews = approvals.quarter_reviews(engine, period, ["SIS", "OPE"])
        delivered = set(subs[(subs["period"] == period)]["service"])
        assert {s for s, r in reviews.items() if r.state == "accepted"} == delivered
    latest = approvals.quarter_reviews(engine, periods[-1], ["SIS", "OPE"])
    # the demo has no head accounts: the latest quarter waits for the direction only
    assert {r.state for r in latest.values()} <= {"pending_acceptance", "not_delivered"}
    validations = audit.audit_frame(engine, action="validate")
    assert set(validations["username"]) <= {"responsable.sis", "responsable.ope"}
    assert len(audit.audit_frame(engine, action="period_lock")) == len(periods) - 1
    assert demo.settle_history(engine) == 0  # again: nothing more to do
