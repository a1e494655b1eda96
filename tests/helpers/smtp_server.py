"""A real SMTP server in the test process (aiosmtpd) that keeps what it receives.

``with smtp_server() as server:`` listens on a free local port; ``server.url`` is the
``SMTP_URL`` to reach it and ``server.messages`` what arrived, parsed. ``server.refuse``
makes it answer a message for one of those addresses with a 5xx reply, and ``auth`` makes it
require a login (without TLS: a test server only).
"""

from __future__ import annotations

import socket
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from email import policy
from email.message import EmailMessage
from email.parser import BytesParser
from typing import Any

from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult, LoginPassword

REFUSAL = "554 5.7.1 Message refused by policy"


@dataclass
class Received:
    mail_from: str
    rcpt_tos: list[str]
    message: EmailMessage


@dataclass
class Collector:
    """The aiosmtpd handler: answers DATA, keeps the accepted messages."""

    messages: list[Received] = field(default_factory=list)
    refuse: set[str] = field(default_factory=set)  # recipients whose messages get a 5xx
    logins: list[tuple[str, str]] = field(default_factory=list)

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        if self.refuse & set(envelope.rcpt_tos):
            return REFUSAL
        raw = envelope.original_content or envelope.content
        message = BytesParser(policy=policy.default).parsebytes(raw)
        assert isinstance(message, EmailMessage)
        self.messages.append(Received(envelope.mail_from, list(envelope.rcpt_tos), message))
        return "250 OK"


@dataclass
class SmtpServer:
    collector: Collector
    host: str
    port: int
    user: str | None = None
    password: str | None = None

    @property
    def url(self) -> str:
        return f"smtp://{self.host}:{self.port}"

    @property
    def messages(self) -> list[Received]:
        return self.collector.messages

    @property
    def refuse(self) -> set[str]:
        return self.collector.refuse


def free_port() -> int:
    """A local TCP port nothing listens on (now): connecting to it is refused."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@contextmanager
def smtp_server(auth: tuple[str, str] | None = None) -> Iterator[SmtpServer]:
    collector = Collector()
    options: dict[str, Any] = {}
    if auth is not None:

        def authenticator(
            server: Any, session: Any, envelope: Any, mechanism: str, data: Any
        ) -> AuthResult:
            ok = (
                isinstance(data, LoginPassword)
                and (data.login.decode(), data.password.decode()) == auth
            )
            if isinstance(data, LoginPassword):
                collector.logins.append((data.login.decode(), data.password.decode()))
            return AuthResult(success=ok, handled=False)

        options = {"authenticator": authenticator, "auth_require_tls": False, "auth_required": True}
    controller = Controller(collector, hostname="127.0.0.1", port=free_port(), **options)
    controller.start()
    try:
        yield SmtpServer(
            collector, "127.0.0.1", controller.port, *(auth if auth is not None else (None, None))
        )
    finally:
        controller.stop()
