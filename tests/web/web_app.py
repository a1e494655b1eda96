"""The app of the Flask-side tests: its settings on a test database."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from settings import Settings

SECRET = "test-secret-key-0123456789abcdef-ghijklmnopqrstuv"  # strong enough for production


def web_settings(db_url: str, tmp_path: Path, **extra: Any) -> Settings:
    values: dict[str, Any] = {
        "database_url": db_url,
        "environment": "test",
        "secret_key": SECRET,
        "upload_dir": tmp_path / "uploads",
        "demo_dir": tmp_path / "demo",
    }
    values.update(extra)
    return Settings(**values)
