"""``seguiment plan list`` and ``--plan ID`` over the registry of plans (issue 18): with the
example draft plan beside the real one in PLANS_DIR, both are listed (the contract's keys,
the draft's state from its file, a stored state winning), ``--plan`` takes either id, and the
real plan's figures are the same with or without the example beside it (SQLite and
PostgreSQL)."""

from __future__ import annotations

import getpass
import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from pydantic import ValidationError
from sqlalchemy import Engine

from cli import main
from cli.plan import plan_from_arg
from indicators.storage.engine import get_engine
from plan_model.periods import Period, period_range
from settings import Settings, get_settings
from tests.helpers.dash_sample import load_sample
from tests.helpers.plan_registry import (
    EXAMPLE_ID,
    REAL_ID,
    VALID_PLAN,
    add_example,
    plans_dir_with,
)

KEYS = ["id", "name", "start", "end", "state"]
EXAMPLE_ENTRY = {
    "id": EXAMPLE_ID,
    "name": "EXEMPLE — Pla de prova 2026-2029 (no és un pla del COSS)",
    "start": "2026-T1",
    "end": "2029-T4",
    "state": "draft",
}


@pytest.fixture
def plans_dir(db_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """PLANS_DIR holding the real plan only (add the example with ``add_example``)."""
    plans = plans_dir_with(tmp_path / "plans", example=False)
    for name in ("PLAN_PATH", "DEFAULT_PLAN"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("PLANS_DIR", str(plans))
    monkeypatch.setenv("DATABASE_URL", db_url)
    monkeypatch.setattr(getpass, "getuser", lambda: "sysop")
    get_settings.cache_clear()
    yield plans
    get_settings.cache_clear()
    get_engine(db_url).dispose()


def _listed(capsys: pytest.CaptureFixture[str]) -> list[dict[str, str]]:
    assert main(["plan", "list", "--json"]) == 0
    found = json.loads(capsys.readouterr().out)
    assert isinstance(found, list)
    return found


def test_plan_list_lists_both_plans_earliest_first(
    plans_dir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert [e["id"] for e in _listed(capsys)] == [REAL_ID]
    add_example(plans_dir)
    real, example = _listed(capsys)
    assert list(real) == KEYS and list(example) == KEYS
    assert (real["id"], real["start"], real["end"], real["state"]) == (
        REAL_ID,
        "2022-T1",
        "2025-T4",
        "active",
    )
    assert example == EXAMPLE_ENTRY
    assert main(["plan", "list"]) == 0
    out = capsys.readouterr().out.splitlines()
    assert len(out) == 2 and out[1].startswith(f"{EXAMPLE_ID}: EXEMPLE")
    assert out[1].endswith("(esborrany)") and out[0].endswith("(actiu)")


def test_a_stored_state_wins_over_the_plan_files(
    plans_dir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    add_example(plans_dir)
    assert main(["plan", "close", "--plan", REAL_ID, "--by", "maria"]) == 0
    capsys.readouterr()
    assert [e["state"] for e in _listed(capsys)] == ["closed", "draft"]


def test_plan_option_takes_any_registered_id_or_a_file(
    plans_dir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    add_example(plans_dir)
    example = plan_from_arg(EXAMPLE_ID)
    assert example is not None and example.info.id == EXAMPLE_ID
    real = plan_from_arg(None)
    assert real is not None and real.info.id == REAL_ID
    assert plan_from_arg(REAL_ID) == real
    from_file = plan_from_arg(str(VALID_PLAN))
    assert from_file is not None and from_file.info.id == "prova"
    assert plan_from_arg("pla-que-no-hi-es") is None
    err = capsys.readouterr().err
    assert "no hi ha cap pla «pla-que-no-hi-es»" in err
    assert f"{REAL_ID}, {EXAMPLE_ID}" in err


def test_an_unknown_plan_is_a_usage_error_of_a_command(
    plans_dir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    add_example(plans_dir)
    assert main(["plan", "close", "--plan", "pla-que-no-hi-es"]) == 2
    assert EXAMPLE_ID in capsys.readouterr().err


def _status(capsys: pytest.CaptureFixture[str]) -> object:
    get_settings.cache_clear()
    assert main(["status", "--period", "2025-T4", "--json"]) == 0
    return json.loads(capsys.readouterr().out)


def test_the_old_plans_figures_do_not_change_when_the_new_plan_is_added(
    plans_dir: Path, db_url: str, capsys: pytest.CaptureFixture[str]
) -> None:
    real = plan_from_arg(None)
    assert real is not None
    engine: Engine = get_engine(db_url)
    assert load_sample(engine, real, period_range(Period(2024, 1), Period(2025, 4))) > 0
    before = _status(capsys)
    add_example(plans_dir)
    assert [e["id"] for e in _listed(capsys)] == [REAL_ID, EXAMPLE_ID]
    after = _status(capsys)
    assert after == before
    assert isinstance(after, dict) and after["period"] == "2025-T4"


def test_the_default_plans_file_follows_the_settings(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    for name in ("PLAN_PATH", "PLANS_DIR", "DEFAULT_PLAN"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("PLANS_DIR", str(tmp_path))
    monkeypatch.setenv("DEFAULT_PLAN", EXAMPLE_ID)
    assert Settings().plan_path == tmp_path / EXAMPLE_ID / "plan.yaml"
    assert Settings(default_plan="un-altre").plan_path == tmp_path / "un-altre" / "plan.yaml"
    monkeypatch.setenv("PLAN_PATH", str(VALID_PLAN))  # a file of its own for the default plan
    assert Settings().plan_path == VALID_PLAN
    with pytest.raises(ValidationError):
        Settings(default_plan="Amb Espais")
