"""``seguiment serve``: start the web app.

``seguiment serve [--host H] [--port P]`` runs the development server (one process);
``seguiment serve --production [--workers N]`` replaces itself with gunicorn running several
workers with ``gunicorn.conf.py`` and ``wsgi:application`` (ENVIRONMENT=production: a
SECRET_KEY is required, no debug, no tracebacks to users, logs to stderr).
"""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

from i18n import _

REPO_ROOT = Path(__file__).resolve().parent.parent


def register(subparsers: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    parser = subparsers.add_parser(
        "serve", help=_("Start the web app."), description=_("Start the web app.")
    )
    parser.add_argument(
        "--host", default="127.0.0.1", help=_("Address to listen on (default: %(default)s).")
    )
    parser.add_argument(
        "--port", type=int, default=8050, help=_("Port to listen on (default: %(default)s).")
    )
    parser.add_argument(
        "--production",
        action="store_true",
        help=_("Run gunicorn with several workers (production mode)."),
    )
    parser.add_argument(
        "--workers",
        type=int,
        default=None,
        help=_("Number of worker processes (default: the WORKERS setting)."),
    )
    parser.set_defaults(handler=run)


def gunicorn_command(host: str, port: int, workers: int) -> list[str]:
    """The gunicorn command line ``serve --production`` executes."""
    return [
        sys.executable,
        "-m",
        "gunicorn",
        "--config",
        str(REPO_ROOT / "gunicorn.conf.py"),
        "--chdir",
        str(REPO_ROOT),
        "--bind",
        f"{host}:{port}",
        "--workers",
        str(workers),
        "wsgi:application",
    ]


def run(args: argparse.Namespace) -> int:
    if args.production:
        return _production(args)
    from app import create_app

    app = create_app()
    print(_("Serving on http://{host}:{port}/", host=args.host, port=args.port), flush=True)
    from web.devserver import QuietRequestHandler

    app.run(host=args.host, port=args.port, debug=False, request_handler=QuietRequestHandler)
    return 0


def _production(args: argparse.Namespace) -> int:
    from settings import DEV_SECRET_KEY, Settings

    os.environ["ENVIRONMENT"] = "production"
    settings = Settings()
    try:
        settings.check()
    except RuntimeError:
        if settings.secret_key == DEV_SECRET_KEY:
            print(
                _("SECRET_KEY must be set in production (export SECRET_KEY=...)."), file=sys.stderr
            )
        else:
            print(
                _(
                    "SECRET_KEY is too weak for production: it needs at least 32 random bytes' "
                    "worth (e.g. python -c 'import secrets; print(secrets.token_urlsafe(32))')."
                ),
                file=sys.stderr,
            )
        return 1
    workers = args.workers if args.workers is not None else settings.workers
    if workers < 1:
        print(_("--workers must be at least 1."), file=sys.stderr)
        return 2
    if settings.database_url.startswith("sqlite"):
        print(
            _("Warning: production normally uses PostgreSQL (DATABASE_URL); using SQLite."),
            file=sys.stderr,
        )
    # Check the plan once here: a broken plan is reported as a list of problems (exit 1),
    # not as a traceback in every gunicorn worker.
    from plan_model.loader import load_plan

    load_plan(settings.plan_path)  # PlanValidationError is reported by cli.main
    command = gunicorn_command(args.host, args.port, workers)
    print(
        _(
            "Serving on http://{host}:{port}/ with {workers} workers (gunicorn).",
            host=args.host,
            port=args.port,
            workers=workers,
        ),
        file=sys.stderr,
        flush=True,
    )
    os.execv(command[0], command)
    return 0  # pragma: no cover - execv does not return
