"""Every public figure can be recomputed (issue 19): from the API's own answers only (the
status's ``inputs`` links: values, indicators and their weights, thresholds), an
implementation written here from docs/metodologia.md, importing nothing of ``plan_model``,
recomputes the indicators' year values and shares of target, the objectives', axes',
levers' and the plan's weighted means of capped children and their lights, and compares
them with ``/api/v1/status`` (SQLite and PostgreSQL)."""

from __future__ import annotations

from collections import defaultdict
from typing import Any

import pytest
from flask.testing import FlaskClient

from tests.web import test_api_fixtures as fx

api_app, planted, api = fx.api_app, fx.planted, fx.api  # fixtures
ROLLUP_CAP = 1.0  # metodologia §6: each child counts at most 1
ACHIEVEMENT_MAX = 1.5  # metodologia §3: shares are bounded to [0; 1,5]
CLOSE = 1e-9


def _get(client: FlaskClient, url: str) -> Any:
    response = client.get(url)
    assert response.status_code == 200, (url, response.data[:200])
    return response.get_json()


def _all_values(client: FlaskClient, urls: list[str]) -> list[dict[str, Any]]:
    rows: list[dict[str, Any]] = []
    for url in urls:
        link: str | None = url + ("&" if "?" in url else "?") + "limit=1000"
        while link:
            page = _get(client, link)
            rows.extend(page["items"])
            link = page["page"]["next"]
    return rows


def _light(achievement: float, green: float, amber: float) -> str | None:
    """metodologia §5 (None: too close to a threshold to call without the engine's floats)."""
    if min(abs(achievement - green), abs(achievement - amber)) < CLOSE:
        return None
    return "green" if achievement >= green else "amber" if achievement >= amber else "red"


def _weighted_mean(children: list[dict[str, Any]]) -> float | None:
    """metodologia §6: Σ w · min(A, 1) / Σ w over the children with data."""
    den = sum(c["weight"] for c in children)
    if den <= 0:
        return None
    return float(sum(c["weight"] * min(c["achievement"], ROLLUP_CAP) for c in children) / den)


def _has_data(entry: dict[str, Any]) -> bool:
    if entry["level"] == "indicator":
        return entry["achievement"] is not None
    return bool(entry["status"] != "grey")


@pytest.mark.parametrize("period", [str(fx.T1), str(fx.T3)])
def test_the_levels_are_recomputed_from_the_apis_own_data(api: FlaskClient, period: str) -> None:
    status = _get(api, f"/api/v1/status?period={period}")
    by_key = {f"{e['level']}:{e['key']}": e for e in status["entries"]}
    green, amber = status["thresholds"]["green"], status["thresholds"]["amber"]
    assert status["inputs"]["thresholds"] == status["thresholds"]
    recomputed: list[dict[str, Any]] = []
    for entry in status["entries"]:
        if entry["level"] == "indicator" or entry["achievement"] is None:
            continue
        children = [by_key[key] for key in entry["children"]]
        if any(c["suppressed"] for c in children):
            continue  # a suppressed count's share is not public: this mean cannot be redone
        mean = _weighted_mean([c for c in children if _has_data(c)])
        assert mean == pytest.approx(entry["achievement"], abs=1e-9), entry["key"]
        if entry["status"] != "grey":
            light = _light(entry["achievement"], green, amber)
            assert light in (None, entry["status"]), entry["key"]
        recomputed.append(entry)
    # above the objectives nothing is suppressed: every level with a figure is recomputed
    above = [
        e
        for e in status["entries"]
        if e["level"] in ("plan", "lever", "axis") and e["achievement"] is not None
    ]
    assert above and all(e in recomputed for e in above)
    objectives = [e for e in recomputed if e["level"] == "objective"]
    assert len(objectives) >= 20


def test_the_weights_are_the_plans(api: FlaskClient) -> None:
    """Objectives weigh their own weight; axes and levers their own times their due
    objectives (metodologia §6, ``level_weights: objectives``); indicators their sheet's."""
    status = _get(api, f"/api/v1/status?period={fx.T3}")
    structure = _get(api, status["inputs"]["plan"])
    sheets = {
        s["code"]: s for s in _get(api, status["inputs"]["indicators"] + "?limit=1000")["items"]
    }
    assert structure["level_weights"] == status["level_weights"] == "objectives"
    own = {f"lever:{lv['number']}": lv["weight"] for lv in structure["levers"]}
    own.update(
        {f"axis:{a['number']}": a["weight"] for lv in structure["levers"] for a in lv["axes"]}
    )
    objective_weight = {
        o["code"]: o["weight"] for lv in structure["levers"] for o in lv["objectives"]
    }
    for entry in status["entries"]:
        if entry["level"] == "indicator":
            assert entry["weight"] == sheets[entry["key"]]["weight"]
        elif entry["level"] == "objective":
            assert entry["weight"] == objective_weight[entry["key"]]
        elif entry["level"] in ("axis", "lever"):
            due = entry["weight"] / own[f"{entry['level']}:{entry['key']}"]
            assert due == pytest.approx(round(due)) and 0 <= round(due) <= len(objective_weight)


def _year_value(aggregation: str, rows: list[dict[str, Any]], quarter: str) -> float | None:
    """metodologia §1: the year value from the quarters' values so far."""
    year = quarter[:4]
    upto = sorted(
        (r for r in rows if r["period"][:4] == year and r["period"] <= quarter),
        key=lambda r: r["period"],
    )
    numbers = [r["value"] for r in upto if r["value"] is not None]
    current = [r["value"] for r in upto if r["period"] == quarter]
    if aggregation == "sum":
        return sum(numbers) if numbers else None
    if aggregation == "mean":
        return sum(numbers) / len(numbers) if numbers else None
    return current[0] if current else None  # last, ytd: the quarter stands for the year


def _share(direction: str, value: float, expected: float) -> float | None:
    """metodologia §3: ``T = V / E`` (``E / V`` to decrease), bounded to [0; 1,5]."""
    if direction == "increase" and expected > 0:
        return max(0.0, min(ACHIEVEMENT_MAX, value / expected))
    if direction == "decrease" and expected > 0 and value > 0:
        return max(0.0, min(ACHIEVEMENT_MAX, expected / value))
    return None


def test_the_indicators_are_recomputed_from_the_linked_values(api: FlaskClient) -> None:
    status = _get(api, f"/api/v1/status?period={fx.T3}")
    values = _all_values(api, status["inputs"]["values"])
    assert {r["period"] for r in values} == {str(fx.T1), str(fx.T3)}  # never T2
    sheets = {
        s["code"]: s for s in _get(api, status["inputs"]["indicators"] + "?limit=1000")["items"]
    }
    rows: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for row in values:
        rows[row["indicator"]].append(row)
    checked_values = checked_shares = 0
    for entry in (e for e in status["entries"] if e["level"] == "indicator"):
        sheet = sheets[entry["key"]]
        mine = rows[entry["key"]]
        if sheet["kind"] != "numeric" or entry["suppressed"] or not mine:
            continue
        if len({r["service"] for r in mine}) != 1 or entry["value"] is None:
            continue
        expected_value = _year_value(sheet["aggregation"], mine, str(fx.T3))
        assert entry["value"] == pytest.approx(expected_value), entry["key"]
        checked_values += 1
        share = _share(sheet["direction"], entry["value"], entry["expected"] or 0.0)
        if share is not None and entry["target_share"] is not None:
            assert entry["target_share"] == pytest.approx(share, abs=1e-9), entry["key"]
            checked_shares += 1
        link = entry["inputs"]["values"]
        assert all(r["indicator"] == entry["key"] for r in _get(api, link)["items"])
    assert checked_values >= 20 and checked_shares >= 10
