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
import gc
import io
import shutil
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

    from indicators.demo.synthetic import synthetic_plan
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


def _fresh_db(template: Path, workdir: Path, n: int) -> str:
    """A copy of the migrated template database (migrating each time would be slow)."""
    target = workdir / f"bench_{n}.db"
    shutil.copyfile(template, target)
    return f"sqlite:///{target}"


def _time_ours(
    plan: Any, content: bytes, service: str, url: str, dry_run: bool = False
) -> tuple[float, float, Any]:
    """(wall seconds, CPU seconds, result) of one import into ``url``."""
    from indicators.intake.importer import import_file
    from indicators.storage.engine import make_engine

    engine = make_engine(url)
    try:
        with engine.connect():
            pass  # connection opened outside the timing
        when = dt.datetime(2026, 1, 20, 9, 0, tzinfo=dt.UTC)
        gc.collect()
        cpu, started = time.process_time(), time.perf_counter()
        result = import_file(
            engine,
            plan,
            filename="bench.xlsx",
            content=content,
            user="bench",
            service=service,
            source="cli",
            uploaded_at=when,
            dry_run=dry_run,
        )
        elapsed, cpu = time.perf_counter() - started, time.process_time() - cpu
    finally:
        engine.dispose()
    return elapsed, cpu, result


def _time_baseline(content: bytes) -> tuple[float, float]:
    import pandas as pd

    gc.collect()
    cpu, started = time.process_time(), time.perf_counter()
    frame = pd.read_excel(io.BytesIO(content), engine="openpyxl")
    elapsed, cpu = time.perf_counter() - started, time.process_time() - cpu
    assert len(frame) > 0
    return elapsed, cpu


def measure(rows: int = 5000, repeats: int = 3) -> dict[str, Any]:
    from indicators.storage.migrate import upgrade

    plan = load_configured_plan()
    bench_plan, content, service = build_workbook(plan, rows)
    ours: list[float] = []
    ours_cpu: list[float] = []
    baseline: list[float] = []
    baseline_cpu: list[float] = []
    validate_only: list[float] = []
    with tempfile.TemporaryDirectory(prefix="seguiment-bench-") as tmp:
        workdir = Path(tmp)
        template = workdir / "template.db"
        upgrade(f"sqlite:///{template}")  # not timed
        warm = _fresh_db(template, workdir, -1)
        # warm-up (imports, caches) outside the measurements
        _w, _c, result = _time_ours(bench_plan, content, service, warm, dry_run=True)
        if result.status != "ok":
            raise RuntimeError(f"bench import rejected: {[e.message for e in result.errors][:5]}")
        stored_rows = len(result.values)
        _time_baseline(content)
        for n in range(max(1, repeats)):
            elapsed, cpu, result = _time_ours(
                bench_plan, content, service, _fresh_db(template, workdir, n)
            )
            if result.status != "ok":
                raise RuntimeError(f"bench import not stored: {result.status}")
            ours.append(elapsed)
            ours_cpu.append(cpu)
            elapsed, cpu = _time_baseline(content)
            baseline.append(elapsed)
            baseline_cpu.append(cpu)
            validate_only.append(_time_ours(bench_plan, content, service, warm, dry_run=True)[0])
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
        "ours_cpu_s": round(statistics.median(ours_cpu), 4),
        "baseline_cpu_s": round(statistics.median(baseline_cpu), 4),
        "cpu_ratio": round(statistics.median(ours_cpu) / statistics.median(baseline_cpu), 4),
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
    print(
        _(
            "Import benchmark: {rows} rows, median of {repeats} runs.",
            rows=result["rows"],
            repeats=result["repeats"],
        )
    )
    print(
        _(
            "  our import, validated and stored (SQLite): {seconds} s",
            seconds=format_number(result["ours_s"], "ca", 3),
        )
    )
    print(
        _(
            "  of which validation only (dry run): {seconds} s",
            seconds=format_number(result["validate_only_s"], "ca", 3),
        )
    )
    print(
        _(
            "  CPU time: ours {ours} s, pandas {baseline} s (ratio {ratio})",
            ours=format_number(result["ours_cpu_s"], "ca", 3),
            baseline=format_number(result["baseline_cpu_s"], "ca", 3),
            ratio=format_number(result["cpu_ratio"], "ca", 3),
        )
    )
    print(
        _(
            '  pandas.read_excel(engine="openpyxl") reading only: {seconds} s',
            seconds=format_number(result["baseline_s"], "ca", 3),
        )
    )
    verdict = _("meets the target") if result["meets_target"] else _("misses the target")
    print(
        _(
            "  ratio {ratio} (target < {target}): {verdict}",
            ratio=format_number(result["ratio"], "ca", 3),
            target=format_number(TARGET_RATIO, "ca", 1),
            verdict=verdict,
        )
    )
    return 0
