"""The load benchmark's parts that are not timing: data at scale, payloads, the summary."""

from __future__ import annotations

import argparse

from sqlalchemy import Engine

from cli.bench.load import (
    PAGES_OUTPUT,
    add_arguments,
    data_files,
    page_payload,
    scaled_plan,
    summarise,
)
from indicators.intake.importer import import_file
from plan_model.models import Plan


def test_scaled_plan_multiplies_indicators_over_every_service(plan: Plan) -> None:
    assert scaled_plan(plan, 1) is plan
    big = scaled_plan(plan, 10)
    codes = [i.code for i in big.indicators]
    assert len(codes) == 10 * len(plan.indicators) == len(set(codes))
    assert {i.responsible_service for i in big.indicators} == {s.code for s in plan.services}
    assert all(len(code) <= 16 for code in codes)  # fits indicator_values.indicator


def test_generated_files_import_cleanly(plan: Plan, engine: Engine) -> None:
    big = scaled_plan(plan, 10)
    files = data_files(big)
    assert len(files) == len({i.responsible_service for i in big.indicators}) * 16
    for service, period, content, rows in [files[0], files[-1]]:
        result = import_file(
            engine,
            big,
            filename=f"{service}_{period}.csv",
            content=content,
            user="bench",
            service=service,
            period=period,
        )
        assert result.status == "ok", [e.message for e in result.errors]
        assert len(result.values) == rows


def test_page_payload_is_the_page_routing_callback() -> None:
    payload = page_payload("/palanca/2")
    assert payload["output"] == PAGES_OUTPUT
    assert payload["inputs"][0]["value"] == "/palanca/2"


def test_summary_reports_ratios_growth_and_targets() -> None:
    parser = argparse.ArgumentParser()
    add_arguments(parser)
    args = parser.parse_args([])
    rows = [
        {
            "scale": s,
            "viewers": 50,
            "p50_s": p50,
            "p95_s": p50 * 2,
            "floor_p95_s": 0.1,
            "ratio": p50 * 2 / 0.1,
        }
        for s, p50 in (("1x", 0.1), ("10x", 0.3), ("100x", 2.0))
    ]
    imports = [
        {"scale": "1x", "rows": 1000, "seconds": 2.0},
        {"scale": "10x", "rows": 9000, "seconds": 8.0},
    ]
    result = summarise(args, imports, rows, 0)
    assert result["import_rows_per_s"] == 1000.0
    assert result["growth_p50_vs_1x"] == {"10x": 3.0, "100x": 20.0}
    assert result["targets"] == {
        "p95_under_10x_floor_at_10x_50_viewers": True,
        "growth_no_worse_than_linear": True,
    }
    assert {"workers", "rows"} <= set(result)
