"""Checks on an uploaded file BEFORE any parser sees it.

Hostile or broken files get a clear error, fast and with bounded memory: empty files, random
bytes, a zip that is not a workbook, decompression bombs (declared sizes and ratios are checked
before anything is inflated; the XML scan then inflates in small chunks and never trusts the
declared sizes), XML entity tricks (a DOCTYPE or ENTITY in any XML part), encrypted workbooks
(OLE compound files with an ``EncryptionInfo`` / ``EncryptedPackage`` stream, encrypted ODS)
and absurdly many rows or sheets. The format is told by the file's magic bytes, not by its name.
"""

from __future__ import annotations

import io
import re
import zipfile
from dataclasses import dataclass, field
from typing import Literal

from indicators.intake.xls_extent import sheet_extents
from settings import Settings

Format = Literal["xlsx", "xls", "ods", "csv"]

ZIP_MAGIC = b"PK\x03\x04"
EMPTY_ZIP_MAGIC = b"PK\x05\x06"
OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
ODS_MIMETYPE = b"application/vnd.oasis.opendocument.spreadsheet"
_CHUNK = 256 * 1024
_MAX_ZIP_ENTRIES = 10_000
_RATIO_MIN_SIZE = 1024 * 1024  # small parts may compress very well; only judge big ones
_ENTITY_MARKERS = (b"<!DOCTYPE", b"<!ENTITY", b"<!doctype", b"<!entity")
_UTF16_MARKERS = tuple(m.decode().encode("utf-16-le") for m in _ENTITY_MARKERS[:2])
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


def check_file(filename: str, content: bytes, settings: Settings) -> Format:
    """Return the file's format, or raise :class:`UnsafeFile` with the reason it is refused."""
    size = len(content)
    if size == 0:
        raise UnsafeFile("empty_file", "The file is empty.")
    if size > settings.max_upload_bytes:
        raise UnsafeFile(
            "file_too_large",
            "The file is too large ({size} MB; the limit is {limit} MB).",
            {"size": _mb(size), "limit": _mb(settings.max_upload_bytes)},
        )
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
    if "xl/workbook.xml" in names:
        fmt: Format = "xlsx"
    elif "xl/workbook.bin" in names:
        # binary sheets cannot be checked before parsing: not accepted
        raise UnsafeFile(
            "unsupported_format",
            "Excel binary workbooks (.xlsb) are not accepted: save it as .xlsx and send it "
            "again.",
        )
    elif "content.xml" in names and _is_ods(archive, names):
        fmt = "ods"
    else:
        raise UnsafeFile(
            "not_a_workbook",
            "The file is a compressed archive (zip) but not a workbook (.xlsx, .ods).",
        )
    if any(info.flag_bits & 0x1 for info in infos):
        raise UnsafeFile(
            "encrypted",
            "The workbook is password-protected. Save it without a password and send it again.",
        )
    # 1. declared sizes, before inflating anything
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
    if fmt == "ods" and "META-INF/manifest.xml" in names:
        manifest = _read_bounded(archive, archive.getinfo("META-INF/manifest.xml"), settings)
        if b"encryption-data" in manifest:
            raise UnsafeFile(
                "encrypted",
                "The workbook is password-protected. Save it without a password and send it "
                "again.",
            )
    # 2. every XML part, inflated in chunks: no entity declarations, real sizes bounded
    sheets = 0
    for info in infos:
        name = info.filename
        if name.startswith("xl/worksheets/") and name.endswith(".xml"):
            sheets += 1
        if not name.endswith((".xml", ".rels", ".vml")) and name != "mimetype":
            continue
        rows = _scan_xml_part(archive, info, settings)
        if rows > settings.max_rows:
            raise _too_many_rows(settings)
    if sheets > settings.max_sheets:
        raise UnsafeFile(
            "too_many_sheets",
            "The workbook has too many sheets ({count}; the limit is {limit}).",
            {"count": sheets, "limit": settings.max_sheets},
        )
    return fmt


def _is_ods(archive: zipfile.ZipFile, names: set[str]) -> bool:
    if "mimetype" not in names:
        return True  # content.xml alone: let the reader decide
    with archive.open("mimetype") as fh:
        return fh.read(200).strip() == ODS_MIMETYPE


def _bomb(settings: Settings) -> UnsafeFile:
    return UnsafeFile(
        "zip_bomb",
        "The file would expand to more than {limit} MB when opened (a compression bomb?): "
        "it has been refused.",
        {"limit": _mb(settings.max_uncompressed_bytes)},
    )


def _too_many_rows(settings: Settings) -> UnsafeFile:
    return UnsafeFile(
        "too_many_rows",
        "The file has too many rows (the limit is {limit}).",
        {"limit": settings.max_rows},
    )


def _read_bounded(archive: zipfile.ZipFile, info: zipfile.ZipInfo, settings: Settings) -> bytes:
    limit = min(settings.max_uncompressed_bytes, 16 * 1024 * 1024)
    parts: list[bytes] = []
    size = 0
    try:
        with archive.open(info) as fh:
            while chunk := fh.read(_CHUNK):
                size += len(chunk)
                if size > limit:
                    raise _bomb(settings)
                parts.append(chunk)
    except (zipfile.BadZipFile, OSError, EOFError, NotImplementedError):
        raise UnsafeFile("not_a_workbook", "The workbook is damaged and cannot be read.") from None
    return b"".join(parts)


_ROW_TAGS = (b"<row ", b"<row>", b"<table:table-row ", b"<table:table-row>")


_ROW_NUMBER = re.compile(rb'<row\b[^>]*?\br="(\d+)"')
_CELL_COLUMN = re.compile(rb'<c\b[^>]*?\br="([A-Z]{1,3})\d')


def _column_number(letters: bytes) -> int:
    number = 0
    for char in letters:
        number = number * 26 + (char - 64)
    return number


def _too_many_cells(settings: Settings) -> UnsafeFile:
    return UnsafeFile(
        "too_many_cells",
        "A sheet spans too many cells (the limit is {limit}): remove what is far from the data.",
        {"limit": settings.max_cells},
    )


def _scan_xml_part(archive: zipfile.ZipFile, info: zipfile.ZipInfo, settings: Settings) -> int:
    """Inflate one part chunk by chunk; reject entity declarations; count its rows.

    For a worksheet, also the extent of its used area (last row x last column): a sheet with
    two cells far apart would make the reader allocate every cell in between.
    """
    overlap = 32
    tail = b""
    rows = 0
    inflated = 0
    worksheet = info.filename.startswith("xl/worksheets/") and info.filename.endswith(".xml")
    ods_content = info.filename == "content.xml"
    max_row = 0
    max_col = 0
    collected: list[bytes] = []
    try:
        with archive.open(info) as fh:
            while chunk := fh.read(_CHUNK):
                inflated += len(chunk)
                if inflated > settings.max_uncompressed_bytes:
                    raise _bomb(settings)
                window = tail + chunk
                for marker in _ENTITY_MARKERS + _UTF16_MARKERS:
                    if marker in window:
                        raise UnsafeFile(
                            "xml_entities",
                            "The file contains XML entity declarations (DOCTYPE/ENTITY), "
                            "which spreadsheets never need: it has been refused for safety.",
                        )
                for tag in _ROW_TAGS:
                    rows += chunk.count(tag)
                if worksheet:
                    # rows and cells may straddle chunks: search the window (tail included)
                    for match in _ROW_NUMBER.finditer(window):
                        max_row = max(max_row, int(match.group(1)))
                    for letters in set(_CELL_COLUMN.findall(window)):
                        max_col = max(max_col, _column_number(letters))
                    if max_row * max(max_col, 1) > settings.max_cells:
                        raise _too_many_cells(settings)
                elif ods_content:
                    collected.append(chunk)
                tail = window[-overlap:]
    except UnsafeFile:
        raise
    except (zipfile.BadZipFile, OSError, EOFError, NotImplementedError, RuntimeError):
        raise UnsafeFile("not_a_workbook", "The workbook is damaged and cannot be read.") from None
    if ods_content:
        _check_ods_extent(b"".join(collected), settings)
    return rows


_ODS_ROW = re.compile(rb"<table:table-row\b([^>]*?)(/>|>(.*?)</table:table-row>)", re.S)
_ODS_CELL = re.compile(rb"<table:(?:covered-)?table-cell\b([^>]*?)/?>")
_ROWS_REPEATED = re.compile(rb'number-rows-repeated="(\d+)"')
_COLUMNS_REPEATED = re.compile(rb'number-columns-repeated="(\d+)"')


def _check_ods_extent(content: bytes, settings: Settings) -> None:
    """The cells an ODS sheet really spans once its repeated rows and cells are expanded
    (trailing empty repeats, as LibreOffice writes them, do not count)."""
    cells = 0
    rows = 0
    for row in _ODS_ROW.finditer(content):
        body = row.group(3) or b""
        if b"office:value-type" not in body:
            continue
        repeated = _ROWS_REPEATED.search(row.group(1))
        count = int(repeated.group(1)) if repeated else 1
        width = 0
        extent = 0
        for cell in _ODS_CELL.finditer(body):
            span = _COLUMNS_REPEATED.search(cell.group(1))
            width += int(span.group(1)) if span else 1
            if b"office:value-type" in cell.group(1):
                extent = width
        rows += count
        cells += count * extent
        if rows > settings.max_rows:
            raise _too_many_rows(settings)
        if cells > settings.max_cells:
            raise _too_many_cells(settings)


# --- OLE compound files: .xls, or an encrypted .xlsx ----------------------------------------

def _check_ole(content: bytes, settings: Settings) -> Format:
    # The directory holds stream names in UTF-16LE; an encrypted OOXML workbook is an OLE
    # file with the EncryptionInfo and EncryptedPackage streams.
    if any(marker in content for marker in _OLE_ENCRYPTION_MARKERS):
        raise UnsafeFile(
            "encrypted",
            "The workbook is password-protected. Save it without a password and send it again.",
        )
    if not any(marker in content for marker in _OLE_WORKBOOK_MARKERS):
        raise UnsafeFile(
            "not_a_workbook",
            "The file is an Office document but not a workbook (is it a Word document?).",
        )
    extents = sheet_extents(content)
    if extents:
        if any(rows * cols > settings.max_cells for rows, cols in extents):
            raise _too_many_cells(settings)
        if sum(rows for rows, _cols in extents) > settings.max_rows:
            raise _too_many_rows(settings)
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
