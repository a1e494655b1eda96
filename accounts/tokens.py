"""Personal API tokens (issue 19): the rules. Created, shown once, stored hashed, scoped,
expiring, revocable, audited.

A token reads ``sdp_<prefix>_<secret>``: ``prefix`` (12 hex characters) finds its row and
recognises it in lists; ``secret`` is 32 random bytes (URL-safe base64), of which only the
SHA-256 is stored (:mod:`indicators.storage.tokens`), so the token is shown once, when made
(:func:`create_token`), and never again.

- a token has a scope: ``read`` (what its account may see) or ``submit`` (also delivering
  values, only for an account that may upload and only for that account's services, checked
  at each use with the account as it is then);
- it always expires: at most :data:`MAX_DAYS` days after it is made;
- its owner or a director revokes it (:func:`revoke_token`); a disabled account's tokens stop
  working at once (and work again if it is enabled, unless revoked or expired);
- :func:`authenticate` checks a token sent (the hash compared in constant time) and names
  why a token is refused (:data:`REFUSAL_REASONS`).

Making and revoking a token, and every refused use, are written to the audit log (never the
secret); a refused use at most once a minute per token (or per kind of garbage), so a script
looping with a dead token cannot flood the log.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import re
import secrets
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Engine, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, selectinload

from accounts import roles
from accounts._clock import now
from accounts.audit import record
from accounts.errors import AccountError, PermissionDenied
from accounts.roles import Actor
from accounts.users import Acting, UserInfo
from indicators.storage import tokens as stored
from indicators.storage.engine import transaction
from indicators.storage.schema import AuditEvent, User
from indicators.storage.tokens import TokenInfo

READ = "read"
SUBMIT = "submit"
SCOPES: tuple[str, ...] = (READ, SUBMIT)
SCOPE_LABELS: dict[str, str] = {READ: "Read", SUBMIT: "Read and deliver"}  # English msgids
MAX_DAYS = 365
DEFAULT_DAYS = 90
NAME_LENGTH = 100
TOKEN_START = "sdp_"
PREFIX_LENGTH = 12  # hex characters
_TOKEN_RE = re.compile(r"^sdp_([0-9a-f]{12})_([A-Za-z0-9_-]{43})$")
TOKEN_LENGTH = len(TOKEN_START) + PREFIX_LENGTH + 1 + 43
LAST_USED_EVERY = dt.timedelta(minutes=1)  # last_used_at is written at most this often
REFUSED_AUDIT_EVERY = dt.timedelta(minutes=1)

ACTION_TOKEN_CREATE = "token_create"
ACTION_TOKEN_REVOKE = "token_revoke"
ACTION_TOKEN_REFUSED = "token_refused"

MALFORMED = "malformed"
UNKNOWN = "unknown"
REVOKED = "revoked"
EXPIRED = "expired"
DISABLED = "disabled"
REFUSAL_REASONS: dict[str, str] = {  # reason code → English msgid
    MALFORMED: "The token is malformed: send «Authorization: Bearer sdp_…».",
    UNKNOWN: "The token is not known.",
    REVOKED: "The token has been revoked.",
    EXPIRED: "The token has expired: create a new one.",
    DISABLED: "The token's account is disabled.",
}
# a dummy hash compared when no row has the prefix sent, so an unknown token costs the same
_DUMMY_HASH = hashlib.sha256(b"no such token").hexdigest()


class TokenError(Exception):
    """A token sent that is not valid; ``reason`` is one of :data:`REFUSAL_REASONS`."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


@dataclass(frozen=True)
class NewToken:
    """A token just made: the only moment its full text (``token``) exists outside the
    client that receives it."""

    info: TokenInfo
    token: str


@dataclass(frozen=True)
class TokenOwner:
    """The account behind a valid token, as it is now, and what the token allows."""

    user_id: int
    username: str
    role: str
    services: tuple[str, ...]
    scope: str
    token_id: int

    @property
    def may_submit(self) -> bool:
        """Whether this token may deliver values (a submit token of an uploading account)."""
        return self.scope == SUBMIT and roles.can_upload(self)


def hash_secret(secret: str) -> str:
    """The SHA-256 (hex) of a token's secret: what is stored."""
    return hashlib.sha256(secret.encode("ascii")).hexdigest()


def parse_token(token: str) -> tuple[str, str] | None:
    """``(prefix, secret)`` of a token's text, or ``None`` when it is not one."""
    if not isinstance(token, str) or len(token) != TOKEN_LENGTH:
        return None
    match = _TOKEN_RE.match(token)
    return None if match is None else (match.group(1), match.group(2))


def _new_secret() -> tuple[str, str]:
    return secrets.token_hex(PREFIX_LENGTH // 2), secrets.token_urlsafe(32)


# --- making, listing, revoking ---------------------------------------------------------------


def _account(session: Session, username: str) -> User:
    user = session.scalars(
        select(User).where(User.username == username).options(selectinload(User.services))
    ).first()
    if user is None:
        raise AccountError("No such user: {username}.", username=username)
    return user


def _actor(session: Session, by: Acting) -> Actor:
    if isinstance(by, Actor):
        return by
    if isinstance(by, UserInfo):
        return Actor(name=by.username, role=by.role, services=by.services)
    user = session.scalars(select(User).where(User.username == by)).first()
    if user is None or not user.active:
        raise PermissionDenied("No active user called {username}.", username=by)
    return Actor(name=user.username, role=user.role)


def _acts_for(actor: Actor, owner: str) -> bool:
    """The owner themself, a director, or the command line's operator."""
    return actor.is_operator or actor.role == roles.DIRECTOR or actor.name == owner


def _check_request(user: User, name: str, scope: str, days: int) -> str:
    name = " ".join(name.split())
    if not name or len(name) > NAME_LENGTH:
        raise AccountError(
            "Give the token a name of at most {limit} characters.", limit=NAME_LENGTH
        )
    if scope not in SCOPES:
        raise AccountError("Unknown scope {scope}: use read or submit.", scope=scope)
    if isinstance(days, bool) or not isinstance(days, int) or not 1 <= days <= MAX_DAYS:
        raise AccountError(
            "A token expires after 1 to {limit} days (given: {days}).", limit=MAX_DAYS, days=days
        )
    if not user.active:
        raise AccountError("The account {username} is disabled.", username=user.username)
    if scope == SUBMIT and user.role not in roles.UPLOAD_ROLES:
        raise PermissionDenied(
            "Only accounts that may upload can have a token to deliver values ({username} cannot).",
            username=user.username,
        )
    return name


def create_token(
    engine: Engine,
    *,
    user: str,
    name: str,
    scope: str,
    days: int,
    by: Acting,
    at: dt.datetime | None = None,
) -> NewToken:
    """Make a token for the account ``user`` (by the account itself, a director or the
    operator), valid ``days`` days (1 to :data:`MAX_DAYS`). Returns its full text once; only
    its hash is stored. Audited (name, scope, expiry, prefix; never the secret)."""
    moment = now(at)
    for _attempt in range(3):  # a prefix already taken (one chance in 2**48): draw again
        prefix, secret = _new_secret()
        try:
            with transaction(engine) as session:
                actor = _actor(session, by)
                owner = _account(session, user)
                if not _acts_for(actor, owner.username):
                    raise PermissionDenied(
                        "Only the account itself or a director can make its tokens "
                        "({username} cannot).",
                        username=actor.name,
                    )
                clean = _check_request(owner, name, scope, days)
                info = stored.add_token(
                    session,
                    user_id=owner.id,
                    name=clean,
                    scope=scope,
                    prefix=prefix,
                    secret_hash=hash_secret(secret),
                    created_at=moment,
                    expires_at=moment + dt.timedelta(days=days),
                )
                _audit(session, actor, ACTION_TOKEN_CREATE, info, moment)
        except IntegrityError:
            continue
        return NewToken(info, f"{TOKEN_START}{prefix}_{secret}")
    raise AccountError("The token could not be made: try again.")  # pragma: no cover


def _audit(
    session: Session, actor: Actor, action: str, info: TokenInfo, moment: dt.datetime
) -> None:
    details: dict[str, Any] = {
        "owner": info.username,
        "name": info.name,
        "scope": info.scope,
        "prefix": info.prefix,
        "expires_at": info.expires_at.isoformat(),
        **actor.audit_details(),
    }
    record(session, actor.name, action, f"token:{info.id}", details, at=moment)


def visible_tokens(engine: Engine, *, viewer: Acting, user: str | None = None) -> list[TokenInfo]:
    """The tokens ``viewer`` may see, newest first: a director (or the operator) everybody's
    (``user``'s only, when given), anyone else their own."""
    with Session(engine) as session:
        actor = _actor(session, by=viewer)
        if not (actor.is_operator or actor.role == roles.DIRECTOR):
            user = actor.name
        user_id = None if user is None else _account(session, user).id
        return stored.list_tokens(session, user_id)


def revoke_token(
    engine: Engine, token_id: int, *, by: Acting, at: dt.datetime | None = None
) -> TokenInfo | None:
    """Revoke the token ``token_id`` (its owner, a director or the operator): it stops working
    at once. Returns it revoked, or ``None``, changing and recording nothing, when it already
    was. Audited."""
    moment = now(at)
    with transaction(engine) as session:
        actor = _actor(session, by)
        info = stored.get_token(session, token_id)
        if info is None or not _acts_for(actor, info.username):
            # someone else's token is "no such token": its number tells nothing
            raise AccountError("No such token: {id}.", id=token_id)
        if not stored.mark_revoked(session, token_id, by=actor.name, at=moment):
            return None
        _audit(session, actor, ACTION_TOKEN_REVOKE, info, moment)
        revoked = stored.get_token(session, token_id)
    return revoked


# --- checking a token sent -------------------------------------------------------------------


def authenticate(
    engine: Engine, token: str, *, address: str | None = None, at: dt.datetime | None = None
) -> TokenOwner:
    """The account behind ``token`` and what it allows; :class:`TokenError` (with its reason)
    for a token malformed, unknown, revoked, expired, or of a disabled account, recorded in
    the audit log. A valid use is recorded in ``last_used_at`` (at most once a minute)."""
    moment = now(at)
    parsed = parse_token(token)
    if parsed is None:
        raise _refused(engine, MALFORMED, None, address, moment)
    prefix, secret = parsed
    found = stored.token_by_prefix(engine, prefix)
    same = hmac.compare_digest(found.hash if found else _DUMMY_HASH, hash_secret(secret))
    if found is None or not same:
        raise _refused(engine, UNKNOWN, None, address, moment, prefix=prefix)
    info = found.info
    if info.revoked_at is not None:
        raise _refused(engine, REVOKED, info, address, moment)
    if info.expired(moment):
        raise _refused(engine, EXPIRED, info, address, moment)
    owner = _owner(engine, info)
    if owner is None:
        raise _refused(engine, DISABLED, info, address, moment)
    if info.last_used_at is None or moment - info.last_used_at >= LAST_USED_EVERY:
        # (checked here first: most uses write nothing, and take no write lock)
        stored.touch(engine, info.id, at=moment, every=LAST_USED_EVERY)
    return owner


def _owner(engine: Engine, info: TokenInfo) -> TokenOwner | None:
    """The token's account as it is now (``None``: disabled)."""
    with Session(engine) as session:
        user = session.scalars(
            select(User).where(User.id == info.user_id).options(selectinload(User.services))
        ).first()
        if user is None or not user.active:
            return None
        return TokenOwner(
            user_id=user.id,
            username=user.username,
            role=user.role,
            services=tuple(sorted(s.service for s in user.services)),
            scope=info.scope,
            token_id=info.id,
        )


def _refused(
    engine: Engine,
    reason: str,
    info: TokenInfo | None,
    address: str | None,
    moment: dt.datetime,
    *,
    prefix: str | None = None,
) -> TokenError:
    """The refusal of a token, recorded in the audit log unless the same refusal (token, or
    kind of garbage) was recorded in the last minute."""
    target = f"token:{info.id}" if info else f"token:{reason}"
    recent = select(AuditEvent.id).where(
        AuditEvent.action == ACTION_TOKEN_REFUSED,
        AuditEvent.target == target,
        AuditEvent.at > moment - REFUSED_AUDIT_EVERY,
    )
    with Session(engine) as session:  # a read first: a flood of refusals writes nothing
        if session.scalar(recent.limit(1)) is not None:
            return TokenError(reason)
    details: dict[str, Any] = {"reason": reason, "ip": (address or "")[:64] or None}
    if info is not None:
        details |= {"name": info.name, "prefix": info.prefix}
    elif prefix is not None:
        details["prefix"] = prefix
    with transaction(engine) as session:
        if session.scalar(recent.limit(1)) is None:  # (again, inside the write)
            username = info.username if info else None
            record(session, username, ACTION_TOKEN_REFUSED, target, details, at=moment)
    return TokenError(reason)


def refusal_message(reason: str) -> str:
    """The English msgid that says why a token was refused."""
    return REFUSAL_REASONS.get(reason, REFUSAL_REASONS[UNKNOWN])
