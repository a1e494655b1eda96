"""``seguiment plan validate|export``."""

from __future__ import annotations

import argparse
import csv
import sys

from cli._common import print_json, settings
from i18n import _
from plan_model.export import CSV_COLUMNS, plan_to_dict, plan_to_rows
from plan_model.loader import PlanValidationError, load_plan


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
