"""The audit log as people read it: details as labelled text, times local (Europe/Madrid).

``accounts.audit`` stores details as JSON (``{"is_demo": true, "superseded_id": null}``) and
moments in UTC; :func:`details_text` and :func:`local_time` give what ``/auditoria`` shows.
"""

from __future__ import annotations

import datetime as dt
from typing import Any
from zoneinfo import ZoneInfo

from accounts import audit
from accounts.analyses import ACTION_WRITE
from accounts.approvals import ACTION_VALIDATE
from accounts.evidence import ACTION_EVIDENCE_ATTACH, ACTION_EVIDENCE_REMOVE
from accounts.milestone_decisions import ACTION_DECIDE, ACTION_REVOKE
from accounts.plan_states import ACTION_PLAN_CLOSE
from accounts.plan_versions import ACTION_PLAN_AMEND, ACTION_PLAN_EXTEND
from accounts.tokens import ACTION_TOKEN_CREATE, ACTION_TOKEN_REFUSED, ACTION_TOKEN_REVOKE
from i18n import format_date, format_number, translator
from indicators.reporting.reminders import ACTION_DIGEST_SENT, ACTION_REMINDER_SENT

LOCAL_TIME = ZoneInfo("Europe/Madrid")
# every action the audit log records → English msgid of its label (the filter and the rows)
ACTION_LABELS: dict[str, str] = {
    audit.ACTION_LOGIN: "Login",
    audit.ACTION_LOGIN_FAILED: "Failed login",
    audit.ACTION_LOGOUT: "Logout",
    audit.ACTION_IMPORT: "Import",
    audit.ACTION_APPROVE: "Approval",
    ACTION_VALIDATE: "Validation by the head",
    audit.ACTION_LOCK: "Quarter locked",
    audit.ACTION_REOPEN: "Quarter reopened",
    audit.ACTION_PUBLISH: "Quarter published",
    audit.ACTION_UNPUBLISH: "Quarter unpublished",
    audit.ACTION_USER_CREATE: "User created",
    audit.ACTION_USER_PASSWORD: "Password changed",
    audit.ACTION_USER_DISABLE: "User disabled",
    audit.ACTION_USER_ENABLE: "User enabled",
    audit.ACTION_USER_SERVICES: "User's services changed",
    ACTION_DECIDE: "Milestone decision recorded",
    ACTION_REVOKE: "Milestone decision revoked",
    ACTION_WRITE: "Analysis written",
    ACTION_EVIDENCE_ATTACH: "Evidence attached",
    ACTION_EVIDENCE_REMOVE: "Evidence removed",
    ACTION_REMINDER_SENT: "Reminder sent",
    ACTION_DIGEST_SENT: "Digest sent to the directors",
    ACTION_PLAN_CLOSE: "Plan closed",  # issue 18
    ACTION_PLAN_AMEND: "Plan amended",  # issue 18
    ACTION_PLAN_EXTEND: "Plan extended",  # issue 18
    ACTION_TOKEN_CREATE: "API token created",  # issue 19
    ACTION_TOKEN_REVOKE: "API token revoked",
    ACTION_TOKEN_REFUSED: "API token refused",
}
DETAIL_LABELS: dict[str, str] = {  # key of the details → English msgid of its label
    "service": "Service",
    "period": "Quarter",
    "submission_id": "Submission",
    "superseded_id": "Replaces submission",
    "replaces_id": "Replaces submission",
    "role": "Role",
    "services": "Services",
    "is_demo": "Demo account",
    "reason": "Reason",
    "plan_id": "Plan",
    "ip": "IP address",
    "status": "Result",
    "error_count": "Errors",
    "warning_count": "Warnings",
    "dry_run": "Check only",
    "message": "Message",
    "wait_seconds": "Wait imposed (seconds)",
    "retry_after": "Wait left (seconds)",
    "attachment_id": "Attachment",  # issue 17: evidence
    "indicator": "Indicator",
    "title": "Title",
    "filename": "File",
    "url": "Link",
    "quarters_locked": "Quarters locked",  # issue 18: closing a plan
    "owner": "Owner",  # issue 19: API tokens
    "scope": "Scope",
    "prefix": "Prefix",
    "expires_at": "Expires",
}
REASON_LABELS: dict[str, str] = {
    "wrong_password": "Wrong password",
    "wrong_password_locked": "Wrong password; the account is locked for a while",
    "locked": "Account locked for a while",
    "disabled": "Account disabled",
    "ip_throttled": "Too many attempts from this address",
    "unknown_user": "Unknown user",
    "throttled": "Too many attempts: must wait",
}
HIDDEN_DETAILS = {"values", "errors", "warnings", "changes"}  # long lists: not for a table cell


def local_time(value: Any, lang: str) -> str:
    """A stored UTC moment (naive means UTC) as a Catalan-style local time (Europe/Madrid)."""
    moment = value.to_pydatetime() if hasattr(value, "to_pydatetime") else value
    if not isinstance(moment, dt.datetime):
        return "–"
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=dt.UTC)
    return format_date(moment.astimezone(LOCAL_TIME), lang, "medium")


def _detail_value(key: str, value: Any, t: Any, lang: str) -> str:
    if isinstance(value, bool):
        return str(t("Yes") if value else t("No"))
    if key == "reason":
        return str(t(REASON_LABELS.get(str(value), str(value))))
    if isinstance(value, list | tuple):
        return ", ".join(str(v) for v in value) or "–"
    if isinstance(value, int | float) and not key.endswith("_id"):
        return format_number(value, lang)
    return str(value)


def details_text(value: Any, lang: str) -> str:
    """The details of an event as readable text in ``lang`` («Servei: SIS · Trimestre:
    2025-T4»): labels translated, empty values and false flags left out, long lists hidden."""
    if not isinstance(value, dict):
        return ""
    t = translator(lang)
    parts = []
    for key, item in value.items():
        if key in HIDDEN_DETAILS or item is None or item is False or item == "":
            continue
        label = t(DETAIL_LABELS[key]) if key in DETAIL_LABELS else key
        parts.append(f"{label}: {_detail_value(key, item, t, lang)}")
    return " · ".join(parts)
