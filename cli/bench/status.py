"""``seguiment bench status [--json]``: a full recompute of the plan's status at three scales.

Scales: the real catalog with 16 quarters (2022-T1..2025-T4) of synthetic values ("1x"), and
the same with services and indicators replicated 10 and 100 times. Each scale times a full
``compute_status`` at the plan's last quarter (parameter tables rebuilt, nothing cached) and,
reported apart, a ``status_history`` over the 16 quarters (what the dashboard's sparklines
ask for). The baseline, measured in the same run, is one ``pandas.read_excel(engine=
"openpyxl")`` of a 5,000-row workbook. ``ratio`` = 100x time / baseline (target: under 0.5);
``growth`` = time at 10x and 100x over 1x (linear would be 10 and 100).
A benchmark, not a test: it reports figures, it never fails on them.
"""

from __future__ import annotations

import argparse
import io
import statistics
import time
from collections.abc import Callable
from typing import Any

import numpy as np
import pandas as pd

from cli._common import load_configured_plan, print_json
from i18n import _, format_number
from plan_model.models import Plan
from plan_model.periods import Period, period_range
from plan_model.progress import clear_table_cache, indicator_table
from plan_model.status import compute_status, status_history

SCALES = (("1x", 1), ("10x", 10), ("100x", 100))
BASELINE_ROWS = 5000
TARGET_RATIO = 0.5


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--json", action="store_true", help=_("print one JSON object"))
    parser.add_argument(
        "--repeat", type=int, default=5, help=_("timed runs per scale (the best is reported)")
    )
    parser.add_argument("--plan", default=None, help=_("plan file (default: PLAN_PATH)"))


def scaled_plan(plan: Plan, factor: int) -> Plan:
    """The plan with every service and indicator replicated ``factor`` times."""
    if factor == 1:
        return plan
    indicators = []
    for copy in range(factor):
        for ind in plan.indicators:
            objective, number = ind.code.split("-I")
            service = (
                ind.responsible_service if copy == 0 else f"{ind.responsible_service[:24]}_{copy}"
            )
            indicators.append(
                ind.model_copy(
                    update={
                        "code": f"{objective}-I{int(number) + 1000 * copy}",
                        "responsible_service": service,
                    }
                )
            )
    services = [
        s if copy == 0 else s.model_copy(update={"code": f"{s.code[:24]}_{copy}"})
        for copy in range(factor)
        for s in plan.services
    ]
    catalog = plan.catalog.model_copy(update={"indicators": indicators})
    return plan.model_copy(update={"catalog": catalog, "services": services})


def synthetic_values(plan: Plan, seed: int = 7) -> pd.DataFrame:
    """16 quarters of plausible values for every indicator (vectorised; ~4 % missing)."""
    rng = np.random.default_rng(seed)
    table = indicator_table(plan)
    periods = period_range(plan.first_period, plan.last_period)
    n, t = len(table.codes), len(periods)
    progress = (np.arange(t) + 1) / t
    pace = rng.uniform(0.5, 1.3, size=(n, 1))
    base = np.nan_to_num(table.base)[:, None]
    final = np.nan_to_num(table.targets[:, -1])[:, None]
    level = base + (final - base) * progress[None, :] * pace
    level *= rng.normal(1.0, 0.03, size=(n, t))
    level = np.where(table.agg[:, None] == 0, level / 4.0, level)
    level = np.clip(level, table.bound_min[:, None], table.bound_max[:, None])
    scale = [s for s in plan.stages if s.pct is not None]
    pcts = np.array([s.pct for s in scale], dtype=float)
    wanted = np.clip(progress[None, :] * 100 * pace, 0, 100)
    stage_idx = np.abs(wanted[:, :, None] - pcts[None, None, :]).argmin(axis=2)
    stage_keys = np.array([s.key for s in scale], dtype=object)[stage_idx]
    is_ms = np.repeat(table.is_ms[:, None], t, axis=1)
    keep = (rng.random((n, t)) >= 0.04).ravel()  # about 4 % missing
    frame = pd.DataFrame(
        {
            "indicator": np.repeat(np.array(table.codes, dtype=object), t)[keep],
            "period": np.tile(np.array([str(p) for p in periods], dtype=object), n)[keep],
            "value": np.asarray(np.where(is_ms, np.nan, level)).ravel()[keep],
            "stage": np.asarray(np.where(is_ms, stage_keys, None)).ravel()[keep],
        }
    )
    return frame


def _timed(func: Callable[[], Any]) -> float:
    start = time.perf_counter()
    func()
    return time.perf_counter() - start


def baseline_workbook(rows: int = BASELINE_ROWS) -> bytes:
    """A ``rows``-row workbook shaped like a technician's sheet."""
    from openpyxl import Workbook

    wb = Workbook()
    ws = wb.active
    assert ws is not None
    ws.append(["Codi", "Indicador", "Període", "Valor", "Comentari"])
    for i in range(rows):
        ws.append(
            [
                f"P{i % 5 + 1}.{i % 60:02d}-I{i}",
                f"Indicador {i}",
                "2025-T3",
                float(i % 997) * 1.5,
                "comentari" if i % 7 == 0 else None,
            ]
        )
    buffer = io.BytesIO()
    wb.save(buffer)
    return buffer.getvalue()


def baseline_seconds(content: bytes) -> float:
    """One ``pandas.read_excel(engine="openpyxl")`` of the workbook."""
    return _timed(lambda: pd.read_excel(io.BytesIO(content), engine="openpyxl"))


def measure(plan: Plan, repeat: int = 3) -> dict[str, Any]:
    """Time every scale and the baseline, interleaved, ``repeat`` times; keep the best of each
    (the machine may be shared: the minimum is the least disturbed run)."""
    last = plan.last_period
    periods = period_range(plan.first_period, last)
    prepared = []
    for label, factor in SCALES:
        big = scaled_plan(plan, factor)
        prepared.append((label, big, synthetic_values(big)))
    content = baseline_workbook()
    full: dict[str, list[float]] = {label: [] for label, _p, _v in prepared}
    hist: dict[str, list[float]] = {label: [] for label, _p, _v in prepared}
    baseline: list[float] = []
    for _round in range(max(1, repeat)):
        for label, big, values in prepared:

            def run_full(b: Plan = big, v: pd.DataFrame = values) -> None:
                clear_table_cache()
                compute_status(b, v, last)

            def run_history(b: Plan = big, v: pd.DataFrame = values) -> None:
                clear_table_cache()
                status_history(b, v, periods)

            full[label].append(_timed(run_full))
            hist[label].append(_timed(run_history))
        baseline.append(baseline_seconds(content))
    scales: list[dict[str, Any]] = [
        {
            "scale": label,
            "values": len(values),
            "indicators": len(big.indicators),
            "services": len(big.services),
            "quarters": len(periods),
            "seconds": min(full[label]),
            "history_seconds": min(hist[label]),
            "median_seconds": statistics.median(full[label]),
        }
        for label, big, values in prepared
    ]
    base = min(baseline)
    first = float(scales[0]["seconds"])
    top = float(scales[-1]["seconds"])
    return {
        "period": str(last),
        "scales": scales,
        "baseline": f"pandas.read_excel(engine='openpyxl'), {BASELINE_ROWS} rows",
        "baseline_s": base,
        "baseline_median_s": statistics.median(baseline),
        "repeat": max(1, repeat),
        "ratio": top / base,
        "median_ratio": float(scales[-1]["median_seconds"]) / statistics.median(baseline),
        "target_ratio": TARGET_RATIO,
        "meets_target": top / base < TARGET_RATIO,
        "growth": {str(s["scale"]): float(s["seconds"]) / first for s in scales},
    }


def run(args: argparse.Namespace) -> int:
    plan = load_configured_plan(getattr(args, "plan", None))
    result = measure(plan, repeat=args.repeat)
    if args.json:
        print_json(result)
        return 0
    print(_("Status engine: full recompute at {period}", period=Period.parse(result["period"])))
    for s in result["scales"]:
        print(
            _(
                "  {scale}: {values} values, {indicators} indicators → {seconds} s "
                "(history of {quarters} quarters: {history} s; ×{growth} the 1x time)",
                scale=s["scale"],
                values=format_number(s["values"], decimals=0),
                indicators=format_number(s["indicators"], decimals=0),
                seconds=format_number(s["seconds"], decimals=4),
                quarters=s["quarters"],
                history=format_number(s["history_seconds"], decimals=4),
                growth=format_number(result["growth"][s["scale"]], decimals=1),
            )
        )
    print(
        _(
            "  baseline (read_excel of {rows} rows): {seconds} s",
            rows=BASELINE_ROWS,
            seconds=format_number(result["baseline_s"], decimals=4),
        )
    )
    print(
        _(
            "  ratio 100x / baseline: {ratio} (target < {target})",
            ratio=format_number(result["ratio"], decimals=3),
            target=format_number(TARGET_RATIO, decimals=1),
        )
    )
    return 0
