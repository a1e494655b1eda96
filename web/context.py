"""Access to the running app's plan and settings from pages and callbacks."""

from __future__ import annotations

from flask import current_app

from plan_model.models import Plan
from settings import Settings


def current_plan() -> Plan:
    plan: Plan = current_app.config["SEGUIMENT_PLAN"]
    return plan


def current_settings() -> Settings:
    settings: Settings = current_app.config["SEGUIMENT_SETTINGS"]
    return settings
