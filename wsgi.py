"""WSGI entry point for production servers: ``gunicorn -c gunicorn.conf.py wsgi:application``.

Every worker process imports this module and builds its own app from the environment
(``DATABASE_URL``, ``SECRET_KEY``, ``ENVIRONMENT=production``...). Nothing is shared between
workers except the database (and Redis when ``CACHE_URL`` names one), so workers and machines
can be added freely.
"""

from __future__ import annotations

import logging
import sys

from app import create_app
from settings import get_settings


def configure_logging(level: int = logging.INFO) -> None:
    """Log to stderr (the process manager or container collects it), once."""
    root = logging.getLogger()
    if any(getattr(h, "_seguiment", False) for h in root.handlers):
        return
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(
        logging.Formatter("%(asctime)s %(process)d %(levelname)s %(name)s: %(message)s")
    )
    handler._seguiment = True  # type: ignore[attr-defined]
    root.addHandler(handler)
    root.setLevel(level)


configure_logging()
application = create_app(get_settings()).server
