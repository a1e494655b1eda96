"""Gunicorn settings for production: ``seguiment serve --production`` runs
``gunicorn -c gunicorn.conf.py wsgi:application`` with this file.

Every value can be overridden on gunicorn's command line or through the environment:
``SEGUIMENT_BIND`` (default 127.0.0.1:8050, behind a reverse proxy), ``WORKERS`` (the
``workers`` setting, default 4), ``GUNICORN_THREADS``, ``GUNICORN_TIMEOUT``, ``LOG_LEVEL``.
Responses name the server ``Server: gunicorn``, without gunicorn's or Python's version (the
development server says ``seguiment``, see ``web/devserver.py``). Workers do not share
memory: sessions live in signed cookies, caches in the database (or Redis), uploads in the
database, so requests may hit any worker on any machine.
"""

import os

from settings import get_settings

_settings = get_settings()

bind = os.environ.get("SEGUIMENT_BIND", "127.0.0.1:8050")
workers = int(os.environ.get("WORKERS", _settings.workers))
threads = int(os.environ.get("GUNICORN_THREADS", "1"))
worker_class = "gthread" if threads > 1 else "sync"
# Every worker builds its own app and database engine: no connection is shared across a fork.
preload_app = False
timeout = int(os.environ.get("GUNICORN_TIMEOUT", "120"))  # a big import can take a while
graceful_timeout = 30
keepalive = 5
# recycle workers now and then so a slow leak can never grow without bound
max_requests = 2000
max_requests_jitter = 200
# logs go to stderr, one line per request
accesslog = os.environ.get("GUNICORN_ACCESS_LOG", "-") or None  # "" turns it off
errorlog = "-"
loglevel = os.environ.get("LOG_LEVEL", "info")
# the app itself trusts X-Forwarded-* only when PROXY_FIX_HOPS > 0 (see README, production);
# gunicorn, for requests from these addresses, takes X-Forwarded-Proto for the scheme (so the
# app sees HTTPS behind a local proxy and sends HSTS in production, see web/headers.py)
forwarded_allow_ips = os.environ.get("FORWARDED_ALLOW_IPS", "127.0.0.1")
limit_request_line = 8190
