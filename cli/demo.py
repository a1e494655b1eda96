"""``seguiment demo [--dir DIR] [--no-load] [--seed N]``: generate and load the demo data."""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path
from typing import TYPE_CHECKING

from cli._common import load_configured_plan, print_json, settings
from i18n import _, format_number

if TYPE_CHECKING:
    from indicators.demo.generate import DemoData, LoadReport
    from plan_model.models import Plan
    from settings import Settings


def register(subparsers: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    parser = subparsers.add_parser(
        "demo",
        help=_("Generate the demo workbooks 2022-T1…2025-T4 and load them."),
    )
    parser.add_argument("--dir", help=_("folder for the files (default: DEMO_DIR)"))
    parser.add_argument(
        "--no-load", action="store_true", help=_("only write the files, do not import them")
    )
    parser.add_argument(
        "--seed", type=int, default=None, help=_("random seed (the same seed gives the same files)")
    )
    parser.add_argument(
        "--service", action="append", metavar="CODE", help=_("only these services (repeatable)")
    )
    parser.add_argument("--json", action="store_true", help=_("print a JSON summary"))
    parser.set_defaults(handler=_demo)


def _demo(args: argparse.Namespace) -> int:
    from indicators.demo.generate import DEFAULT_SEED, generate, write_files

    cfg = settings()
    plan = load_configured_plan()
    if args.service and not _services_known(plan, args.service):
        return 2
    directory = Path(args.dir) if args.dir else cfg.demo_dir
    seed = DEFAULT_SEED if args.seed is None else args.seed
    started = time.perf_counter()
    data = generate(plan, seed=seed, settings=cfg, services=args.service)
    try:
        write_files(data, directory)
    except OSError as exc:
        print(
            _("Cannot write {path}: {reason}", path=str(directory), reason=exc.strerror or exc),
            file=sys.stderr,
        )
        return 1
    generated_s = time.perf_counter() - started
    summary: dict[str, object] = {
        "seed": seed,
        "dir": str(directory),
        "files": len(data.files),
        "generate_s": round(generated_s, 3),
        "missing": [list(m) for m in data.missing],
    }
    if not args.json:
        print(
            _(
                "{count} demo files written to {dir} (seed {seed}) in {seconds} s.",
                count=len(data.files),
                dir=str(directory),
                seed=seed,
                seconds=format_number(generated_s, "ca", 1),
            )
        )
    if args.no_load:
        if args.json:
            print_json(summary)
        return 0
    return _load(args, cfg, plan, data, summary)


def _services_known(plan: Plan, services: list[str]) -> bool:
    unknown = [s for s in services if s not in plan.service_by_code]
    if unknown:
        print(
            _(
                "Unknown service {service}. Known services: {known}.",
                service=", ".join(unknown),
                known=", ".join(s.code for s in plan.services),
            ),
            file=sys.stderr,
        )
    return not unknown


def _load(
    args: argparse.Namespace, cfg: Settings, plan: Plan, data: DemoData, summary: dict[str, object]
) -> int:
    """Import the generated files and report it (1 when some file failed)."""
    from sqlalchemy.exc import SQLAlchemyError

    from indicators.demo.generate import load
    from indicators.storage.engine import get_engine

    try:
        report = load(get_engine(cfg.database_url), plan, data, settings=cfg)
    except SQLAlchemyError as exc:
        print(
            _(
                "The database is not ready ({reason}): run `seguiment db upgrade` first.",
                reason=type(exc).__name__,
            ),
            file=sys.stderr,
        )
        return 1
    summary.update(
        {
            "imported": report.imported,
            "duplicates": report.duplicates,
            "values": report.values,
            "warnings": report.warnings,
            "load_s": round(report.seconds, 3),
            "failures": [{"file": f, "errors": e} for f, e in report.failures],
        }
    )
    if args.json:
        print_json(summary)
    else:
        _print_report(report)
    return 1 if report.failures else 0


def _print_report(report: LoadReport) -> None:
    print(
        _(
            "Loaded {files} submissions ({values} values, {warnings} warnings) in {seconds} s.",
            files=report.imported,
            values=report.values,
            warnings=report.warnings,
            seconds=format_number(report.seconds, "ca", 1),
        )
    )
    if report.duplicates:
        print(
            _(
                "{count} files were already loaded (same content): nothing changed.",
                count=report.duplicates,
            )
        )
    for name, errors in report.failures:
        print(f"{name}: {'; '.join(errors)}", file=sys.stderr)
    if report.failures:
        print(
            _("{count} demo files could not be imported.", count=len(report.failures)),
            file=sys.stderr,
        )
