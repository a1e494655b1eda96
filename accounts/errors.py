"""Refused account operations: the message is an English msgid, translated when shown."""

from __future__ import annotations

from i18n import DEFAULT_LANGUAGE, gettext
from plan_model.periods import label_quarters


class AccountError(ValueError):
    """A refused account operation. ``msgid`` is an English message id; ``params`` fill it."""

    def __init__(self, msgid: str, **params: object) -> None:
        self.msgid = msgid
        self.params = params
        super().__init__(msgid.format(**params) if params else msgid)

    def message(self, lang: str | None = DEFAULT_LANGUAGE) -> str:
        """The message in ``lang`` (Catalan unless told), quarters named as a sentence names
        them («3r trimestre de 2025»)."""
        return gettext(self.msgid, lang, **label_quarters(self.params, lang))


class PermissionDenied(AccountError):
    """The acting user's role does not allow the operation (see :mod:`accounts.roles`)."""
