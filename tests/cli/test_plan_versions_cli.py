"""``seguiment plan amend --plan ID FILE --effective Q --reason … --approved-by …``, ``seguiment
plan extend --plan ID --until Q --reason …`` and ``seguiment status --as-approved`` (issue 18,
fixed contracts; SQLite and PostgreSQL): the amendment governs from its effective quarter, the
status as approved keeps the original, a locked effective quarter is refused in Catalan (exit
1), an invalid file records nothing, and an extended plan is listed ``extended``."""

from __future__ import annotations

import getpass
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Engine

from cli import main
from indicators.storage import locks
from indicators.storage import plan_versions as stored
from indicators.storage.engine import get_engine, transaction
from settings import get_settings
from tests.helpers.evaluation_data import PLAN_FILE, load_known_data, tiny_plan
from tests.helpers.plan_versions import write_amended_plan

AMEND_ARGS = ["--reason", "Revisió de metes", "--approved-by", "Consell de govern"]


def _use(monkeypatch: pytest.MonkeyPatch, db_url: str, plan_path: Path | None) -> Engine:
    monkeypatch.setenv("DATABASE_URL", db_url)
    if plan_path is not None:
        monkeypatch.setenv("PLAN_PATH", str(plan_path))
    monkeypatch.setattr(getpass, "getuser", lambda: "sysop")
    get_settings.cache_clear()
    return get_engine(db_url)


@pytest.fixture
def tiny_db(db_url: str, monkeypatch: pytest.MonkeyPatch) -> Iterator[Engine]:
    """DATABASE_URL with the tiny plan's known values, PLAN_PATH the tiny plan."""
    engine = _use(monkeypatch, db_url, PLAN_FILE)
    load_known_data(engine, tiny_plan())
    yield engine
    get_settings.cache_clear()
    engine.dispose()


@pytest.fixture
def real_db(db_url: str, monkeypatch: pytest.MonkeyPatch) -> Iterator[Engine]:
    """DATABASE_URL, empty, with the instance's configured plans."""
    engine = _use(monkeypatch, db_url, None)
    yield engine
    get_settings.cache_clear()
    engine.dispose()


def _indicator(capsys: pytest.CaptureFixture[str], *args: str) -> dict[str, Any]:
    assert main(["status", "--json", *args]) == 0
    document = json.loads(capsys.readouterr().out)
    for lever in document["levers"]:
        for axis in lever["axes"]:
            for objective in axis["objectives"]:
                for item in objective["indicators"]:
                    if item["code"] == "P1.01-I1":
                        return dict(item)
    raise AssertionError("P1.01-I1 is not in the status")


def test_amend_governs_from_its_effective_quarter_and_as_approved_keeps_the_original(
    tiny_db: Engine, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    before = {p: _indicator(capsys, "--period", p) for p in ("2025-T2", "2025-T3")}
    amended = write_amended_plan(tmp_path / "amended")
    code = main(
        ["plan", "amend", "--plan", "prova", str(amended), "--effective", "2025-T3", *AMEND_ARGS]
    )
    assert code == 0
    out = capsys.readouterr().out
    assert "versió 1" in out and "regeix des del 3r trimestre de 2025" in out
    assert _indicator(capsys, "--period", "2025-T2") == before["2025-T2"]
    now = _indicator(capsys, "--period", "2025-T3")
    assert now["expected"] == pytest.approx(92.5) and now != before["2025-T3"]
    approved = _indicator(capsys, "--period", "2025-T3", "--as-approved")
    assert approved == before["2025-T3"] and approved["expected"] == pytest.approx(77.5)


def test_amend_refuses_a_locked_effective_quarter_in_catalan(
    tiny_db: Engine, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    with transaction(tiny_db) as session:
        locks.set_lock(session, "2025-T3", locked=True, by="op")
    amended = write_amended_plan(tmp_path / "amended")
    code = main(["plan", "amend", str(amended), "--effective", "2025-T3", *AMEND_ARGS])
    assert code == 1
    err = capsys.readouterr().err
    assert "El 3r trimestre de 2025 està tancat" in err and "Trieu un trimestre posterior" in err
    assert stored.stored_versions(tiny_db, tiny_plan()) == []


def test_amend_with_an_invalid_file_records_nothing(
    tiny_db: Engine, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    amended = write_amended_plan(tmp_path / "amended")
    (amended.parent / "indicators.yaml").write_text("status: [", encoding="utf-8")
    code = main(["plan", "amend", str(amended), "--effective", "2025-T4", *AMEND_ARGS])
    assert code == 1
    assert "no és vàlid: no s'ha desat res" in capsys.readouterr().err
    assert stored.stored_versions(tiny_db, tiny_plan()) == []


def test_amend_needs_its_fixed_options(tiny_db: Engine, tmp_path: Path) -> None:
    amended = write_amended_plan(tmp_path / "amended")
    with pytest.raises(SystemExit) as usage:
        main(["plan", "amend", str(amended), "--reason", "r", "--approved-by", "x"])
    assert usage.value.code == 2


def test_extend_grows_the_plan_and_lists_it_extended(
    real_db: Engine, capsys: pytest.CaptureFixture[str]
) -> None:
    code = main(
        ["plan", "extend", "--plan", "coss-2022-2025", "--until", "2026-T4", "--reason", "Pròrroga"]
    )
    assert code == 0
    out = capsys.readouterr().out
    assert "prorrogat fins al 4t trimestre de 2026" in out and "des del 1r trimestre de 2026" in out
    assert main(["plan", "list", "--json"]) == 0
    [entry] = [e for e in json.loads(capsys.readouterr().out) if e["id"] == "coss-2022-2025"]
    assert (entry["state"], entry["end"]) == ("extended", "2026-T4")
    # a quarter of the extension is a quarter of the plan now
    assert main(["status", "--period", "2026-T2", "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["period"] == "2026-T2"
    # and extending to a quarter not after its end is refused
    assert main(["plan", "extend", "--until", "2026-T2", "--reason", "r"]) == 1
    assert "ja arriba fins al 4t trimestre de 2026" in capsys.readouterr().err


def test_a_closed_plan_cannot_be_extended(
    real_db: Engine, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["plan", "close"]) == 0
    capsys.readouterr()
    assert main(["plan", "extend", "--until", "2026-T4", "--reason", "r"]) == 1
    assert "un pla tancat no es pot modificar ni prorrogar" in capsys.readouterr().err
