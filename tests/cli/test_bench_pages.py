"""``seguiment bench pages --json``: the contract of its JSON (issue 5), run end to end with a
few samples. The figures are reported, never asserted (timings belong to the benchmark, not to
tests): this checks the shape, the pages and scales measured and the ratios' arithmetic."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
PAGES = ["overview", "lever", "objective", "submissions", "changes"]


def test_bench_pages_json_contract() -> None:
    chromium = Path(os.environ.get("CHROMIUM_PATH") or "/usr/bin/chromium")
    if not chromium.exists() and os.environ.get("CI"):
        pytest.fail(f"CI installs Chromium, but {chromium} is missing")
    command = [
        sys.executable,
        "-m",
        "cli",
        "bench",
        "pages",
        "--json",
        "--warm",
        "3",
        "--cold",
        "2",
        "--renders",
        "1",
    ]
    # its own process: the benchmark empties the dashboard's in-process caches as it goes
    done = subprocess.run(
        command, cwd=ROOT, capture_output=True, text=True, timeout=900, check=False
    )
    assert done.returncode == 0, done.stderr[-3000:]
    result = json.loads(done.stdout)

    assert {"floor_p95_s", "pages", "render_ratio"} <= set(result)
    assert result["floor_p95_s"] > 0
    pages = result["pages"]
    assert [(p["page"], p["scale"]) for p in pages] == [
        (page, scale) for scale in ("1x", "10x") for page in PAGES
    ]
    for row in pages:
        assert {"page", "scale", "warm_p95_s", "cold_p95_s", "warm_ratio", "cold_ratio"} <= set(row)
        assert row["warm_p95_s"] > 0 and row["cold_p95_s"] > 0
        # each ratio is against the floor measured in the same run, interleaved with it
        assert row["floor_p95_s"] > 0
        assert row["warm_ratio"] == pytest.approx(row["warm_p95_s"] / row["floor_p95_s"])
        assert row["cold_ratio"] == pytest.approx(row["cold_p95_s"] / row["floor_p95_s"])
    assert {row["path"] for row in pages} >= {"/", "/palanca/3", "/lliuraments", "/canvis"}
    assert result["targets"] == {
        "warm_ratio": 3,
        "cold_ratio_1x": 15,
        "cold_ratio_10x": 30,
        "render_ratio": 3,
    }
    assert result["samples"] == {"warm": 3, "cold": 2, "renders": 1}
    if chromium.exists():
        render = result["render"]
        assert render["overview_render_s"] > 0 and render["hello_render_s"] > 0
        assert result["render_ratio"] == pytest.approx(
            render["overview_render_s"] / render["hello_render_s"]
        )
        # the first visit with an empty cache (issue 16): bytes over the wire, time to drawn
        visits = result["first_visit"]
        assert visits == render["first_visit"]
        assert [(v["page"], v["path"]) for v in visits] == [
            ("overview", "/"),
            ("lever", "/palanca/3"),
        ]
        for visit in visits:
            # a whole page with its scripts: far more than its HTML, the bundles compressed
            assert 100_000 < visit["bytes"] < 20_000_000
            assert visit["drawn_s"] > 0
    else:
        assert result["render_ratio"] is None
        assert result["first_visit"] is None
    assert result["first_visit_targets"] == {"bytes": 1_500_000, "drawn_s": 0.6}
