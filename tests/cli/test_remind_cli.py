"""``seguiment remind``: what it would send, what it sends (to a real SMTP server), once only,
its windows for cron, and its failures (exit 1, nothing recorded). The real plan; SQLite and
PostgreSQL."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterator

import pytest
from sqlalchemy import func, select

from cli import main
from cli import remind as remind_cli
from indicators.storage.engine import get_engine
from indicators.storage.schema import SentMessage
from plan_model.breakdowns import indicators_reported_by
from plan_model.completeness import expected_services
from plan_model.models import Plan
from settings import get_settings
from tests.helpers.smtp_server import SmtpServer, free_port, smtp_server

DEADLINE = dt.date(2026, 1, 30)  # of 2025-T4 with SUBMISSION_DEADLINE_DAYS=30


@pytest.fixture
def cli_db(db_url: str, monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    for name in (
        "SMTP_URL",
        "DIRECTORS_EMAIL",
        "REMINDER_DAYS_BEFORE",
        "REMINDER_DAYS_AFTER",
        "PLAN_PATH",
    ):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("DATABASE_URL", db_url)
    monkeypatch.setenv("SUBMISSION_DEADLINE_DAYS", "30")
    get_settings.cache_clear()
    yield db_url
    get_settings.cache_clear()
    get_engine(db_url).dispose()


@pytest.fixture
def server(monkeypatch: pytest.MonkeyPatch) -> Iterator[SmtpServer]:
    with smtp_server() as running:
        monkeypatch.setenv("SMTP_URL", running.url)
        get_settings.cache_clear()
        yield running


def _today(monkeypatch: pytest.MonkeyPatch, day: dt.date) -> None:
    monkeypatch.setattr(remind_cli, "local_today", lambda now=None: day)  # the CLI's "today"


def _remind(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    get_settings.cache_clear()
    code = main(["remind", "--period", "2025-T4", *args])
    out = capsys.readouterr()
    return code, out.out, out.err


def _recorded(db_url: str) -> int:
    with get_engine(db_url).connect() as conn:
        return int(conn.scalar(select(func.count()).select_from(SentMessage)) or 0)


def test_without_send_it_shows_and_sends_nothing(
    cli_db: str,
    server: SmtpServer,
    plan: Plan,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    _today(monkeypatch, DEADLINE - dt.timedelta(days=3))
    code, out, _err = _remind(capsys)
    assert code == 0
    assert "Recordatoris del 4t trimestre de 2025 · termini: 30 de gener de 2026" in out
    assert (
        "S'enviaria: SAD → sad@example.org (ca): Recordatori: dades del 4t trimestre de "
        "2025 pendents (SAD)"
    ) in out
    assert "El termini és el 30 de gener de 2026." in out
    assert "Adjunt: plantilla_SAD_2025-T4.xlsx" in out
    assert out.count("S'enviaria:") == len(expected_services(plan))  # no digest yet
    assert server.messages == [] and _recorded(cli_db) == 0


def test_json_lists_every_message(
    cli_db: str, plan: Plan, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    _today(monkeypatch, DEADLINE + dt.timedelta(days=1))
    code, out, _err = _remind(capsys, "--json")
    assert code == 0
    doc = json.loads(out)
    reminders = [d for d in doc if d["kind"] == "reminder"]
    assert [d["service"] for d in reminders] == expected_services(plan)
    first = reminders[0]
    assert {
        "service",
        "to",
        "language",
        "subject",
        "missing",
        "deadline",
        "would_send",
        "already_sent_at",
        "step",
        "period",
    } <= set(first)
    service = plan.service_by_code[first["service"]]
    assert first["to"] == [service.email] and first["language"] == "ca"
    assert first["deadline"] == "2026-01-30" and first["would_send"] is True
    # issue 14: what the service reports (members of the ABSS it is given included, a line
    # per member row)
    missing = [m["code"] for m in first["missing"]]
    assert list(dict.fromkeys(missing)) == [
        i.code for i in indicators_reported_by(plan, service.code)
    ]
    (digest,) = [d for d in doc if d["kind"] == "digest"]
    assert digest["to"] == [] and digest["would_send"] is False
    assert "DIRECTORS_EMAIL" in digest["skipped"]


def test_send_reaches_the_server_once(
    cli_db: str,
    server: SmtpServer,
    plan: Plan,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    _today(monkeypatch, DEADLINE + dt.timedelta(days=2))
    assert (
        main(
            [
                "users",
                "create",
                "--username",
                "direccio",
                "--password",
                "a-long-enough-password",
                "--role",
                "director",
                "--email",
                "direccio@example.cat",
            ]
        )
        == 0
    )
    code, out, err = _remind(capsys, "--send")
    assert code == 0, err
    services = expected_services(plan)
    assert len(server.messages) == len(services) + 1
    assert [m.rcpt_tos for m in server.messages[:-1]] == [
        [plan.service_by_code[s].email] for s in services
    ]
    assert server.messages[-1].rcpt_tos == ["direccio@example.cat"]
    assert (
        "Seguiment del Pla: resum del 4t trimestre de 2025"
        in server.messages[-1].message["Subject"]
    )
    assert out.count("Enviat: ") == len(services) + 1
    assert _recorded(cli_db) == len(services) + 1
    # again: nothing goes, and the output says when it went
    code, out, err = _remind(capsys, "--send", "--json")
    assert code == 0, err
    doc = json.loads(out)
    assert all(d["sent"] is False and d["already_sent_at"] for d in doc)
    assert len(server.messages) == len(services) + 1
    code, out, _err = _remind(capsys, "--send")
    assert out.count("Ja enviat el ") == len(services) + 1


def test_windows_for_cron(
    cli_db: str,
    server: SmtpServer,
    plan: Plan,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    services = len(expected_services(plan))
    _today(monkeypatch, DEADLINE - dt.timedelta(days=10))
    code, out, _err = _remind(capsys, "--send", "--before", "7")
    assert code == 0 and "--before 7: avui no toca, no s'envia res." in out
    assert server.messages == []
    monkeypatch.setenv("REMINDER_DAYS_BEFORE", "10")  # --before without N
    code, _out, err = _remind(capsys, "--send", "--before")
    assert code == 0, err
    assert len(server.messages) == services
    _today(monkeypatch, DEADLINE + dt.timedelta(days=2))
    code, out, _err = _remind(capsys, "--send", "--after", "3", "--json")
    assert code == 0 and json.loads(out) == []
    _today(monkeypatch, DEADLINE + dt.timedelta(days=3))
    code, _out, err = _remind(capsys, "--send", "--after", "3")
    assert code == 0, err
    assert len(server.messages) == 2 * services  # the reminders after; no digest address
    with get_engine(cli_db).connect() as conn:
        steps = sorted(set(conn.scalars(select(SentMessage.step))))
    assert steps == ["after", "before"]


def test_a_closed_port_is_exit_1_and_nothing_recorded(
    cli_db: str, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    _today(monkeypatch, DEADLINE)
    port = free_port()
    monkeypatch.setenv("SMTP_URL", f"smtp+starttls://avisos:secret@127.0.0.1:{port}")
    code, _out, err = _remind(capsys, "--send")
    assert code == 1
    assert (
        f"No s'ha enviat res: El servidor de correu 127.0.0.1:{port} ha refusat la connexió" in err
    )
    assert "secret" not in err
    assert _recorded(cli_db) == 0


def test_a_5xx_reply_is_exit_1_and_nothing_recorded(
    cli_db: str,
    server: SmtpServer,
    plan: Plan,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    _today(monkeypatch, DEADLINE)
    server.refuse.add(plan.service_by_code[expected_services(plan)[0]].email)
    code, _out, err = _remind(capsys, "--send")
    assert code == 1
    assert "S'ha aturat l'enviament: El servidor de correu ha refusat el missatge: 554" in err
    assert "Missatges enviats i registrats: 0" in err
    assert server.messages == [] and _recorded(cli_db) == 0


def test_send_without_smtp_url(
    cli_db: str, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    _today(monkeypatch, DEADLINE)
    code, _out, err = _remind(capsys, "--send")
    assert code == 1 and "SMTP_URL no està definit" in err
    assert _recorded(cli_db) == 0


def test_usage_errors(cli_db: str, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["remind", "--period", "2030-T1"]) == 2
    assert "no és un trimestre del pla" in capsys.readouterr().err
    for argv in (
        ["remind", "--period", "tardor"],
        ["remind", "--before", "2", "--after", "3"],
        ["remind", "--before", "set"],
    ):
        with pytest.raises(SystemExit) as caught:
            main(argv)
        assert caught.value.code == 2


def test_a_director_address_must_be_one(cli_db: str, capsys: pytest.CaptureFixture[str]) -> None:
    argv = [
        "users",
        "create",
        "--username",
        "direccio",
        "--password",
        "a-long-enough-password",
        "--role",
        "director",
        "--email",
    ]
    assert main([*argv, "direccio.example.cat"]) == 1
    assert "L'adreça electrònica direccio.example.cat no és vàlida." in capsys.readouterr().err
    assert main([*argv, "direccio@example.cat"]) == 0
    assert main(["users", "list", "--json"]) == 0
    (user,) = json.loads(capsys.readouterr().out.split("\n", 1)[1])
    assert user["email"] == "direccio@example.cat"
