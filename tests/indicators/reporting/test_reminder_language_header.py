"""A reminder says its language in its headers (``Content-Language``), whatever its shape.

Found by the cycle's end-to-end test (tests/e2e/test_cycle_e2e.py): the header was set before
the body, and ``EmailMessage.set_content`` drops every ``Content-*`` header it finds, so no
message carried it. It must survive the body, the attachment and the trip through a real SMTP
server.
"""

from __future__ import annotations

import datetime as dt
import smtplib

import pytest

from indicators.reporting.reminders import KIND_REMINDER, STEP_NOW, Outgoing
from tests.helpers.smtp_server import smtp_server


def _outgoing(language: str, attachment: tuple[str, bytes] | None) -> Outgoing:
    return Outgoing(
        KIND_REMINDER,
        STEP_NOW,
        "2025-T4",
        "SIS",
        ("sis@example.org",),
        language,
        "Recordatori: dades del 4t trimestre de 2025 pendents (SIS)",
        "Hola,\n\nEncara no hem rebut les dades: «àèòç» — 1.234,5\n",
        dt.date(2026, 1, 30),
        attachment=attachment,
    )


@pytest.mark.parametrize("language", ["ca", "es", "en"])
@pytest.mark.parametrize(
    "attachment",
    [None, ("plantilla_SIS_2025-T4.xlsx", b"PK\x03\x04" + bytes(range(256)) * 4)],
    ids=["text only", "with the template"],
)
def test_the_language_header_survives_the_body_and_the_attachment(
    language: str, attachment: tuple[str, bytes] | None
) -> None:
    message = _outgoing(language, attachment).message("seguiment@example.org")
    assert message.get_all("Content-Language") == [language]  # once, on the message
    body = message.get_body(preferencelist=("plain",))
    assert body is not None
    assert "«àèòç»" in str(body.get_content())
    assert len(list(message.iter_attachments())) == (0 if attachment is None else 1)


def test_the_language_header_reaches_the_smtp_server() -> None:
    with smtp_server() as server:
        host, port = server.host, server.port
        with smtplib.SMTP(host, port, timeout=10) as client:
            client.send_message(
                _outgoing("es", ("plantilla_SIS_2025-T4.xlsx", b"PK\x03\x04")).message(
                    "seguiment@example.org"
                )
            )
        (received,) = server.messages
    assert received.message["Content-Language"] == "es"
    assert received.rcpt_tos == ["sis@example.org"]
