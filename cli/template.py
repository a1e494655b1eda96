"""``seguiment template --service CODE --period 2025-T4 -o FILE.xlsx``: the quarterly workbook."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from cli._common import load_configured_plan, settings
from i18n import _, translator
from plan_model.periods import text_label


def register(subparsers: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    parser = subparsers.add_parser(
        "template",
        help=_("Write the workbook a service fills for a quarter."),
    )
    parser.add_argument("--service", required=True, help=_("service code, e.g. SBAS-VIC"))
    parser.add_argument("--period", required=True, help=_("quarter, e.g. 2025-T4"))
    parser.add_argument(
        "-o", "--output", help=_("file to write (default: plantilla_<service>_<period>.xlsx)")
    )
    parser.add_argument(
        "--lang",
        default="ca",
        choices=["ca", "es", "en"],
        help=_("language of the texts (default: ca)"),
    )
    parser.add_argument(
        "--no-last-values",
        action="store_true",
        help=_("do not read the last stored values from the database"),
    )
    parser.set_defaults(handler=_template)


def last_values_for(service: str, period: str, database_url: str) -> dict[str, float | str | None]:
    """The service's last stored values before ``period``, or {} if there is no usable database."""
    from sqlalchemy.engine import make_url
    from sqlalchemy.exc import SQLAlchemyError

    from indicators.intake.template import last_values_from_frame

    try:
        from indicators.storage.queries import values_frame
    except ImportError:
        return {}
    try:
        url = make_url(database_url)
        if url.get_backend_name() == "sqlite" and (
            not url.database or not Path(url.database).exists()
        ):
            return {}  # never create an empty database just to write a template
        from indicators.storage.engine import make_engine

        engine = make_engine(database_url)
        try:
            return last_values_from_frame(values_frame(engine), service, period)
        finally:
            engine.dispose()
    except (SQLAlchemyError, OSError, ValueError, KeyError):
        return {}


def _template(args: argparse.Namespace) -> int:
    from indicators.intake.template import (
        TemplateError,
        check_request,
        template_filename,
        write_template,
    )

    tr = translator(args.lang)
    plan = load_configured_plan()
    try:
        request = check_request(plan, args.service, args.period, args.lang)
    except TemplateError as exc:
        print(str(exc), file=sys.stderr)
        return 2
    period = str(request.period)
    output = Path(args.output or template_filename(request.service, period))
    if output.suffix.lower() != ".xlsx":
        print(
            tr("The template is an .xlsx workbook: name the output file *.xlsx."), file=sys.stderr
        )
        return 2
    cfg = settings()
    last = {} if args.no_last_values else last_values_for(request.service, period, cfg.database_url)
    try:
        write_template(
            output, plan, request.service, period, last_values=last, settings=cfg, lang=args.lang
        )
    except OSError as exc:
        print(
            tr("Cannot write {path}: {reason}", path=str(output), reason=exc.strerror or exc),
            file=sys.stderr,
        )
        return 1
    count = len(plan.indicators_of_service(request.service))
    print(
        tr(
            "Template written to {path}: {count} indicators of {service} for {period}.",
            path=str(output),
            count=count,
            service=request.service,
            period=text_label(period, "ca"),
        )
    )
    return 0
