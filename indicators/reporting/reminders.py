"""Reminders by e-mail: who has not delivered a quarter, the messages, and what was sent.

The cycle behind ``seguiment remind``:

1. :func:`pending_services`: the services responsible for indicators of the quarter that have
   delivered nothing for it (a rejected file is never stored, so its service stays pending),
   each with what it owes (:func:`due_items`);
2. :func:`plan_run`: one :class:`Outgoing` reminder per pending service, in its contact's
   language (``contact_language`` of the plan's service), with the service's template
   attached; after the deadline, one digest to the directors (who is late, which indicators
   have no value for the quarter, which objectives nobody is assigned to); each marked with
   when it was already sent;
3. :func:`send_planned`: through an open :class:`~indicators.reporting.mailer.SmtpMailer`,
   each message in a transaction of its own that first claims its key in ``sent_messages``
   (a concurrent run waits for it, then finds the key taken), then sends, then writes the
   audit event. A failure to send rolls the claim back: nothing is recorded as sent.

When to act (:class:`Window`): ``now`` always; ``before N`` only when the deadline is today
or at most N days ahead; ``after N`` only when it passed at least N days ago. Days are natural
days in Madrid. A reminder is sent once per service, quarter and window kind; a digest once
per quarter.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from email.message import EmailMessage
from email.utils import formatdate, make_msgid
from typing import Any
from urllib.parse import urlencode

import pandas as pd
from sqlalchemy import Engine, func, select
from sqlalchemy.exc import IntegrityError

from accounts import audit
from i18n import format_date, translator
from indicators.intake.members import member_label
from indicators.intake.template import build_template, last_values_from_frame, template_filename
from indicators.reporting.mailer import MailError, SmtpMailer
from indicators.storage import locks, queries
from indicators.storage.cache import data_changed
from indicators.storage.engine import transaction
from indicators.storage.schema import SentMessage, User, UserService
from plan_model.breakdowns import rows_reported_by
from plan_model.completeness import completeness
from plan_model.models import Indicator, Objective, Plan, Service
from plan_model.periods import Period, local_today, period_label, text_label
from plan_model.reporting_window import ReportingWindow
from settings import Settings

KIND_REMINDER = "reminder"
KIND_DIGEST = "digest"
STEP_NOW = "now"
STEP_BEFORE = "before"
STEP_AFTER = "after"
ACTION_REMINDER_SENT = "reminder_sent"  # audit log actions
ACTION_DIGEST_SENT = "digest_sent"
DELIVERED_STATES = frozenset({"on_time", "late"})  # plan_model.completeness states
LONG_DATE = {"ca": "d MMMM 'de' y", "es": "d 'de' MMMM 'de' y", "en": "d MMMM y"}
XLSX_TYPE = ("application", "vnd.openxmlformats-officedocument.spreadsheetml.sheet")
OBJECTIVE_TEXT_MAX = 90


def long_date(day: dt.date, lang: str) -> str:
    """``30 de gener de 2026`` (ca), ``30 de enero de 2026`` (es)."""
    return format_date(day, lang, LONG_DATE.get(lang, LONG_DATE["ca"]))


def default_period(plan: Plan, today: dt.date) -> Period:
    """The latest quarter ended by ``today``, kept within the plan's quarters (the upload
    window's default: one rule)."""
    return ReportingWindow.of(plan, today).default()


@dataclass(frozen=True)
class Window:
    """When a run acts: ``now`` always, ``before``/``after`` N days of the deadline."""

    step: str = STEP_NOW
    days: int = 0

    def applies(self, deadline: dt.date, today: dt.date) -> bool:
        ahead = (deadline - today).days
        if self.step == STEP_BEFORE:
            return 0 <= ahead <= self.days
        if self.step == STEP_AFTER:
            return ahead < 0 and -ahead >= self.days
        return True

    def digest_applies(self, deadline: dt.date, today: dt.date) -> bool:
        """The digest goes after the deadline only."""
        return self.step != STEP_BEFORE and deadline < today and self.applies(deadline, today)


# --- who owes what ------------------------------------------------------------------------------


@dataclass(frozen=True)
class DueItem:
    """One thing a service reports for a quarter: an indicator, for some breakdown members.

    ``members`` holds (dimension, member) pairs; empty means the indicator as a whole. The
    catalog's ``reporters`` say which members a service reports (issue 14:
    ``plan_model.breakdowns.rows_reported_by``), so a service is pending only for its own.
    """

    indicator: Indicator
    members: tuple[tuple[str, str], ...] = ()

    def to_json(self) -> dict[str, Any]:
        doc: dict[str, Any] = {"code": self.indicator.code, "name": self.indicator.name}
        if self.members:
            doc["members"] = dict(self.members)
        return doc


def due_items(plan: Plan, service: str) -> list[DueItem]:
    """What ``service`` reports each quarter (the rows of its template)."""
    return [
        DueItem(row.indicator, tuple(row.cell.items())) for row in rows_reported_by(plan, service)
    ]


@dataclass(frozen=True)
class PendingService:
    """A service that has delivered nothing for the quarter, and what it owes."""

    service: Service
    items: tuple[DueItem, ...]
    deadline: dt.date
    overdue: bool  # the deadline has passed


def pending_services(
    plan: Plan, submissions: pd.DataFrame, period: Period, *, deadline_days: int, today: dt.date
) -> list[PendingService]:
    """The expected services without a delivery for ``period``, in the plan's order.

    ``submissions`` is :func:`indicators.storage.queries.submissions_frame`; delivered means
    on time or late in :func:`plan_model.completeness.completeness` (the one rule).
    """
    grid = completeness(plan, submissions, [period], deadline_days=deadline_days, today=today)
    deadline = period.deadline(deadline_days)
    pending: list[PendingService] = []
    for code, state in zip(grid["service"].astype(str), grid["state"].astype(str), strict=True):
        items = tuple(due_items(plan, code))
        if state not in DELIVERED_STATES and items:
            pending.append(
                PendingService(
                    plan.service_by_code[code], items, deadline, overdue=state == "pending"
                )
            )
    return pending


def stale_indicators(
    plan: Plan, values: pd.DataFrame, period: Period
) -> list[tuple[Indicator, Period | None]]:
    """The indicators with no value for ``period``, each with its latest earlier quarter."""
    latest: dict[str, Period] = {}
    if len(values):
        filled = values[values["value"].notna() | values["stage"].notna()]
        for code, text in zip(filled["indicator"], filled["period"], strict=True):
            quarter = Period.try_parse(str(text))
            if (
                quarter is not None
                and quarter <= period
                and (code not in latest or quarter > latest[code])
            ):
                latest[str(code)] = quarter
    return [
        (ind, latest.get(ind.code)) for ind in plan.indicators if latest.get(ind.code) != period
    ]


def staffed_services(engine: Engine) -> set[str]:
    """The services assigned to at least one active technician account."""
    stmt = (
        select(UserService.service)
        .join(User, User.id == UserService.user_id)
        .where(User.active.is_(True), User.role == "tecnic")
        .distinct()
    )
    with engine.connect() as conn:
        return set(conn.scalars(stmt))


def unowned_objectives(plan: Plan, staffed: set[str]) -> list[Objective]:
    """Objectives with nobody responsible: none of their indicators' services is assigned to
    an active account (or they have no indicator at all)."""
    return [
        o
        for o in plan.objectives
        if not {i.responsible_service for i in plan.indicators_of(o.code)} & staffed
    ]


def director_addresses(engine: Engine, settings: Settings) -> list[str]:
    """Where the digest goes: the active director accounts' addresses, then DIRECTORS_EMAIL."""
    stmt = (
        select(User.email)
        .where(User.active.is_(True), User.role == "director", User.email.is_not(None))
        .order_by(User.username)
    )
    with engine.connect() as conn:
        found = [str(a) for a in conn.scalars(stmt) if a and str(a).strip()]
    found += re.split(r"[,;\s]+", settings.directors_email or "")
    unique: dict[str, None] = {}
    for address in found:
        if address.strip():
            unique.setdefault(address.strip(), None)
    return list(unique)


# --- the messages -------------------------------------------------------------------------------


def message_key(kind: str, period: str, service: str | None, step: str) -> str:
    """What makes a message once only: a reminder per service, quarter and step, a digest
    per quarter."""
    if kind == KIND_DIGEST:
        return f"{KIND_DIGEST}:{period}"
    return f"{kind}:{period}:{service}:{step}"


@dataclass(frozen=True)
class Outgoing:
    """One e-mail, ready to send."""

    kind: str
    step: str
    period: str
    service: str | None
    to: tuple[str, ...]
    language: str
    subject: str
    body: str
    deadline: dt.date
    missing: tuple[DueItem, ...] = ()
    attachment: tuple[str, bytes] | None = field(default=None, repr=False)

    @property
    def key(self) -> str:
        return message_key(self.kind, self.period, self.service, self.step)

    def message(self, mail_from: str, reply_to: str | None = None) -> EmailMessage:
        msg = EmailMessage()
        msg["From"] = mail_from
        msg["To"] = ", ".join(self.to)
        if reply_to and reply_to != mail_from:
            msg["Reply-To"] = reply_to
        msg["Subject"] = self.subject
        msg["Date"] = formatdate(usegmt=True)
        msg["Message-ID"] = make_msgid(domain=mail_from.rpartition("@")[2] or None)
        msg.set_content(self.body, charset="utf-8")
        if self.attachment is not None:
            name, data = self.attachment
            msg.add_attachment(data, maintype=XLSX_TYPE[0], subtype=XLSX_TYPE[1], filename=name)
        msg["Content-Language"] = self.language  # after the content: set_content drops it
        return msg


def upload_link(settings: Settings, service: str, period: Period, lang: str) -> str:
    """The upload page (``/enviar``) with the service and quarter chosen."""
    query = {"servei": service, "periode": str(period)}
    if lang != "ca":
        query["lang"] = lang
    return f"{settings.public_base_url.rstrip('/')}/enviar?{urlencode(query)}"


def _footer(settings: Settings, lang: str) -> list[str]:
    t = translator(lang)
    return [
        "",
        t("For any question: {contact}.", contact=settings.support_contact),
        "",
        "-- ",
        t("This message was sent automatically by Seguiment del Pla."),
    ]


def build_reminder(
    plan: Plan,
    pending: PendingService,
    period: Period,
    *,
    step: str,
    settings: Settings,
    last_values: Mapping[str, float | str | None],
    now: dt.datetime | None = None,
) -> Outgoing:
    """The reminder to ``pending``'s contact, with the service's template attached."""
    service = pending.service
    lang = service.contact_language
    t = translator(lang)
    label = period_label(period, lang)
    deadline = long_date(pending.deadline, lang)
    filename = template_filename(service.code, period)
    lines = [
        t("Hello,"),
        "",
        t(
            "We have not yet received your data of the {period} for the follow-up of the {plan}.",
            period=label,
            plan=plan.info.name,
        ),
        t("Service: {service} ({code})", service=service.name, code=service.code),
        "",
        t("The deadline was {date}: the data is overdue.", date=deadline)
        if pending.overdue
        else t("The deadline is {date}.", date=deadline),
        "",
        t("What is missing:"),
        *(f"  - {line}" for line in _missing_lines(plan, pending.items)),
        "",
        t("Send the filled workbook from this page (sign in first):"),
        f"  {upload_link(settings, service.code, period, lang)}",
        "",
        t(
            "The service's template for this quarter is attached ({filename}): fill in the Value "
            "column and send it as it is.",
            filename=filename,
        ),
        *_footer(settings, lang),
    ]
    template = build_template(
        plan,
        service.code,
        period,
        last_values=last_values,
        settings=settings,
        lang=lang,
        generated_at=now,
    )
    subject = t(
        "Reminder: data of the {period} still due ({code})", period=label, code=service.code
    )
    return Outgoing(
        KIND_REMINDER,
        step,
        str(period),
        service.code,
        (service.email,),
        lang,
        subject,
        "\n".join(lines) + "\n",
        pending.deadline,
        pending.items,
        (filename, template),
    )


def _missing_lines(plan: Plan, items: Sequence[DueItem]) -> list[str]:
    """One line per indicator missing, with the members the service reports of it when it
    reports part of a breakdown (``P2.01-I1 Persones ateses (ABSS Vic: Dona, Home)``)."""
    grouped: dict[str, list[DueItem]] = {}
    for item in items:
        grouped.setdefault(item.indicator.code, []).append(item)
    lines = []
    for found in grouped.values():
        indicator = found[0].indicator
        line = f"{indicator.code} {indicator.name}"
        labels = [member_label(plan, dict(item.members)) for item in found if item.members]
        if labels:
            line += f" ({'; '.join(labels)})"
        lines.append(line)
    return lines


def _indicator_count(items: Sequence[DueItem]) -> int:
    """How many indicators the items are of (a breakdown's members count once)."""
    return len({item.indicator.code for item in items})


@dataclass(frozen=True)
class DigestFacts:
    """What the directors read after the deadline."""

    late: list[PendingService]
    stale: list[tuple[Indicator, Period | None]]
    unowned: list[Objective]


def _digest_lines(facts: DigestFacts, lang: str) -> list[str]:
    t = translator(lang)
    none = t("None.")
    lines = ["", t("Services that have not delivered ({count}):", count=len(facts.late))]
    lines += [
        f"  - {p.service.code} {p.service.name}: "
        + (
            t("1 indicator missing")
            if _indicator_count(p.items) == 1
            else t("{count} indicators missing", count=_indicator_count(p.items))
        )
        for p in facts.late
    ] or [f"  {none}"]
    lines += [
        "",
        t("Indicators without a value for the quarter ({count}):", count=len(facts.stale)),
    ]
    lines += [
        f"  - {ind.code} {ind.name} ("
        + (
            t("latest value: {period}", period=text_label(str(last), lang))
            if last
            else t("never reported")
        )
        + ")"
        for ind, last in facts.stale
    ] or [f"  {none}"]
    lines += [
        "",
        t(
            "Objectives without a responsible person: no active technician account is "
            "assigned to the services of their indicators ({count}):",
            count=len(facts.unowned),
        ),
    ]
    lines += [f"  - {o.code} {_shorten(o.text)}" for o in facts.unowned] or [f"  {none}"]
    return lines


def _shorten(text: str) -> str:
    flat = " ".join(text.split())
    return flat if len(flat) <= OBJECTIVE_TEXT_MAX else flat[: OBJECTIVE_TEXT_MAX - 1] + "…"


def build_digest(
    plan: Plan,
    period: Period,
    facts: DigestFacts,
    recipients: Iterable[str],
    *,
    step: str,
    deadline: dt.date,
    settings: Settings,
    lang: str = "ca",
) -> Outgoing:
    """The digest to the directors (in Catalan unless ``lang`` says otherwise)."""
    t = translator(lang)
    label = period_label(period, lang)
    lines = [
        t("Hello,"),
        "",
        t(
            "Summary of the {period} of the {plan}: the deadline for the data was {date}.",
            period=label,
            plan=plan.info.name,
            date=long_date(deadline, lang),
        ),
        *_digest_lines(facts, lang),
        "",
        t("The submissions, quarter by quarter:"),
        f"  {settings.public_base_url.rstrip('/')}/lliuraments",
        *_footer(settings, lang),
    ]
    subject = t(
        "Seguiment del Pla: summary of the {period} (services without delivery: {count})",
        period=label,
        count=len(facts.late),
    )
    return Outgoing(
        KIND_DIGEST,
        step,
        str(period),
        None,
        tuple(recipients),
        lang,
        subject,
        "\n".join(lines) + "\n",
        deadline,
    )


# --- one run ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Planned:
    """A message of a run: to send, already sent (when), or impossible (why)."""

    outgoing: Outgoing
    already_sent_at: dt.datetime | None = None
    skipped: str | None = None  # English msgid: why it cannot be sent

    @property
    def sendable(self) -> bool:
        return self.already_sent_at is None and self.skipped is None and bool(self.outgoing.to)

    def to_json(self, *, send: bool, sent: bool = False) -> dict[str, Any]:
        out = self.outgoing
        doc: dict[str, Any] = {
            "kind": out.kind,
            "step": out.step,
            "period": out.period,
            "service": out.service,
            "to": list(out.to),
            "language": out.language,
            "subject": out.subject,
            "missing": [item.to_json() for item in out.missing],
            "deadline": out.deadline.isoformat(),
            "already_sent_at": self.already_sent_at.isoformat() if self.already_sent_at else None,
            "skipped": translator(out.language)(self.skipped) if self.skipped else None,
        }
        doc["sent" if send else "would_send"] = sent if send else self.sendable
        return doc


@dataclass(frozen=True)
class Run:
    """What a run found: the quarter, its deadline, whether it acts, and the messages."""

    period: Period
    deadline: dt.date
    today: dt.date
    window: Window
    locked: bool = False
    planned: list[Planned] = field(default_factory=list)

    @property
    def acts(self) -> bool:
        return not self.locked and self.window.applies(self.deadline, self.today)


NO_DIRECTOR_ADDRESS = (
    "No director has an e-mail address: set DIRECTORS_EMAIL, or create the "
    "directors with seguiment users create --email."
)


def sent_at(engine: Engine, keys: Iterable[str]) -> dict[str, dt.datetime]:
    """When each of ``keys`` was sent (the keys never sent are left out)."""
    wanted = sorted(set(keys))
    if not wanted:
        return {}
    stmt = select(SentMessage.key, SentMessage.sent_at).where(SentMessage.key.in_(wanted))
    with engine.connect() as conn:
        return {str(key): queries.as_utc(when) for key, when in conn.execute(stmt)}


def reminders_sent(engine: Engine, period: Period | str) -> dict[str, dt.datetime]:
    """Each service's latest reminder for ``period`` (UTC): what a page shows as
    "recordat el …"."""
    stmt = (
        select(SentMessage.service, func.max(SentMessage.sent_at))
        .where(
            SentMessage.kind == KIND_REMINDER,
            SentMessage.period == str(Period.parse(period)),
            SentMessage.service.is_not(None),
        )
        .group_by(SentMessage.service)
    )
    with engine.connect() as conn:
        return {str(service): queries.as_utc(when) for service, when in conn.execute(stmt)}


def _messages(
    engine: Engine,
    plan: Plan,
    period: Period,
    window: Window,
    *,
    settings: Settings,
    today: dt.date,
    now: dt.datetime | None,
) -> list[Outgoing]:
    deadline_days = settings.submission_deadline_days
    pending = pending_services(
        plan, queries.submissions_frame(engine), period, deadline_days=deadline_days, today=today
    )
    values = queries.values_frame(engine)
    messages = [
        build_reminder(
            plan,
            p,
            period,
            step=window.step,
            settings=settings,
            now=now,
            last_values=last_values_from_frame(values, p.service.code, period),
        )
        for p in pending
    ]
    deadline = period.deadline(deadline_days)
    if window.digest_applies(deadline, today):
        facts = DigestFacts(
            late=[p for p in pending if p.overdue],
            stale=stale_indicators(plan, values, period),
            unowned=unowned_objectives(plan, staffed_services(engine)),
        )
        messages.append(
            build_digest(
                plan,
                period,
                facts,
                director_addresses(engine, settings),
                step=window.step,
                deadline=deadline,
                settings=settings,
            )
        )
    return messages


def plan_run(
    engine: Engine,
    plan: Plan,
    period: Period,
    *,
    settings: Settings,
    window: Window | None = None,
    today: dt.date | None = None,
    now: dt.datetime | None = None,
) -> Run:
    """Everything a run would send for ``period`` (nothing when the window does not apply
    or the quarter is locked), with what was already sent."""
    window = window or Window()
    today = today or local_today(now)
    run = Run(
        period,
        period.deadline(settings.submission_deadline_days),
        today,
        window,
        locked=locks.is_locked(engine, str(period)),
    )
    if not run.acts:
        return run
    messages = _messages(engine, plan, period, window, settings=settings, today=today, now=now)
    done = sent_at(engine, (m.key for m in messages))
    for message in messages:
        skipped = NO_DIRECTOR_ADDRESS if message.kind == KIND_DIGEST and not message.to else None
        run.planned.append(Planned(message, done.get(message.key), skipped))
    return run


# --- sending ------------------------------------------------------------------------------------


@dataclass
class SendReport:
    """What :func:`send_planned` did: sent (with refused addresses), lost to a race, failed."""

    sent: list[Planned] = field(default_factory=list)
    refused: dict[str, list[str]] = field(default_factory=dict)  # key → refused addresses
    raced: list[Planned] = field(default_factory=list)  # sent meanwhile by another run
    error: MailError | None = None


def _deliver(
    engine: Engine,
    item: Planned,
    mailer: SmtpMailer,
    *,
    by: str,
    mail_from: str,
    reply_to: str | None,
    now: dt.datetime,
) -> list[str]:
    """Claim, send and record one message in one transaction; the refused addresses."""
    out = item.outgoing
    with transaction(engine) as session:
        row = SentMessage(
            key=out.key,
            kind=out.kind,
            step=out.step,
            period=out.period,
            service=out.service,
            recipients=", ".join(out.to),
            subject=out.subject[:255],
            sent_by=by[:64],
            sent_at=now,
        )
        session.add(row)
        session.flush()  # takes the key: a concurrent run waits here, then fails
        data_changed(session)  # the pages that say "recordat el …" refresh
        refused = mailer.send(out.message(mail_from, reply_to))
        row.recipients = ", ".join(a for a in out.to if a not in refused)
        action = ACTION_DIGEST_SENT if out.kind == KIND_DIGEST else ACTION_REMINDER_SENT
        target = f"{out.service} {out.period}" if out.service else out.period
        audit.record(
            session,
            by,
            action,
            target,
            {
                "kind": out.kind,
                "step": out.step,
                "period": out.period,
                "service": out.service,
                "to": [a for a in out.to if a not in refused],
                "refused": refused,
                "subject": out.subject,
            },
            at=now,
        )
    return refused


def send_planned(
    engine: Engine,
    run: Run,
    mailer: SmtpMailer,
    *,
    by: str,
    mail_from: str,
    reply_to: str | None = None,
    now: dt.datetime | None = None,
) -> SendReport:
    """Send the run's sendable messages in order; stop at the first failure (recorded are
    only those the server accepted)."""
    report = SendReport()
    for item in run.planned:
        if not item.sendable:
            continue
        moment = now or dt.datetime.now(dt.UTC)
        try:
            refused = _deliver(
                engine, item, mailer, by=by, mail_from=mail_from, reply_to=reply_to, now=moment
            )
        except IntegrityError:
            report.raced.append(item)
            continue
        except MailError as exc:
            report.error = exc
            break
        report.sent.append(item)
        if refused:
            report.refused[item.outgoing.key] = refused
    return report


def send_run(engine: Engine, run: Run, settings: Settings, *, by: str) -> SendReport:
    """Send what ``run`` planned through the SMTP server of ``settings`` (``SMTP_URL``),
    recording each message sent: the one path of ``seguiment remind --send`` and of the
    director's button on ``/lliuraments``. Raises ``MailError`` when the server cannot be
    reached or refuses the connection (nothing is then recorded)."""
    from indicators.reporting.mailer import SmtpConfig, SmtpMailer

    config = SmtpConfig.from_url(settings.smtp_url, settings.smtp_timeout_seconds)
    if not any(p.sendable for p in run.planned):
        return SendReport()
    with SmtpMailer(config) as mailer:
        return send_planned(
            engine,
            run,
            mailer,
            by=by,
            mail_from=settings.mail_from,
            reply_to=settings.support_contact,
        )
