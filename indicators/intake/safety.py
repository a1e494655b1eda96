"""Checks on an uploaded file BEFORE any parser sees it.

Hostile or broken files get a clear error, fast and with bounded memory: empty files, random
bytes, a zip that is not a workbook, decompression bombs (declared sizes and ratios are checked
before anything is inflated; the XML is then inflated in small chunks under one byte budget
that never trusts the declared sizes), XML entity tricks (a DOCTYPE or ENTITY in any XML part),
encrypted workbooks (OLE compound files with an ``EncryptionInfo`` / ``EncryptedPackage``
stream, encrypted ODS, a ``FILEPASS`` record) and sheets the reader would have to allocate
without bound: every limit (cells of a sheet and of all sheets, rows, columns, sheets, inflated
bytes) is checked on the extent the reader would allocate, found by really parsing the file
(:mod:`indicators.intake.extent` for the XML formats, :mod:`indicators.intake.xls_extent` for
``.xls``). The format is told by the file's magic bytes, not by its name.
"""

from __future__ import annotations

import io
import logging
import re
import zipfile
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Literal

from indicators.intake.extent import (
    Budget,
    ExtentRefused,
    Limits,
    SheetExtent,
    ods_extents,
    parse_part,
    xlsx_extents,
)
from indicators.intake.issues import MESSAGES
from indicators.intake.xls_extent import XlsDamaged, workbook_extents
from settings import Settings

Format = Literal["xlsx", "xls", "ods", "csv"]

log = logging.getLogger(__name__)

ZIP_MAGIC = b"PK\x03\x04"
EMPTY_ZIP_MAGIC = b"PK\x05\x06"
OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
ODS_MIMETYPE = b"application/vnd.oasis.opendocument.spreadsheet"
_CHUNK = 256 * 1024
_MAX_ZIP_ENTRIES = 10_000
MAX_ZIP_ENTRIES = _MAX_ZIP_ENTRIES  # the parts a zip container may have (any kind)
_RATIO_MIN_SIZE = 1024 * 1024  # small parts may compress very well; only judge big ones
_ENTITY_MARKERS = (b"<!DOCTYPE", b"<!ENTITY", b"<!doctype", b"<!entity")
_UTF16_MARKERS = tuple(m.decode().encode("utf-16-le") for m in _ENTITY_MARKERS[:2])
_XML_PARTS = (".xml", ".rels")
_TEXT_EXTENSIONS = (".csv", ".txt", ".tsv")
_EXCEL_EXTENSIONS = (".xlsx", ".xlsm", ".xls", ".xlsb", ".ods")


def _utf16(name: str) -> bytes:
    return name.encode("utf-16-le")


_OLE_ENCRYPTION_MARKERS = (_utf16("EncryptionInfo"), _utf16("EncryptedPackage"))
_OLE_WORKBOOK_MARKERS = (_utf16("Workbook"), _utf16("Book"))


@dataclass
class UnsafeFile(Exception):
    """The file is refused before parsing. ``msgid`` is an English message id (i18n)."""

    code: str
    msgid: str
    params: dict[str, object] = field(default_factory=dict)

    def __str__(self) -> str:
        return f"{self.code}: {self.msgid.format(**self.params)}"


class UnreadableFile(UnsafeFile):
    """The reading library could not read the file (damaged, or not what it claims to be):
    an expected failure, refused with its message and logged as one line."""


class ReadLimitExceeded(UnsafeFile):
    """Reading the file hit the reader's memory, time or output bound: refused."""


DAMAGED_MSGID = "The workbook is damaged and cannot be read."
UNREADABLE_MSGID = MESSAGES["unreadable"]
ENCRYPTED_MSGID = (
    "The workbook is password-protected. Save it without a password and send it again."
)


def check_name_and_size(filename: str, content: bytes, limit: int) -> int:
    """The size of a file whose name can be stored and that is neither empty nor over
    ``limit`` bytes; otherwise :class:`UnsafeFile` with the reason (uploads and evidence)."""
    if "\x00" in filename:  # a name no database column stores the same way (PostgreSQL: none)
        raise UnsafeFile(
            "bad_filename",
            "The file name contains a NUL character, which cannot be stored: rename the file "
            "and send it again.",
        )
    size = len(content)
    if size == 0:
        raise UnsafeFile("empty_file", "The file is empty.")
    if size > limit:
        raise UnsafeFile(
            "file_too_large",
            "The file is too large ({size} MB; the limit is {limit} MB).",
            {"size": _mb(size), "limit": _mb(limit)},
        )
    return size


def check_file(filename: str, content: bytes, settings: Settings) -> Format:
    """Return the file's format, or raise :class:`UnsafeFile` with the reason it is refused."""
    check_name_and_size(filename, content, settings.max_upload_bytes)
    head = content[:8]
    if head.startswith(ZIP_MAGIC) or head.startswith(EMPTY_ZIP_MAGIC):
        return _check_zip(content, settings)
    if head == OLE_MAGIC:
        return _check_ole(content, settings)
    if _looks_like_text(content):
        _check_text_rows(content, settings)
        return "csv"
    lowered = filename.lower()
    if lowered.endswith(_EXCEL_EXTENSIONS) or lowered.endswith(_TEXT_EXTENSIONS):
        raise UnsafeFile(
            "not_a_spreadsheet",
            "The file is damaged or is not a spreadsheet, although its name says so.",
        )
    raise UnsafeFile(
        "not_a_spreadsheet",
        "The file is not a spreadsheet (accepted formats: .xlsx, .xlsm, .xls, .ods, .csv).",
    )


def _mb(size: int) -> str:
    return f"{size / (1024 * 1024):.1f}".replace(".", ",")


# --- limits: one home for each refusal ---------------------------------------------------------


def limits(settings: Settings) -> Limits:
    """The reader's limits (cells, rows, columns, sheets, inflated bytes, time) from settings."""
    return Limits(
        cells=settings.max_cells,
        rows=settings.max_rows,
        columns=settings.max_columns,
        sheets=settings.max_sheets,
        bytes=settings.max_uncompressed_bytes,
        seconds=settings.read_timeout_seconds,
    )


def check_extents(extents: list[SheetExtent], settings: Settings) -> None:
    """Every sheet and all of them together within the limits, or :class:`UnsafeFile`."""
    try:
        limits(settings).check_book(extents)
    except ExtentRefused as exc:
        raise refusal(exc, settings) from None


def too_slow(settings: Settings) -> UnsafeFile:
    """The refusal of a file whose reading took longer than the settings allow."""
    return ReadLimitExceeded(
        "read_timeout",
        "Reading the file took more than {seconds} seconds: it has been refused. Remove what "
        "is not needed (or split the file) and send it again.",
        {"seconds": f"{settings.read_timeout_seconds:g}"},
    )


def _too_many_rows(settings: Settings, _count: int | None = None) -> UnsafeFile:
    return UnsafeFile(
        "too_many_rows",
        "The file has too many rows (the limit is {limit}).",
        {"limit": settings.max_rows},
    )


def _too_many_cells(settings: Settings, _count: int | None = None) -> UnsafeFile:
    return UnsafeFile(
        "too_many_cells",
        "A sheet spans too many cells (the limit is {limit}): remove what is far from the data.",
        {"limit": settings.max_cells},
    )


def _too_many_cells_in_all(settings: Settings, _count: int | None = None) -> UnsafeFile:
    return UnsafeFile(
        "too_many_cells",
        "The sheets together span too many cells (the limit is {limit}): remove what is far "
        "from the data, or the sheets that are not needed.",
        {"limit": settings.max_cells},
    )


def _too_many_columns(settings: Settings, _count: int | None = None) -> UnsafeFile:
    return UnsafeFile(
        "too_many_columns",
        "A sheet has too many columns (the limit is {limit}).",
        {"limit": settings.max_columns},
    )


def _too_many_sheets(settings: Settings, count: int | None = None) -> UnsafeFile:
    return UnsafeFile(
        "too_many_sheets",
        "The workbook has too many sheets ({count}; the limit is {limit}).",
        {"count": count, "limit": settings.max_sheets},
    )


def _bomb(settings: Settings, _count: int | None = None) -> UnsafeFile:
    return UnsafeFile(
        "zip_bomb",
        "The file would expand to more than {limit} MB when opened (a compression bomb?): "
        "it has been refused.",
        {"limit": _mb(settings.max_uncompressed_bytes)},
    )


def _entities(_settings: Settings, _count: int | None = None) -> UnsafeFile:
    return UnsafeFile(
        "xml_entities",
        "The file contains XML entity declarations (DOCTYPE/ENTITY), which spreadsheets never "
        "need: it has been refused for safety.",
    )


def _damaged(_settings: Settings, _count: int | None = None) -> UnsafeFile:
    return UnsafeFile("not_a_workbook", DAMAGED_MSGID)


_REFUSALS: dict[str, Callable[[Settings, int | None], UnsafeFile]] = {
    "rows": _too_many_rows,
    "columns": _too_many_columns,
    "cells": _too_many_cells,
    "book_cells": _too_many_cells_in_all,
    "sheets": _too_many_sheets,
    "bytes": _bomb,
    "time": lambda settings, _count: too_slow(settings),
    "entities": _entities,
    "damaged": _damaged,
}


def refusal(exc: ExtentRefused, settings: Settings) -> UnsafeFile:
    """The user-facing refusal for a limit exceeded or a file that does not add up."""
    if exc.detail:
        log.info("file refused (%s): %s", exc.kind, exc.detail)
    return _REFUSALS[exc.kind](settings, exc.count)


# --- zip containers: xlsx / xlsm / ods --------------------------------------------------------


def _check_zip(content: bytes, settings: Settings) -> Format:
    try:
        archive = zipfile.ZipFile(io.BytesIO(content))
        infos = archive.infolist()
    except (zipfile.BadZipFile, OSError, ValueError, EOFError, NotImplementedError):
        raise UnsafeFile(
            "not_a_workbook", "The file is a damaged compressed archive, not a workbook."
        ) from None
    if len(infos) > _MAX_ZIP_ENTRIES:
        raise UnsafeFile("zip_bomb", "The archive has too many parts to be a workbook.")
    names = {info.filename for info in infos}
    if len(names) != len(infos):  # which of two same-named parts would the reader take?
        raise refusal(ExtentRefused("damaged", detail="duplicate part names"), settings)
    fmt = _zip_format(archive, names)
    if any(info.flag_bits & 0x1 for info in infos):
        raise UnsafeFile("encrypted", ENCRYPTED_MSGID)
    _check_declared_sizes(infos, settings)
    budget = Budget(limits(settings))
    try:
        if fmt == "ods":
            _check_ods_manifest(archive, budget)
        extents = _scan_parts(archive, infos, fmt, settings, budget)
    except ExtentRefused as exc:
        raise refusal(exc, settings) from None
    check_extents(extents, settings)
    return fmt


def _zip_format(archive: zipfile.ZipFile, names: set[str]) -> Format:
    if "xl/workbook.xml" in names:
        return "xlsx"
    if "xl/workbook.bin" in names:
        # binary sheets cannot be checked before parsing: not accepted
        raise UnsafeFile(
            "unsupported_format",
            "Excel binary workbooks (.xlsb) are not accepted: save it as .xlsx and send it again.",
        )
    if "content.xml" in names and _is_ods(archive, names):
        return "ods"
    raise UnsafeFile(
        "not_a_workbook",
        "The file is a compressed archive (zip) but not a workbook (.xlsx, .ods).",
    )


def _is_ods(archive: zipfile.ZipFile, names: set[str]) -> bool:
    if "mimetype" not in names:
        return True  # content.xml alone: let the reader decide
    try:
        with archive.open("mimetype") as fh:
            return fh.read(200).strip() == ODS_MIMETYPE
    except (zipfile.BadZipFile, OSError, EOFError, NotImplementedError, RuntimeError):
        raise UnsafeFile("not_a_workbook", DAMAGED_MSGID) from None


def _check_declared_sizes(infos: list[zipfile.ZipInfo], settings: Settings) -> None:
    """Declared sizes and ratios, before inflating anything."""
    total = 0
    for info in infos:
        total += info.file_size
        if total > settings.max_uncompressed_bytes:
            raise _bomb(settings)
        compressed = max(info.compress_size, 1)
        if (
            info.file_size > _RATIO_MIN_SIZE
            and info.file_size / compressed > settings.max_compression_ratio
        ):
            raise _bomb(settings)


def check_declared_sizes(infos: list[zipfile.ZipInfo], settings: Settings) -> None:
    """The parts of a zip container (a workbook, an attached office document) within the
    limits by their declared sizes and compression ratios, before anything is inflated;
    refused (:class:`UnsafeFile`) as a compression bomb otherwise."""
    _check_declared_sizes(infos, settings)


def megabytes(size: int) -> str:
    """``size`` bytes as megabytes with a decimal comma (``10,0``), as the refusals say it."""
    return _mb(size)


def _check_ods_manifest(archive: zipfile.ZipFile, budget: Budget) -> None:
    try:
        manifest = archive.getinfo("META-INF/manifest.xml")
    except KeyError:
        return
    encrypted = False

    def start(name: str, _attrs: dict[str, str]) -> None:
        nonlocal encrypted
        encrypted = encrypted or name.rpartition(":")[2] == "encryption-data"

    parse_part(archive, manifest, budget, start)
    if encrypted:
        raise UnsafeFile("encrypted", ENCRYPTED_MSGID)


def _scan_parts(
    archive: zipfile.ZipFile,
    infos: list[zipfile.ZipInfo],
    fmt: Format,
    settings: Settings,
    budget: Budget,
) -> list[SheetExtent]:
    """Parse every XML part (each well-formed, none with a DOCTYPE, all within the byte
    budget); scan VML drawings (often not well-formed) for entity declarations."""
    xml_parts = [info for info in infos if info.filename.endswith(_XML_PARTS)]
    for info in infos:
        if info.filename.endswith(".vml"):
            _scan_markers(archive, info, budget)
    if fmt == "xlsx":
        return xlsx_extents(archive, xml_parts, limits(settings), budget)
    extents: list[SheetExtent] = []
    for info in xml_parts:
        if info.filename == "content.xml":
            extents = ods_extents(archive, info, limits(settings), budget)
        elif info.filename != "META-INF/manifest.xml":
            parse_part(archive, info, budget)
    return extents


def _scan_markers(archive: zipfile.ZipFile, info: zipfile.ZipInfo, budget: Budget) -> None:
    overlap = 32
    tail = b""
    try:
        with archive.open(info) as fh:
            while chunk := fh.read(_CHUNK):
                budget.spend(len(chunk))
                window = tail + chunk
                if any(marker in window for marker in _ENTITY_MARKERS + _UTF16_MARKERS):
                    raise ExtentRefused("entities")
                tail = window[-overlap:]
    except (zipfile.BadZipFile, OSError, EOFError, NotImplementedError, RuntimeError) as exc:
        raise ExtentRefused("damaged", detail=f"{info.filename}: {exc}") from None


# --- OLE compound files: .xls, or an encrypted .xlsx ----------------------------------------


def _check_ole(content: bytes, settings: Settings) -> Format:
    # The directory holds stream names in UTF-16LE; an encrypted OOXML workbook is an OLE
    # file with the EncryptionInfo and EncryptedPackage streams.
    if any(marker in content for marker in _OLE_ENCRYPTION_MARKERS):
        raise UnsafeFile("encrypted", ENCRYPTED_MSGID)
    if not any(marker in content for marker in _OLE_WORKBOOK_MARKERS):
        raise UnsafeFile(
            "not_a_workbook",
            "The file is an Office document but not a workbook (is it a Word document?).",
        )
    try:
        workbook = workbook_extents(content)
    except XlsDamaged as exc:
        raise refusal(ExtentRefused("damaged", detail=f"xls: {exc}"), settings) from None
    if workbook.encrypted:
        raise UnsafeFile("encrypted", ENCRYPTED_MSGID)
    check_extents(workbook.sheets, settings)
    return "xls"


# --- text: CSV -----------------------------------------------------------------------------

_CONTROL = bytes(range(0, 32)).replace(b"\t", b"").replace(b"\n", b"").replace(b"\r", b"")
_CONTROL_TABLE = bytes.maketrans(b"", b"")


def _looks_like_text(content: bytes) -> bool:
    sample = content[:65536]
    if sample.startswith((b"\xff\xfe", b"\xfe\xff")):
        return True  # UTF-16 text with a BOM
    if b"\x00" in sample:
        return False
    controls = len(sample) - len(sample.translate(_CONTROL_TABLE, _CONTROL))
    if controls > max(2, len(sample) // 200):
        return False
    if re.search(rb"[\x80-\xff]", sample):
        try:
            sample.decode("utf-8")
        except UnicodeDecodeError as exc:
            if exc.start < len(sample) - 4:  # not merely a character cut at the sample's end
                # Windows-1252 text is fine; random bytes have far more high bytes
                high = len(re.findall(rb"[\x80-\xff]", sample))
                return high <= len(sample) // 10
    return True


def _check_text_rows(content: bytes, settings: Settings) -> None:
    if content.count(b"\n") > settings.max_rows + 1:
        raise _too_many_rows(settings)
