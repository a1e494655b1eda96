"""The logged-in user: Flask-Login's view of an account, and the role checks of pages.

The account is loaded from the database at every request. Its session id includes a digest
of the password hash and of the user's session version (``users.session_version``), bumped on
logout, password change and disable: every session started before ends at its next request.
"""

from __future__ import annotations

import hmac

from flask import Flask, has_request_context
from flask_login import LoginManager, UserMixin, current_user
from werkzeug.exceptions import Forbidden

from accounts import roles, users
from accounts.users import UserInfo
from indicators.storage.engine import get_engine
from web.context import current_settings

DIRECTOR = frozenset({roles.DIRECTOR})
UPLOADERS = roles.UPLOAD_ROLES


class WebUser(UserMixin):  # type: ignore[misc]
    """Flask-Login's view of an account (loaded from the database at every request)."""

    def __init__(self, info: UserInfo) -> None:
        self.info = info

    def get_id(self) -> str:
        return f"{self.info.id}:{self.info.session_token}"

    @property
    def is_active(self) -> bool:
        return self.info.active

    @property
    def username(self) -> str:
        return self.info.username

    @property
    def role(self) -> str:
        return self.info.role


def current_account() -> UserInfo | None:
    """The logged-in account of this request, or None."""
    if not has_request_context():
        return None
    user = current_user
    if user is None or not getattr(user, "is_authenticated", False):
        return None
    info: UserInfo = user.info
    return info


def require_role(*roles: str) -> UserInfo:
    """The logged-in account if its role is one of ``roles``; otherwise 403 (in callbacks too)."""
    info = current_account()
    if info is None or (roles and info.role not in roles):
        raise Forbidden()
    return info


def load_user(user_id: str) -> WebUser | None:
    """The account of a session id (``"<id>:<session token>"``), if still valid."""
    raw_id, _sep, token = user_id.partition(":")
    if not raw_id.isdigit():
        return None
    info = users.get_user_by_id(get_engine(current_settings().database_url), int(raw_id))
    if (
        info is None
        or not info.active
        or not hmac.compare_digest(token.encode(), info.session_token.encode())
    ):
        return None
    return WebUser(info)


def install_login_manager(server: Flask) -> LoginManager:
    manager = LoginManager()
    manager.session_protection = "basic"
    manager.init_app(server)
    manager.user_loader(load_user)
    return manager
