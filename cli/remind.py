"""``seguiment remind [--period P] [--send] [--before [N] | --after [N]] [--json]``.

E-mails each service that has not delivered the quarter (in its contact's language, with what
is missing, the deadline, the upload link and its template attached) and, after the deadline,
one digest to the directors. Without ``--send`` it only shows what it would send. ``--before
N`` acts only when the deadline is at most N days ahead, ``--after N`` only when it passed at
least N days ago (N defaults to REMINDER_DAYS_BEFORE / REMINDER_DAYS_AFTER); each message goes
once. The quarter defaults to the latest one that has ended. Exit codes: 0 ok (also when there
is nothing to send), 1 the mail server failed or SMTP_URL is wrong (what had been sent before
the failure stays recorded, the rest is not), 2 usage error.
"""

from __future__ import annotations

import argparse
import sys
from typing import TYPE_CHECKING

from cli._common import load_configured_plan, period_arg, print_json, settings
from i18n import _
from plan_model.periods import Period, local_today

if TYPE_CHECKING:
    from sqlalchemy import Engine

    from indicators.reporting.reminders import Planned, Run, SendReport, Window
    from settings import Settings

FROM_SETTINGS = -1  # --before / --after without a number


def days_arg(text: str) -> int:
    """argparse type for a number of days (0 or more)."""
    if not text.isdigit():
        raise argparse.ArgumentTypeError(_("«{value}» is not a number of days.", value=text))
    return int(text)


def register(subparsers: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    parser = subparsers.add_parser(
        "remind",
        help=_(
            "E-mail the services that have not delivered a quarter, and a digest to the directors."
        ),
    )
    parser.add_argument(
        "--period",
        type=period_arg,
        help=_("quarter, e.g. 2025-T4 (default: the latest quarter that has ended)"),
    )
    parser.add_argument(
        "--send",
        action="store_true",
        help=_("send the messages (without it, only show what would be sent)"),
    )
    window = parser.add_mutually_exclusive_group()
    window.add_argument(
        "--before",
        type=days_arg,
        nargs="?",
        const=FROM_SETTINGS,
        metavar="N",
        help=_(
            "act only when the deadline is at most N days ahead "
            "(N by default: REMINDER_DAYS_BEFORE)"
        ),
    )
    window.add_argument(
        "--after",
        type=days_arg,
        nargs="?",
        const=FROM_SETTINGS,
        metavar="N",
        help=_(
            "act only when the deadline passed at least N days ago "
            "(N by default: REMINDER_DAYS_AFTER)"
        ),
    )
    parser.add_argument("--json", action="store_true", help=_("print one JSON list"))
    parser.add_argument(
        "--user", default="cli", help=_("name recorded in the audit log (default: cli)")
    )
    parser.set_defaults(handler=run)


def _window(args: argparse.Namespace, cfg: Settings) -> Window:
    from indicators.reporting.reminders import STEP_AFTER, STEP_BEFORE, Window

    if args.before is not None:
        days = cfg.reminder_days_before if args.before == FROM_SETTINGS else args.before
        return Window(STEP_BEFORE, days)
    if args.after is not None:
        days = cfg.reminder_days_after if args.after == FROM_SETTINGS else args.after
        return Window(STEP_AFTER, days)
    return Window()


def run(args: argparse.Namespace) -> int:
    from indicators.reporting import reminders as rm
    from indicators.storage.engine import get_engine

    cfg = settings()
    plan = load_configured_plan()
    today = local_today()
    period = Period.parse(args.period) if args.period else rm.default_period(plan, today)
    if not plan.first_period <= period <= plan.last_period:
        print(
            _(
                "--period: {period} is not a quarter of the plan ({first} to {last}).",
                period=period,
                first=plan.first_period,
                last=plan.last_period,
            ),
            file=sys.stderr,
        )
        return 2
    engine = get_engine(cfg.database_url)
    found = rm.plan_run(engine, plan, period, settings=cfg, window=_window(args, cfg), today=today)
    if not args.send:
        _show(found, args.json, send=False)
        return 0
    return _send(engine, found, cfg, args)


def _send(engine: Engine, found: Run, cfg: Settings, args: argparse.Namespace) -> int:
    from indicators.reporting import reminders as rm
    from indicators.reporting.mailer import MailError

    try:
        report = rm.send_run(engine, found, cfg, by=args.user)
    except MailError as exc:
        print(_("Nothing has been sent: {reason}", reason=exc.text()), file=sys.stderr)
        return 1
    _show(found, args.json, send=True, report=report)
    if report.error is not None:
        print(
            _(
                "Sending stopped: {reason} {count} messages sent and recorded; the rest were "
                "neither sent nor recorded.",
                reason=report.error.text(),
                count=len(report.sent),
            ),
            file=sys.stderr,
        )
        return 1
    return 0


def _show(found: Run, as_json: bool, *, send: bool, report: SendReport | None = None) -> None:
    sent = {p.outgoing.key for p in report.sent} if report else set()
    if as_json:
        print_json([p.to_json(send=send, sent=p.outgoing.key in sent) for p in found.planned])
        return
    for line in _heading(found):
        print(line)
    for item in found.planned:
        print(
            _line(
                item,
                send=send,
                sent=item.outgoing.key in sent,
                refused=(report.refused.get(item.outgoing.key, []) if report else []),
            )
        )
        if not send and item.sendable:
            print(_preview(item))


def _heading(found: Run) -> list[str]:
    from indicators.reporting.reminders import STEP_BEFORE, long_date
    from plan_model.periods import period_label

    label = period_label(found.period, "ca")
    lines = [
        _(
            "Reminders of the {period} · deadline: {deadline} · today: {today}",
            period=label,
            deadline=long_date(found.deadline, "ca"),
            today=long_date(found.today, "ca"),
        )
    ]
    if found.locked:
        lines.append(_("The {period} is locked: no reminder is sent.", period=label))
    elif not found.acts:
        option = "--before" if found.window.step == STEP_BEFORE else "--after"
        lines.append(
            _("{option} {days}: not today, nothing is sent.", option=option, days=found.window.days)
        )
    elif not any(p.outgoing.service for p in found.planned):
        lines.append(_("Every service has delivered the {period}: no reminder.", period=label))
    return lines


def _line(item: Planned, *, send: bool, sent: bool, refused: list[str]) -> str:
    from i18n import format_date

    out = item.outgoing
    who = out.service or _("directors")
    where = ", ".join(out.to) or "-"
    text = f"{who} → {where} ({out.language}): {out.subject}"
    if item.already_sent_at is not None:
        return _(
            "Already sent on {date}: {message}",
            date=format_date(item.already_sent_at, "ca", "short"),
            message=text,
        )
    if item.skipped:
        return _("Not sent ({reason}): {message}", reason=_(item.skipped), message=text)
    if send and sent:
        extra = _(" (refused: {addresses})", addresses=", ".join(refused)) if refused else ""
        return _("Sent: {message}", message=text) + extra
    if send:
        return _("Not sent: {message}", message=text)
    return _("Would send: {message}", message=text)


def _preview(item: Planned) -> str:
    out = item.outgoing
    body = "\n".join(f"    {line}".rstrip() for line in out.body.splitlines())
    if out.attachment is None:
        return body
    name, data = out.attachment
    return (
        body
        + "\n    "
        + _("Attached: {name} ({size} KB)", name=name, size=max(1, round(len(data) / 1024)))
    )
