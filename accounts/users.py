"""User accounts: creation, passwords, login and throttling, the demo accounts.

Users live in the database (``users`` and ``user_services``); passwords are hashed with
argon2id (memory-hard, via argon2-cffi) and checked in constant time. The roles and what
each may do are in :mod:`accounts.roles`.

Login throttling keeps its state in the database (``login_throttle``: failures per account
name as typed and client address, and per address), so it holds when consecutive requests
reach different workers or machines. No account is ever locked: a wait only holds for the
address whose failures caused it.

Every change made here is written to the audit log in the same transaction.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import math
import re
import secrets
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

import pandas as pd
from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError
from sqlalchemy import Engine, case, delete, func, or_, select, tuple_, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
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
from indicators.storage.schema import LoginThrottle, User, UserService

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
    reason: str  # "ok" | "invalid" | "disabled" | "throttled"
    user: UserInfo | None = None
    retry_after: int | None = None  # throttled: seconds until the next attempt is checked


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
    roles.check_services_for(role, chosen)
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
    """New password; also forgets the failed logins of that name from every address."""
    _check_password(password)
    with transaction(engine) as session:
        user = _require(session, username)
        user.password_hash = hash_password(password)
        user.session_version = (user.session_version or 0) + 1
        clear_throttle(session, username)
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
        roles.check_services_for(user.role, chosen)
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

SCOPE_ACCOUNT = "account"  # a row per (account name as typed, normalised; client address)
SCOPE_ADDRESS = "address"  # a row per client address, for every name (account "")


@dataclass(frozen=True)
class ThrottlePolicy:
    """Growing delays instead of an account lock (the ``LOGIN_*`` settings).

    The first ``max_failures`` failed logins of a name from an address wait for nothing; the
    one that reaches it makes the next attempt of that name from that address wait
    ``delay_seconds``, and each failure after doubles the wait, up to ``max_delay_seconds``.
    ``max_failures_per_ip`` does the same for all names from one address (spraying). A
    failure older than ``forget_seconds`` than the next one is forgotten (the count restarts).
    """

    max_failures: int = 5
    max_failures_per_ip: int = 20
    delay_seconds: int = 1
    max_delay_seconds: int = 900
    forget_seconds: int = 3600

    @classmethod
    def from_settings(cls, settings: Any) -> ThrottlePolicy:
        """The policy of a :class:`settings.Settings`."""
        return cls(
            max_failures=settings.login_max_failures,
            max_failures_per_ip=settings.login_max_failures_per_ip,
            delay_seconds=settings.login_delay_seconds,
            max_delay_seconds=settings.login_max_delay_seconds,
            forget_seconds=settings.login_forget_seconds,
        )

    def wait_after(self, failures: int, free: int) -> int:
        """Seconds the next attempt must wait after ``failures`` failures in a row (0: none)
        when ``free`` of them wait for nothing."""
        if failures < free:
            return 0
        return int(min(self.delay_seconds * 2 ** min(failures - free, 32), self.max_delay_seconds))


DEFAULT_POLICY = ThrottlePolicy()


def throttle_key(username: str) -> str:
    """The account name as throttling counts it: as typed, NFKC, stripped, case-folded, so
    ``Anna`` and ``anna `` share one count (whether or not such an account exists)."""
    return unicodedata.normalize("NFKC", username or "").strip().casefold()[:64]


@dataclass(frozen=True)
class _Claim:
    throttled_until: dt.datetime | None  # the attempt must wait until then: not counted
    wait_seconds: int = 0  # if this attempt fails, the next one waits this long


class _Throttled(Exception):
    def __init__(self, until: dt.datetime) -> None:
        super().__init__(until.isoformat())
        self.until = until


def _row(scope: str, account: str, address: str) -> Any:
    return (
        (LoginThrottle.scope == scope)
        & (LoginThrottle.account == account)
        & (LoginThrottle.address == address)
    )


def _claim_row(
    session: Session, key: tuple[str, str, str], free: int, policy: ThrottlePolicy, moment: Any
) -> int:
    """Count one attempt on the row ``key`` (scope, account, address) atomically, BEFORE the
    password is verified: one ``UPDATE`` that only matches an unblocked row, so parallel
    attempts queue on the row lock (PostgreSQL) or the write lock (SQLite) and the one that
    reaches ``free`` blocks the rest. Returns the wait it set; raises :class:`_Throttled`."""
    scope, account, address = key
    insert = pg_insert if session.get_bind().dialect.name == "postgresql" else sqlite_insert
    session.execute(
        insert(LoginThrottle)
        .values(scope=scope, account=account, address=address, failures=0, last_failure_at=moment)
        .on_conflict_do_nothing()
    )
    forgotten = LoginThrottle.last_failure_at < moment - dt.timedelta(seconds=policy.forget_seconds)
    where = _row(*key) & or_(
        LoginThrottle.blocked_until.is_(None), LoginThrottle.blocked_until <= moment
    )
    claimed = session.execute(
        update(LoginThrottle)
        .where(where)
        .values(
            failures=case((forgotten, 1), else_=LoginThrottle.failures + 1),
            last_failure_at=moment,
        )
        .execution_options(synchronize_session=False)
    )
    if not getattr(claimed, "rowcount", 0):
        until = session.scalar(select(LoginThrottle.blocked_until).where(_row(*key)))
        raise _Throttled(utc(until) or moment)
    failures = int(session.scalar(select(LoginThrottle.failures).where(_row(*key))) or 0)
    wait = policy.wait_after(failures, free)
    session.execute(
        update(LoginThrottle)
        .where(_row(*key))
        .values(blocked_until=moment + dt.timedelta(seconds=wait) if wait else None)
        .execution_options(synchronize_session=False)
    )
    return wait


def _claim(
    engine: Engine, account: str, address: str, policy: ThrottlePolicy, moment: dt.datetime
) -> _Claim:
    """Claim one attempt of ``account`` from ``address`` and one of ``address`` for any name,
    in one transaction (always in this order): a blocked row undoes both."""
    try:
        with transaction(engine) as session:
            waits = (
                _claim_row(
                    session, (SCOPE_ACCOUNT, account, address), policy.max_failures, policy, moment
                ),
                _claim_row(
                    session,
                    (SCOPE_ADDRESS, "", address),
                    policy.max_failures_per_ip,
                    policy,
                    moment,
                ),
            )
    except _Throttled as throttled:
        return _Claim(throttled.until)
    return _Claim(None, max(waits))


def _release(
    session: Session, account: str, address: str, policy: ThrottlePolicy, moment: Any
) -> None:
    """After a successful login: that (account, address) starts over, the address's count
    gives back this attempt, and rows forgotten long ago are deleted."""
    session.execute(delete(LoginThrottle).where(_row(SCOPE_ACCOUNT, account, address)))
    session.execute(
        update(LoginThrottle)
        .where(_row(SCOPE_ADDRESS, "", address))
        .values(failures=case((LoginThrottle.failures > 0, LoginThrottle.failures - 1), else_=0))
        .execution_options(synchronize_session=False)
    )
    _prune(
        session, moment - dt.timedelta(seconds=max(policy.forget_seconds, policy.max_delay_seconds))
    )


PRUNE_BATCH = 500  # rows forgotten long ago deleted per successful login


def _prune(session: Session, before: dt.datetime) -> None:
    """Delete up to :data:`PRUNE_BATCH` rows whose last attempt is older than ``before``.
    Rows another attempt holds are skipped (``SKIP LOCKED`` on PostgreSQL), so the prune never
    waits for a lock and cannot deadlock with a claim."""
    key = tuple_(LoginThrottle.scope, LoginThrottle.account, LoginThrottle.address)
    old = (
        select(LoginThrottle.scope, LoginThrottle.account, LoginThrottle.address)
        .where(LoginThrottle.last_failure_at < before)
        .limit(PRUNE_BATCH)
        .with_for_update(skip_locked=True)
    )
    session.execute(delete(LoginThrottle).where(key.in_(old)))


def clear_throttle(session: Session, username: str) -> None:
    """Forget the failed logins of ``username`` from every address (a password reset)."""
    session.execute(
        delete(LoginThrottle).where(
            LoginThrottle.scope == SCOPE_ACCOUNT, LoginThrottle.account == throttle_key(username)
        )
    )


def _seconds_until(until: dt.datetime, moment: dt.datetime) -> int:
    return max(1, math.ceil((until - moment).total_seconds()))


def _refuse_login(
    session: Session | Engine,
    actor: str | None,
    target: str | None,
    reason: str,
    details: dict[str, Any],
    moment: dt.datetime,
) -> None:
    """Audit a refused login of ``target`` (by ``actor``: the account, None if unknown)."""
    record(session, actor, ACTION_LOGIN_FAILED, target, {**details, "reason": reason}, at=moment)


@dataclass(frozen=True)
class _Candidate:
    id: int
    username: str
    password_hash: str


def _candidate(engine: Engine, username: str) -> _Candidate | None:
    if not username:
        return None
    with Session(engine) as session:
        row = session.execute(
            select(User.id, User.username, User.password_hash).where(User.username == username)
        ).one_or_none()
    return _Candidate(row.id, row.username, row.password_hash) if row else None


def _logged_in(
    engine: Engine,
    candidate: _Candidate,
    password: str,
    context: tuple[str, str, dict[str, Any]],
    policy: ThrottlePolicy,
    moment: dt.datetime,
) -> AuthResult:
    """The password was right: a disabled account is refused (and stays counted), an active
    one logs in and its (account, address) count starts over."""
    account, address, details = context
    with transaction(engine) as session:
        user = _get(session, candidate.username)
        if user is None or not user.active:
            _refuse_login(
                session, candidate.username, candidate.username, "disabled", details, moment
            )
            return AuthResult(False, "disabled")
        _release(session, account, address, policy, moment)
        if _hasher.check_needs_rehash(user.password_hash):
            user.password_hash = hash_password(password)
        record(session, user.username, ACTION_LOGIN, user.username, details or None, at=moment)
        session.flush()
        return AuthResult(True, "ok", user=_info(user))


def authenticate(
    engine: Engine,
    username: str,
    password: str,
    *,
    ip: str | None = None,
    policy: ThrottlePolicy = DEFAULT_POLICY,
    now: dt.datetime | None = None,
) -> AuthResult:
    """Check a login, throttled per (name as typed, address) and per address (see
    :class:`ThrottlePolicy`); no account is ever locked for everyone.

    An existing and an unknown name go the same way: the attempt is claimed first (a
    throttled one, either way, checks no password and answers ``throttled`` with the
    seconds to wait), then one password hash is verified (a dummy one for an unknown
    name). Every attempt is audited."""
    moment = _clock.now(now)
    username = (username or "").strip()[:64]
    account, address = throttle_key(username), (ip or "")[:64]
    details: dict[str, Any] = {"ip": ip} if ip else {}
    claim = _claim(engine, account, address, policy, moment)
    if claim.throttled_until is not None:
        retry = _seconds_until(claim.throttled_until, moment)
        _refuse_login(
            engine, None, username or None, "throttled", {**details, "retry_after": retry}, moment
        )
        return AuthResult(False, "throttled", retry_after=retry)
    if claim.wait_seconds:
        details = {**details, "wait_seconds": claim.wait_seconds}
    candidate = _candidate(engine, username)
    if candidate is None:
        verify_password(_DUMMY_HASH, password)
        _refuse_login(engine, None, username or None, "unknown_user", details, moment)
        return AuthResult(False, "invalid")
    if not verify_password(candidate.password_hash, password):
        _refuse_login(
            engine, candidate.username, candidate.username, "wrong_password", details, moment
        )
        return AuthResult(False, "invalid")
    return _logged_in(engine, candidate, password, (account, address, details), policy, moment)


# --- demo accounts -----------------------------------------------------------------------

DEMO_ACCOUNTS: tuple[tuple[str, str, tuple[str, ...]], ...] = (
    ("director", roles.DIRECTOR, ()),
    ("tecnic", roles.TECHNICIAN, ("SBAS-VIC", "SIS")),
    ("responsable", roles.HEAD, ("SBAS-VIC", "SIS")),  # validates their quarter
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
        ctx.echo(f"  {user.username:<12} {password}  ({user.role}){services}")
    return 0
