"""The two-step approval (the head validates, the direction accepts), the changes after an
acceptance, and the lock that needs every delivered submission accepted (SQLite and
PostgreSQL)."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import Engine

from accounts import approvals, audit, roles, service_heads, users
from accounts.errors import AccountError, PermissionDenied
from accounts.roles import Actor
from indicators.storage import locks
from indicators.storage.records import ParsedValue
from indicators.storage.store import store

PERIOD = "2025-T2"
START = dt.datetime(2025, 7, 5, 9, tzinfo=dt.UTC)


def _deliver(engine: Engine, service: str, values: dict[str, float], n: int) -> int:
    stored = store(
        engine,
        service=service,
        period=PERIOD,
        filename=f"{service}_{n}.xlsx",
        content=f"{service}-{n}".encode(),
        user="tec",
        source="cli",
        values=[
            ParsedValue(key, PERIOD, value, None, "Dades", i + 2)
            for i, (key, value) in enumerate(values.items())
        ],
        warnings=[],
        uploaded_at=START + dt.timedelta(days=n),
    )
    assert stored.submission_id is not None
    return stored.submission_id


def _accounts(engine: Engine) -> None:
    users.create_user(engine, "boss", "longenough", "director")
    users.create_user(engine, "cap", "longenough", roles.HEAD, ["SIS"])
    users.create_user(engine, "tec", "longenough", roles.TECHNICIAN, ["SIS"])


def test_a_head_is_attached_to_services_and_validates_only_those(engine: Engine) -> None:
    _accounts(engine)
    assert service_heads.heads_of(engine, "SIS") == ["cap"]
    assert roles.can_validate(Actor("cap", roles.HEAD, services=("SIS",)), "SIS")
    assert not roles.can_validate(Actor("cap", roles.HEAD, services=("SIS",)), "SAD")
    assert not roles.can_validate(Actor("boss", roles.DIRECTOR), "SIS")
    _deliver(engine, "SAD", {"I1": 1.0}, 1)
    _deliver(engine, "SIS", {"I1": 1.0}, 1)
    for who, service in (("cap", "SAD"), ("boss", "SIS"), ("tec", "SIS")):
        with pytest.raises(PermissionDenied):
            approvals.validate(engine, service, PERIOD, by=who)
    assert approvals.approvals_frame(engine).empty
    assert approvals.validate(engine, "SIS", PERIOD, by="cap").step == "validated"


def test_validate_accept_then_a_new_delivery_reopens_with_the_diff(engine: Engine) -> None:
    _accounts(engine)
    first = _deliver(engine, "SIS", {"I1": 10.0, "I2": 5.0}, 1)
    reviews = approvals.quarter_reviews(engine, PERIOD, ["SIS", "SAD"])
    assert (reviews["SIS"].state, reviews["SAD"].state) == ("pending_validation", "not_delivered")
    approvals.validate(engine, "SIS", PERIOD, by="cap")
    review = approvals.quarter_reviews(engine, PERIOD, ["SIS"])["SIS"]
    assert review.state == "pending_acceptance" and review.validated is not None
    assert review.validated.approved_by == "cap"
    approvals.approve(engine, "SIS", PERIOD, by="boss")
    review = approvals.quarter_reviews(engine, PERIOD, ["SIS"])["SIS"]
    assert review.state == "accepted" and review.submission_id == first
    assert review.changes == ()
    # a later delivery supersedes part of it: the review reopens and says what changed
    _deliver(engine, "SIS", {"I1": 12.0}, 30)
    review = approvals.quarter_reviews(engine, PERIOD, ["SIS"])["SIS"]
    assert review.state == "changed"
    assert review.changes == (approvals.ValueChange("I1", 10.0, 12.0),)
    actions = list(audit.audit_frame(engine, target=f"SIS {PERIOD}")["action"])
    assert sorted(actions) == ["approve", "import", "import", "validate"]


def test_the_lock_needs_every_delivery_accepted_or_a_reason(engine: Engine) -> None:
    _accounts(engine)
    _deliver(engine, "SIS", {"I1": 1.0}, 1)
    _deliver(engine, "SAD", {"I1": 1.0}, 2)
    approvals.validate(engine, "SIS", PERIOD, by="cap")
    approvals.approve(engine, "SIS", PERIOD, by="boss")
    with pytest.raises(AccountError) as refused:
        approvals.lock_period(engine, PERIOD, by="boss")
    assert "SAD" in refused.value.message() and "doneu un motiu" in refused.value.message()
    assert not locks.is_locked(engine, PERIOD)
    assert audit.audit_frame(engine, action="period_lock").empty
    approvals.validate(engine, "SAD", PERIOD, by=Actor.operator("root"))
    approvals.approve(engine, "SAD", PERIOD, by="boss")
    assert approvals.lock_period(engine, PERIOD, by="boss") is True
    assert audit.audit_frame(engine, action="period_lock").iloc[0]["details"] is None


def test_the_override_records_the_reason_and_the_services_not_accepted(engine: Engine) -> None:
    _accounts(engine)
    _deliver(engine, "SAD", {"I1": 1.0}, 2)
    with pytest.raises(AccountError):
        approvals.lock_period(engine, PERIOD, by="boss", reason="   ")  # blank: no reason
    assert approvals.lock_period(engine, PERIOD, by="boss", reason="tancament d'any") is True
    assert locks.is_locked(engine, PERIOD)
    event = audit.audit_frame(engine, action="period_lock").iloc[0]
    assert event["details"] == {"reason": "tancament d'any", "not_accepted": ["SAD"]}
    # locking a locked quarter changes nothing, even without a reason
    assert approvals.lock_period(engine, PERIOD, by="boss") is False
    assert len(audit.audit_frame(engine, action="period_lock")) == 1
