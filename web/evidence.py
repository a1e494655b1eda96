"""The download of an evidence attachment (issue 17): ``/descarrega/evidencia/<id>``.

Only the staff who may see the documents (:func:`accounts.evidence.can_see_evidence`: a
director, a technician, a head; not the read-only accounts) get one; the guard has already
refused anyone not logged in. A removed or replaced attachment, a link (which is followed,
not downloaded) and an unknown id answer 404. The file is always an attachment, with its
content type as sniffed when it was checked (never the one the browser sent), ``nosniff``
and ``no-store`` (:func:`web.downloads.attachment`).
"""

from __future__ import annotations

from flask import Flask, Response

from accounts.evidence import can_see_evidence
from indicators.storage.engine import get_engine
from indicators.storage.evidence import KIND_FILE, attachment, attachment_content
from web.context import current_settings
from web.downloads import attachment as file_response
from web.responses import forbidden, not_found
from web.users import current_account

ROUTE = "/descarrega/evidencia"


def evidence_href(attachment_id: int) -> str:
    """The address that downloads the attachment ``attachment_id``."""
    return f"{ROUTE}/{attachment_id}"


def download_evidence(attachment_id: int) -> Response:
    """An attached document, for the staff who may see it."""
    account = current_account()
    if account is None or not can_see_evidence(account):
        return forbidden()
    engine = get_engine(current_settings().database_url)
    info = attachment(engine, attachment_id)
    if info is None or not info.in_force or info.kind != KIND_FILE:
        return not_found()
    content = attachment_content(engine, attachment_id)
    if content is None:
        return not_found()
    return file_response(
        info.filename or "document", content, info.content_type or "application/octet-stream"
    )


def register_evidence_download(server: Flask) -> None:
    """Add the evidence download route to the app's Flask server."""
    server.add_url_rule(f"{ROUTE}/<int:attachment_id>", "download_evidence", download_evidence)
