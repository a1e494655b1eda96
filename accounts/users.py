"""User accounts: creation, passwords, login and throttling, the demo accounts.

Users live in the database (``users`` and ``user_services``); passwords are hashed with
argon2id (memory-hard, via argon2-cffi) and checked in constant time. The roles and what
each may do are in :mod:`accounts.roles`.

Login throttling keeps its state in the database (``failed_logins`` and ``locked_until`` per
user; failed attempts per client address are counted from the audit log), so it holds when
consecutive requests reach different workers or machines.

Every change made here is written to the audit log in the same transaction.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import re
import secrets
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

import pandas as pd
from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError
from sqlalchemy import Engine, case, func, or_, select, update
from sqlalchemy.orm import Session, selectinload

from accounts import _clock, roles
from accounts._clock import utc
from accounts.audit import (
    ACTION_LOGIN,
    ACTION_LOGIN_FAILED,
    ACTION_USER_CREATE,
    ACTION_USER_DISABLE,
    ACTION_USER_ENABLE,
    ACTION_USER_PASSWORD,
    ACTION_USER_SERVICES,
    record,
)
from accounts.errors import AccountError, PermissionDenied
from accounts.roles import Actor
from indicators.storage.cache import data_changed
from indicators.storage.engine import transaction
from indicators.storage.schema import AuditEvent, User, UserService

MIN_PASSWORD_LENGTH = 8
USERNAME_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._@-]{1,63}$")
EMAIL_RE = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")  # a director's address for the digest

_hasher = PasswordHasher()  # argon2id, library defaults (64 MiB, t=3, p=4)
# verified when the user does not exist, so a wrong username costs as much as a wrong password
_DUMMY_HASH = _hasher.hash(secrets.token_urlsafe(16))


@dataclass(frozen=True)
class UserInfo:
    id: int
    username: str
    role: str
    active: bool
    is_demo: bool
    services: tuple[str, ...]
    created_at: dt.datetime | None
    failed_logins: int
    locked_until: dt.datetime | None
    session_token: str  # changes with the session version: old sessions end (see bump)
    email: str | None = None

    @property
    def can_upload(self) -> bool:
        return roles.can_upload(self)

    @property
    def is_director(self) -> bool:
        return self.role == roles.DIRECTOR

    def to_json(self) -> dict[str, Any]:
        return {
            "username": self.username,
            "role": self.role,
            "active": self.active,
            "is_demo": self.is_demo,
            "services": list(self.services),
            "created_at": self.created_at.isoformat() if self.created_at else None,
            "email": self.email,
        }


@dataclass(frozen=True)
class AuthResult:
    ok: bool
    reason: str  # "ok" | "invalid" | "locked" | "disabled" | "ip_throttled"
    user: UserInfo | None = None
    locked_until: dt.datetime | None = None


def _session_token(password_hash: str, session_version: int) -> str:
    return hashlib.sha256(f"{session_version}:{password_hash}".encode()).hexdigest()[:16]


def _info(user: User) -> UserInfo:
    return UserInfo(
        id=user.id,
        username=user.username,
        role=user.role,
        active=bool(user.active),
        is_demo=bool(user.is_demo),
        services=tuple(sorted(s.service for s in user.services)),
        created_at=utc(user.created_at),
        failed_logins=user.failed_logins or 0,
        locked_until=utc(user.locked_until),
        session_token=_session_token(user.password_hash, user.session_version or 0),
        email=user.email,
    )


# --- passwords ---------------------------------------------------------------------------


def hash_password(password: str) -> str:
    return _hasher.hash(password)


def verify_password(password_hash: str, password: str) -> bool:
    """Constant-time check (argon2 compares digests with a constant-time comparison)."""
    try:
        return _hasher.verify(password_hash, password)
    except (VerifyMismatchError, VerificationError, InvalidHashError):
        return False


def generate_password(length: int = 16) -> str:
    return secrets.token_urlsafe(length)[:length]


def _check_password(password: str) -> None:
    if len(password) < MIN_PASSWORD_LENGTH:
        raise AccountError("The password must have at least {n} characters.", n=MIN_PASSWORD_LENGTH)


def _check_services(services: Iterable[str], known: Iterable[str] | None) -> list[str]:
    chosen = sorted(set(services))
    if known is not None:
        known_set = set(known)
        unknown = [s for s in chosen if s not in known_set]
        if unknown:
            raise AccountError("Unknown service code(s): {codes}.", codes=", ".join(unknown))
    return chosen


# --- users -------------------------------------------------------------------------------


def _get(session: Session, username: str) -> User | None:
    return session.scalars(
        select(User).options(selectinload(User.services)).where(User.username == username)
    ).one_or_none()


def _require(session: Session, username: str) -> User:
    user = _get(session, username)
    if user is None:
        raise AccountError("No user called {username}.", username=username)
    return user


def count_users(engine: Engine) -> int:
    with Session(engine) as session:
        return int(session.scalar(select(func.count()).select_from(User)) or 0)


def create_user(
    engine: Engine,
    username: str,
    password: str,
    role: str,
    services: Iterable[str] = (),
    *,
    known_services: Iterable[str] | None = None,
    is_demo: bool = False,
    by: str | None = None,
    email: str | None = None,
) -> UserInfo:
    """Create an account. Services only matter for technicians; unknown codes are refused
    when ``known_services`` (the plan's service codes) is given. ``email``: where a
    director receives the quarter's digest (``seguiment remind``)."""
    username = username.strip()
    if not USERNAME_RE.match(username):
        raise AccountError(
            "Invalid user name {username}: 2-64 letters, digits, '.', '_', '-' or '@'.",
            username=username,
        )
    roles.check_role(role)
    _check_password(password)
    chosen = _check_services(services, known_services)
    email = (email or "").strip() or None
    if email is not None and not EMAIL_RE.match(email):
        raise AccountError("Invalid e-mail address {email}.", email=email)
    with transaction(engine) as session:
        if _get(session, username) is not None:
            raise AccountError("The user {username} already exists.", username=username)
        user = User(
            username=username,
            password_hash=hash_password(password),
            role=role,
            active=True,
            is_demo=is_demo,
            failed_logins=0,
            email=email,
        )
        user.services = [UserService(service=code) for code in chosen]
        session.add(user)
        if chosen:
            data_changed(session)  # /enviar offers the new services at once
        session.flush()
        record(
            session,
            by,
            ACTION_USER_CREATE,
            username,
            {"role": role, "services": chosen, "is_demo": is_demo},
        )
        session.flush()
        session.refresh(user)
        return _info(user)


def get_user(engine: Engine, username: str) -> UserInfo | None:
    with Session(engine) as session:
        user = _get(session, username)
        return _info(user) if user else None


def get_user_by_id(engine: Engine, user_id: int) -> UserInfo | None:
    with Session(engine) as session:
        user = session.scalars(
            select(User).options(selectinload(User.services)).where(User.id == user_id)
        ).one_or_none()
        return _info(user) if user else None


def list_users(engine: Engine) -> list[UserInfo]:
    with Session(engine) as session:
        users = session.scalars(
            select(User).options(selectinload(User.services)).order_by(User.username)
        )
        return [_info(u) for u in users]


def users_frame(engine: Engine) -> pd.DataFrame:
    rows = [{**u.to_json(), "services": ", ".join(u.services)} for u in list_users(engine)]
    return pd.DataFrame(
        rows, columns=["username", "role", "active", "is_demo", "services", "created_at"]
    )


def set_password(engine: Engine, username: str, password: str, *, by: str | None = None) -> None:
    """New password; also clears the throttling state (a director's reset unlocks)."""
    _check_password(password)
    with transaction(engine) as session:
        user = _require(session, username)
        user.password_hash = hash_password(password)
        user.session_version = (user.session_version or 0) + 1
        user.failed_logins = 0
        user.locked_until = None
        record(session, by, ACTION_USER_PASSWORD, username)


def set_active(engine: Engine, username: str, active: bool, *, by: str | None = None) -> None:
    with transaction(engine) as session:
        user = _require(session, username)
        if not active and user.role == roles.DIRECTOR and user.active:
            others = session.scalar(
                select(func.count())
                .select_from(User)
                .where(User.role == roles.DIRECTOR, User.active.is_(True), User.id != user.id)
            )
            if not others:
                raise AccountError("The last active director cannot be disabled.")
        user.active = active
        if not active:
            user.session_version = (user.session_version or 0) + 1
        if active:
            user.failed_logins = 0
            user.locked_until = None
        record(session, by, ACTION_USER_ENABLE if active else ACTION_USER_DISABLE, username)


def end_sessions(engine: Engine, user_id: int) -> None:
    """Bump the user's session version: every session started before ends (logout)."""
    with transaction(engine) as session:
        session.execute(
            update(User)
            .where(User.id == user_id)
            .values(session_version=func.coalesce(User.session_version, 0) + 1)
        )


def disable_user(engine: Engine, username: str, *, by: str | None = None) -> None:
    set_active(engine, username, False, by=by)


def enable_user(engine: Engine, username: str, *, by: str | None = None) -> None:
    set_active(engine, username, True, by=by)


def set_services(
    engine: Engine,
    username: str,
    services: Iterable[str],
    *,
    known_services: Iterable[str] | None = None,
    by: str | None = None,
) -> None:
    chosen = _check_services(services, known_services)
    with transaction(engine) as session:
        user = _require(session, username)
        user.services = [UserService(service=code) for code in chosen]
        record(session, by, ACTION_USER_SERVICES, username, {"services": chosen})
        data_changed(session)  # /enviar offers the new services at once


# --- who acts ----------------------------------------------------------------------------

Acting = Actor | UserInfo | str  # what the domain functions accept as ``by``


def acting(session: Session, by: Acting) -> Actor:
    """Who performs an operation: an :class:`Actor` as given (the command line's operator),
    a signed-in account, or the active account called ``by`` (looked up in ``session``;
    no such account is refused with :class:`PermissionDenied`)."""
    if isinstance(by, Actor):
        return by
    if isinstance(by, UserInfo):
        return Actor(name=by.username, role=by.role)
    user = _get(session, by)
    if user is None or not user.active:
        raise PermissionDenied("No active user called {username}.", username=by)
    return Actor(name=user.username, role=user.role)


# --- login and throttling ----------------------------------------------------------------


def failed_logins_from_ip(
    engine: Engine, ip: str, window_seconds: int, now: dt.datetime | None = None
) -> int:
    """Failed logins from one client address in the window (counted from the audit log)."""
    start = _clock.now(now) - dt.timedelta(seconds=window_seconds)
    with Session(engine) as session:
        details = session.scalars(
            select(AuditEvent.details).where(
                AuditEvent.action == ACTION_LOGIN_FAILED, AuditEvent.at >= start
            )
        )
        return sum(1 for d in details if isinstance(d, dict) and d.get("ip") == ip)


def _refuse_login(
    session: Session | Engine,
    username: str | None,
    reason: str,
    details: dict[str, Any],
    moment: dt.datetime,
) -> None:
    """Audit a refused login of ``username`` (also the event's target)."""
    record(
        session, username, ACTION_LOGIN_FAILED, username, {**details, "reason": reason}, at=moment
    )


def _claim_attempt(
    session: Session, user_id: int, max_failures: int, lockout_seconds: int, moment: dt.datetime
) -> bool:
    """Count one attempt atomically BEFORE the password is verified (one UPDATE: the row lock
    serializes parallel attempts, on PostgreSQL as on SQLite). The attempt that reaches
    ``max_failures`` sets the lock in the same statement, so no more than ``max_failures``
    attempts are ever checked. False when the account is locked (nothing is counted)."""
    expired = User.locked_until.is_not(None)
    count = case((expired, 1), else_=func.coalesce(User.failed_logins, 0) + 1)
    result = session.execute(
        update(User)
        .where(User.id == user_id, or_(User.locked_until.is_(None), User.locked_until <= moment))
        .values(
            failed_logins=count,
            locked_until=case(
                (count >= max_failures, moment + dt.timedelta(seconds=lockout_seconds)),
                else_=None,
            ),
        )
        .execution_options(synchronize_session=False)
    )
    return bool(getattr(result, "rowcount", 0))


def _wrong_password(
    session: Session, user: User, details: dict[str, Any], moment: dt.datetime
) -> AuthResult:
    """The attempt was already counted by :func:`_claim_attempt`; audit it."""
    locked_until = utc(user.locked_until)
    locks = locked_until is not None and locked_until > moment
    reason = "wrong_password_locked" if locks else "wrong_password"
    _refuse_login(session, user.username, reason, details, moment)
    if locks:
        return AuthResult(False, "locked", locked_until=locked_until)
    return AuthResult(False, "invalid")


def authenticate(
    engine: Engine,
    username: str,
    password: str,
    *,
    max_failures: int = 5,
    lockout_seconds: int = 300,
    ip: str | None = None,
    max_failures_per_ip: int | None = None,
    now: dt.datetime | None = None,
) -> AuthResult:
    """Check a login. After ``max_failures`` wrong passwords in a row the account is locked
    for ``lockout_seconds``; an address with ``max_failures_per_ip`` failures in that window
    is refused too. Every attempt is audited."""
    moment = _clock.now(now)
    username = (username or "").strip()[:64]
    details: dict[str, Any] = {"ip": ip} if ip else {}
    if (
        ip
        and max_failures_per_ip
        and failed_logins_from_ip(engine, ip, lockout_seconds, moment) >= max_failures_per_ip
    ):
        verify_password(_DUMMY_HASH, password)
        _refuse_login(engine, username or None, "ip_throttled", details, moment)
        return AuthResult(False, "ip_throttled")
    with transaction(engine) as session:
        user = _get(session, username) if username else None
        if user is None:
            verify_password(_DUMMY_HASH, password)
            record(
                session,
                None,
                ACTION_LOGIN_FAILED,
                username or None,
                {**details, "reason": "unknown_user"},
                at=moment,
            )
            return AuthResult(False, "invalid")
        if not _claim_attempt(session, user.id, max_failures, lockout_seconds, moment):
            session.refresh(user)
            verify_password(_DUMMY_HASH, password)
            _refuse_login(session, user.username, "locked", details, moment)
            return AuthResult(False, "locked", locked_until=utc(user.locked_until))
        session.refresh(user)  # the row stays locked until this transaction ends
        if not verify_password(user.password_hash, password):
            return _wrong_password(session, user, details, moment)
        if not user.active:
            _refuse_login(session, user.username, "disabled", details, moment)
            return AuthResult(False, "disabled")
        user.failed_logins = 0
        user.locked_until = None
        if _hasher.check_needs_rehash(user.password_hash):
            user.password_hash = hash_password(password)
        record(session, user.username, ACTION_LOGIN, user.username, details or None, at=moment)
        session.flush()
        return AuthResult(True, "ok", user=_info(user))


# --- demo accounts -----------------------------------------------------------------------

DEMO_ACCOUNTS: tuple[tuple[str, str, tuple[str, ...]], ...] = (
    ("director", roles.DIRECTOR, ()),
    ("tecnic", roles.TECHNICIAN, ("SBAS-VIC", "SIS")),
    ("consulta", roles.READ_ONLY, ()),
)


def create_demo_accounts(
    engine: Engine, known_services: Iterable[str] | None = None
) -> list[tuple[UserInfo, str]]:
    """On an install without accounts: one demo account per role, with random passwords
    (returned, to print once). Does nothing when any account exists."""
    if count_users(engine):
        return []
    known = set(known_services) if known_services is not None else None
    created: list[tuple[UserInfo, str]] = []
    for username, role, services in DEMO_ACCOUNTS:
        chosen = [s for s in services if known is None or s in known]
        password = generate_password()
        info = create_user(
            engine, username, password, role, chosen, known_services=known, is_demo=True, by="setup"
        )
        created.append((info, password))
    return created


def setup_accounts(ctx: Any) -> int:
    """Step of ``seguiment setup`` (see :mod:`cli._setup_steps`): on a first run with
    ``--demo-if-empty`` outside production, create the demo accounts and print their random
    passwords once; a production install starts with none and says how to create a director."""
    from i18n import _

    engine = ctx.engine
    existing = count_users(engine)
    if existing:
        ctx.echo(_("{count} user accounts.", count=existing))
        return 0
    if ctx.settings.is_production or not ctx.demo_if_empty:
        ctx.echo(
            _(
                "Production install without accounts: create a director with: seguiment "
                "users create --username NAME --password PASSWORD --role director"
            )
        )
        return 0
    created = create_demo_accounts(engine, ctx.plan.service_by_code)
    ctx.echo(
        _("Demo accounts created (passwords shown only now; change them or create real accounts):")
    )
    for user, password in created:
        services = f" [{', '.join(user.services)}]" if user.services else ""
        ctx.echo(f"  {user.username:<10} {password}  ({user.role}){services}")
    return 0
