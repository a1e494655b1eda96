"""The roles and their rules: who may upload, approve and lock. One function per rule.

- ``director``: sees everything, approves and locks quarters, manages users;
- ``tecnic``: sees everything, submits only for the services assigned to them;
- ``consulta``: read-only (the board and guests);
- ``responsable``: a service's head: submits for and validates the services attached to them.

The rules take anything with a ``role`` (a signed-in account's ``UserInfo`` or an
:class:`Actor`). The domain functions that approve and lock call :func:`require_approver` and
:func:`require_locker` themselves, so a page or a script that forgets to check cannot let a
non-director through. The command line acts as an *operator*: an :class:`Actor` with a
director's rights, recorded in the audit log under the operator's name.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any, Protocol

from accounts.errors import AccountError, PermissionDenied

DIRECTOR = "director"
TECHNICIAN = "tecnic"
READ_ONLY = "consulta"
HEAD = "responsable"
ROLES: tuple[str, ...] = (DIRECTOR, TECHNICIAN, READ_ONLY, HEAD)
ROLE_LABELS: dict[str, str] = {  # English msgids; translate with i18n
    DIRECTOR: "Director",
    TECHNICIAN: "Technician",
    READ_ONLY: "Read-only",
    HEAD: "Service head",
}
UPLOAD_ROLES = frozenset({DIRECTOR, TECHNICIAN, HEAD})
SERVICE_ROLES = frozenset({TECHNICIAN, HEAD})  # the roles assigned services
SERVICES_REFUSED = "Only technicians and service heads are assigned services."
APPROVE_ROLES = frozenset({DIRECTOR})
LOCK_ROLES = frozenset({DIRECTOR})
NAME_LENGTH = 64  # the audit log's and the lock's ``changed_by`` column


class HasRole(Protocol):
    """Anything acting with a role: ``UserInfo``, :class:`Actor`."""

    @property
    def role(self) -> str: ...


class HasServices(HasRole, Protocol):
    """An account with its assigned services (``UserInfo``)."""

    @property
    def services(self) -> tuple[str, ...]: ...


@dataclass(frozen=True)
class Actor:
    """Who performs an operation: a signed-in account, or the command line's operator.

    An operator (``Actor.operator(name)``) acts with a director's rights whether or not
    ``name`` is an account: the audit log records the name and that it was an operator.
    """

    name: str
    role: str
    is_operator: bool = False
    services: tuple[str, ...] = ()  # a head's services, when known

    @classmethod
    def operator(cls, name: str) -> Actor:
        """The command line's operator, recorded under ``name`` (at most 64 characters)."""
        name = name.strip()
        if not name:
            raise AccountError("The operator needs a name (--user NAME).")
        return cls(name=name[:NAME_LENGTH], role=DIRECTOR, is_operator=True)

    def audit_details(self) -> dict[str, Any]:
        """What the audit log adds about who acted (nothing for a signed-in account)."""
        return {"operator": True, "rights": self.role} if self.is_operator else {}


def takes_services(role: str) -> bool:
    """Whether an account of ``role`` is assigned services (a technician reports for them, a
    head validates them); a director acts for every service, a reader for none."""
    return role in SERVICE_ROLES


def check_services_for(role: str, services: Iterable[str]) -> None:
    """Refuse services for a role that is not assigned any."""
    if not takes_services(role) and any(True for _ in services):
        raise AccountError(SERVICES_REFUSED)


def check_role(role: str) -> None:
    """Refuse a role that is not one of :data:`ROLES`."""
    if role not in ROLES:
        raise AccountError(
            "Unknown role {role}: use director, tecnic, consulta or responsable.", role=role
        )


def can_upload(user: HasRole) -> bool:
    """Submits spreadsheets (for the services of :func:`allowed_services`)."""
    return user.role in UPLOAD_ROLES


def can_approve(user: HasRole) -> bool:
    """Approves a service's submission for a quarter."""
    return user.role in APPROVE_ROLES


def can_lock(user: HasRole) -> bool:
    """Locks and reopens quarters."""
    return user.role in LOCK_ROLES


def can_validate(actor: HasServices, service: str) -> bool:
    """Validates ``service``'s submission of a quarter: the head of that service, or the
    command line's operator (who acts for anyone)."""
    if getattr(actor, "is_operator", False):
        return True
    return actor.role == HEAD and service in actor.services


def allowed_services(user: HasServices, all_services: Iterable[str]) -> set[str]:
    """The services a user may submit for: a director any, a technician theirs, else none."""
    if not can_upload(user):
        return set()
    if user.role == DIRECTOR:
        return set(all_services)
    return set(user.services)


def require_approver(actor: Actor) -> None:
    """Refuse (:class:`PermissionDenied`) an approval by someone who may not approve."""
    if not can_approve(actor):
        raise PermissionDenied(
            "Only a director can approve a submission ({username} cannot).", username=actor.name
        )


def require_validator(actor: HasServices, service: str) -> None:
    """Refuse (:class:`PermissionDenied`) a validation by someone who is not ``service``'s head."""
    if not can_validate(actor, service):
        raise PermissionDenied(
            "Only the head of {service} can validate its submission ({username} cannot).",
            service=service,
            username=getattr(actor, "name", getattr(actor, "username", "?")),
        )


def require_locker(actor: Actor) -> None:
    """Refuse (:class:`PermissionDenied`) a lock or reopening by someone who may not lock."""
    if not can_lock(actor):
        raise PermissionDenied(
            "Only a director can lock or reopen a quarter ({username} cannot).",
            username=actor.name,
        )
