"""The development server's request handler (``seguiment serve`` without ``--production``).

Werkzeug's own handler names itself and the interpreter in every response
(``Server: Werkzeug/3.1.9 Python/3.11.7``): a free map of what to attack. This one says
``Server: seguiment``. (In production gunicorn answers ``Server: gunicorn``, no version.)
"""

from __future__ import annotations

from werkzeug.serving import WSGIRequestHandler

SERVER_NAME = "seguiment"


class QuietRequestHandler(WSGIRequestHandler):
    """Werkzeug's request handler, without its version or Python's in ``Server``."""

    def version_string(self) -> str:
        return SERVER_NAME
