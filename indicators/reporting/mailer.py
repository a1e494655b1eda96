"""Sending e-mail through an SMTP server, with the standard library only.

``SMTP_URL`` names the server and how to reach it:

- ``smtp+starttls://user:password@host:587``: plain connection upgraded with STARTTLS;
- ``smtps://user:password@host:465``: TLS from the first byte (implicit TLS);
- ``smtp://host:25``: a relay without TLS (inside the organisation's network), with or
  without a user.

The user and password are percent-decoded (``%40`` for ``@`` in a password). Every failure
is a :class:`MailError` with an English msgid for the catalogs: the server cannot be reached,
it refuses the login, a recipient or the message. The password never appears in a message.
"""

from __future__ import annotations

import smtplib
import socket
import ssl
from dataclasses import dataclass, field
from email.message import EmailMessage
from types import TracebackType
from typing import Literal
from urllib.parse import unquote, urlsplit

from i18n import gettext

Security = Literal["none", "starttls", "tls"]
SCHEMES: dict[str, tuple[Security, int]] = {
    "smtp": ("none", 25),
    "smtp+starttls": ("starttls", 587),
    "smtps": ("tls", 465),
}


class MailError(Exception):
    """A message could not be sent: ``msgid`` and ``params`` for the catalogs."""

    def __init__(self, msgid: str, /, **params: object) -> None:
        super().__init__(msgid.format(**params) if params else msgid)
        self.msgid = msgid
        self.params = params

    def text(self, lang: str = "ca") -> str:
        return gettext(self.msgid, lang, **self.params)


@dataclass(frozen=True)
class SmtpConfig:
    """Where and how to send: parsed from ``SMTP_URL``."""

    host: str
    port: int
    security: Security = "none"
    username: str | None = None
    password: str | None = field(default=None, repr=False)
    timeout: float = 30.0

    @classmethod
    def from_url(cls, url: str | None, timeout: float = 30.0) -> SmtpConfig:
        if not url or not url.strip():
            raise MailError(
                "SMTP_URL is not set: no e-mail can be sent (see docs/administration.md)."
            )
        parts = urlsplit(url.strip())
        scheme = parts.scheme.lower()
        if scheme not in SCHEMES:
            raise MailError(
                "SMTP_URL must start with smtp://, smtp+starttls:// or smtps://, not «{scheme}».",
                scheme=scheme or "-",
            )
        security, default_port = SCHEMES[scheme]
        try:
            port = parts.port or default_port
        except ValueError:
            raise MailError("SMTP_URL has a port that is not a number.") from None
        if not parts.hostname:
            raise MailError("SMTP_URL names no server (smtp://HOST:PORT).")
        return cls(
            host=parts.hostname,
            port=port,
            security=security,
            username=unquote(parts.username) if parts.username else None,
            password=unquote(parts.password) if parts.password is not None else None,
            timeout=timeout,
        )

    @property
    def where(self) -> str:
        return f"{self.host}:{self.port}"


class SmtpMailer:
    """One connection to the server for a batch of messages (``with SmtpMailer(cfg) as m``).

    Connecting (and logging in) happens on entering, so an unreachable server or a wrong
    password fails before anything is sent or recorded.
    """

    def __init__(self, config: SmtpConfig) -> None:
        self.config = config
        self._smtp: smtplib.SMTP | None = None

    def __enter__(self) -> SmtpMailer:
        self._smtp = self._connect()
        return self

    def __exit__(
        self, kind: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        smtp, self._smtp = self._smtp, None
        if smtp is None:
            return
        try:
            smtp.quit()
        except (smtplib.SMTPException, OSError):
            smtp.close()

    def _connect(self) -> smtplib.SMTP:
        cfg = self.config
        context = ssl.create_default_context()
        smtp: smtplib.SMTP | None = None
        try:
            if cfg.security == "tls":
                smtp = smtplib.SMTP_SSL(cfg.host, cfg.port, timeout=cfg.timeout, context=context)
            else:
                smtp = smtplib.SMTP(cfg.host, cfg.port, timeout=cfg.timeout)
            smtp.ehlo()
            if cfg.security == "starttls":
                smtp.starttls(context=context)
                smtp.ehlo()
            if cfg.username:
                smtp.login(cfg.username, cfg.password or "")
            return smtp
        except BaseException as exc:
            if smtp is not None:
                smtp.close()
            raise _connect_error(exc, cfg) from exc

    def send(self, message: EmailMessage) -> list[str]:
        """Send one message; the recipients the server refused (when it accepted others)."""
        if self._smtp is None:
            raise RuntimeError("SmtpMailer.send outside its `with` block")
        try:
            refused = self._smtp.send_message(message)
        except smtplib.SMTPRecipientsRefused as exc:
            raise MailError(
                "The mail server refused every recipient: {addresses}.",
                addresses=", ".join(sorted(exc.recipients)),
            ) from exc
        except smtplib.SMTPResponseException as exc:
            raise MailError(
                "The mail server refused the message: {code} {reply}.",
                code=exc.smtp_code,
                reply=_reply(exc.smtp_error),
            ) from exc
        except (smtplib.SMTPException, OSError) as exc:
            raise MailError(
                "The connection with the mail server {server} was lost: {reason}.",
                server=self.config.where,
                reason=_reason(exc),
            ) from exc
        return sorted(refused)


def _reply(raw: bytes | str) -> str:
    text = raw.decode("utf-8", "replace") if isinstance(raw, bytes) else str(raw)
    return " ".join(text.split())[:200]


def _reason(exc: BaseException) -> str:
    return str(exc) or type(exc).__name__


def _connect_error(exc: BaseException, cfg: SmtpConfig) -> BaseException:
    """The :class:`MailError` for a failure while connecting (other exceptions unchanged)."""
    if isinstance(exc, smtplib.SMTPAuthenticationError):
        return MailError(
            "The mail server {server} refused the user or password of SMTP_URL.", server=cfg.where
        )
    if isinstance(exc, smtplib.SMTPNotSupportedError):
        return MailError(
            "The mail server {server} does not offer STARTTLS: use smtps:// or "
            "ask its administrators.",
            server=cfg.where,
        )
    if isinstance(exc, ssl.SSLError):
        return MailError(
            "The TLS connection with the mail server {server} failed: {reason}.",
            server=cfg.where,
            reason=_reason(exc),
        )
    if isinstance(exc, smtplib.SMTPResponseException):
        return MailError(
            "The mail server {server} refused the connection: {code} {reply}.",
            server=cfg.where,
            code=exc.smtp_code,
            reply=_reply(exc.smtp_error),
        )
    if isinstance(exc, ConnectionRefusedError):
        return MailError(
            "The mail server {server} refused the connection: nothing listens "
            "there (check SMTP_URL).",
            server=cfg.where,
        )
    if isinstance(exc, TimeoutError):
        return MailError(
            "The mail server {server} did not answer in {seconds} s.",
            server=cfg.where,
            seconds=f"{cfg.timeout:g}",
        )
    if isinstance(exc, socket.gaierror):
        return MailError(
            "The name of the mail server {server} is not known (check SMTP_URL).", server=cfg.where
        )
    if isinstance(exc, (smtplib.SMTPException, OSError)):
        return MailError(
            "The mail server {server} cannot be reached: {reason}.",
            server=cfg.where,
            reason=_reason(exc),
        )
    return exc
