"""Who calls the API (issue 19): a personal token in ``Authorization: Bearer <token>``.

The one question the read API asks (:func:`token_principal`) and the submissions endpoint
asks with a scope. Tokens themselves (created, shown once, stored hashed, scoped, expiring,
revocable, audited) live in :mod:`accounts.tokens`.

Without a token a request is anonymous: it sees only what the public view shows. A token that
is malformed, unknown, revoked or expired is refused (401), never treated as anonymous, so a
script with a dead token learns it at once.
"""

from __future__ import annotations

from dataclasses import dataclass

READ = "read"
SUBMIT = "submit"


@dataclass(frozen=True)
class Principal:
    """The account behind a valid token, and what the token allows."""

    user_id: int
    username: str
    role: str
    services: tuple[str, ...]
    scope: str  # READ or SUBMIT (a submit token reads too)
    token_id: int


class TokenRefused(Exception):
    """A token was sent but is not valid (malformed, unknown, revoked or expired)."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


def token_principal() -> Principal | None:
    """The principal of the current request's bearer token; ``None`` without a token;
    :class:`TokenRefused` for a token that is not valid.

    (To be completed by the tokens work: until then no token is ever valid.)"""
    from flask import request

    header = request.headers.get("Authorization")
    if not header:
        return None
    raise TokenRefused("unknown token")
