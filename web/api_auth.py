"""Who calls the API (issue 19): a personal token in ``Authorization: Bearer <token>``.

The one question the read API asks (:func:`token_principal`) and the submissions endpoint
asks with a scope. Tokens themselves (created, shown once, stored hashed, scoped, expiring,
revocable, audited) live in :mod:`accounts.tokens`.

Without a token a request is anonymous: it sees only what the public view shows. A token that
is malformed, unknown, revoked or expired, or of a disabled account, is refused (401), never
treated as anonymous, so a script with a dead token learns it at once. A valid use is recorded
in the token's ``last_used_at`` (at most once a minute); a refused one in the audit log.
"""

from __future__ import annotations

from dataclasses import dataclass

from flask import Response, g, request

from accounts import roles
from accounts import tokens as account_tokens
from i18n import gettext
from indicators.storage.engine import get_engine
from web.context import current_settings
from web.responses import json_error

READ = account_tokens.READ
SUBMIT = account_tokens.SUBMIT
BEARER = "bearer"
MAX_HEADER_LENGTH = 512  # far more than any token of ours
_CACHE_KEY = "seguiment_api_principal"


@dataclass(frozen=True)
class Principal:
    """The account behind a valid token, and what the token allows."""

    user_id: int
    username: str
    role: str
    services: tuple[str, ...]
    scope: str  # READ or SUBMIT (a submit token reads too)
    token_id: int

    @property
    def may_submit(self) -> bool:
        """A submit token of an account that may upload (for its services)."""
        return self.scope == SUBMIT and roles.can_upload(self)


class TokenRefused(Exception):
    """A token was sent but is not valid (malformed, unknown, revoked or expired)."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason

    def message(self, lang: str | None) -> str:
        """Why, in ``lang``."""
        return gettext(account_tokens.refusal_message(self.reason), lang)


def bearer_token(header: str) -> str:
    """The token of an ``Authorization`` header (``Bearer <token>``); :class:`TokenRefused`
    (``malformed``) for any other shape."""
    scheme, _sep, token = header.strip().partition(" ")
    if len(header) > MAX_HEADER_LENGTH or scheme.lower() != BEARER or not token.strip():
        raise TokenRefused(account_tokens.MALFORMED)
    return token.strip()


def _principal() -> Principal | None:
    header = request.headers.get("Authorization")
    if header is None:
        return None
    token = bearer_token(header)
    engine = get_engine(current_settings().database_url)
    try:
        owner = account_tokens.authenticate(engine, token, address=request.remote_addr)
    except account_tokens.TokenError as exc:
        raise TokenRefused(exc.reason) from None
    return Principal(
        user_id=owner.user_id,
        username=owner.username,
        role=owner.role,
        services=owner.services,
        scope=owner.scope,
        token_id=owner.token_id,
    )


def token_principal() -> Principal | None:
    """The principal of the current request's bearer token; ``None`` without a token;
    :class:`TokenRefused` for a token that is not valid. Checked once per request."""
    cached = g.get(_CACHE_KEY)
    if isinstance(cached, TokenRefused):
        raise cached
    if cached is not None:
        return cached if isinstance(cached, Principal) else None
    try:
        principal = _principal()
    except TokenRefused as exc:
        setattr(g, _CACHE_KEY, exc)
        raise
    setattr(g, _CACHE_KEY, principal if principal is not None else False)
    return principal


def refused_response(exc: TokenRefused | None, lang: str | None) -> Response:
    """401 for a request without a valid token, with the reason (``WWW-Authenticate``)."""
    if exc is None:
        response = json_error(
            401, "unauthenticated", gettext("This needs a token: «Authorization: Bearer …».", lang)
        )
        response.headers["WWW-Authenticate"] = 'Bearer realm="api"'
        return response
    response = json_error(401, f"token_{exc.reason}", exc.message(lang))
    response.headers["WWW-Authenticate"] = 'Bearer realm="api", error="invalid_token"'
    return response
