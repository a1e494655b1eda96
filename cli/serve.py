"""``seguiment serve``: start the web app."""

from __future__ import annotations

import argparse

from i18n import _


def register(subparsers: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    parser = subparsers.add_parser("serve", help=_("Start the web app."))
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8050)
    parser.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    from app import create_app

    app = create_app()
    print(_("Serving on http://{host}:{port}/", host=args.host, port=args.port), flush=True)
    app.run(host=args.host, port=args.port, debug=False)
    return 0
