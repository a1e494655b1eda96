"""Access to the running app's plan and settings, and the request's language."""

from __future__ import annotations

from flask import current_app, request

from i18n import DEFAULT_LANGUAGE, normalise_language
from plan_model.models import Plan
from plan_model.periods import Period
from settings import Settings


def current_plan() -> Plan:
    plan: Plan = current_app.config["SEGUIMENT_PLAN"]
    return plan


def plan_for_quarter(period: Period | None = None, *, as_approved: bool = False) -> Plan:
    """The version of the app's plan that governs ``period`` (issue 18; the rule's one home
    is :func:`indicators.storage.plan_versions.plan_for_quarter`); for no period the plan as
    it stands now; ``as_approved``: the plan as approved, before any amendment."""
    from indicators.storage.engine import get_engine
    from indicators.storage.plan_versions import plan_for_quarter as governing

    engine = get_engine(current_settings().database_url)
    return governing(engine, current_plan(), period, as_approved=as_approved)


def current_settings() -> Settings:
    settings: Settings = current_app.config["SEGUIMENT_SETTINGS"]
    return settings


def request_language() -> str:
    """The language of this request: ``?lang=``, else the ``lang`` cookie, else Catalan."""
    return normalise_language(
        request.args.get("lang") or request.cookies.get("lang") or DEFAULT_LANGUAGE
    )
