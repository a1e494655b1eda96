"""``seguiment milestone decide|revoke|list``: the direction's decisions on milestones.

A technician's "Ajornat" or "Desestimat" is a proposal until the direction records the
decision (issue 15): ``decide`` records it (the milestone, the stage, the first quarter it
applies to, the reason, the body that agreed it and the date), ``revoke`` withdraws it (kept,
marked revoked) and ``list`` shows them. Like ``seguiment lock``, the command line acts as an
*operator* with a director's rights, recorded in the audit log under ``--user NAME``
(default: the system user). A decision that would move a locked quarter is refused (exit 1).
"""

from __future__ import annotations

import argparse
import datetime as dt
from typing import TYPE_CHECKING, Any

from cli._common import load_configured_plan, period_arg, print_json
from cli.periods import _as_operator, _engine, _recorded, _user_option
from i18n import _, format_date
from plan_model.periods import text_label

if TYPE_CHECKING:
    from accounts.roles import Actor
    from indicators.storage.decisions import DecisionInfo

STAGE_CHOICES = ("ajornat", "desestimat")


def register(subparsers: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    milestone = subparsers.add_parser(
        "milestone", help=_("Record, revoke and list the direction's milestone decisions.")
    )
    sub = milestone.add_subparsers(dest="milestone_command", metavar="COMMAND")
    sub.required = True
    decide = sub.add_parser(
        "decide", help=_("Record that a milestone is postponed or dropped (Ajornat, Desestimat).")
    )
    _decide_options(decide)
    decide.set_defaults(handler=_decide)

    revoke = sub.add_parser("revoke", help=_("Revoke a milestone decision (it is kept, revoked)."))
    revoke.add_argument("--id", type=int, default=None, help=_("the decision's number"))
    revoke.add_argument("--indicator", metavar="CODE", default=None, help=_("e.g. P1.02-I1"))
    revoke.add_argument("--effective", metavar="YYYY-Tn", type=period_arg, default=None)
    revoke.add_argument("--reason", metavar="TEXT", default=None, help=_("why it is revoked"))
    _user_option(revoke)
    revoke.set_defaults(handler=_revoke)

    listing = sub.add_parser("list", help=_("List the milestone decisions, revoked ones too."))
    listing.add_argument("--json", action="store_true", help=_("machine-readable output"))
    listing.set_defaults(handler=_list)


def _decide_options(decide: argparse.ArgumentParser) -> None:
    decide.add_argument("--indicator", required=True, metavar="CODE", help=_("e.g. P1.02-I1"))
    decide.add_argument(
        "--stage", required=True, type=str.lower, choices=STAGE_CHOICES, help=_("the stage")
    )
    decide.add_argument(
        "--effective",
        required=True,
        metavar="YYYY-Tn",
        type=period_arg,
        help=_("the first quarter it applies to, e.g. 2025-T3"),
    )
    decide.add_argument("--reason", required=True, metavar="TEXT", help=_("why"))
    decide.add_argument("--body", required=True, metavar="TEXT", help=_("the body that agreed it"))
    decide.add_argument(
        "--date",
        metavar="YYYY-MM-DD",
        type=dt.date.fromisoformat,
        default=None,
        help=_("the date of the decision (default: today)"),
    )
    _user_option(decide)


def _milestone_codes() -> set[str]:
    plan = load_configured_plan()
    return {i.code for i in plan.indicators if i.kind == "milestone"}


def _decide(args: argparse.Namespace) -> int:
    from accounts.milestone_decisions import record_decision

    indicator = str(args.indicator).strip().upper()

    def action(operator: Actor) -> str:
        info = record_decision(
            _engine(),
            indicator,
            args.stage,
            args.effective,
            reason=args.reason,
            body=args.body,
            by=operator,
            decided_on=args.date,
            milestones=_milestone_codes(),
        )
        done = _(
            "Decision number {id} recorded: {indicator} {stage} from {period}.",
            id=info.id,
            indicator=indicator,
            stage=_stage_name(info.decision.stage),
            period=text_label(info.decision.effective, "ca"),
        )
        return "\n".join([done, _recorded(operator)])

    return _as_operator(args, action)


def _revoke(args: argparse.Namespace) -> int:
    from accounts.errors import AccountError
    from accounts.milestone_decisions import revoke_decision

    def action(operator: Actor) -> str:
        engine = _engine()
        decision_id = args.id if args.id is not None else _id_of(engine, args)
        if decision_id is None:
            raise AccountError("Name the decision: --id N, or --indicator and --effective.")
        info = revoke_decision(engine, decision_id, by=operator, reason=args.reason)
        done = _(
            "Decision number {id} revoked: {indicator} from {period} is a proposal again.",
            id=info.id,
            indicator=info.decision.indicator,
            period=text_label(info.decision.effective, "ca"),
        )
        return "\n".join([done, _recorded(operator)])

    return _as_operator(args, action)


def _id_of(engine: Any, args: argparse.Namespace) -> int | None:
    """The decision in force for ``--indicator`` from ``--effective``, when both are given."""
    from accounts.errors import AccountError
    from indicators.storage.decisions import active_decision_at
    from indicators.storage.engine import transaction

    if args.indicator is None or args.effective is None:
        return None
    indicator = str(args.indicator).strip().upper()
    with transaction(engine) as session:
        info = active_decision_at(session, indicator, args.effective)
    if info is None:
        raise AccountError(
            "{indicator} has no decision in force from {effective}.",
            indicator=indicator,
            effective=args.effective,
        )
    return info.id


def _stage_name(key: str) -> str:
    return _("Postponed") if key == "ajornat" else _("Dropped")


def _record(info: DecisionInfo) -> dict[str, Any]:
    d = info.decision
    return {
        "id": info.id,
        "plan_id": info.plan_id,
        "indicator": d.indicator,
        "stage": d.stage,
        "effective": d.effective,
        "decided_on": d.decided_on.isoformat(),
        "reason": d.reason,
        "body": d.body,
        "recorded_by": d.by,
        "recorded_at": info.recorded_at.isoformat(),
        "revoked": info.revoked,
        "revoked_by": info.revoked_by,
        "revoked_at": info.revoked_at.isoformat() if info.revoked_at else None,
        "revoke_reason": info.revoke_reason,
    }


def _list(args: argparse.Namespace) -> int:
    from indicators.storage.decisions import decision_records

    records = decision_records(_engine())
    if args.json:
        print_json([_record(info) for info in records])
        return 0
    if not records:
        print(_("No milestone decisions recorded."))
        return 0
    for info in records:
        print(_line(info))
    return 0


def _line(info: DecisionInfo) -> str:
    d = info.decision
    line = _(
        "{id}. {indicator} {stage} from {period}: agreed by {body} on {date} ({reason}); "
        "recorded by {user}.",
        id=info.id,
        indicator=d.indicator,
        stage=_stage_name(d.stage),
        period=text_label(d.effective, "ca"),
        body=d.body,
        date=format_date(d.decided_on),
        reason=d.reason,
        user=d.by,
    )
    if info.revoked:
        line += " " + _("Revoked by {user}.", user=info.revoked_by or "?")
    return line
