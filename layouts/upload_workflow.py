"""Helpers of the submission workflow pages (no callbacks here: pages import this module)."""

from __future__ import annotations

import base64
import binascii
import datetime as dt
import hashlib
import hmac
from collections.abc import Callable, Mapping
from dataclasses import dataclass

from i18n import format_number, normalise_language
from indicators.intake.template import stage_names
from indicators.reporting.audit_text import LOCAL_TIME
from plan_model.models import Plan
from plan_model.periods import Period
from plan_model.reporting_window import PlanSpan, ReportingWindow

VALUE_DECIMALS = 4  # the preview shows what was read: up to 4 decimals, trailing zeros dropped


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


def stage_labels(plan: Plan, lang: str) -> dict[str, str]:
    """Milestone stage key → its name in ``lang`` (the names the template offers)."""
    return dict(zip([s.key for s in plan.stages], stage_names(plan, lang), strict=True))


def value_text(
    value: float | str | None, lang: str, stages: Mapping[str, str], empty: str = ""
) -> str:
    """A read or stored value as the page shows it: ``1234.5`` → ``1.234,5`` (Catalan), a
    stage key → its name; ``empty`` for no value."""
    if value is None:
        return empty
    if isinstance(value, str):
        return stages.get(value, value)
    return format_number(value, lang, VALUE_DECIMALS, empty=empty)


def local_clock(moment: dt.datetime | None = None) -> tuple[str, int]:
    """The local time (Europe/Madrid) of ``moment`` (now by default) as ``HH:MM``, with the
    hour (Catalan and Spanish say «a la 1:05» but «a les 10:42»)."""
    local = (moment or dt.datetime.now(dt.UTC)).astimezone(LOCAL_TIME)
    return local.strftime("%H:%M"), local.hour


@dataclass(frozen=True)
class PanelView:
    """How the upload check panel writes: the page's translator, language and stage names."""

    t: Callable[..., str]
    lang: str
    stages: Mapping[str, str]

    @classmethod
    def of(cls, t: Callable[..., str], lang: str | None, plan: Plan) -> PanelView:
        """The view of a page in ``lang`` (normalised) for ``plan``'s stages."""
        code = normalise_language(lang)
        return cls(t, code, stage_labels(plan, code))

    def value(self, value: float | str | None) -> str:
        """A number in the page's language (``1.234,5``), a stage by its name."""
        return value_text(value, self.lang, self.stages)
