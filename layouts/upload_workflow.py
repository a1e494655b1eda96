"""Helpers of the submission workflow pages (no callbacks here: pages import this module)."""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
from typing import Any

import pandas as pd

from plan_model.periods import Period


def sign_pending(secret: str, username: str, service: str, period: str, digest: str) -> str:
    message = "\x1f".join([username, service, period, digest]).encode()
    return hmac.new(secret.encode(), message, hashlib.sha256).hexdigest()


def decode_upload(contents: str) -> bytes:
    """``data:<mime>;base64,<data>`` (dcc.Upload) → bytes; ValueError when malformed."""
    _header, sep, data = contents.partition(",")
    if not sep:
        raise ValueError("not a data URL")
    try:
        return base64.b64decode(data, validate=True)
    except (binascii.Error, ValueError) as exc:
        raise ValueError("bad base64") from exc


def _current_quarter() -> Period:
    today = pd.Timestamp.now(tz="UTC").date()
    return Period(today.year, (today.month - 1) // 3 + 1)


def upload_periods(plan: Any) -> list[Period]:
    """Quarters a service can report, newest first: the plan's, up to the current one."""
    last = min(plan.last_period, _current_quarter())
    periods = []
    p = plan.first_period
    while p <= last:
        periods.append(p)
        p = p.next()
    return list(reversed(periods))


def default_period(plan: Any) -> Period:
    candidate = _current_quarter().prev()
    first: Period = plan.first_period
    last: Period = plan.last_period
    return max(first, min(candidate, last))
