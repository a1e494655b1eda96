"""``seguiment plan validate|export`` on the real plan and on a broken one."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path
from typing import Any

import pytest

from cli import main
from plan_model.models import Plan

REPO = Path(__file__).resolve().parent.parent.parent
PLAN = REPO / "data" / "plan.yaml"
FIXTURES = REPO / "tests" / "fixtures" / "plans"
INDICATOR_KEYS = {
    "code",
    "name",
    "kind",
    "unit",
    "direction",
    "aggregation",
    "responsible_service",
    "baseline",
    "targets",
    "bounds",
    "stages",
}


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


@pytest.fixture(scope="module")
def exported() -> dict[str, Any]:
    stream = io.StringIO()
    with pytest.MonkeyPatch.context() as mp:
        mp.setattr("sys.stdout", stream)
        assert main(["plan", "export", "--format", "json", str(PLAN)]) == 0
    data: dict[str, Any] = json.loads(stream.getvalue())
    return data


def test_validate_real_plan(capsys: pytest.CaptureFixture[str], plan: Plan) -> None:
    code, out, err = run(capsys, "plan", "validate", str(PLAN))
    assert code == 0
    assert out.strip() == (
        f"Pla vàlid: 5 palanques, 11 eixos, 58 objectius, {len(plan.indicators)} indicadors, "
        f"8 reptes, {len(plan.services)} serveis."
    )
    assert err == ""


def test_validate_uses_plan_path_by_default(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    from settings import get_settings

    monkeypatch.setenv("PLAN_PATH", str(FIXTURES / "valid" / "plan.yaml"))
    get_settings.cache_clear()
    try:
        code, out, _err = run(capsys, "plan", "validate")
    finally:
        get_settings.cache_clear()
    assert code == 0
    assert "3 objectius" in out


def test_export_json_shape(exported: dict[str, Any]) -> None:
    assert {"plan", "levers", "challenges", "services"} <= set(exported)
    info = exported["plan"]
    assert {"id", "name", "start_year", "end_year"} <= set(info)
    assert (info["start_year"], info["end_year"]) == (2022, 2025)
    assert len(exported["levers"]) == 5
    for lever in exported["levers"]:
        assert {"number", "name", "tagline", "axes"} <= set(lever)
        for axis in lever["axes"]:
            assert {"number", "name", "objectives"} <= set(axis)
            for objective in axis["objectives"]:
                assert {"code", "text", "origin", "challenges", "indicators"} <= set(objective)
                assert all(isinstance(n, int) for n in objective["challenges"])
                assert objective["indicators"]
                for indicator in objective["indicators"]:
                    assert set(indicator) >= INDICATOR_KEYS
                    assert indicator["code"].startswith(objective["code"] + "-I")
    axes = [a for lv in exported["levers"] for a in lv["axes"]]
    assert [a["number"] for a in axes] == [1, 2, 3, 5, 6, 7, 8, 9, 10, 12, 13]
    objectives = [o for a in axes for o in a["objectives"]]
    assert len(objectives) == 58
    assert len(exported["challenges"]) == 8
    assert all({"number", "name", "description"} <= set(c) for c in exported["challenges"])
    assert all({"code", "name", "email"} <= set(s) for s in exported["services"])


def test_export_json_indicator_kinds(exported: dict[str, Any], plan: Plan) -> None:
    indicators = {
        i["code"]: i
        for lv in exported["levers"]
        for a in lv["axes"]
        for o in a["objectives"]
        for i in o["indicators"]
    }
    assert set(indicators) == {i.code for i in plan.indicators}
    # issue 15: persons attended became a context indicator (no target, no direction,
    # counted year to date); the numeric example is now P2.01-I5. Issue 14: one indicator
    # for the 4 ABSS (P2.01-I7, formerly P2.01-I1 to I4), by ABSS and sex
    context = indicators["P2.01-I7"]
    assert context["kind"] == "context" and context["aggregation"] == "ytd"
    assert context["baseline"] == {"year": 2021, "value": 10864}
    assert context["breakdowns"] == ["abss", "sex"]
    assert context["targets"] is None and context["direction"] is None
    numeric = indicators["P2.01-I5"]
    assert numeric["kind"] == "numeric"
    assert numeric["baseline"] == {"year": 2021, "value": 7.2}
    assert numeric["targets"] == {"2022": 7.4, "2023": 7.6, "2024": 7.8, "2025": 8}
    assert numeric["bounds"]["min"] == 0
    assert numeric["stages"] is None
    assert (numeric["direction"], numeric["aggregation"]) == ("increase", "ytd")
    assert numeric["method"] == "target_share"
    milestone = next(i for i in indicators.values() if i["kind"] == "milestone")
    assert milestone["baseline"] is None and milestone["targets"] is None
    assert milestone["direction"] is None
    assert [s["key"] for s in milestone["stages"]][:2] == ["no_iniciat", "planificat"]
    assert milestone["planned_completion"]
    for indicator in indicators.values():
        if indicator["kind"] == "numeric":
            # every plan year, or from the first measured year without a baseline (issue 15)
            first = "2022" if indicator["baseline"] else min(indicator["targets"])
            expected = [y for y in ["2022", "2023", "2024", "2025"] if y >= first]
            assert sorted(indicator["targets"]) == expected


def test_export_json_texts_equal_the_plan(exported: dict[str, Any], plan: Plan) -> None:
    texts = [o["text"] for lv in exported["levers"] for a in lv["axes"] for o in a["objectives"]]
    assert sorted(texts) == sorted(o.text for o in plan.objectives)
    assert exported["levers"][0]["tagline"] == "Motor del sistema"


def test_export_csv(capsys: pytest.CaptureFixture[str], plan: Plan) -> None:
    code, out, _err = run(capsys, "plan", "export", "--format", "csv", str(PLAN))
    assert code == 0
    rows = list(csv.DictReader(io.StringIO(out)))
    assert len(rows) == len(plan.indicators)
    assert {r["objective"] for r in rows} == {o.code for o in plan.objectives}
    # issue 15: P2.01-I1 became a context indicator (no targets): P2.01-I5 is the example
    row = next(r for r in rows if r["indicator"] == "P2.01-I5")
    assert row["lever"] == "2"
    assert row["responsible_service"] == "SBAS-COSS"
    assert float(row["baseline_value"]) == 7.2
    assert float(row["target_2025"]) == 8
    assert row["method"] == "target_share"
    milestone = next(r for r in rows if r["kind"] == "milestone")
    assert milestone["planned_completion"] and milestone["target_2022"] == ""


def test_export_of_broken_plan_fails_with_errors(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = run(
        capsys,
        "plan",
        "export",
        "--format",
        "json",
        str(FIXTURES / "unknown_challenge" / "plan.yaml"),
    )
    assert code == 1
    assert out == ""
    assert "repte 9, que no existeix" in err
    assert "Traceback" not in err


def test_validate_broken_plan_speaks_catalan(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = run(
        capsys, "plan", "validate", str(FIXTURES / "baseline_outside_bounds" / "plan.yaml")
    )
    assert code == 1
    assert "indicators.yaml:15 [indicators[code=P1.01-I1].baseline.value]: " in out
    assert "el valor de referència 140 és fora dels límits (0 – 100)" in out
    assert err.strip() == "S'ha trobat 1 problema."


def test_unknown_format_is_a_usage_error(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as info:
        main(["plan", "export", "--format", "xml", str(PLAN)])
    assert info.value.code == 2
    capsys.readouterr()


def test_any_command_on_a_broken_plan_exits_1_without_traceback(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """``seguiment serve`` loads the configured plan first: a broken one is reported, not raised."""
    from settings import get_settings

    monkeypatch.setenv("PLAN_PATH", str(FIXTURES / "unknown_key" / "plan.yaml"))
    get_settings.cache_clear()
    try:
        try:
            code = main(["serve", "--port", "0"])
        except SystemExit as exc:  # a handler may exit itself after printing the errors
            code = int(exc.code or 0)
    finally:
        get_settings.cache_clear()
    out, err = capsys.readouterr()
    assert code == 1
    assert "indicators.yaml:28 [indicators[code=P2.01-I1].colour]: Clau desconeguda" in err
    assert "Traceback" not in out + err
