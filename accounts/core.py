"""Accounts, roles, the audit log, approvals and period locks (no Dash, no Flask).

Users live in the database (``users`` and ``user_services``); passwords are hashed with
argon2id (memory-hard, via argon2-cffi) and checked in constant time. Roles:

- ``director``: sees everything, approves and locks quarters, manages users;
- ``tecnic``: sees everything, submits only for the services assigned to them;
- ``consulta``: read-only (the board and guests).

Login throttling keeps its state in the database (``failed_logins`` and ``locked_until`` per
user; failed attempts per client address are counted from the audit log), so it holds when
consecutive requests reach different workers or machines.

Every change made here is written to the audit log in the same transaction.

A ``PeriodLock`` row with ``locked = True`` closes a quarter: the importer refuses uploads for
it. Reopening keeps the row with ``locked = False`` (who reopened it and when); no row means
the quarter was never locked.
"""

from __future__ import annotations

import datetime as dt
import re
import secrets
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

import pandas as pd
from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError
from sqlalchemy import Engine, func, select
from sqlalchemy.orm import Session, selectinload

from indicators.storage.engine import transaction
from indicators.storage.schema import (
    Approval,
    AuditEvent,
    PeriodLock,
    Submission,
    SubmissionStatus,
    User,
    UserService,
)

ROLES: tuple[str, ...] = ("director", "tecnic", "consulta")
ROLE_LABELS: dict[str, str] = {  # English msgids; translate with i18n
    "director": "Director",
    "tecnic": "Technician",
    "consulta": "Read-only",
}
UPLOAD_ROLES = frozenset({"director", "tecnic"})
MIN_PASSWORD_LENGTH = 8
USERNAME_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._@-]{1,63}$")

# audit actions (stable machine codes)
ACTION_LOGIN = "login"
ACTION_LOGIN_FAILED = "login_failed"
ACTION_LOGOUT = "logout"
ACTION_USER_CREATE = "user_create"
ACTION_USER_PASSWORD = "user_password"
ACTION_USER_DISABLE = "user_disable"
ACTION_USER_ENABLE = "user_enable"
ACTION_USER_SERVICES = "user_services"
ACTION_APPROVE = "approve"
ACTION_LOCK = "period_lock"
ACTION_REOPEN = "period_reopen"
ACTION_IMPORT = "import"
AUDIT_COLUMNS = ["id", "at", "username", "action", "target", "details"]

_hasher = PasswordHasher()  # argon2id, library defaults (64 MiB, t=3, p=4)
# verified when the user does not exist, so a wrong username costs as much as a wrong password
_DUMMY_HASH = _hasher.hash(secrets.token_urlsafe(16))


class AccountError(ValueError):
    """A refused account operation. ``msgid`` is an English message id; ``params`` fill it."""

    def __init__(self, msgid: str, **params: object) -> None:
        self.msgid = msgid
        self.params = params
        super().__init__(msgid.format(**params) if params else msgid)


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
    session_token: str  # changes with the password hash: old sessions end on a reset

    @property
    def can_upload(self) -> bool:
        return self.role in UPLOAD_ROLES

    @property
    def is_director(self) -> bool:
        return self.role == "director"

    def to_json(self) -> dict[str, Any]:
        return {
            "username": self.username,
            "role": self.role,
            "active": self.active,
            "is_demo": self.is_demo,
            "services": list(self.services),
            "created_at": self.created_at.isoformat() if self.created_at else None,
        }


@dataclass(frozen=True)
class AuthResult:
    ok: bool
    reason: str  # "ok" | "invalid" | "locked" | "disabled" | "ip_throttled"
    user: UserInfo | None = None
    locked_until: dt.datetime | None = None


def _utc(value: dt.datetime | None) -> dt.datetime | None:
    if value is None:
        return None
    return value if value.tzinfo else value.replace(tzinfo=dt.UTC)


def _now(now: dt.datetime | None = None) -> dt.datetime:
    return _utc(now) or dt.datetime.now(dt.UTC)


def _session_token(password_hash: str) -> str:
    import hashlib

    return hashlib.sha256(password_hash.encode()).hexdigest()[:16]


def _info(user: User) -> UserInfo:
    return UserInfo(
        id=user.id,
        username=user.username,
        role=user.role,
        active=bool(user.active),
        is_demo=bool(user.is_demo),
        services=tuple(sorted(s.service for s in user.services)),
        created_at=_utc(user.created_at),
        failed_logins=user.failed_logins or 0,
        locked_until=_utc(user.locked_until),
        session_token=_session_token(user.password_hash),
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
        raise AccountError(
            "The password must have at least {n} characters.", n=MIN_PASSWORD_LENGTH
        )


def _check_role(role: str) -> None:
    if role not in ROLES:
        raise AccountError(
            "Unknown role {role}: use director, tecnic or consulta.", role=role
        )


def _check_services(services: Iterable[str], known: Iterable[str] | None) -> list[str]:
    chosen = sorted(set(services))
    if known is not None:
        known_set = set(known)
        unknown = [s for s in chosen if s not in known_set]
        if unknown:
            raise AccountError(
                "Unknown service code(s): {codes}.", codes=", ".join(unknown)
            )
    return chosen


# --- audit log ----------------------------------------------------------------------------


def record(
    target_db: Engine | Session,
    username: str | None,
    action: str,
    target: str | None = None,
    details: dict[str, Any] | None = None,
    *,
    at: dt.datetime | None = None,
) -> None:
    """Write one audit event, in the given session's transaction or a new one."""
    event = AuditEvent(
        at=_now(at), username=username, action=action, target=target, details=details or None
    )
    if isinstance(target_db, Session):
        target_db.add(event)
        return
    with transaction(target_db) as session:
        session.add(event)


def audit_frame(
    engine: Engine,
    *,
    username: str | None = None,
    action: str | Iterable[str] | None = None,
    since: dt.datetime | dt.date | None = None,
    until: dt.datetime | dt.date | None = None,
    target: str | None = None,
    limit: int | None = 5000,
) -> pd.DataFrame:
    """The audit log, newest first. ``until`` given as a date includes that whole day."""
    stmt = select(AuditEvent).order_by(AuditEvent.at.desc(), AuditEvent.id.desc())
    if username:
        stmt = stmt.where(AuditEvent.username == username)
    if action:
        actions = [action] if isinstance(action, str) else list(action)
        stmt = stmt.where(AuditEvent.action.in_(actions))
    if target:
        stmt = stmt.where(AuditEvent.target == target)
    if since is not None:
        start = since if isinstance(since, dt.datetime) else dt.datetime.combine(
            since, dt.time.min, tzinfo=dt.UTC)
        stmt = stmt.where(AuditEvent.at >= _now(start))
    if until is not None:
        end = until if isinstance(until, dt.datetime) else dt.datetime.combine(
            until + dt.timedelta(days=1), dt.time.min, tzinfo=dt.UTC)
        stmt = stmt.where(AuditEvent.at < _now(end))
    if limit:
        stmt = stmt.limit(limit)
    with Session(engine) as session:
        rows = [
            {
                "id": e.id,
                "at": _utc(e.at),
                "username": e.username,
                "action": e.action,
                "target": e.target,
                "details": e.details,
            }
            for e in session.scalars(stmt)
        ]
    frame = pd.DataFrame(rows, columns=AUDIT_COLUMNS)
    frame["at"] = pd.to_datetime(frame["at"], utc=True)
    return frame


def audit_usernames(engine: Engine) -> list[str]:
    with Session(engine) as session:
        names = session.scalars(
            select(AuditEvent.username).where(AuditEvent.username.is_not(None)).distinct()
        )
        return sorted(n for n in names if n)


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
) -> UserInfo:
    """Create an account. Services only matter for technicians; unknown codes are refused
    when ``known_services`` (the plan's service codes) is given."""
    username = username.strip()
    if not USERNAME_RE.match(username):
        raise AccountError(
            "Invalid user name {username}: 2-64 letters, digits, '.', '_', '-' or '@'.",
            username=username,
        )
    _check_role(role)
    _check_password(password)
    chosen = _check_services(services, known_services)
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
        )
        user.services = [UserService(service=code) for code in chosen]
        session.add(user)
        session.flush()
        record(session, by, ACTION_USER_CREATE, username,
               {"role": role, "services": chosen, "is_demo": is_demo})
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
    rows = [
        {**u.to_json(), "services": ", ".join(u.services)} for u in list_users(engine)
    ]
    return pd.DataFrame(
        rows, columns=["username", "role", "active", "is_demo", "services", "created_at"]
    )


def set_password(engine: Engine, username: str, password: str, *, by: str | None = None) -> None:
    """New password; also clears the throttling state (a director's reset unlocks)."""
    _check_password(password)
    with transaction(engine) as session:
        user = _require(session, username)
        user.password_hash = hash_password(password)
        user.failed_logins = 0
        user.locked_until = None
        record(session, by, ACTION_USER_PASSWORD, username)


def set_active(engine: Engine, username: str, active: bool, *, by: str | None = None) -> None:
    with transaction(engine) as session:
        user = _require(session, username)
        if not active and user.role == "director" and user.active:
            others = session.scalar(
                select(func.count()).select_from(User).where(
                    User.role == "director", User.active.is_(True), User.id != user.id)
            )
            if not others:
                raise AccountError("The last active director cannot be disabled.")
        user.active = active
        if active:
            user.failed_logins = 0
            user.locked_until = None
        record(session, by, ACTION_USER_ENABLE if active else ACTION_USER_DISABLE, username)


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


def allowed_services(user: UserInfo, all_services: Iterable[str]) -> set[str]:
    """The services a user may submit for: a director any, a technician theirs, else none."""
    if user.role == "director":
        return set(all_services)
    if user.role == "tecnic":
        return set(user.services)
    return set()


# --- login and throttling ----------------------------------------------------------------


def failed_logins_from_ip(engine: Engine, ip: str, window_seconds: int,
                          now: dt.datetime | None = None) -> int:
    """Failed logins from one client address in the window (counted from the audit log)."""
    start = _now(now) - dt.timedelta(seconds=window_seconds)
    with Session(engine) as session:
        details = session.scalars(
            select(AuditEvent.details).where(
                AuditEvent.action == ACTION_LOGIN_FAILED, AuditEvent.at >= start)
        )
        return sum(1 for d in details if isinstance(d, dict) and d.get("ip") == ip)


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
    moment = _now(now)
    username = (username or "").strip()[:64]
    details: dict[str, Any] = {"ip": ip} if ip else {}
    if ip and max_failures_per_ip and failed_logins_from_ip(
            engine, ip, lockout_seconds, moment) >= max_failures_per_ip:
        verify_password(_DUMMY_HASH, password)
        record(engine, username or None, ACTION_LOGIN_FAILED, username or None,
               {**details, "reason": "ip_throttled"}, at=moment)
        return AuthResult(False, "ip_throttled")
    with transaction(engine) as session:
        user = _get(session, username) if username else None
        if user is None:
            verify_password(_DUMMY_HASH, password)
            record(session, None, ACTION_LOGIN_FAILED, username or None,
                   {**details, "reason": "unknown_user"}, at=moment)
            return AuthResult(False, "invalid")
        locked_until = _utc(user.locked_until)
        if locked_until is not None and locked_until > moment:
            verify_password(_DUMMY_HASH, password)
            record(session, user.username, ACTION_LOGIN_FAILED, user.username,
                   {**details, "reason": "locked"}, at=moment)
            return AuthResult(False, "locked", locked_until=locked_until)
        if not verify_password(user.password_hash, password):
            user.failed_logins = (user.failed_logins or 0) + 1
            reason = "wrong_password"
            if user.failed_logins >= max_failures:
                user.locked_until = moment + dt.timedelta(seconds=lockout_seconds)
                user.failed_logins = 0
                reason = "wrong_password_locked"
            record(session, user.username, ACTION_LOGIN_FAILED, user.username,
                   {**details, "reason": reason}, at=moment)
            if reason == "wrong_password_locked":
                return AuthResult(False, "locked", locked_until=_utc(user.locked_until))
            return AuthResult(False, "invalid")
        if not user.active:
            record(session, user.username, ACTION_LOGIN_FAILED, user.username,
                   {**details, "reason": "disabled"}, at=moment)
            return AuthResult(False, "disabled")
        user.failed_logins = 0
        user.locked_until = None
        if _hasher.check_needs_rehash(user.password_hash):
            user.password_hash = hash_password(password)
        record(session, user.username, ACTION_LOGIN, user.username, details or None, at=moment)
        session.flush()
        return AuthResult(True, "ok", user=_info(user))


# --- approvals and period locks ----------------------------------------------------------


@dataclass(frozen=True)
class ApprovalInfo:
    id: int
    service: str
    period: str
    submission_id: int
    approved_by: str
    approved_at: dt.datetime


def approve(
    engine: Engine, service: str, period: str, submission: int | None = None, *, by: str
) -> ApprovalInfo:
    """Approve a service's quarter: its current submission, or ``submission`` if given
    (which must be that service's and quarter's)."""
    with transaction(engine) as session:
        if submission is None:
            sub = session.scalars(
                select(Submission).where(
                    Submission.service == service,
                    Submission.period == period,
                    Submission.status == SubmissionStatus.CURRENT,
                )
            ).one_or_none()
        else:
            sub = session.get(Submission, submission)
            if sub is not None and (sub.service != service or sub.period != period):
                sub = None
        if sub is None:
            raise AccountError(
                "There is no submission of {service} for {period} to approve.",
                service=service, period=period,
            )
        approval = Approval(
            service=service, period=period, submission_id=sub.id, approved_by=by,
            approved_at=_now(),
        )
        session.add(approval)
        session.flush()
        record(session, by, ACTION_APPROVE, f"{service} {period}",
               {"service": service, "period": period, "submission_id": sub.id})
        return ApprovalInfo(approval.id, service, period, sub.id, by, _now(approval.approved_at))


def approvals_frame(engine: Engine) -> pd.DataFrame:
    columns = ["id", "service", "period", "submission_id", "approved_by", "approved_at"]
    with Session(engine) as session:
        rows = [
            {
                "id": a.id, "service": a.service, "period": a.period,
                "submission_id": a.submission_id, "approved_by": a.approved_by,
                "approved_at": _utc(a.approved_at),
            }
            for a in session.scalars(select(Approval).order_by(Approval.approved_at, Approval.id))
        ]
    frame = pd.DataFrame(rows, columns=columns)
    frame["approved_at"] = pd.to_datetime(frame["approved_at"], utc=True)
    return frame


def _set_lock(engine: Engine, period: str, locked: bool, by: str) -> None:
    with transaction(engine) as session:
        row = session.get(PeriodLock, period)
        if row is None:
            row = PeriodLock(period=period, locked=locked, changed_by=by, changed_at=_now())
            session.add(row)
        else:
            row.locked = locked
            row.changed_by = by
            row.changed_at = _now()
        record(session, by, ACTION_LOCK if locked else ACTION_REOPEN, period)


def lock_period(engine: Engine, period: str, *, by: str) -> None:
    _set_lock(engine, period, True, by)


def reopen_period(engine: Engine, period: str, *, by: str) -> None:
    _set_lock(engine, period, False, by)


def is_locked(target_db: Engine | Session, period: str) -> bool:
    stmt = select(PeriodLock.locked).where(PeriodLock.period == period)
    if isinstance(target_db, Session):
        return bool(target_db.scalar(stmt))
    with Session(target_db) as session:
        return bool(session.scalar(stmt))


def locked_periods(engine: Engine) -> set[str]:
    with Session(engine) as session:
        return set(session.scalars(select(PeriodLock.period).where(PeriodLock.locked.is_(True))))


def period_locks_frame(engine: Engine) -> pd.DataFrame:
    with Session(engine) as session:
        rows = [
            {"period": r.period, "locked": bool(r.locked), "changed_by": r.changed_by,
             "changed_at": _utc(r.changed_at)}
            for r in session.scalars(select(PeriodLock).order_by(PeriodLock.period))
        ]
    return pd.DataFrame(rows, columns=["period", "locked", "changed_by", "changed_at"])


# --- demo accounts -----------------------------------------------------------------------

DEMO_ACCOUNTS: tuple[tuple[str, str, tuple[str, ...]], ...] = (
    ("director", "director", ()),
    ("tecnic", "tecnic", ("SBAS-VIC", "SIS")),
    ("consulta", "consulta", ()),
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
        info = create_user(engine, username, password, role, chosen, known_services=known,
                           is_demo=True, by="setup")
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
        ctx.echo(_("Production install without accounts: create a director with: seguiment "
                   "users create --username NAME --password PASSWORD --role director"))
        return 0
    created = create_demo_accounts(engine, ctx.plan.service_by_code)
    ctx.echo(_("Demo accounts created (passwords shown only now; change them or create real "
               "accounts):"))
    for user, password in created:
        services = f" [{', '.join(user.services)}]" if user.services else ""
        ctx.echo(f"  {user.username:<10} {password}  ({user.role}){services}")
    return 0
