"""``seguiment bench import [--json]``: our full import against a naive pandas read.

Generates a long-format workbook of ``--rows`` rows (default 5,000: a generated catalog of one
service, every quarter of the plan × enough indicators), then measures in the same run, each
``--repeats`` times (median reported):

- **ours**: ``import_file`` — safety checks, fast reading, header detection, validation of
  every value against the catalog, and storing everything in one transaction — into a fresh,
  migrated temporary SQLite database (migration not timed);
- **baseline**: ``pandas.read_excel(engine="openpyxl")`` merely reading the same bytes.

``ratio = ours / baseline`` (target: under 0.3). With ``--json``: one object with ``rows``,
``ours_s``, ``baseline_s``, ``ratio`` and details (each repeat, the validation-only time of a
dry run, the backend and the reader).
"""

from __future__ import annotations

import argparse
import datetime as dt
import io
import statistics
import tempfile
import time
from pathlib import Path
from typing import Any

from cli._common import load_configured_plan, print_json
from i18n import _, format_number

TARGET_RATIO = 0.3


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--rows", type=int, default=5000, help=_("rows of the workbook"))
    parser.add_argument("--repeats", type=int, default=3, help=_("measurements of each side"))
    parser.add_argument("--json", action="store_true", help=_("print one JSON object"))


def build_workbook(plan: Any, rows: int) -> tuple[Any, bytes, str]:
    """(synthetic plan, .xlsx bytes, service) with ``rows`` value rows in long format."""
    from openpyxl import Workbook

    from indicators.synthetic import synthetic_plan
    from plan_model.periods import period_range

    periods = period_range(plan.first_period, plan.last_period)
    per_period = -(-rows // len(periods))  # ceil
    service = plan.services[0].code
    bench_plan = synthetic_plan(plan, service, numeric=per_period)
    indicators = bench_plan.indicators_of_service(service)
    wb = Workbook(write_only=True)
    ws = wb.create_sheet("Dades")
    ws.append(["Codi", "Indicador", "Període", "Valor", "Comentari"])
    written = 0
    for p in periods:
        for k, indicator in enumerate(indicators):
            if written == rows:
                break
            assert indicator.targets is not None
            value = round(indicator.targets[p.year] * (0.9 + (k % 7) / 50), 1)
            if indicator.bounds is not None and indicator.bounds.max is not None:
                value = min(value, indicator.bounds.max)
            comment = "Dada provisional" if k % 25 == 0 else None
            ws.append([indicator.code, indicator.name, str(p), value, comment])
            written += 1
    buffer = io.BytesIO()
    wb.save(buffer)
    return bench_plan, buffer.getvalue(), service


def _time_ours(plan: Any, content: bytes, service: str, workdir: Path, n: int,
               dry_run: bool = False) -> tuple[float, Any]:
    from indicators.db import make_engine
    from indicators.importer import import_file
    from indicators.migrate import upgrade

    url = f"sqlite:///{workdir / f'bench_{n}.db'}"
    upgrade(url)  # not timed: a fresh, migrated database per run
    engine = make_engine(url)
    try:
        with engine.connect():
            pass  # connection pool warmed outside the timing
        when = dt.datetime(2026, 1, 20, 9, 0, tzinfo=dt.UTC)
        started = time.perf_counter()
        result = import_file(engine, plan, filename="bench.xlsx", content=content,
                             user="bench", service=service, source="cli", uploaded_at=when,
                             dry_run=dry_run)
        elapsed = time.perf_counter() - started
    finally:
        engine.dispose()
    return elapsed, result


def _time_baseline(content: bytes) -> float:
    import pandas as pd

    started = time.perf_counter()
    frame = pd.read_excel(io.BytesIO(content), engine="openpyxl")
    elapsed = time.perf_counter() - started
    assert len(frame) > 0
    return elapsed


def measure(rows: int = 5000, repeats: int = 3) -> dict[str, Any]:
    plan = load_configured_plan()
    bench_plan, content, service = build_workbook(plan, rows)
    ours: list[float] = []
    baseline: list[float] = []
    with tempfile.TemporaryDirectory(prefix="seguiment-bench-") as tmp:
        workdir = Path(tmp)
        # warm-up (imports, caches) outside the measurements
        _elapsed, result = _time_ours(bench_plan, content, service, workdir, -1, dry_run=True)
        if result.status != "ok":
            raise RuntimeError(f"bench import rejected: {[e.message for e in result.errors][:5]}")
        stored_rows = len(result.values)
        _time_baseline(content)
        validate_only: list[float] = []
        for n in range(max(1, repeats)):
            elapsed, result = _time_ours(bench_plan, content, service, workdir, n)
            if result.status != "ok":
                raise RuntimeError(f"bench import not stored: {result.status}")
            ours.append(elapsed)
            baseline.append(_time_baseline(content))
            validate_only.append(_time_ours(bench_plan, content, service, workdir, 1000 + n,
                                            dry_run=True)[0])
    ours_s = statistics.median(ours)
    baseline_s = statistics.median(baseline)
    return {
        "rows": rows,
        "stored_values": stored_rows,
        "ours_s": round(ours_s, 4),
        "baseline_s": round(baseline_s, 4),
        "ratio": round(ours_s / baseline_s, 4),
        "target_ratio": TARGET_RATIO,
        "meets_target": ours_s / baseline_s < TARGET_RATIO,
        "validate_only_s": round(statistics.median(validate_only), 4),
        "repeats": len(ours),
        "ours_all_s": [round(x, 4) for x in ours],
        "baseline_all_s": [round(x, 4) for x in baseline],
        "file_bytes": len(content),
        "backend": "sqlite",
        "reader": "python-calamine",
        "baseline_reader": "pandas.read_excel(engine='openpyxl')",
    }


def run(args: argparse.Namespace) -> int:
    try:
        result = measure(args.rows, args.repeats)
    except RuntimeError as exc:
        print(_("The benchmark could not run: {reason}", reason=str(exc)))
        return 1
    if args.json:
        print_json(result)
        return 0
    print(_("Import benchmark: {rows} rows, median of {repeats} runs.", rows=result["rows"],
            repeats=result["repeats"]))
    print(_("  our import, validated and stored (SQLite): {seconds} s",
            seconds=format_number(result["ours_s"], "ca", 3)))
    print(_("  of which validation only (dry run): {seconds} s",
            seconds=format_number(result["validate_only_s"], "ca", 3)))
    print(_("  pandas.read_excel(engine=\"openpyxl\") reading only: {seconds} s",
            seconds=format_number(result["baseline_s"], "ca", 3)))
    verdict = _("meets the target") if result["meets_target"] else _("misses the target")
    print(_("  ratio {ratio} (target < {target}): {verdict}",
            ratio=format_number(result["ratio"], "ca", 3),
            target=format_number(TARGET_RATIO, "ca", 1), verdict=verdict))
    return 0
