"""Reminders and the directors' digest, sent through a real SMTP server (aiosmtpd).

Who is pending follows the completeness rule; each message goes once (per service, quarter
and window; a digest once per quarter); a refused connection or a 5xx reply records nothing.
Every storage test runs on SQLite and PostgreSQL (the ``engine`` fixture).
"""

from __future__ import annotations

import datetime as dt
import io
from collections.abc import Iterator
from email.message import EmailMessage

import openpyxl
import pytest
from sqlalchemy import Engine, func, select

from accounts.audit import audit_frame
from accounts.users import create_user, disable_user, set_services
from indicators.intake.importer import import_file
from indicators.intake.template import build_template
from indicators.reporting import reminders as rm
from indicators.reporting.mailer import MailError, SmtpConfig, SmtpMailer
from indicators.storage import queries
from indicators.storage.engine import transaction
from indicators.storage.locks import set_lock
from indicators.storage.schema import SentMessage
from plan_model.models import Plan, Service
from plan_model.periods import Period, local_today
from settings import Settings
from tests.helpers.smtp_server import REFUSAL, SmtpServer, free_port, smtp_server

PERIOD = Period(2025, 4)
DEADLINE = dt.date(2026, 1, 30)  # 2025-T4 ends on 31 December, +30 days
AFTER = DEADLINE + dt.timedelta(days=5)
BEFORE = DEADLINE - dt.timedelta(days=5)
PASSWORD = "a-long-enough-password"


@pytest.fixture(scope="module")
def two_languages(small_plan: Plan) -> Plan:
    """The small plan (SAD: 4 indicators, SIS: 1) with SIS's contact preferring Spanish."""
    services = [
        Service(code="SAD", name="Servei d'atenció domiciliària", email="sad@example.org"),
        Service(
            code="SIS",
            name="Servei d'intervenció socioeducativa",
            email="sis@example.org",
            contact_language="es",
        ),
    ]
    return Plan(
        info=small_plan.info,
        levers=small_plan.levers,
        challenges=small_plan.challenges,
        services=services,
        catalog=small_plan.catalog,
    )


@pytest.fixture
def server() -> Iterator[SmtpServer]:
    with smtp_server() as running:
        yield running


def _settings(directors_email: str | None = None) -> Settings:
    return Settings(
        submission_deadline_days=30,
        public_base_url="https://seguiment.example.cat/",
        mail_from="seguiment@example.cat",
        support_contact="pla@example.cat",
        directors_email=directors_email,
    )


def _plain_text(message: EmailMessage) -> str:
    """The text of the message's plain-text part (which every message has)."""
    body = message.get_body(("plain",))
    assert body is not None
    text = body.get_content()
    assert isinstance(text, str)
    return text


def _deliver(engine: Engine, plan: Plan, service: str) -> None:
    """The service's template filled in and imported for PERIOD."""
    filled: dict[str, tuple[float | str | None, str | None]] = {
        i.code: ("avancat", None) if i.is_milestone else (20.0, None)
        for i in plan.indicators_of_service(service)
    }
    content = build_template(plan, service, PERIOD, filled=filled)
    result = import_file(
        engine,
        plan,
        filename="plantilla.xlsx",
        content=content,
        user=f"tecnic.{service.lower()}",
        uploaded_at=dt.datetime(2026, 1, 10, tzinfo=dt.UTC),
    )
    assert result.status == "ok", [e.message for e in result.errors]


def _send(
    engine: Engine,
    plan: Plan,
    server: SmtpServer,
    *,
    today: dt.date,
    window: rm.Window | None = None,
    settings: Settings | None = None,
) -> tuple[rm.Run, rm.SendReport]:
    cfg = settings or _settings()
    run = rm.plan_run(engine, plan, PERIOD, settings=cfg, window=window, today=today)
    with SmtpMailer(SmtpConfig.from_url(server.url, timeout=10)) as mailer:
        report = rm.send_planned(
            engine, run, mailer, by="cron", mail_from=cfg.mail_from, reply_to=cfg.support_contact
        )
    return run, report


def _sent_rows(engine: Engine) -> int:
    with engine.connect() as conn:
        return int(conn.scalar(select(func.count()).select_from(SentMessage)) or 0)


# --- who is pending ---------------------------------------------------------------------------


def test_pending_services_follow_the_deliveries(engine: Engine, two_languages: Plan) -> None:
    def pending() -> list[str]:
        found = rm.pending_services(
            two_languages, queries.submissions_frame(engine), PERIOD, deadline_days=30, today=AFTER
        )
        return [p.service.code for p in found]

    assert pending() == ["SAD", "SIS"]
    first = rm.pending_services(
        two_languages, queries.submissions_frame(engine), PERIOD, deadline_days=30, today=AFTER
    )[0]
    assert [i.indicator.code for i in first.items] == [
        i.code for i in two_languages.indicators_of_service("SAD")
    ]
    assert first.deadline == DEADLINE and first.overdue
    # a rejected file is never stored: the service stays pending
    rejected = import_file(
        engine,
        two_languages,
        filename="buit.xlsx",
        content=build_template(two_languages, "SAD", PERIOD),
        user="tecnic",
    )
    assert rejected.status == "rejected"
    assert pending() == ["SAD", "SIS"]
    _deliver(engine, two_languages, "SAD")
    assert pending() == ["SIS"]


def test_due_items_are_the_template_rows(two_languages: Plan) -> None:
    items = rm.due_items(two_languages, "SAD")
    assert [i.indicator.code for i in items] == ["P1.01-I1", "P1.01-I2", "P1.02-I1", "P1.02-I2"]
    assert all(i.members == () for i in items)
    assert items[0].to_json() == {"code": "P1.01-I1", "name": "Indicador P1.01-I1"}


@pytest.mark.parametrize(
    ("window", "today", "acts"),
    [
        (rm.Window(), BEFORE, True),
        (rm.Window(), AFTER, True),
        (rm.Window(rm.STEP_BEFORE, 7), DEADLINE - dt.timedelta(days=7), True),
        (rm.Window(rm.STEP_BEFORE, 7), DEADLINE - dt.timedelta(days=8), False),
        (rm.Window(rm.STEP_BEFORE, 7), DEADLINE, True),
        (rm.Window(rm.STEP_BEFORE, 7), DEADLINE + dt.timedelta(days=1), False),
        (rm.Window(rm.STEP_AFTER, 3), DEADLINE + dt.timedelta(days=3), True),
        (rm.Window(rm.STEP_AFTER, 3), DEADLINE + dt.timedelta(days=2), False),
        (rm.Window(rm.STEP_AFTER, 0), DEADLINE, False),
        (rm.Window(rm.STEP_AFTER, 0), DEADLINE + dt.timedelta(days=1), True),
    ],
)
def test_windows(window: rm.Window, today: dt.date, acts: bool) -> None:
    assert window.applies(DEADLINE, today) is acts


def test_the_digest_waits_for_the_deadline() -> None:
    assert not rm.Window().digest_applies(DEADLINE, DEADLINE)
    assert rm.Window().digest_applies(DEADLINE, DEADLINE + dt.timedelta(days=1))
    assert not rm.Window(rm.STEP_BEFORE, 400).digest_applies(DEADLINE, AFTER)
    assert not rm.Window(rm.STEP_AFTER, 10).digest_applies(DEADLINE, AFTER)


def test_days_are_counted_in_madrid() -> None:
    # 23:30 UTC on 29 January is already 30 January in Madrid (UTC+1 in winter)
    assert local_today(dt.datetime(2026, 1, 29, 23, 30, tzinfo=dt.UTC)) == DEADLINE
    assert local_today(dt.datetime(2026, 1, 29, 22, 30, tzinfo=dt.UTC)) == DEADLINE - dt.timedelta(
        days=1
    )


def test_default_period_is_the_latest_ended_quarter(two_languages: Plan) -> None:
    assert rm.default_period(two_languages, dt.date(2025, 11, 20)) == Period(2025, 3)
    assert rm.default_period(two_languages, dt.date(2026, 12, 1)) == Period(2025, 4)  # the end
    assert rm.default_period(two_languages, dt.date(2021, 5, 1)) == Period(2022, 1)


# --- the messages, through the server ------------------------------------------------------------


def test_reminders_reach_the_server_once(
    engine: Engine, two_languages: Plan, server: SmtpServer
) -> None:
    _run, report = _send(engine, two_languages, server, today=BEFORE)
    assert report.error is None and len(report.sent) == 2  # no digest before the deadline
    assert [m.rcpt_tos for m in server.messages] == [["sad@example.org"], ["sis@example.org"]]
    sad, sis = (m.message for m in server.messages)
    assert sad["Subject"].strip() == "Recordatori: dades del 4t trimestre de 2025 pendents (SAD)"
    assert (
        sis["Subject"].strip() == "Recordatorio: datos del 4.º trimestre de 2025 pendientes (SIS)"
    )
    assert sad["From"] == "seguiment@example.cat" and sad["Reply-To"] == "pla@example.cat"
    text = _plain_text(sad)
    assert "Encara no ens heu lliurat les dades del 4t trimestre de 2025" in text
    assert "El termini és el 30 de gener de 2026." in text
    for indicator in two_languages.indicators_of_service("SAD"):
        assert f"{indicator.code} {indicator.name}" in text
    assert "https://seguiment.example.cat/enviar?servei=SAD&periode=2025-T4" in text
    es_text = _plain_text(sis)
    assert "El plazo es el 30 de enero de 2026." in es_text
    assert "enviar?servei=SIS&periode=2025-T4&lang=es" in es_text
    # the template: a real workbook with the service's rows, in the contact's language
    for message, service, sheet in ((sad, "SAD", "Dades"), (sis, "SIS", "Datos")):
        (attachment,) = list(message.iter_attachments())
        assert attachment.get_filename() == f"plantilla_{service}_2025-T4.xlsx"
        book = openpyxl.load_workbook(io.BytesIO(attachment.get_content()))
        codes = {row[0] for row in book[sheet].iter_rows(values_only=True)}
        assert {i.code for i in two_languages.indicators_of_service(service)} <= codes
    # recorded: what a page shows, and the audit log
    assert set(rm.reminders_sent(engine, "2025-T4")) == {"SAD", "SIS"}
    events = audit_frame(engine, action=rm.ACTION_REMINDER_SENT)
    assert sorted(events["target"]) == ["SAD 2025-T4", "SIS 2025-T4"]
    # a second run sends nothing
    again, second = _send(engine, two_languages, server, today=BEFORE)
    assert not second.sent and len(server.messages) == 2
    assert all(p.already_sent_at is not None and not p.sendable for p in again.planned)
    assert _sent_rows(engine) == 2


def test_each_window_reminds_once(engine: Engine, two_languages: Plan, server: SmtpServer) -> None:
    _deliver(engine, two_languages, "SAD")
    before = rm.Window(rm.STEP_BEFORE, 7)
    assert _send(engine, two_languages, server, today=BEFORE, window=before)[1].sent
    assert not _send(
        engine, two_languages, server, today=BEFORE - dt.timedelta(days=5), window=before
    )[0].planned  # outside the window: nothing at all
    assert not _send(engine, two_languages, server, today=BEFORE, window=before)[1].sent
    after = rm.Window(rm.STEP_AFTER, 3)
    assert not _send(engine, two_languages, server, today=DEADLINE, window=after)[0].planned
    _run, report = _send(engine, two_languages, server, today=AFTER, window=after)
    assert [p.outgoing.kind for p in report.sent] == [rm.KIND_REMINDER]  # SIS only; no address
    assert [m.rcpt_tos for m in server.messages] == [["sis@example.org"], ["sis@example.org"]]
    assert "El plazo terminó el 30 de enero de 2026" in _plain_text(server.messages[1].message)


def test_the_digest_goes_once_to_the_directors(
    engine: Engine, two_languages: Plan, server: SmtpServer
) -> None:
    _deliver(engine, two_languages, "SAD")
    create_user(engine, "direccio", PASSWORD, "director", email="direccio@example.cat")
    create_user(engine, "antiga", PASSWORD, "director", email="antiga@example.cat")
    disable_user(engine, "antiga")
    create_user(engine, "tecnica.sad", PASSWORD, "tecnic", ["SAD"])
    settings = _settings(directors_email="gerencia@example.cat, direccio@example.cat")
    _run, report = _send(engine, two_languages, server, today=AFTER, settings=settings)
    kinds = [p.outgoing.kind for p in report.sent]
    assert kinds == [rm.KIND_REMINDER, rm.KIND_DIGEST]
    digest = server.messages[-1]
    assert digest.rcpt_tos == ["direccio@example.cat", "gerencia@example.cat"]
    assert digest.message["Subject"].strip() == (  # a long subject is folded
        "Seguiment del Pla: resum del 4t trimestre de 2025 (serveis sense lliurar: 1)"
    )
    text = _plain_text(digest.message)
    late, rest = text.split("Indicadors sense cap dada del trimestre", 1)
    assert "SIS Servei d'intervenció socioeducativa: hi falta 1 indicador" in late
    assert "SAD " not in late.split("Serveis que no han lliurat", 1)[1]
    stale, unowned = rest.split("Objectius sense cap persona responsable", 1)
    assert "P2.01-I1 Indicador P2.01-I1 (mai informat)" in stale
    assert "P1.01-I1" not in stale  # SAD delivered it
    assert "P2.01 Objectiu 3" in unowned and "P1.01" not in unowned  # SAD has a technician
    assert not list(digest.message.iter_attachments())
    # once per quarter, whatever the window
    set_services(engine, "tecnica.sad", ["SAD", "SIS"])
    later = _send(
        engine,
        two_languages,
        server,
        today=AFTER + dt.timedelta(days=10),
        window=rm.Window(rm.STEP_AFTER, 3),
        settings=settings,
    )[0]
    digest_item = next(p for p in later.planned if p.outgoing.kind == rm.KIND_DIGEST)
    assert digest_item.already_sent_at is not None
    assert len(audit_frame(engine, action=rm.ACTION_DIGEST_SENT)) == 1


def test_a_digest_without_addresses_is_skipped(engine: Engine, two_languages: Plan) -> None:
    run = rm.plan_run(engine, two_languages, PERIOD, settings=_settings(), today=AFTER)
    digest = next(p for p in run.planned if p.outgoing.kind == rm.KIND_DIGEST)
    assert not digest.sendable and digest.skipped == rm.NO_DIRECTOR_ADDRESS
    assert digest.to_json(send=False)["skipped"].startswith("Cap director no té adreça")


def test_a_locked_quarter_is_not_reminded(engine: Engine, two_languages: Plan) -> None:
    with transaction(engine) as session:
        set_lock(session, "2025-T4", locked=True, by="direccio")
    run = rm.plan_run(engine, two_languages, PERIOD, settings=_settings(), today=AFTER)
    assert run.locked and not run.acts and not run.planned


# --- failures record nothing -------------------------------------------------------------------


def test_a_refused_connection_records_nothing(engine: Engine, two_languages: Plan) -> None:
    run = rm.plan_run(engine, two_languages, PERIOD, settings=_settings(), today=BEFORE)
    config = SmtpConfig.from_url(f"smtp://127.0.0.1:{free_port()}", timeout=5)
    with pytest.raises(MailError) as caught, SmtpMailer(config):
        pytest.fail("connected to a closed port")
    assert "ha refusat la connexió" in caught.value.text("ca")
    assert run.planned and _sent_rows(engine) == 0
    assert audit_frame(engine, action=rm.ACTION_REMINDER_SENT).empty


def test_a_5xx_reply_records_nothing_for_that_message(
    engine: Engine, two_languages: Plan, server: SmtpServer
) -> None:
    server.refuse.add("sis@example.org")
    _run, report = _send(engine, two_languages, server, today=BEFORE)
    assert [p.outgoing.service for p in report.sent] == ["SAD"]
    assert report.error is not None and REFUSAL in report.error.text("ca")
    assert "El servidor de correu ha refusat el missatge" in report.error.text("ca")
    assert set(rm.reminders_sent(engine, PERIOD)) == {"SAD"}
    assert _sent_rows(engine) == 1
    assert list(audit_frame(engine, action=rm.ACTION_REMINDER_SENT)["target"]) == ["SAD 2025-T4"]
    server.refuse.clear()  # the next run sends what was left
    _run, report = _send(engine, two_languages, server, today=BEFORE)
    assert [p.outgoing.service for p in report.sent] == ["SIS"]


# --- SMTP_URL ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("smtp://relay.intern:2525", ("relay.intern", 2525, "none", None, None)),
        ("smtp://relay.intern", ("relay.intern", 25, "none", None, None)),
        (
            "smtp+starttls://avisos%40coss.cat:p%40ss%3Aw@mail.coss.cat",
            ("mail.coss.cat", 587, "starttls", "avisos@coss.cat", "p@ss:w"),
        ),
        ("smtps://u:p@mail.coss.cat", ("mail.coss.cat", 465, "tls", "u", "p")),
        ("SMTPS://u:@mail.coss.cat:1465", ("mail.coss.cat", 1465, "tls", "u", "")),
    ],
)
def test_smtp_url(url: str, expected: tuple[object, ...]) -> None:
    cfg = SmtpConfig.from_url(url)
    assert (cfg.host, cfg.port, cfg.security, cfg.username, cfg.password) == expected
    assert "p@ss" not in repr(cfg)


@pytest.mark.parametrize(
    ("url", "words"),
    [
        (None, "SMTP_URL no està definit"),
        ("http://mail.coss.cat", "ha de començar per smtp://"),
        ("smtp://:25", "no indica cap servidor"),
        ("smtp://mail.coss.cat:port", "no és un nombre"),
    ],
)
def test_bad_smtp_urls(url: str | None, words: str) -> None:
    with pytest.raises(MailError) as caught:
        SmtpConfig.from_url(url)
    assert words in caught.value.text("ca")


@pytest.mark.filterwarnings("ignore:Requiring AUTH while not requiring TLS")
def test_login_with_a_percent_encoded_password() -> None:
    with smtp_server(auth=("avisos@coss.cat", "p@ss:w")) as running:
        good = SmtpConfig.from_url(
            f"smtp://avisos%40coss.cat:p%40ss%3Aw@{running.host}:{running.port}", timeout=5
        )
        with SmtpMailer(good):
            pass
        bad = SmtpConfig.from_url(
            f"smtp://avisos%40coss.cat:wrong@{running.host}:{running.port}", timeout=5
        )
        with pytest.raises(MailError) as caught, SmtpMailer(bad):
            pytest.fail("logged in with a wrong password")
    assert running.collector.logins[0] == ("avisos@coss.cat", "p@ss:w")
    assert "ha refusat l'usuari o la contrasenya" in caught.value.text("ca")
