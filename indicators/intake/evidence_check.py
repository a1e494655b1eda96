"""Checks on an evidence attachment (issue 17) before it is stored: a file, or a link.

A file is told by its CONTENT (magic bytes), never by its name: a PDF, a PNG or JPEG image,
or an office document (Word, Excel, PowerPoint and their OpenDocument kin), which are zip
containers. A zip is opened safely with the rules uploads obey (:mod:`indicators.intake.safety`:
the number of parts, the declared sizes and compression ratios before anything is inflated,
then every part inflated in chunks under one byte and time budget that never trusts the
declared sizes, the CRC checked), so a compression bomb renamed ``.docx`` or a truncated
archive is refused. A name whose extension says another accepted type is refused too; a
name without one gets the type's. The size limit is ``EVIDENCE_MAX_BYTES``.

A link must be a web address (``http``/``https``) with a host, no spaces, control
characters or credentials: ``javascript:``, ``data:`` or ``file:`` links are refused.

Every refusal is an :class:`~indicators.intake.safety.UnsafeFile` whose ``msgid`` is an
English message id (Catalan in ``evidence.po``). Pure: no database.
"""

from __future__ import annotations

import hashlib
import io
import re
import zipfile
import zlib
from dataclasses import dataclass
from urllib.parse import urlsplit

from i18n import gettext
from indicators.intake.extent import Budget, ExtentRefused
from indicators.intake.safety import (
    EMPTY_ZIP_MAGIC,
    MAX_ZIP_ENTRIES,
    ZIP_MAGIC,
    UnsafeFile,
    check_declared_sizes,
    check_name_and_size,
    limits,
    refusal,
)
from settings import Settings

URL_LIMIT = 2000  # characters of a link
FILENAME_LIMIT = 255  # the filename column
_CHUNK = 256 * 1024
_UNSAFE_IN_NAMES = re.compile(r"[\x00-\x1f\x7f]")
_ZIP_ERRORS = (zipfile.BadZipFile, zlib.error, OSError, EOFError, NotImplementedError, RuntimeError)
DAMAGED_ARCHIVE = "The file is a damaged compressed archive (zip), not an office document."


@dataclass(frozen=True)
class DocumentType:
    """An accepted kind of document: its content type, its file extensions, its name."""

    content_type: str
    extensions: tuple[str, ...]
    label: str  # how people call it (an English msgid)


PDF = DocumentType("application/pdf", (".pdf",), "a PDF document")
PNG = DocumentType("image/png", (".png",), "a PNG image")
JPEG = DocumentType("image/jpeg", (".jpg", ".jpeg"), "a JPEG image")
_OOXML = "application/vnd.openxmlformats-officedocument."
DOCX = DocumentType(_OOXML + "wordprocessingml.document", (".docx",), "a Word document")
XLSX = DocumentType(_OOXML + "spreadsheetml.sheet", (".xlsx",), "an Excel workbook")
PPTX = DocumentType(_OOXML + "presentationml.presentation", (".pptx",), "a PowerPoint file")
_ODF = "application/vnd.oasis.opendocument."
ODT = DocumentType(_ODF + "text", (".odt",), "an OpenDocument text")
ODS = DocumentType(_ODF + "spreadsheet", (".ods",), "an OpenDocument spreadsheet")
ODP = DocumentType(_ODF + "presentation", (".odp",), "an OpenDocument presentation")
DOCUMENT_TYPES: tuple[DocumentType, ...] = (PDF, PNG, JPEG, DOCX, XLSX, PPTX, ODT, ODS, ODP)
_OOXML_PARTS = (
    ("word/document.xml", DOCX),
    ("xl/workbook.xml", XLSX),
    ("ppt/presentation.xml", PPTX),
)
_ODF_TYPES = {t.content_type.encode(): t for t in (ODT, ODS, ODP)}
NOT_ACCEPTED = (
    "The file is not an accepted document: attach a PDF, an image (PNG, JPEG) or an office "
    "document (.docx, .xlsx, .pptx, .odt, .ods, .odp)."
)


@dataclass(frozen=True)
class CheckedDocument:
    """A file that passed the checks: its name as stored, its sniffed type, size and digest."""

    filename: str
    content_type: str
    size: int
    sha256: str


def check_evidence_file(filename: str, content: bytes, settings: Settings) -> CheckedDocument:
    """The file as it will be stored, or :class:`UnsafeFile` with the reason it is refused."""
    size = check_name_and_size(filename, content, settings.evidence_max_bytes)
    name = _clean_name(filename)
    found = sniff(content, settings)
    if found is None:
        claimed = _claimed_type(name)
        if claimed is not None:
            raise UnsafeFile(
                "wrong_type",
                "The file's name says it is {claimed}, but its content is not: it has been "
                "refused. " + NOT_ACCEPTED,
                {"claimed": claimed.label},
            )
        raise UnsafeFile("not_a_document", NOT_ACCEPTED)
    return CheckedDocument(
        filename=_named_for(name, found),
        content_type=found.content_type,
        size=size,
        sha256=hashlib.sha256(content).hexdigest(),
    )


def _clean_name(filename: str) -> str:
    """The name without folders or control characters (``document`` when nothing is left)."""
    name = _UNSAFE_IN_NAMES.sub("", filename.replace("\\", "/").rsplit("/", 1)[-1]).strip()
    return name or "document"


def _extension(name: str) -> str:
    stem, dot, ext = name.rpartition(".")
    return f".{ext.lower()}" if dot and stem else ""


def _claimed_type(name: str) -> DocumentType | None:
    ext = _extension(name)
    return next((t for t in DOCUMENT_TYPES if ext in t.extensions), None)


def _named_for(name: str, found: DocumentType) -> str:
    """``name`` with the extension of the type found: refused when it says another accepted
    type (a PNG named ``.pdf``), completed when it has none the types know."""
    claimed = _claimed_type(name)
    if claimed is found:
        return name[-FILENAME_LIMIT:]
    if claimed is not None:
        raise UnsafeFile(
            "wrong_type",
            "The file's name says it is {claimed}, but its content is {found}: rename it "
            "or attach the right file.",
            {"claimed": claimed.label, "found": found.label},
        )
    ext = found.extensions[0]
    return name[: FILENAME_LIMIT - len(ext)] + ext


def sniff(content: bytes, settings: Settings) -> DocumentType | None:
    """The accepted type ``content`` is, by its magic bytes (a zip checked safely), or None;
    :class:`UnsafeFile` for a damaged file or a zip that breaks the limits."""
    if content.startswith(b"%PDF-"):
        if b"%%EOF" not in content[-4096:]:
            raise UnsafeFile("damaged_pdf", "The PDF document is damaged or incomplete.")
        return PDF
    if content.startswith(b"\x89PNG\r\n\x1a\n"):
        if content[12:16] != b"IHDR":
            raise UnsafeFile("damaged_image", "The image is damaged or incomplete.")
        return PNG
    if content.startswith(b"\xff\xd8\xff"):
        return JPEG
    if content.startswith((ZIP_MAGIC, EMPTY_ZIP_MAGIC)):
        return office_type(content, settings)
    return None


def office_type(content: bytes, settings: Settings) -> DocumentType:
    """The office document a zip container is, after the safety checks of any zip: parts
    counted, sizes and ratios checked before inflating, then every part inflated under the
    budget (CRC checked). :class:`UnsafeFile` otherwise."""
    try:
        archive = zipfile.ZipFile(io.BytesIO(content))
        infos = archive.infolist()
    except (zipfile.BadZipFile, OSError, ValueError, EOFError, NotImplementedError):
        raise UnsafeFile("damaged_archive", DAMAGED_ARCHIVE) from None
    if len(infos) > MAX_ZIP_ENTRIES:
        raise UnsafeFile("zip_bomb", "The archive has too many parts to be an office document.")
    if len({info.filename for info in infos}) != len(infos):
        raise UnsafeFile("damaged_archive", DAMAGED_ARCHIVE)
    if any(info.flag_bits & 0x1 for info in infos):
        raise UnsafeFile(
            "encrypted",
            "The document is password-protected. Save it without a password and attach it again.",
        )
    check_declared_sizes(infos, settings)
    found = _zip_document(archive, {info.filename for info in infos})
    _inflate_all(archive, infos, settings)
    return found


def _zip_document(archive: zipfile.ZipFile, names: set[str]) -> DocumentType:
    if "mimetype" in names:
        try:
            with archive.open("mimetype") as fh:
                found = _ODF_TYPES.get(fh.read(200).strip())
        except _ZIP_ERRORS:
            raise UnsafeFile("damaged_archive", DAMAGED_ARCHIVE) from None
        if found is not None:
            return found
    if "[Content_Types].xml" in names:
        for part, kind in _OOXML_PARTS:
            if part in names:
                return kind
    raise UnsafeFile(
        "not_a_document",
        "The file is a compressed archive (zip) but not an office document (.docx, .xlsx, "
        ".pptx, .odt, .ods, .odp).",
    )


def _inflate_all(
    archive: zipfile.ZipFile, infos: list[zipfile.ZipInfo], settings: Settings
) -> None:
    """Inflate every part in chunks under one budget; each must inflate to exactly its
    declared size with its CRC (a part that lies is damaged)."""
    budget = Budget(limits(settings))
    try:
        for info in infos:
            inflated = 0
            with archive.open(info) as fh:
                while chunk := fh.read(_CHUNK):
                    inflated += len(chunk)
                    budget.spend(len(chunk))
            if inflated != info.file_size:
                raise UnsafeFile("damaged_archive", DAMAGED_ARCHIVE)
    except ExtentRefused as exc:
        raise refusal(exc, settings) from None
    except _ZIP_ERRORS:
        raise UnsafeFile("damaged_archive", DAMAGED_ARCHIVE) from None


def check_evidence_link(url: str | None) -> str:
    """The link as stored (blanks around it removed), or :class:`UnsafeFile`: only a web
    address (``http://`` or ``https://``) with a host, without spaces, control characters
    or a user name and password in it."""
    text = (url or "").strip()
    if not text:
        raise UnsafeFile("empty_link", "The link is empty: write its address (https://…).")
    if len(text) > URL_LIMIT:
        raise UnsafeFile(
            "link_too_long",
            "The link is too long (at most {limit} characters).",
            {"limit": URL_LIMIT},
        )
    if any(ch.isspace() or ord(ch) < 32 or ord(ch) == 127 for ch in text):
        raise UnsafeFile(
            "bad_link", "The link contains spaces or control characters: copy its address again."
        )
    try:
        parts = urlsplit(text)
        host = parts.hostname
    except ValueError:
        raise UnsafeFile("bad_link", "The link is not a valid web address.") from None
    if parts.scheme.lower() not in ("http", "https"):
        raise UnsafeFile(
            "link_scheme",
            "Only web links (http:// or https://) can be attached; «{scheme}» links are not "
            "accepted.",
            {"scheme": parts.scheme or text.split(":", 1)[0]},
        )
    if not host:
        raise UnsafeFile("bad_link", "The link has no host: write the whole address (https://…).")
    if parts.username is not None or parts.password is not None:
        raise UnsafeFile(
            "bad_link", "The link contains a user name or a password: remove them and try again."
        )
    return text


def refusal_message(exc: UnsafeFile, lang: str | None) -> str:
    """A refusal in ``lang``, the kinds of document it names translated too."""
    params = {
        key: gettext(value, lang)
        if key in ("claimed", "found") and isinstance(value, str)
        else value
        for key, value in exc.params.items()
    }
    return gettext(exc.msgid, lang, **params)
