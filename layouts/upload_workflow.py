"""Helpers of the submission workflow pages (no callbacks here: pages import this module)."""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac

from plan_model.periods import Period
from plan_model.reporting_window import PlanSpan, ReportingWindow


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


def upload_periods(plan: PlanSpan) -> list[Period]:
    """Quarters a service can report today, newest first (the rule: ``ReportingWindow``)."""
    return ReportingWindow.of(plan).periods()


def default_period(plan: PlanSpan) -> Period:
    """The quarter the upload forms preselect today (the rule: ``ReportingWindow``)."""
    return ReportingWindow.of(plan).default()
