"""``seguiment publish --period P [--unpublish]``: refused with the reason (exit 1) for a
quarter that is not locked, idempotent (exit 0, says so), audited under the operator; a
published quarter is not reopened (SQLite and PostgreSQL)."""

from __future__ import annotations

import getpass
from collections.abc import Iterator

import pytest
from sqlalchemy import Engine

from accounts import audit
from cli import main
from indicators.storage import locks, publications
from indicators.storage.engine import get_engine
from settings import get_settings

PERIOD = "2025-T3"


@pytest.fixture
def cli_db(db_url: str, monkeypatch: pytest.MonkeyPatch) -> Iterator[Engine]:
    monkeypatch.setenv("DATABASE_URL", db_url)
    monkeypatch.setattr(getpass, "getuser", lambda: "sysop")
    get_settings.cache_clear()
    yield get_engine(db_url)
    get_settings.cache_clear()
    get_engine(db_url).dispose()


def _events(engine: Engine) -> list[tuple[str, str, str, dict[str, object]]]:
    frame = audit.audit_frame(engine, action=[audit.ACTION_PUBLISH, audit.ACTION_UNPUBLISH])
    rows = zip(frame["username"], frame["action"], frame["target"], frame["details"], strict=True)
    return list(reversed(list(rows)))


def test_a_quarter_that_is_not_locked_is_refused(
    cli_db: Engine, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["publish", "--period", PERIOD, "--user", "maria"]) == 1
    captured = capsys.readouterr()
    assert "El 3r trimestre de 2025 no està tancat" in captured.err
    assert "Primer cal tancar-lo" in captured.err and captured.out == ""
    assert publications.published_periods(cli_db) == {}
    assert _events(cli_db) == []


def test_publish_is_idempotent_and_recorded_under_the_operator(
    cli_db: Engine, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["lock", "--period", PERIOD, "--user", "maria"]) == 0
    capsys.readouterr()
    assert main(["publish", "--period", "2025t3", "--reason", "Comissió", "--user", "maria"]) == 0
    out = capsys.readouterr().out
    assert "El 3r trimestre de 2025 està publicat" in out and "maria" in out
    assert main(["publish", "--period", PERIOD]) == 0
    assert "ja estava publicat: no ha canviat res" in capsys.readouterr().out
    assert list(publications.published_periods(cli_db)) == [PERIOD]
    assert _events(cli_db) == [
        (
            "maria",
            "period_publish",
            PERIOD,
            {
                "plan_id": "coss-2022-2025",
                "reason": "Comissió",
                "operator": True,
                "rights": "director",
            },
        )
    ]


def test_unpublish_then_reopen(cli_db: Engine, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["lock", "--period", PERIOD]) == 0
    assert main(["publish", "--period", PERIOD]) == 0
    capsys.readouterr()
    assert main(["reopen", "--period", PERIOD]) == 1  # a published figure must not move
    assert "Primer cal despublicar-lo" in capsys.readouterr().err
    assert locks.is_locked(cli_db, PERIOD)
    assert main(["publish", "--period", PERIOD, "--unpublish"]) == 0
    assert "ja no està publicat" in capsys.readouterr().out
    assert main(["publish", "--period", PERIOD, "--unpublish"]) == 0
    assert "no estava publicat: no ha canviat res" in capsys.readouterr().out
    assert main(["reopen", "--period", PERIOD]) == 0
    assert [(e[0], e[1]) for e in _events(cli_db)] == [
        ("sysop", "period_publish"),
        ("sysop", "period_unpublish"),
    ]
    assert [p.in_force for p in publications.publication_history(cli_db)] == [False]


def test_a_malformed_quarter_is_a_usage_error(
    cli_db: Engine, capsys: pytest.CaptureFixture[str]
) -> None:
    with pytest.raises(SystemExit) as exited:
        main(["publish", "--period", "2025-T9"])
    assert exited.value.code == 2
    assert "no és un trimestre" in capsys.readouterr().err
    assert _events(cli_db) == []
