"""Publishing and unpublishing a quarter (issue 19): a director's decision, audited.

Only a published quarter leaves the app (the public view, the open-data API), and a published
figure must not move: a quarter is published only once it is locked, and a published quarter
cannot be reopened until it is unpublished (:func:`refuse_reopening_published`, which
:func:`accounts.approvals.reopen_period` calls). Publishing a published quarter (or
unpublishing one that is not) changes nothing and says so. Each function takes who acts
(``by``: an :class:`~accounts.roles.Actor`, a signed-in account's ``UserInfo`` or an account's
name) and refuses anyone but a director (or the command line's operator) with
:class:`~accounts.errors.PermissionDenied` before touching anything. Every change is written to
the audit log in the same transaction and bumps the data generation, so cached pages refresh.
The state lives in storage (:mod:`indicators.storage.publications`).
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import Engine
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from accounts._clock import now
from accounts.audit import ACTION_PUBLISH, ACTION_UNPUBLISH, record
from accounts.errors import AccountError, PermissionDenied
from accounts.roles import DIRECTOR, Actor, HasRole
from accounts.users import Acting, acting
from indicators.storage import cache, locks
from indicators.storage import publications as stored
from indicators.storage.engine import transaction
from indicators.storage.publications import PublicationInfo
from indicators.storage.schema import DEFAULT_PLAN_ID
from plan_model.periods import Period

PUBLISH_ROLES = frozenset({DIRECTOR})
REASON_LENGTH = 500  # a reason recorded in the audit log, at most


def can_publish(user: HasRole) -> bool:
    """Publishes and unpublishes quarters: a director (the command line's operator acts as one)."""
    return user.role in PUBLISH_ROLES


def require_publisher(actor: Actor) -> None:
    """Refuse (:class:`PermissionDenied`) a publication by someone who may not publish."""
    if not can_publish(actor):
        raise PermissionDenied(
            "Only a director can publish or unpublish a quarter ({username} cannot).",
            username=actor.name,
        )


def _quarter(period: str) -> str:
    quarter = Period.try_parse(period)
    if quarter is None:
        raise AccountError("Not a quarter: {text} (write it as 2025-T3).", text=period)
    return str(quarter)


def refuse_reopening_published(session: Session, period: str) -> None:
    """A published figure must not move: refuse reopening ``period`` while it is published
    (for any plan); it has to be unpublished first."""
    if stored.is_published(session, period, plan_id=None):
        raise AccountError(
            "The {period} is published: a published figure must not move. "
            "Unpublish it first, then reopen it.",
            period=period,
        )


def _audit(
    session: Session, actor: Actor, action: str, period: str, plan_id: str, reason: str | None
) -> None:
    details: dict[str, Any] = {"plan_id": plan_id}
    if reason:
        details["reason"] = reason
    record(session, actor.name, action, period, {**details, **actor.audit_details()})


def publish_period(
    engine: Engine,
    period: str,
    *,
    by: Acting,
    reason: str | None = None,
    plan_id: str = DEFAULT_PLAN_ID,
) -> PublicationInfo | None:
    """Publish a locked quarter: from now on it may leave the app. Only a director; refused,
    with the reason, for a quarter that is not locked.

    Returns the publication, or ``None``, changing and recording nothing, when the quarter is
    already published."""
    period = _quarter(period)
    try:
        with transaction(engine) as session:
            actor = acting(session, by)
            require_publisher(actor)
            if not locks.is_locked(session, period):
                raise AccountError(
                    "The {period} is not locked: only a locked quarter is published, "
                    "so that its figures do not move. Lock it first.",
                    period=period,
                )
            info = stored.publish(session, period, by=actor.name, at=now(), plan_id=plan_id)
            if info is None:
                return None
            cache.data_changed(session)
            _audit(session, actor, ACTION_PUBLISH, period, plan_id, _reason(reason))
            return info
    except IntegrityError:  # published at the same moment by someone else: rolled back
        return None


def unpublish_period(
    engine: Engine,
    period: str,
    *,
    by: Acting,
    reason: str | None = None,
    plan_id: str = DEFAULT_PLAN_ID,
) -> PublicationInfo | None:
    """Withdraw a quarter's publication: it stops leaving the app (its history is kept).
    Only a director.

    Returns the withdrawn publication, or ``None``, changing and recording nothing, when the
    quarter is not published."""
    period = _quarter(period)
    with transaction(engine) as session:
        actor = acting(session, by)
        require_publisher(actor)
        info = stored.unpublish(session, period, by=actor.name, at=now(), plan_id=plan_id)
        if info is None:
            return None
        cache.data_changed(session)
        _audit(session, actor, ACTION_UNPUBLISH, period, plan_id, _reason(reason))
        return info


def _reason(reason: str | None) -> str | None:
    return (reason or "").strip()[:REASON_LENGTH] or None


def published_periods(engine: Engine, plan_id: str = DEFAULT_PLAN_ID) -> dict[str, PublicationInfo]:
    """The quarters of ``plan_id`` published now, oldest first, each with its publication:
    the only quarters the public view and the open-data API may show."""
    return stored.published_periods(engine, plan_id)
