"""The two steps in order (issue 17): a service with a head is accepted only after its head
validated that very submission; a service without a head is accepted directly (SQLite and
PostgreSQL)."""

from __future__ import annotations

import pytest
from sqlalchemy import Engine

from accounts import approvals, users
from accounts.errors import AccountError
from tests.accounts.test_approvals import _submission

PERIOD = "2025-T3"


def test_a_headed_service_is_accepted_after_its_validation(engine: Engine) -> None:
    users.create_user(engine, "boss", "longenough", "director")
    users.create_user(engine, "cap", "longenough", "responsable", ["SIS"])
    first = _submission(engine, "SIS", PERIOD)
    with pytest.raises(AccountError) as refused:
        approvals.approve(engine, "SIS", PERIOD, by="boss")
    assert "no ha validat" in refused.value.message()
    assert approvals.quarter_reviews(engine, PERIOD, ["SIS"])["SIS"].accepted is None

    approvals.validate(engine, "SIS", PERIOD, by="cap")
    accepted = approvals.approve(engine, "SIS", PERIOD, by="boss")
    assert accepted.submission_id == first


def test_a_service_without_a_head_is_accepted_directly(engine: Engine) -> None:
    users.create_user(engine, "boss", "longenough", "director")
    sub = _submission(engine, "SAD", PERIOD)
    assert approvals.approve(engine, "SAD", PERIOD, by="boss").submission_id == sub


def test_the_review_says_which_step_it_waits_for(engine: Engine) -> None:
    users.create_user(engine, "cap", "longenough", "responsable", ["SIS"])
    _submission(engine, "SIS", PERIOD)
    _submission(engine, "SAD", PERIOD)
    reviews = approvals.quarter_reviews(engine, PERIOD, ["SIS", "SAD", "SIAD"])
    assert reviews["SIS"].state == approvals.PENDING_VALIDATION  # its head validates first
    assert reviews["SAD"].state == approvals.PENDING_ACCEPTANCE  # no head: the direction
    assert reviews["SIAD"].state == approvals.NOT_DELIVERED
