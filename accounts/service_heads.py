"""The heads of services (role ``responsable``): which services each one heads.

A head is an account with the ``responsable`` role; the services it heads are its service
assignments (``user_services``, the same table as technicians' assignments). The rule of
who validates is :func:`accounts.roles.can_validate`; this module finds the services.
"""

from __future__ import annotations

from dataclasses import replace

from sqlalchemy import Engine, select
from sqlalchemy.orm import Session

from accounts.roles import HEAD, Actor
from indicators.storage.schema import User, UserService


def headed_services(session: Session, username: str) -> tuple[str, ...]:
    """The services the active head called ``username`` heads (none for other roles)."""
    rows = session.scalars(
        select(UserService.service)
        .join(User, User.id == UserService.user_id)
        .where(User.username == username, User.role == HEAD, User.active.is_(True))
        .order_by(UserService.service)
    )
    return tuple(rows)


def with_headed_services(session: Session, actor: Actor) -> Actor:
    """``actor`` with the services it heads filled in from the database (when not given)."""
    if actor.is_operator or actor.role != HEAD or actor.services:
        return actor
    return replace(actor, services=headed_services(session, actor.name))


def heads_in(session: Session, service: str) -> list[str]:
    """The usernames of the active heads of ``service``, in an open session."""
    return list(
        session.scalars(
            select(User.username)
            .join(UserService, UserService.user_id == User.id)
            .where(UserService.service == service, User.role == HEAD, User.active.is_(True))
            .order_by(User.username)
        )
    )


def heads_of(engine: Engine, service: str) -> list[str]:
    """The usernames of the active heads of ``service``."""
    with Session(engine) as session:
        return heads_in(session, service)
