"""Personal API tokens as stored: the ``api_tokens`` table, read and written (issue 19).

A row keeps the SHA-256 of a token's random secret, never the secret, and the first
characters of the token (``prefix``) that find the row and recognise the token in a list.
Rows are never deleted: revoking marks the row (who, when). The rules (who may create, list
and revoke, what a scope allows, how a token is checked) live in :mod:`accounts.tokens`, which
calls the writers here inside its transaction.

The readers take an ``Engine`` (a short session of their own) or a ``Session`` (to read inside
the caller's transaction).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import Engine, Select, or_, select, update
from sqlalchemy.orm import Session

from indicators.storage.engine import reading
from indicators.storage.queries import as_utc, utc_or_none
from indicators.storage.schema import ApiToken, User

Db = Engine | Session


@dataclass(frozen=True)
class TokenInfo:
    """One token as lists show it (never its secret nor its hash): whose it is, its name and
    scope, when it was made, when it expires, when it was last used and whether revoked."""

    id: int
    user_id: int
    username: str
    name: str
    scope: str
    prefix: str
    created_at: dt.datetime
    expires_at: dt.datetime
    revoked_at: dt.datetime | None = None
    revoked_by: str | None = None
    last_used_at: dt.datetime | None = None

    def expired(self, moment: dt.datetime) -> bool:
        """Whether the token has expired at ``moment``."""
        return as_utc(moment) >= self.expires_at

    def usable(self, moment: dt.datetime) -> bool:
        """Whether the token may be used at ``moment``: not revoked, not expired."""
        return self.revoked_at is None and not self.expired(moment)

    def to_json(self) -> dict[str, object]:
        """The token as ``seguiment tokens list --json`` prints it."""
        return {
            "id": self.id,
            "user": self.username,
            "name": self.name,
            "scope": self.scope,
            "prefix": self.prefix,
            "created_at": self.created_at.isoformat(),
            "expires_at": self.expires_at.isoformat(),
            "revoked_at": self.revoked_at.isoformat() if self.revoked_at else None,
            "revoked_by": self.revoked_by,
            "last_used_at": self.last_used_at.isoformat() if self.last_used_at else None,
        }


@dataclass(frozen=True)
class StoredToken:
    """A token's row with its hash, for the check of a token sent (never shown)."""

    info: TokenInfo
    hash: str


def _info(row: ApiToken, username: str) -> TokenInfo:
    return TokenInfo(
        id=row.id,
        user_id=row.user_id,
        username=username,
        name=row.name,
        scope=row.scope,
        prefix=row.prefix,
        created_at=as_utc(row.created_at),
        expires_at=as_utc(row.expires_at),
        revoked_at=utc_or_none(row.revoked_at),
        revoked_by=row.revoked_by,
        last_used_at=utc_or_none(row.last_used_at),
    )


def _with_owner() -> Select[ApiToken, str]:
    return select(ApiToken, User.username).join(User, User.id == ApiToken.user_id)


def add_token(
    session: Session,
    *,
    user_id: int,
    name: str,
    scope: str,
    prefix: str,
    secret_hash: str,
    created_at: dt.datetime,
    expires_at: dt.datetime,
) -> TokenInfo:
    """Store a new token of account ``user_id`` (its hash only) in the caller's transaction."""
    row = ApiToken(
        user_id=user_id,
        name=name,
        scope=scope,
        hash=secret_hash,
        prefix=prefix,
        created_at=as_utc(created_at),
        expires_at=as_utc(expires_at),
    )
    session.add(row)
    session.flush()
    username = session.scalar(select(User.username).where(User.id == user_id)) or ""
    return _info(row, username)


def token_by_prefix(db: Db, prefix: str) -> StoredToken | None:
    """The token whose prefix is ``prefix``, with its hash (``None``: no such token)."""
    with reading(db) as session:
        found = session.execute(_with_owner().where(ApiToken.prefix == prefix)).first()
        if found is None:
            return None
        row, username = found
        return StoredToken(_info(row, username), row.hash)


def get_token(db: Db, token_id: int) -> TokenInfo | None:
    """The token numbered ``token_id`` (``None``: no such token)."""
    with reading(db) as session:
        found = session.execute(_with_owner().where(ApiToken.id == token_id)).first()
        return None if found is None else _info(found[0], found[1])


def list_tokens(db: Db, user_id: int | None = None) -> list[TokenInfo]:
    """Every token (of account ``user_id`` when given), newest first."""
    stmt = _with_owner().order_by(ApiToken.created_at.desc(), ApiToken.id.desc())
    if user_id is not None:
        stmt = stmt.where(ApiToken.user_id == user_id)
    with reading(db) as session:
        return [_info(row, username) for row, username in session.execute(stmt)]


def mark_revoked(session: Session, token_id: int, *, by: str, at: dt.datetime) -> bool:
    """Revoke the token ``token_id`` in the caller's transaction; ``False`` when it was already
    revoked (or does not exist): nothing changes."""
    result = session.execute(
        update(ApiToken)
        .where(ApiToken.id == token_id, ApiToken.revoked_at.is_(None))
        .values(revoked_at=as_utc(at), revoked_by=by)
    )
    return bool(getattr(result, "rowcount", 0))


def touch(engine: Engine, token_id: int, *, at: dt.datetime, every: dt.timedelta) -> bool:
    """Record that the token was used at ``at``, unless that was recorded less than ``every``
    ago (one conditional update: at most one write per interval, whichever worker answers).
    ``True`` when written."""
    moment = as_utc(at)
    with engine.begin() as conn:
        result = conn.execute(
            update(ApiToken)
            .where(
                ApiToken.id == token_id,
                or_(ApiToken.last_used_at.is_(None), ApiToken.last_used_at <= moment - every),
            )
            .values(last_used_at=moment)
        )
    return bool(result.rowcount)
