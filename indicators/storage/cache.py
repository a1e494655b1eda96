"""The app's caches: one design, keyed by the data generation.

Everything the app shows is a function of the stored data, the plan and the request. The
database holds a **data generation** (``data_generation.generation``, read by
:func:`indicators.storage.queries.data_generation`), a counter that every import bumps. Every
cache below keys its entries on it, so an import anywhere invalidates every worker's caches
at once, without any message between processes: each request reads the generation (one tiny
query) and at worst each worker recomputes once after an import.

What is cached, and where (nothing else computed from the data is cached):

1. **Computed results** (values frames, the status grid, a quarter's status, histories,
   completeness, changes, one objective's values): :class:`GenerationCache`, in-process, used
   through :class:`indicators.reporting.dashboard_data.DashboardData`. Key: ``(scope,
   generation, name, *args)``, where the scope is the database URL, the plan's id and the
   thresholds in force. ``dashboard_data.load`` reads the generation and drops the scope's
   entries of an older one; an LRU bounds the size; ``dashboard_data.clear_caches()``
   empties it (the benchmarks' "cold" case). ``DashboardData.memo`` files anything else
   derived from the same data under the same key: the board session's content and the
   technicians' comments of its appendix, and the component trees of the pages whose
   rendering is costly and the same for every user, so that every user gets them once built
   (lever, objective, changes, submissions, the plan).
2. **Rendered pages** (the Dash Pages router's JSON answer): ``layouts.shell.PageResponseCache``,
   in-process. Key: the request body's hash, the language cookie, the user and the UTC day
   (deadlines make "pending" change daily); emptied when the generation changes. A cheap page
   (the overview) is cached here only, not also in (1).
3. **Shared across workers and machines** (opt-in, ``SHARED_PAGE_CACHE=true``): the second
   level of (2), :func:`get_cache` in this module. Key: ``(key, generation)``, values pickled
   and signed.

Lookup tables that depend on no stored data (the plan's parameter arrays in
``plan_model.progress``, message catalogs, date formats, the changes page's status badges)
are memoised where they are built and need no invalidation.

The shared cache
----------------
Entries are scoped to the data generation: an entry written at generation *g* is only
returned while the database is still at *g*. Two backends, chosen by the ``cache_url``
setting (``CACHE_URL``):

- unset (default): the database itself, table ``cache_entries`` (SQLite and PostgreSQL);
- ``redis://host:port/db``: Redis (``pip install redis``), entries expire after a day; the
  generation is still read from the database, the source of truth.

Usage::

    cache = get_cache(settings)
    body = cache.get_or_set("page:...", lambda: render(...))

Values are pickled and signed with ``SECRET_KEY`` (HMAC-SHA256): a payload that does not
carry a valid signature is ignored, never unpickled.
"""

from __future__ import annotations

import hashlib
import hmac
import logging
import pickle
import threading
from collections import OrderedDict
from collections.abc import Callable, Hashable
from typing import Any, Protocol, TypeVar

from sqlalchemy import Engine, delete, select, text
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import Session

from indicators.storage.engine import get_engine
from indicators.storage.queries import data_generation
from indicators.storage.schema import CacheEntry, utcnow
from indicators.storage.store import bump_generation
from settings import Settings

log = logging.getLogger(__name__)

T = TypeVar("T")
MAX_KEY_LENGTH = 255
REDIS_TTL_SECONDS = 24 * 3600
_SIGNATURE_BYTES = 32
LOCAL_MAX_ENTRIES = 256


def current_generation(engine: Engine) -> int:
    """The database's data generation (0 before the first import)."""
    return data_generation(engine)


def data_changed(session: Session) -> None:
    """Bump the data generation in ``session``'s transaction: for changes that are not imports
    but that cached pages show (a technician's services on ``/enviar``, a quarter locked or
    reopened, the audit page's filters), so every worker renders them at once."""
    bump_generation(session.connection())


class GenerationCache:
    """An in-process LRU of computed results, by scope, emptied when the scope's data
    generation changes (item 1 of the module's docstring).

    Keys are tuples whose first item is the scope (``(scope, generation, name, *args)``).
    Safe across threads: a key is computed once at a time, other threads asking for it wait.
    """

    def __init__(self, max_entries: int = LOCAL_MAX_ENTRIES) -> None:
        self.max_entries = max_entries
        self._lock = threading.RLock()
        self._generation: dict[str, int] = {}
        self._entries: OrderedDict[Hashable, Any] = OrderedDict()
        self._key_locks: dict[Hashable, threading.Lock] = {}

    def check(self, scope: str, generation: int) -> None:
        """Drop ``scope``'s entries if they were computed at another generation."""
        with self._lock:
            if self._generation.get(scope) != generation:
                for key in [k for k in self._entries if isinstance(k, tuple) and k[0] == scope]:
                    del self._entries[key]
                self._generation[scope] = generation

    def get_or_compute(self, key: Hashable, compute: Callable[[], T]) -> T:
        """The entry for ``key``, computed by ``compute`` on a miss (once, however many ask)."""
        with self._lock:
            if key in self._entries:
                self._entries.move_to_end(key)
                return self._entries[key]  # type: ignore[no-any-return]
            key_lock = self._key_locks.setdefault(key, threading.Lock())
        with key_lock:  # one computation per key at a time; others wait for it
            with self._lock:
                if key in self._entries:
                    return self._entries[key]  # type: ignore[no-any-return]
            value = compute()
            with self._lock:
                self._entries[key] = value
                while len(self._entries) > self.max_entries:
                    self._entries.popitem(last=False)
                self._key_locks.pop(key, None)
            return value

    def peek(self, key: Hashable) -> Any:
        """The entry for ``key`` if already computed, else None (never computes)."""
        with self._lock:
            return self._entries.get(key)

    def clear(self) -> None:
        """Forget every entry and every scope's generation."""
        with self._lock:
            self._entries.clear()
            self._generation.clear()


def _normalise_key(key: str) -> str:
    if len(key) <= MAX_KEY_LENGTH:
        return key
    digest = hashlib.sha256(key.encode("utf-8")).hexdigest()
    return f"{key[: MAX_KEY_LENGTH - 66]}#{digest}"


class _Signer:
    def __init__(self, secret: str) -> None:
        self._key = hashlib.sha256(("seguiment-cache:" + secret).encode("utf-8")).digest()

    def dumps(self, value: Any) -> bytes:
        data = pickle.dumps(value, protocol=pickle.HIGHEST_PROTOCOL)
        return hmac.new(self._key, data, hashlib.sha256).digest() + data

    def loads(self, payload: bytes) -> tuple[bool, Any]:
        signature, data = payload[:_SIGNATURE_BYTES], payload[_SIGNATURE_BYTES:]
        expected = hmac.new(self._key, data, hashlib.sha256).digest()
        if not hmac.compare_digest(signature, expected):
            log.warning("cache entry with a bad signature ignored")
            return False, None
        return True, pickle.loads(data)  # signed by us: never attacker-controlled


class Cache(Protocol):
    """What callers use; every method is safe to call from any worker."""

    engine: Engine

    def generation(self) -> int:
        """The data generation now in the database: entries of another one are stale."""

    def get(self, key: str, generation: int | None = None) -> Any | None:
        """The value filed under ``key`` at ``generation`` (default: the current), or None."""

    def set(self, key: str, value: Any, generation: int | None = None) -> None:
        """File ``value`` under ``key`` at ``generation`` (read before computing it)."""

    def clear(self) -> None:
        """Drop every entry, whatever its generation."""

    def get_or_set(self, key: str, compute: Callable[[], T]) -> T:
        """The value for ``key``, else ``compute()`` filed (unless None) at the prior generation."""


class _BaseCache:
    engine: Engine

    def __init__(self, engine: Engine, secret: str) -> None:
        self.engine = engine
        self._signer = _Signer(secret)

    def generation(self) -> int:
        return current_generation(self.engine)

    def get(self, key: str, generation: int | None = None) -> Any | None:
        gen = self.generation() if generation is None else generation
        payload = self._load(_normalise_key(key), gen)
        if payload is None:
            return None
        ok, value = self._signer.loads(payload)
        return value if ok else None

    def set(self, key: str, value: Any, generation: int | None = None) -> None:
        """Store ``value``; pass the generation read BEFORE computing it, so a value computed
        from older data can never be filed under a newer generation."""
        gen = self.generation() if generation is None else generation
        self._store(_normalise_key(key), gen, self._signer.dumps(value))

    def get_or_set(self, key: str, compute: Callable[[], T]) -> T:
        gen = self.generation()
        cached = self.get(key, gen)
        if cached is not None:
            return cached  # type: ignore[no-any-return]
        value = compute()
        if value is not None:
            self.set(key, value, gen)
        return value

    def _load(self, key: str, generation: int) -> bytes | None:  # pragma: no cover - abstract
        raise NotImplementedError

    def _store(self, key: str, generation: int, payload: bytes) -> None:  # pragma: no cover
        raise NotImplementedError


class DatabaseCache(_BaseCache):
    """Entries in the ``cache_entries`` table of the app's own database."""

    backend = "database"

    def _load(self, key: str, generation: int) -> bytes | None:
        with self.engine.connect() as conn:
            payload = conn.execute(
                select(CacheEntry.payload).where(
                    CacheEntry.key == key, CacheEntry.generation == generation
                )
            ).scalar()
        return bytes(payload) if payload is not None else None

    def _store(self, key: str, generation: int, payload: bytes) -> None:
        dialect = self.engine.dialect.name
        insert = pg_insert if dialect == "postgresql" else sqlite_insert
        row = {"key": key, "generation": generation, "payload": payload, "created_at": utcnow()}
        stmt = insert(CacheEntry).values(**row)
        stmt = stmt.on_conflict_do_update(
            index_elements=[CacheEntry.key],
            set_={"generation": generation, "payload": payload, "created_at": row["created_at"]},
        )
        with self.engine.begin() as conn:
            conn.execute(stmt)
            # entries of older generations can never be read again
            conn.execute(delete(CacheEntry).where(CacheEntry.generation < generation))

    def clear(self) -> None:
        """Delete every row of ``cache_entries``."""
        with self.engine.begin() as conn:
            conn.execute(delete(CacheEntry))

    def __len__(self) -> int:
        with self.engine.connect() as conn:
            return int(conn.execute(text("SELECT count(*) FROM cache_entries")).scalar() or 0)


class RedisCache(_BaseCache):
    """Entries in Redis (``CACHE_URL=redis://...``); a Redis failure is a cache miss."""

    backend = "redis"

    def __init__(self, engine: Engine, secret: str, url: str, prefix: str = "seguiment") -> None:
        super().__init__(engine, secret)
        import redis

        self._client = redis.Redis.from_url(url, socket_timeout=2, socket_connect_timeout=2)
        self.prefix = prefix

    def _name(self, key: str, generation: int) -> str:
        return f"{self.prefix}:cache:{generation}:{key}"

    def _load(self, key: str, generation: int) -> bytes | None:
        try:
            payload = self._client.get(self._name(key, generation))
        except Exception as exc:  # noqa: BLE001 - the cache is an optimisation: never fail a page
            log.warning("redis cache unavailable: %s", exc)
            return None
        return payload if isinstance(payload, bytes) else None

    def _store(self, key: str, generation: int, payload: bytes) -> None:
        try:
            self._client.set(self._name(key, generation), payload, ex=REDIS_TTL_SECONDS)
        except Exception as exc:  # noqa: BLE001 - an optimisation: never fail a page for it
            log.warning("redis cache unavailable: %s", exc)

    def clear(self) -> None:
        """Delete every cache entry under this prefix, whatever its generation."""
        for name in self._client.scan_iter(match=f"{self.prefix}:cache:*"):
            self._client.delete(name)

    def ping(self) -> bool:
        """Whether the Redis server answers."""
        try:
            return bool(self._client.ping())
        except Exception:  # noqa: BLE001 - any failure to answer means not reachable
            return False


def get_cache(settings: Settings, engine: Engine | None = None) -> DatabaseCache | RedisCache:
    """The shared cache configured by ``settings.cache_url`` (database when unset)."""
    engine = engine if engine is not None else get_engine(settings.database_url)
    if settings.cache_url:
        return RedisCache(engine, settings.secret_key, settings.cache_url)
    return DatabaseCache(engine, settings.secret_key)
