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
    monkeypatch.setenv("SECRET_KEY", "a-real-secret-for-the-test")
    monkeypatch.setattr("os.execv", lambda *a: pytest.fail("gunicorn must not start"))
    get_settings.cache_clear()
    try:
        assert main(["serve", "--production"]) == 1
    finally:
        get_settings.cache_clear()
    err = capsys.readouterr().err
    assert str(broken) in err and "Traceback" not in err
