"""The shared cache: scoped to the data generation, shared across processes, on both databases
(and on Redis when one answers)."""

from __future__ import annotations

import uuid
from collections.abc import Iterator

import pytest
from sqlalchemy import Engine, text

from indicators.storage.cache import DatabaseCache, RedisCache, current_generation, get_cache
from indicators.storage.engine import make_engine
from settings import Settings

REDIS_URL = "redis://127.0.0.1:6379/15"


def bump_generation(engine: Engine) -> int:
    """What an import does to invalidate caches (done here directly, in SQL)."""
    with engine.begin() as conn:
        updated = conn.execute(text("UPDATE data_generation SET generation = generation + 1"))
        if updated.rowcount == 0:
            conn.execute(text("INSERT INTO data_generation (id, generation) VALUES (1, 1)"))
    return current_generation(engine)


def redis_available() -> bool:
    try:
        import redis

        return bool(redis.Redis.from_url(REDIS_URL, socket_connect_timeout=0.5).ping())
    except Exception:  # noqa: BLE001 - any failure means no redis to test against
        return False


@pytest.fixture(params=["database", "redis"])
def cache(
    request: pytest.FixtureRequest, db_url: str, engine: Engine
) -> Iterator[DatabaseCache | RedisCache]:
    if request.param == "redis" and not redis_available():
        pytest.skip("no Redis server answers on 127.0.0.1:6379 (the Redis backend is optional)")
    result: DatabaseCache | RedisCache
    if request.param == "redis":  # a prefix of its own, so parallel test runs never collide
        result = RedisCache(engine, "test-secret", REDIS_URL, prefix=f"t{uuid.uuid4().hex[:8]}")
    else:
        result = get_cache(Settings(database_url=db_url, secret_key="test-secret"), engine)
    result.clear()
    yield result
    result.clear()


def test_get_cache_picks_the_backend(db_url: str, engine: Engine) -> None:
    assert isinstance(get_cache(Settings(database_url=db_url), engine), DatabaseCache)
    redis_cache = get_cache(Settings(database_url=db_url, cache_url=REDIS_URL), engine)
    assert isinstance(redis_cache, RedisCache)


def test_roundtrip_and_miss(cache: DatabaseCache | RedisCache) -> None:
    assert cache.get("overview") is None
    value = {"levers": [1, 2, 3], "label": "Grau d'assoliment", "ratio": 0.75}
    cache.set("overview", value)
    assert cache.get("overview") == value
    cache.set("overview", {"replaced": True})
    assert cache.get("overview") == {"replaced": True}


def test_an_import_invalidates_every_entry(cache: DatabaseCache | RedisCache) -> None:
    cache.set("a", 1)
    cache.set("b", [2])
    assert (cache.get("a"), cache.get("b")) == (1, [2])
    bump_generation(cache.engine)
    assert cache.get("a") is None
    assert cache.get("b") is None
    cache.set("a", 10)
    assert cache.get("a") == 10


def test_a_value_computed_before_an_import_is_never_served_after_it(
    cache: DatabaseCache | RedisCache,
) -> None:
    before = cache.generation()
    bump_generation(cache.engine)  # an import lands while the value is being computed
    cache.set("page", "stale", generation=before)
    assert cache.get("page") is None


def test_get_or_set_computes_once(cache: DatabaseCache | RedisCache) -> None:
    calls: list[int] = []

    def compute() -> dict[str, int]:
        calls.append(1)
        return {"n": len(calls)}

    assert cache.get_or_set("k", compute) == {"n": 1}
    assert cache.get_or_set("k", compute) == {"n": 1}
    assert len(calls) == 1
    bump_generation(cache.engine)
    assert cache.get_or_set("k", compute) == {"n": 2}


def test_shared_between_workers(db_url: str, cache: DatabaseCache | RedisCache) -> None:
    """Another engine (as in another worker process) sees the entry and its invalidation."""
    other_engine = make_engine(db_url)
    try:
        other: DatabaseCache | RedisCache
        if isinstance(cache, RedisCache):
            other = RedisCache(other_engine, "test-secret", REDIS_URL, prefix=cache.prefix)
        else:
            other = get_cache(Settings(database_url=db_url, secret_key="test-secret"), other_engine)
        cache.set("shared", [1, 2, 3])
        assert other.get("shared") == [1, 2, 3]
        bump_generation(other_engine)
        assert cache.get("shared") is None
    finally:
        other_engine.dispose()


def test_long_keys(cache: DatabaseCache | RedisCache) -> None:
    long_a = "x" * 300 + "a"
    long_b = "x" * 300 + "b"
    cache.set(long_a, "A")
    cache.set(long_b, "B")
    assert (cache.get(long_a), cache.get(long_b)) == ("A", "B")


def test_a_payload_without_our_signature_is_never_unpickled(db_url: str, engine: Engine) -> None:
    cache = get_cache(Settings(database_url=db_url, secret_key="one"), engine)
    cache.set("k", {"v": 1})
    assert cache.get("k") == {"v": 1}
    other_secret = get_cache(Settings(database_url=db_url, secret_key="two"), engine)
    assert other_secret.get("k") is None


def test_old_generations_are_pruned_from_the_database(engine: Engine, db_url: str) -> None:
    cache = get_cache(Settings(database_url=db_url), engine)
    assert isinstance(cache, DatabaseCache)
    cache.clear()
    for i in range(5):
        cache.set(f"k{i}", i)
    assert len(cache) == 5
    bump_generation(engine)
    cache.set("fresh", 1)
    assert len(cache) == 1


# ---- the in-process cache of computed results (GenerationCache) ----------------------------


def test_generation_cache_drops_a_scope_at_a_new_generation() -> None:
    from indicators.storage.cache import GenerationCache

    cache = GenerationCache()
    cache.check("db-a", 1)
    cache.check("db-b", 7)
    assert cache.get_or_compute(("db-a", 1, "status"), lambda: "a1") == "a1"
    assert cache.get_or_compute(("db-b", 7, "status"), lambda: "b7") == "b7"
    assert cache.get_or_compute(("db-a", 1, "status"), lambda: "again") == "a1"  # cached
    cache.check("db-a", 1)  # same generation: kept
    assert cache.peek(("db-a", 1, "status")) == "a1"
    cache.check("db-a", 2)  # an import on db-a: only db-a's entries go
    assert cache.peek(("db-a", 1, "status")) is None
    assert cache.peek(("db-b", 7, "status")) == "b7"
    cache.clear()
    assert cache.peek(("db-b", 7, "status")) is None


def test_generation_cache_is_bounded_least_recently_used_first() -> None:
    from indicators.storage.cache import GenerationCache

    cache = GenerationCache(max_entries=2)
    cache.get_or_compute(("s", 1, "a"), lambda: 1)
    cache.get_or_compute(("s", 1, "b"), lambda: 2)
    cache.get_or_compute(("s", 1, "a"), lambda: 0)  # "a" used again: "b" is the oldest
    cache.get_or_compute(("s", 1, "c"), lambda: 3)
    assert cache.peek(("s", 1, "a")) == 1 and cache.peek(("s", 1, "c")) == 3
    assert cache.peek(("s", 1, "b")) is None


def test_generation_cache_computes_a_key_once_across_threads() -> None:
    import threading
    import time

    from indicators.storage.cache import GenerationCache

    cache = GenerationCache()
    calls: list[int] = []

    def slow() -> str:
        calls.append(1)
        time.sleep(0.05)
        return "grid"

    results: list[str] = []
    threads = [
        threading.Thread(
            target=lambda: results.append(cache.get_or_compute(("s", 1, "grid"), slow))
        )
        for _ in range(6)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert results == ["grid"] * 6 and calls == [1]


def test_the_read_model_uses_the_generation_cache() -> None:
    from indicators.reporting import dashboard_data
    from indicators.storage.cache import GenerationCache

    assert isinstance(dashboard_data._CACHE, GenerationCache)
