"""Access to the running app's plan and settings, and the request's language."""

from __future__ import annotations

from flask import current_app, request

from i18n import DEFAULT_LANGUAGE, normalise_language
from plan_model.models import Plan
from settings import Settings


def current_plan() -> Plan:
    plan: Plan = current_app.config["SEGUIMENT_PLAN"]
    return plan


def current_settings() -> Settings:
    settings: Settings = current_app.config["SEGUIMENT_SETTINGS"]
    return settings


def request_language() -> str:
    """The language of this request: ``?lang=``, else the ``lang`` cookie, else Catalan."""
    return normalise_language(
        request.args.get("lang") or request.cookies.get("lang") or DEFAULT_LANGUAGE
    )
