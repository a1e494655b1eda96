"""One settings object, read from the environment (and a `.env` file if present).

Every knob of the app lives here; nothing else reads ``os.environ``.
"""

from __future__ import annotations

import math
import string
from functools import lru_cache
from pathlib import Path
from typing import Any, Literal

from pydantic import Field, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

REPO_ROOT = Path(__file__).resolve().parent
INSTANCE_DIR = REPO_ROOT / "instance"
DEV_SECRET_KEY = "dev-only-not-secret"
PLANS_DIR = REPO_ROOT / "data" / "plans"
DEFAULT_PLAN = "coss-2022-2025"


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_file=".env", extra="ignore")

    # where things are
    database_url: str = Field(
        default=f"sqlite:///{INSTANCE_DIR / 'seguiment.db'}",
        description="SQLAlchemy URL; SQLite by default, PostgreSQL in production.",
    )
    # the plans (issue 18): each in a folder of PLANS_DIR named by its id (<id>/plan.yaml and
    # its catalog); DEFAULT_PLAN is the default one; PLAN_PATH, when set, is read as the
    # default plan's file instead of PLANS_DIR/DEFAULT_PLAN/plan.yaml (which fills it if unset)
    plans_dir: Path = PLANS_DIR
    default_plan: str = Field(DEFAULT_PLAN, pattern=r"^[a-z0-9-]+$")
    plan_path: Path = PLANS_DIR / DEFAULT_PLAN / "plan.yaml"
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
    # evidence attachments (documents of a stored value): the largest file accepted
    evidence_max_bytes: int = Field(10 * 1024 * 1024, ge=1)
    max_rows: int = 50_000
    max_sheets: int = 50
    max_cells: int = 2_000_000  # rows x columns of a sheet's used area, and of all sheets
    max_columns: int = Field(16_384, ge=1)  # of a sheet (the width of Excel's grid, A-XFD)
    # the spreadsheet reader runs in a child process that cannot exceed these
    read_memory_limit_mb: int = Field(512, ge=64)  # its address space (RLIMIT_AS)
    read_timeout_seconds: float = Field(30.0, gt=0)  # each of: the extent check, the read
    read_output_limit_mb: int = Field(64, ge=1)  # the cells it hands back, serialized

    # the plan's follow-up rules
    submission_deadline_days: int = 30  # a quarter's data is due N days after it ends
    support_contact: str = "seguiment.pla@example.org"  # named in templates for questions
    chromium_path: Path | None = None  # board pack charts (kaleido); None: /usr/bin/chromium
    green_threshold: float | None = None  # overrides the catalog's global thresholds
    amber_threshold: float | None = None
    jump_warning_ratio: float = 0.5  # warn when a value moves more than 50 % in a quarter
    # the board's views (/sessio, the board pack) show only values the direction accepted;
    # the rest is marked «pendent d'acceptar»
    board_accepted_only: bool = False

    # the public view and the open-data API (issue 19): a count of persons under SMALL_COUNT
    # is published as "menys de N" (0: every count is published); the origins that may
    # frame /public/embed/ (space- or comma-separated, e.g. https://www.osonaserveissocials.cat);
    # the licence of the open data
    small_count: int = Field(5, ge=0)
    embed_allowed_origins: str = ""
    open_data_license: str = "https://creativecommons.org/licenses/by/4.0/"
    api_rate_limit_per_minute: int = Field(120, ge=1)  # requests per client and minute

    # reminders by e-mail (``seguiment remind``)
    smtp_url: str | None = None  # smtp+starttls://user:pass@host:587, smtps://..., smtp://host:25
    smtp_timeout_seconds: float = 30.0  # to connect, and for each reply of the server
    mail_from: str = "seguiment.pla@example.org"  # the From: of the reminders
    directors_email: str | None = None  # digest recipients (comma-separated), besides accounts
    public_base_url: str = "http://127.0.0.1:8050"  # the app's address, for links in e-mails
    reminder_days_before: int = Field(7, ge=0)  # ``remind --before`` without a number
    reminder_days_after: int = Field(3, ge=0)  # ``remind --after`` without a number

    # production
    cache_url: str | None = None  # e.g. redis://127.0.0.1:6379/0; None = database-backed
    shared_page_cache: bool = False  # also keep rendered pages in the shared cache (cache_url)
    workers: int = 4
    proxy_fix_hops: int = 0  # reverse proxies in front whose X-Forwarded-* headers are trusted
    # login throttling per (account name as typed, address) and per address, no account lock
    login_max_failures: int = Field(5, ge=1)  # failed logins of a name from an address: no wait
    login_max_failures_per_ip: int = Field(20, ge=1)  # the same for all names of an address
    login_delay_seconds: int = Field(1, ge=1)  # the first wait, doubled by each failure after
    login_max_delay_seconds: int = Field(900, ge=1)  # the longest wait (15 minutes)
    login_forget_seconds: int = Field(3600, ge=1)  # forgotten after this long without an attempt
    session_cookie_secure: bool = False  # always mark cookies Secure (they are over HTTPS anyway)
    session_hours: int = 12  # a login lasts this long

    @model_validator(mode="before")
    @classmethod
    def _default_plan_file(cls, data: Any) -> Any:
        """PLAN_PATH unset: the default plan's file in its folder of PLANS_DIR."""
        if isinstance(data, dict) and not data.get("plan_path"):
            plans_dir = Path(data.get("plans_dir") or PLANS_DIR)
            plan_id = str(data.get("default_plan") or DEFAULT_PLAN)
            data = {**data, "plan_path": default_plan_file(plans_dir, plan_id)}
        return data

    @property
    def is_production(self) -> bool:
        return self.environment == "production"

    def check(self) -> None:
        """Refuse to run in production with unsafe defaults."""
        if self.is_production and self.secret_key == DEV_SECRET_KEY:
            raise RuntimeError("SECRET_KEY must be set in production (export SECRET_KEY=...).")
        if self.is_production and secret_key_bits(self.secret_key) < MIN_SECRET_KEY_BITS:
            raise RuntimeError(
                "SECRET_KEY is too weak for production: it needs at least 32 random bytes' "
                "worth (e.g. python -c 'import secrets; print(secrets.token_urlsafe(32))')."
            )


def default_plan_file(plans_dir: Path, plan_id: str) -> Path:
    """The plan file of plan ``plan_id`` in its folder of ``plans_dir``."""
    path = plans_dir / plan_id / "plan.yaml"
    legacy = REPO_ROOT / "data" / "plan.yaml"  # TEMPORARY: until the files move (issue 18)
    if plans_dir == PLANS_DIR and not path.exists() and legacy.exists():
        return legacy
    return path


MIN_SECRET_KEY_BITS = 256  # 32 random bytes
MIN_SECRET_KEY_DISTINCT = 10  # a long run of few characters ("aaaa...") is no secret


def secret_key_bits(key: str) -> float:
    """An upper estimate of the randomness in ``key``, in bits.

    Each character is counted at the size of the alphabet its classes span (digits 10,
    lowercase 26, uppercase 26, anything else 33), so a 64-character hex string or a
    43-character ``token_urlsafe(32)`` reach 256 bits. A key of fewer than 10 distinct
    characters counts as 0: it was typed, not drawn.
    """
    if len(set(key)) < MIN_SECRET_KEY_DISTINCT:
        return 0.0
    classes = (
        (str.isdigit, 10),
        (lambda c: c.isascii() and c.islower(), 26),
        (lambda c: c.isascii() and c.isupper(), 26),
        (lambda c: not (c.isascii() and c.isalnum()), 33),
    )
    alphabet = sum(size for test, size in classes if any(test(c) for c in key))
    if set(key) <= set("0123456789abcdefABCDEF"):
        alphabet = 16  # hex: token_hex(32) is 64 characters
    elif set(key) <= set(string.ascii_letters + string.digits + "-_+/="):
        alphabet = max(alphabet, 64)  # base64: token_urlsafe(32) is 43 characters
    return len(key) * math.log2(max(alphabet, 2))


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    return Settings()
