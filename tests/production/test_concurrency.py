"""Concurrency and faults, on SQLite and PostgreSQL, with real worker PROCESSES (spawn):

- many imports at once, several for the same service and quarter with different contents:
  afterwards exactly one current submission per service and quarter, every other one in the
  history (a consistent superseded chain), no value mixed from two files, no value lost;
- a worker killed (SIGKILL) inside its import transaction leaves the database as before.
"""

from __future__ import annotations

import hashlib
import itertools
import multiprocessing
import os
import random
import signal
import time
from collections import defaultdict
from typing import Any, cast

from sqlalchemy import event, text

from indicators.storage.engine import make_engine
from plan_model.loader import load_plan
from plan_model.models import Plan
from tests.conftest import PLAN_PATH

SERVICES = ["SBAS-COSS", "SBAS-VIC", "SAD", "OPE"]
PERIODS = ["2024-T2", "2024-T3"]
VARIANTS = [0, 1, 2]
PROCESSES = 4


def numeric_indicators(plan: Plan, service: str) -> list[Any]:
    return [i for i in plan.indicators if i.responsible_service == service and i.kind == "numeric"]


def expected_values(plan: Plan, service: str, period: str, variant: int) -> dict[str, float]:
    """Each (service, quarter, variant) file has its own value for every indicator."""
    values = {}
    for j, indicator in enumerate(numeric_indicators(plan, service)):
        low = indicator.bounds.min if indicator.bounds and indicator.bounds.min is not None else 0.0
        high = (
            indicator.bounds.max
            if indicator.bounds and indicator.bounds.max is not None
            else 1000.0
        )
        fraction = 0.30 + 0.1 * variant + 0.01 * (j % 5) + (0.02 if period.endswith("3") else 0)
        values[indicator.code] = round(low + (high - low) * fraction, 1)
    return values


def csv_file(
    plan: Plan, service: str, period: str, variant: int, periods: list[str] | None = None
) -> bytes:
    lines = ["Codi;Servei;Període;Valor;Comentari"]
    for p in periods or [period]:
        for code, value in expected_values(plan, service, p, variant).items():
            number = f"{value:.1f}".replace(".", ",")
            lines.append(f"{code};{service};{p};{number};{service} {p} fitxer {variant}")
    return ("\n".join(lines) + "\n").encode("utf-8")


# --- worker processes (top-level functions: they run in spawned interpreters) ---------------


def _import_worker(url: str, tasks: list[tuple[str, str, int]], barrier: Any, results: Any) -> None:
    from indicators.intake.importer import import_file

    plan = load_plan(PLAN_PATH)
    engine = make_engine(url)
    files = [(s, p, v, csv_file(plan, s, p, v)) for s, p, v in tasks]
    barrier.wait(timeout=120)  # every process starts importing at the same moment
    for service, period, variant, content in files:
        try:
            result = import_file(
                engine,
                plan,
                filename=f"{service}_{period}_{variant}.csv",
                content=content,
                user=f"worker{os.getpid()}",
                source="cli",
            )
            results.put(
                (
                    service,
                    period,
                    variant,
                    result.status,
                    result.submission_id,
                    [e.message for e in result.errors],
                )
            )
        except Exception as exc:  # noqa: BLE001 - reported to the test, which fails on it
            results.put((service, period, variant, "exception", None, [repr(exc)]))
    engine.dispose()


def _killed_worker(url: str, content: bytes, inside: Any) -> None:
    """Imports ``content``; once its values are inserted (transaction still open) it tells the
    test and waits to be killed. The hook is a SQLAlchemy event on this test's own engine: the
    import code is unchanged."""
    from indicators.intake.importer import import_file

    plan = load_plan(PLAN_PATH)
    engine = make_engine(url)

    @event.listens_for(engine, "after_cursor_execute")
    def _pause(conn: Any, cursor: Any, statement: str, *args: Any) -> None:
        if statement.lstrip().upper().startswith("INSERT INTO INDICATOR_VALUES"):
            inside.set()
            time.sleep(120)

    import_file(engine, plan, filename="gran.csv", content=content, user="killed", source="cli")


# --- the tests --------------------------------------------------------------------------------


def _snapshot(url: str) -> dict[str, Any]:
    engine = make_engine(url)
    try:
        with engine.connect() as conn:
            return {
                "submissions": conn.execute(
                    text(
                        "SELECT id, service, period, status, superseded_by_id, supersedes_id, sha256"
                        " FROM submissions ORDER BY id"
                    )
                ).all(),
                "values": conn.execute(
                    text(
                        "SELECT submission_id, indicator, period, value FROM indicator_values"
                        " ORDER BY id"
                    )
                ).all(),
                "generation": conn.execute(
                    text("SELECT coalesce(max(generation), 0) FROM data_generation")
                ).scalar(),
                "audit": conn.execute(text("SELECT count(*) FROM audit_log")).scalar(),
            }
    finally:
        engine.dispose()


def test_many_concurrent_imports_lose_and_mix_nothing(db_url: str, plan: Plan) -> None:
    tasks = [(s, p, v) for s in SERVICES for p in PERIODS for v in VARIANTS]
    random.Random(8).shuffle(tasks)
    chunks = [tasks[i::PROCESSES] for i in range(PROCESSES)]
    ctx = multiprocessing.get_context("spawn")
    barrier = ctx.Barrier(PROCESSES)
    results = ctx.Queue()
    workers = [
        ctx.Process(target=_import_worker, args=(db_url, chunk, barrier, results))
        for chunk in chunks
    ]
    for w in workers:
        w.start()
    outcomes = [results.get(timeout=300) for _ in tasks]
    for w in workers:
        w.join(timeout=60)
        assert w.exitcode == 0

    assert all(o[3] == "ok" for o in outcomes), [o for o in outcomes if o[3] != "ok"]
    files = {(s, p, v): csv_file(plan, s, p, v) for s, p, v in tasks}
    variant_of_sha = {hashlib.sha256(c).hexdigest(): key for key, c in files.items()}

    engine = make_engine(db_url)
    try:
        with engine.connect() as conn:
            subs = conn.execute(
                text(
                    "SELECT id, service, period, status, superseded_by_id, supersedes_id, sha256, row_count"
                    " FROM submissions ORDER BY id"
                )
            ).all()
            values = conn.execute(
                text(
                    "SELECT submission_id, indicator, service, period, value FROM indicator_values"
                )
            ).all()
            generation = conn.execute(text("SELECT max(generation) FROM data_generation")).scalar()
            audits = conn.execute(
                text("SELECT count(*) FROM audit_log WHERE action = 'import'")
            ).scalar()
    finally:
        engine.dispose()

    # no import lost: every file is one submission, every value of every file is stored
    assert len(subs) == len(tasks)
    assert {variant_of_sha[s.sha256] for s in subs} == set(files)
    assert generation == len(tasks) and audits == len(tasks)
    by_submission: dict[int, dict[str, float]] = defaultdict(dict)
    for v in values:
        by_submission[v.submission_id][v.indicator] = v.value
    for sub in subs:
        service, period, variant = variant_of_sha[sub.sha256]
        assert (sub.service, sub.period) == (service, period)
        # no value mixed: a submission's values are exactly those of its own file
        assert by_submission[sub.id] == expected_values(plan, service, period, variant)
        assert sub.row_count == len(by_submission[sub.id])

    # one current per (service, quarter); the others form one consistent superseded chain
    groups: dict[tuple[str, str], list[Any]] = defaultdict(list)
    for sub in subs:
        groups[(sub.service, sub.period)].append(sub)
    assert set(groups) == {(s, p) for s in SERVICES for p in PERIODS}
    for chain in groups.values():
        assert len(chain) == len(VARIANTS)
        assert [s.status for s in chain] == ["superseded"] * (len(chain) - 1) + ["current"]
        assert chain[0].supersedes_id is None and chain[-1].superseded_by_id is None
        for older, newer in itertools.pairwise(chain):
            assert older.superseded_by_id == newer.id
            assert newer.supersedes_id == older.id

    # and the current values seen by the pages come, per (service, quarter), from one file
    from indicators.storage.queries import values_frame

    engine = make_engine(db_url)
    try:
        current = values_frame(engine)
    finally:
        engine.dispose()
    current_ids = {(s.service, s.period): s.id for s in subs if s.status == "current"}
    for key, frame in current.groupby(["service", "period"]):
        # a two-column groupby key is typed Hashable: it is the (service, period) pair
        assert set(frame["submission_id"]) == {current_ids[cast(tuple[str, str], key)]}


def test_a_worker_killed_inside_its_import_leaves_the_database_as_before(
    db_url: str, plan: Plan
) -> None:
    from indicators.intake.importer import import_file

    service, period = "SBAS-COSS", "2024-T4"
    engine = make_engine(db_url)
    try:  # an earlier submission the killed import would have superseded
        first = import_file(
            engine,
            plan,
            filename="primer.csv",
            user="t",
            content=csv_file(plan, service, period, 0),
        )
        assert first.status == "ok"
    finally:
        engine.dispose()
    before = _snapshot(db_url)

    periods = [
        "2022-T1",
        "2022-T2",
        "2022-T3",
        "2022-T4",
        "2023-T1",
        "2023-T2",
        "2023-T3",
        "2023-T4",
        "2024-T1",
        "2024-T2",
        "2024-T3",
        period,
    ]
    big = csv_file(plan, service, period, 1, periods=periods)  # a long file: many quarters
    ctx = multiprocessing.get_context("spawn")
    inside = ctx.Event()
    worker = ctx.Process(target=_killed_worker, args=(db_url, big, inside))
    worker.start()
    try:
        assert inside.wait(timeout=120), "the import never reached its inserts"
        assert worker.pid is not None
        os.kill(worker.pid, signal.SIGKILL)
        worker.join(timeout=30)
        assert worker.exitcode == -signal.SIGKILL
    finally:
        if worker.is_alive():
            worker.kill()

    assert _snapshot(db_url) == before  # exactly as before: no submission, no value, no event

    # and nothing stays locked: the same file imports now, superseding the earlier one
    engine = make_engine(db_url)
    try:
        again = import_file(engine, plan, filename="gran.csv", content=big, user="t")
        assert again.status == "ok" and again.superseded_id == first.submission_id
    finally:
        engine.dispose()
