"""``seguiment plan validate|export|list|close|amend|extend``.

``plan list [--json]`` lists the plans of this instance (every plan of PLANS_DIR, the
registry of :mod:`plan_model.registry`) with their span of quarters and state; ``--json``
prints a list of objects with the keys ``id``, ``name``, ``start``, ``end`` (quarters,
``2022-T1``) and ``state`` (``draft``, ``active``, ``extended``, ``closed``): a fixed contract.
``plan close --plan ID [--reason TEXT] [--by USER]`` locks every quarter of the plan and
closes it (``accounts.plan_states.close_plan``);
closing a closed plan changes nothing and says so (exit 0). ``--plan`` takes the id of
any plan of the registry or a path to a plan YAML file (:func:`plan_from_arg`); any other id
is a usage error (exit 2).

A plan's state is the stored one when storage has one (``extended`` or ``closed``: decisions
recorded by ``plan extend`` and ``plan close``), else the one its plan file says: ``draft``
for a plan being written (``state: draft``), ``active`` otherwise (the default).

``plan amend --plan ID FILE --effective Q --reason TEXT --approved-by TEXT`` records an amended
version of the plan that governs from ``Q`` (``accounts.plan_versions.amend_plan``: never a
locked or published quarter, never a closed plan: refused in Catalan, exit 1); ``plan extend
--plan ID --until Q --reason TEXT`` runs the plan on until ``Q`` (state ``extended``). Both are
fixed contracts (issue 18).
"""

from __future__ import annotations

import argparse
import csv
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any

from cli._common import (
    load_configured_plan,
    load_configured_registry,
    period_arg,
    plan_for_quarter,
    print_json,
    settings,
)
from i18n import _
from plan_model.export import CSV_COLUMNS, plan_to_dict, plan_to_rows
from plan_model.loader import PlanValidationError, load_plan
from plan_model.models import Plan
from plan_model.periods import text_label

if TYPE_CHECKING:
    from accounts.roles import Actor
    from indicators.storage.plan_states import PlanStateInfo

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
    _register_versions(sub)


def _by_option(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--by",
        dest="user",
        metavar="USER",
        default=None,
        help=_("the operator's name in the audit log (default: the system user)"),
    )


def _register_versions(sub: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    """``plan amend`` and ``plan extend`` (issue 18: a fixed contract)."""
    amend = sub.add_parser(
        "amend", help=_("Record an amendment of the plan, in force from a quarter.")
    )
    plan_option(amend)
    amend.add_argument("file", metavar="FILE", help=_("the amended plan YAML file"))
    amend.add_argument(
        "--effective",
        required=True,
        type=period_arg,
        metavar="QUARTER",
        help=_("the first quarter the amendment governs, e.g. 2025-T4"),
    )
    amend.add_argument("--reason", required=True, metavar="TEXT", help=_("why it was amended"))
    amend.add_argument(
        "--approved-by",
        dest="approved_by",
        required=True,
        metavar="TEXT",
        help=_("who approved the amendment (e.g. the board, and when)"),
    )
    _by_option(amend)
    amend.set_defaults(handler=_amend)
    extend = sub.add_parser("extend", help=_("Extend the plan until a later quarter."))
    plan_option(extend)
    extend.add_argument(
        "--until",
        required=True,
        type=period_arg,
        metavar="QUARTER",
        help=_("the plan's new last quarter, e.g. 2026-T4"),
    )
    extend.add_argument("--reason", required=True, metavar="TEXT", help=_("why it is extended"))
    _by_option(extend)
    extend.set_defaults(handler=_extend)


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
    file for a path, the registry's plan of that id for another id (only then are the other
    plans read); None (after printing why, in Catalan) for an id the registry does not have."""
    if value and (value.endswith((".yaml", ".yml")) or Path(value).is_file()):
        return load_configured_plan(value)
    plan = load_configured_plan()
    if value is None or value.strip() == plan.info.id:
        return plan
    registry = load_configured_registry()
    if value.strip() in registry.ids:
        return registry.get(value.strip())
    print(
        _(
            "seguiment: error: there is no plan «{id}». The plans of this instance: {ids} "
            "(seguiment plan list).",
            id=value,
            ids=", ".join(registry.ids),
        ),
        file=sys.stderr,
    )
    return None


def plan_entries(plans: list[Plan], stored: dict[str, PlanStateInfo]) -> list[dict[str, Any]]:
    """One ``plan list`` object per plan (the keys of :data:`PLAN_LIST_KEYS`): its state and
    last quarter the stored ones if ``stored`` has the plan, else its plan file's."""
    entries = []
    for plan in plans:
        state = stored.get(plan.info.id)
        entries.append(
            {
                "id": plan.info.id,
                "name": plan.info.name,
                "start": str(plan.first_period),
                "end": state.last_period if state else str(plan.last_period),
                "state": state.state if state else plan.info.state,
            }
        )
    return entries


def _engine() -> Any:
    from indicators.storage.engine import get_engine

    return get_engine(settings().database_url)


def _list(args: argparse.Namespace) -> int:
    from indicators.storage.plan_states import stored_state

    plans = load_configured_registry().plans
    try:
        engine = _engine()
        states = {p.info.id: found for p in plans if (found := stored_state(engine, p.info.id))}
    except Exception as exc:  # noqa: BLE001 - CLI boundary: no database, or not migrated
        print(
            _("The plans' state cannot be read: {error}", error=str(exc).splitlines()[0]),
            file=sys.stderr,
        )
        return 1
    entries = plan_entries(plans, states)  # the registry's order: earliest first
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
        span = plan_for_quarter(plan)  # the plan now: an extension's quarters lock too
        closing = close_plan(_engine(), span, by=operator, reason=args.reason)
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
                first=str(span.first_period),
                last=str(span.last_period),
            )
        ]
        for period, services in closing.not_accepted.items():
            lines.append(
                _(
                    "The {period} was locked although not accepted: {services}.",
                    period=text_label(period, "ca"),
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


def _amendment(path: str, original: Plan) -> Any:
    """The amended plan of the file at ``path`` (validated by the loader) with its two
    documents; None after printing every problem."""
    from accounts.plan_versions import Amendment

    plan, error = _load(path)
    if error is not None:
        for item in error.errors:
            print(str(item), file=sys.stderr)
        print(_("The amended plan is not valid: nothing has been recorded."), file=sys.stderr)
        return None
    assert plan is not None
    plan_file = Path(path)
    return Amendment(
        plan=plan,
        plan_document=plan_file.read_text(encoding="utf-8"),
        catalog_document=(plan_file.parent / plan.info.catalog).read_text(encoding="utf-8"),
    )


def _amend(args: argparse.Namespace) -> int:
    from accounts.plan_versions import amend_plan
    from cli.periods import _as_operator

    original = plan_from_arg(args.plan)
    if original is None:
        return 2
    amendment = _amendment(args.file, original)
    if amendment is None:
        return 1

    def action(operator: Actor) -> str:
        done = amend_plan(
            _engine(),
            original,
            amendment,
            effective=args.effective,
            reason=args.reason,
            approved_by=args.approved_by,
            by=operator,
        )
        return "\n".join(
            [
                _(
                    "The amendment of the plan {id} is recorded as version {number}: it "
                    "governs from {period}; the quarters before keep the earlier version.",
                    id=original.info.id,
                    number=done.number,
                    period=text_label(done.effective, None),
                ),
                _(
                    "Recorded in the audit log under {user}, an operator with a director's rights.",
                    user=operator.name,
                ),
            ]
        )

    return _as_operator(args, action)


def _extend(args: argparse.Namespace) -> int:
    from accounts.plan_versions import extend_plan
    from cli.periods import _as_operator

    original = plan_from_arg(args.plan)
    if original is None:
        return 2

    def action(operator: Actor) -> str:
        done = extend_plan(_engine(), original, until=args.until, reason=args.reason, by=operator)
        return "\n".join(
            [
                _(
                    "The plan {id} is extended until {last} (version {number}): its new "
                    "quarters, from {first}, have as targets those of its last year.",
                    id=original.info.id,
                    number=done.number,
                    first=text_label(done.effective, None),
                    last=text_label(done.until, None),
                ),
                _(
                    "Recorded in the audit log under {user}, an operator with a director's rights.",
                    user=operator.name,
                ),
            ]
        )

    return _as_operator(args, action)
