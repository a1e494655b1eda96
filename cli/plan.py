"""``seguiment plan validate|export|list|close``.

``plan list [--json]`` lists the plans of this instance (today the one configured plan) with
their span of quarters and state; ``--json`` prints a list of objects with the keys ``id``,
``name``, ``start``, ``end`` (quarters, ``2022-T1``) and ``state`` (``draft``, ``active``,
``extended``, ``closed``): a fixed contract. ``plan close --plan ID [--reason TEXT] [--by
USER]`` locks every quarter of the plan and closes it (``accounts.plan_states.close_plan``);
closing a closed plan changes nothing and says so (exit 0). ``--plan`` takes the default
plan's id or a path to a plan YAML file (:func:`plan_from_arg`); any other id is a usage
error (exit 2).
"""

from __future__ import annotations

import argparse
import csv
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any

from cli._common import load_configured_plan, print_json, settings
from i18n import _
from plan_model.export import CSV_COLUMNS, plan_to_dict, plan_to_rows
from plan_model.loader import PlanValidationError, load_plan
from plan_model.models import Plan

if TYPE_CHECKING:
    from accounts.roles import Actor

PLAN_LIST_KEYS = ("id", "name", "start", "end", "state")  # the JSON contract of ``plan list``
STATE_LABELS = {"draft": "draft", "active": "active", "extended": "extended", "closed": "closed"}


def register(subparsers: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    parser = subparsers.add_parser("plan", help=_("Validate or export the plan."))
    sub = parser.add_subparsers(dest="plan_command", metavar="ACTION")
    sub.required = True
    validate = sub.add_parser("validate", help=_("Check the plan YAML and its catalog."))
    validate.add_argument("path", nargs="?", help=_("plan file (default: PLAN_PATH)"))
    validate.set_defaults(handler=_validate)
    export = sub.add_parser("export", help=_("Print the whole plan as JSON or CSV."))
    export.add_argument("--format", choices=["json", "csv"], default="json")
    export.add_argument("path", nargs="?", help=_("plan file (default: PLAN_PATH)"))
    export.set_defaults(handler=_export)
    listing = sub.add_parser("list", help=_("List the plans, their quarters and their state."))
    listing.add_argument("--json", action="store_true", help=_("print JSON"))
    listing.set_defaults(handler=_list)
    close = sub.add_parser(
        "close", help=_("Close a plan: lock every quarter; its final evaluation is definitive.")
    )
    plan_option(close)
    close.add_argument(
        "--reason",
        metavar="TEXT",
        default=None,
        help=_("why (recorded in the audit log); required when a delivery is not accepted"),
    )
    close.add_argument(
        "--by",
        dest="user",
        metavar="USER",
        default=None,
        help=_("the operator's name in the audit log (default: the system user)"),
    )
    close.set_defaults(handler=_close)


def plan_option(parser: argparse.ArgumentParser) -> None:
    """``--plan ID``: the plan a command is about (default: the default plan)."""
    parser.add_argument(
        "--plan",
        metavar="ID",
        default=None,
        help=_("the plan's id or a plan YAML file (default: the default plan)"),
    )


def plan_from_arg(value: str | None) -> Plan | None:
    """The plan ``--plan`` names: the default plan for none or its id, the plan of a YAML
    file for a path; None (after printing why, in Catalan) for any other id."""
    if value and (value.endswith((".yaml", ".yml")) or Path(value).is_file()):
        return load_configured_plan(value)
    plan = load_configured_plan()
    if value is None or value.strip() == plan.info.id:
        return plan
    print(
        _(
            "seguiment: error: there is no plan «{id}». The plans of this instance: {ids} "
            "(seguiment plan list).",
            id=value,
            ids=plan.info.id,
        ),
        file=sys.stderr,
    )
    return None


def plan_entries(plans: list[Plan], states: dict[str, str]) -> list[dict[str, Any]]:
    """One ``plan list`` object per plan (the keys of :data:`PLAN_LIST_KEYS`)."""
    return [
        {
            "id": plan.info.id,
            "name": plan.info.name,
            "start": str(plan.first_period),
            "end": str(plan.last_period),
            "state": states.get(plan.info.id, "active"),
        }
        for plan in plans
    ]


def _engine() -> Any:
    from indicators.storage.engine import get_engine

    return get_engine(settings().database_url)


def _list(args: argparse.Namespace) -> int:
    from accounts.plan_states import plan_state

    plans = [load_configured_plan()]
    try:
        states = {p.info.id: plan_state(_engine(), p).state for p in plans}
    except Exception as exc:  # noqa: BLE001 - CLI boundary: no database, or not migrated
        print(
            _("The plans' state cannot be read: {error}", error=str(exc).splitlines()[0]),
            file=sys.stderr,
        )
        return 1
    entries = plan_entries(plans, states)
    if args.json:
        print_json(entries)
        return 0
    for entry in entries:
        print(
            _(
                "{id}: {name}, {start} to {end} ({state})",
                **{**entry, "state": _(STATE_LABELS.get(entry["state"], entry["state"]))},
            )
        )
    return 0


def _close(args: argparse.Namespace) -> int:
    from accounts.plan_states import close_plan
    from cli.periods import _as_operator

    plan = plan_from_arg(args.plan)
    if plan is None:
        return 2

    def action(operator: Actor) -> str:
        closing = close_plan(_engine(), plan, by=operator, reason=args.reason)
        if not closing.closed_now:
            return _(
                "The plan {id} was already closed (by {who}): nothing has changed.",
                id=plan.info.id,
                who=closing.state.closed_by or "–",
            )
        lines = [
            _(
                "The plan {id} is closed: every quarter of {first} to {last} is locked "
                "(quarters locked now: {count}) and its final evaluation is definitive.",
                id=plan.info.id,
                count=len(closing.locked),
                first=str(plan.first_period),
                last=str(plan.last_period),
            )
        ]
        for period, services in closing.not_accepted.items():
            lines.append(
                _(
                    "{period} locked although not accepted: {services}.",
                    period=period,
                    services=", ".join(services),
                )
            )
        lines.append(
            _(
                "Recorded in the audit log under {user}, an operator with a director's rights.",
                user=operator.name,
            )
        )
        return "\n".join(lines)

    return _as_operator(args, action)


def _load(path: str | None):  # type: ignore[no-untyped-def]
    try:
        return load_plan(path or settings().plan_path), None
    except PlanValidationError as exc:
        return None, exc


def _validate(args: argparse.Namespace) -> int:
    plan, error = _load(args.path)
    if error is not None:
        for item in error.errors:
            print(str(item))
        count = len(error.errors)
        print(
            _("{count} problem found.", count=count)
            if count == 1
            else _("{count} problems found.", count=count),
            file=sys.stderr,
        )
        return 1
    assert plan is not None
    print(
        _(
            "Plan valid: {levers} levers, {axes} axes, {objectives} objectives, {indicators} "
            "indicators, {challenges} challenges, {services} services.",
            levers=len(plan.levers),
            axes=len(plan.axes),
            objectives=len(plan.objectives),
            indicators=len(plan.indicators),
            challenges=len(plan.challenges),
            services=len(plan.services),
        )
    )
    return 0


def _export(args: argparse.Namespace) -> int:
    plan, error = _load(args.path)
    if error is not None:
        for item in error.errors:
            print(str(item), file=sys.stderr)
        return 1
    assert plan is not None
    if args.format == "json":
        print_json(plan_to_dict(plan))
    else:
        writer = csv.DictWriter(sys.stdout, fieldnames=CSV_COLUMNS, lineterminator="\n")
        writer.writeheader()
        writer.writerows(plan_to_rows(plan))
    return 0
