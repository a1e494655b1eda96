"""``seguiment users ...`` on SQLite and PostgreSQL: exit codes, messages, validation."""

from __future__ import annotations

import json
from collections.abc import Iterator

import pytest

from accounts import audit, users
from cli import main
from indicators.storage.engine import get_engine
from settings import get_settings


@pytest.fixture
def cli_db(db_url: str, monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    monkeypatch.setenv("DATABASE_URL", db_url)
    get_settings.cache_clear()
    yield db_url
    get_settings.cache_clear()
    get_engine(db_url).dispose()


def test_create_list_set_password_disable(cli_db: str, capsys: pytest.CaptureFixture[str]) -> None:
    assert (
        main(
            [
                "users",
                "create",
                "--username",
                "boss",
                "--password",
                "longenough",
                "--role",
                "director",
            ]
        )
        == 0
    )
    assert "boss" in capsys.readouterr().out
    assert (
        main(
            [
                "users",
                "create",
                "--username",
                "tec",
                "--password",
                "longenough",
                "--role",
                "tecnic",
                "--service",
                "SIS",
                "--service",
                "SBAS-VIC",
            ]
        )
        == 0
    )
    capsys.readouterr()
    assert main(["users", "list", "--json"]) == 0
    listed = json.loads(capsys.readouterr().out)
    assert [(u["username"], u["role"], u["services"]) for u in listed] == [
        ("boss", "director", []),
        ("tec", "tecnic", ["SBAS-VIC", "SIS"]),
    ]
    assert main(["users", "list"]) == 0
    out = capsys.readouterr().out
    assert "tec\ttecnic\tSBAS-VIC, SIS" in out

    engine = get_engine(cli_db)
    assert main(["users", "set-password", "--username", "tec", "--password", "brand new pw"]) == 0
    assert users.authenticate(engine, "tec", "brand new pw").ok
    assert main(["users", "disable", "--username", "tec"]) == 0
    assert "desactivat" in capsys.readouterr().out
    assert users.authenticate(engine, "tec", "brand new pw").reason == "disabled"
    assert main(["users", "list"]) == 0
    assert "[desactivat]" in capsys.readouterr().out
    actions = set(audit.audit_frame(engine, username="cli")["action"])
    assert actions == {"user_create", "user_password", "user_disable"}


def test_unknown_service_rejected(cli_db: str, capsys: pytest.CaptureFixture[str]) -> None:
    code = main(
        [
            "users",
            "create",
            "--username",
            "tec",
            "--password",
            "longenough",
            "--role",
            "tecnic",
            "--service",
            "NOPE",
        ]
    )
    assert code == 1
    assert "NOPE" in capsys.readouterr().err
    assert users.list_users(get_engine(cli_db)) == []


def test_refusals_are_catalan_with_exit_1(cli_db: str, capsys: pytest.CaptureFixture[str]) -> None:
    assert (
        main(["users", "create", "--username", "x1", "--password", "short", "--role", "consulta"])
        == 1
    )
    assert "contrasenya" in capsys.readouterr().err
    assert main(["users", "disable", "--username", "ghost"]) == 1
    assert "ghost" in capsys.readouterr().err
    assert main(["users", "set-password", "--username", "ghost", "--password", "longenough"]) == 1


def test_usage_errors_exit_2(cli_db: str, capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exc:
        main(["users", "create", "--username", "x", "--password", "longenough", "--role", "admin"])
    assert exc.value.code == 2
    assert (
        main(
            [
                "users",
                "create",
                "--username",
                "x1",
                "--password",
                "longenough",
                "--role",
                "consulta",
                "--service",
                "SIS",
            ]
        )
        == 2
    )


def test_list_empty_tells_how_to_create_director(
    cli_db: str, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["users", "list"]) == 0
    assert "--role director" in capsys.readouterr().out
