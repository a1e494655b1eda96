"""The session: Flask's signed cookie, its flags and the key that signs it.

No server-side store: any worker answers any request. The cookie (``seguiment_session``) is
HttpOnly and SameSite=Lax, Secure over HTTPS (or always with ``SESSION_COOKIE_SECURE=true``),
and lasts ``SESSION_HOURS``. Logout still ends it server-side: the cookie names the user's
session version, which logout bumps (see ``web.users``).
"""

from __future__ import annotations

import datetime as dt
import logging
import os
import secrets

from flask import Flask, current_app, has_request_context, request
from flask.sessions import SecureCookieSessionInterface

from settings import Settings

log = logging.getLogger("seguiment.auth")

SESSION_COOKIE = "seguiment_session"


class SessionInterface(SecureCookieSessionInterface):
    """Flask's signed-cookie session, Secure whenever the request came over HTTPS."""

    def get_cookie_secure(self, app: Flask) -> bool:
        forced = bool(app.config.get("SESSION_COOKIE_SECURE"))
        return forced or (has_request_context() and request.is_secure)


def effective_secret_key(settings: Settings) -> str:
    """The key that signs sessions and pending uploads. In development, instead of the
    well-known default, a random key kept in ``instance/secret_key`` (made on first use, so
    every process of the install shares it); elsewhere ``SECRET_KEY`` itself."""
    from settings import DEV_SECRET_KEY, INSTANCE_DIR

    if settings.environment != "development" or settings.secret_key != DEV_SECRET_KEY:
        return settings.secret_key
    path = INSTANCE_DIR / "secret_key"
    try:
        if not path.exists():
            path.parent.mkdir(parents=True, exist_ok=True)
            fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
            with os.fdopen(fd, "w") as fh:
                fh.write(secrets.token_urlsafe(48))
        key = path.read_text().strip()
        return key or settings.secret_key
    except FileExistsError:  # another process made it at the same moment
        return path.read_text().strip() or settings.secret_key
    except OSError:
        log.warning("could not keep a development secret key in %s", path)
        return settings.secret_key


def signing_key() -> str:
    """The running app's signing key (see :func:`effective_secret_key`)."""
    return str(current_app.secret_key)


def configure_session(server: Flask, settings: Settings) -> None:
    """The signing key, the cookie's flags and lifetime, and the request size limit."""
    if not settings.secret_key:
        raise RuntimeError("SECRET_KEY must be set.")
    server.secret_key = effective_secret_key(settings)
    server.config.update(
        SESSION_COOKIE_NAME=SESSION_COOKIE,
        SESSION_COOKIE_HTTPONLY=True,
        SESSION_COOKIE_SAMESITE="Lax",
        SESSION_COOKIE_SECURE=settings.session_cookie_secure,
        PERMANENT_SESSION_LIFETIME=dt.timedelta(hours=settings.session_hours),
        # a dcc.Upload travels base64-encoded inside JSON: room for that, no more
        MAX_CONTENT_LENGTH=settings.max_upload_bytes * 4 // 3 + 256 * 1024,
        DEBUG=False,
        PROPAGATE_EXCEPTIONS=False,
        TRAP_HTTP_EXCEPTIONS=False,
    )
    server.session_interface = SessionInterface()
