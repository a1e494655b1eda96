"""Refused account operations: the message is an English msgid, translated when shown."""

from __future__ import annotations

from i18n import DEFAULT_LANGUAGE, gettext


class AccountError(ValueError):
    """A refused account operation. ``msgid`` is an English message id; ``params`` fill it."""

    def __init__(self, msgid: str, **params: object) -> None:
        self.msgid = msgid
        self.params = params
        super().__init__(msgid.format(**params) if params else msgid)

    def message(self, lang: str | None = DEFAULT_LANGUAGE) -> str:
        """The message in ``lang`` (Catalan unless told)."""
        return gettext(self.msgid, lang, **self.params)


class PermissionDenied(AccountError):
    """The acting user's role does not allow the operation (see :mod:`accounts.roles`)."""
