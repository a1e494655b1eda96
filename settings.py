"""One settings object, read from the environment (and a `.env` file if present).

Every knob of the app lives here; nothing else reads ``os.environ``.
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import Literal

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict

REPO_ROOT = Path(__file__).resolve().parent
INSTANCE_DIR = REPO_ROOT / "instance"
DEV_SECRET_KEY = "dev-only-not-secret"


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_file=".env", extra="ignore")

    # where things are
    database_url: str = Field(
        default=f"sqlite:///{INSTANCE_DIR / 'seguiment.db'}",
        description="SQLAlchemy URL; SQLite by default, PostgreSQL in production.",
    )
    plan_path: Path = REPO_ROOT / "data" / "plan.yaml"
    upload_dir: Path = INSTANCE_DIR / "uploads"
    demo_dir: Path = INSTANCE_DIR / "demo"

    # running mode
    environment: Literal["development", "production", "test"] = "development"
    secret_key: str = DEV_SECRET_KEY
    default_language: str = "ca"

    # uploads and import limits
    max_upload_bytes: int = 10 * 1024 * 1024
    max_uncompressed_bytes: int = 100 * 1024 * 1024
    max_compression_ratio: float = 100.0
    max_rows: int = 50_000
    max_sheets: int = 50
    max_cells: int = 2_000_000  # rows x columns of a sheet's used area (sparse-sheet bombs)

    # the plan's follow-up rules
    submission_deadline_days: int = 30  # a quarter's data is due N days after it ends
    support_contact: str = "seguiment.pla@example.org"  # named in templates for questions
    chromium_path: Path | None = None  # board pack charts (kaleido); None: /usr/bin/chromium
    green_threshold: float | None = None  # overrides the catalog's global thresholds
    amber_threshold: float | None = None
    jump_warning_ratio: float = 0.5  # warn when a value moves more than 50 % in a quarter

    # production
    cache_url: str | None = None  # e.g. redis://127.0.0.1:6379/0; None = database-backed
    shared_page_cache: bool = False  # also keep rendered pages in the shared cache (cache_url)
    workers: int = 4
    proxy_fix_hops: int = 0  # reverse proxies in front whose X-Forwarded-* headers are trusted
    login_max_failures: int = 5
    login_lockout_seconds: int = 300
    login_max_failures_per_ip: int = 20  # failed logins from one address per lockout window
    session_cookie_secure: bool = False  # always mark cookies Secure (they are over HTTPS anyway)
    session_hours: int = 12  # a login lasts this long

    @property
    def is_production(self) -> bool:
        return self.environment == "production"

    def check(self) -> None:
        """Refuse to run in production with unsafe defaults."""
        if self.is_production and self.secret_key == DEV_SECRET_KEY:
            raise RuntimeError(
                "SECRET_KEY must be set in production (export SECRET_KEY=...)."
            )


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    return Settings()
