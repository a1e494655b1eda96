"""``seguiment serve --production`` checks the plan before starting any worker."""

from __future__ import annotations

from pathlib import Path

import pytest

from cli import main
from settings import get_settings


def test_production_serve_with_a_broken_plan_lists_problems(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    broken = tmp_path / "plan.yaml"
    broken.write_text("plan: [unclosed\n", encoding="utf-8")
    # `serve --production` sets ENVIRONMENT for gunicorn: let monkeypatch restore it afterwards
    monkeypatch.setenv("ENVIRONMENT", "development")
    monkeypatch.setenv("PLAN_PATH", str(broken))
    monkeypatch.setenv(
        "SECRET_KEY", "a-real-secret-for-the-test-" + "0123456789abcdefghijklmnopqrstuv"
    )
    monkeypatch.setattr("os.execv", lambda *a: pytest.fail("gunicorn must not start"))
    get_settings.cache_clear()
    try:
        assert main(["serve", "--production"]) == 1
    finally:
        get_settings.cache_clear()
    err = capsys.readouterr().err
    assert str(broken) in err and "Traceback" not in err


def test_serve_help_names_host_and_port_with_defaults(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exit_info:
        main(["serve", "--help"])
    assert exit_info.value.code == 0
    out = capsys.readouterr().out
    assert out.startswith("ús: seguiment serve")
    assert "opcions:" in out and "mostra aquesta ajuda i surt" in out
    assert "--host HOST" in out and "(per defecte: 127.0.0.1)" in out
    assert "--port PORT" in out and "(per defecte: 8050)" in out


def test_usage_errors_are_catalan(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exit_info:
        main(["serve", "--port", "abc"])
    assert exit_info.value.code == 2
    assert "valor no vàlid (int): 'abc'" in capsys.readouterr().err
    with pytest.raises(SystemExit):
        main([])
    assert "falten aquests arguments obligatoris: COMMAND" in capsys.readouterr().err


def test_production_serve_refuses_a_weak_secret_key(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("ENVIRONMENT", "development")
    monkeypatch.setenv("SECRET_KEY", "a")
    monkeypatch.setattr("os.execv", lambda *a: pytest.fail("gunicorn must not start"))
    get_settings.cache_clear()
    try:
        assert main(["serve", "--production"]) == 1
    finally:
        get_settings.cache_clear()
    assert "32 bytes aleatoris" in capsys.readouterr().err
