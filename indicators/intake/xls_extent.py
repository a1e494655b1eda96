"""The used extent of each sheet of a legacy ``.xls`` workbook, read and cross-checked first.

A 6 KB ``.xls`` with one cell in A1 and one in IV65536 makes the reader allocate every cell in
between (about 1 GB), and a ``DIMENSIONS`` record or a shared-string count can make it reserve
far more before it reads a single cell. This module walks the compound file (OLE/CFB) the way
the reader does, checking its structure instead of trusting its header: sector shift 9 or 12,
mini sector shift 6, mini-stream cutoff 4096 (the reader assumes these whatever the header
says), sector counts within the file, every FAT/mini-FAT chain inside the file, loop-free and
long enough for its stream, stream sizes within the file. It then walks the BIFF records of
the ``Workbook`` stream from each sheet's ``BOUNDSHEET`` offset, as the reader does, and
finds each sheet's last row and column, the cells its ``DIMENSIONS`` reserve, and whether the
workbook is encrypted (``FILEPASS``). Anything that does not add up raises
:class:`XlsDamaged`.
"""

from __future__ import annotations

import struct
from collections.abc import Iterator
from dataclasses import dataclass, field

from indicators.intake.extent import SheetExtent

_FREE, _END = 0xFFFFFFFF, 0xFFFFFFFE
_MINI_CUTOFF = 4096
_MINI_SECTOR = 64
_HEADER_FAT_ENTRIES = 109
# BIFF records holding cells: all start with row (u16) and column (u16)
_CELLS = {0x0006, 0x0201, 0x0203, 0x0204, 0x0205, 0x027E, 0x00FD, 0x00D6}
_MULTI = {0x00BD, 0x00BE}  # MULRK, MULBLANK: first column, ..., last column (u16 at the end)
_DIMENSIONS, _BOUNDSHEET, _SST, _CONTINUE, _FILEPASS, _EOF = (
    0x0200,
    0x0085,
    0x00FC,
    0x003C,
    0x002F,
    0x000A,
)
_MIN_SST_STRING = 3  # bytes: character count (u16) and flags


class XlsDamaged(Exception):
    """The compound file or its BIFF records do not add up; the message says where."""


@dataclass
class XlsWorkbook:
    """What a legacy ``.xls`` declares: the extent of each sheet, and whether it is encrypted."""

    sheets: list[SheetExtent] = field(default_factory=list)
    encrypted: bool = False


def _u16(data: bytes, pos: int) -> int:
    return int(struct.unpack_from("<H", data, pos)[0])


def _u32(data: bytes, pos: int) -> int:
    return int(struct.unpack_from("<I", data, pos)[0])


class _Compound:
    """A compound file's header, FAT, directory and mini stream, each checked."""

    def __init__(self, data: bytes):
        if len(data) < 512:
            raise XlsDamaged("shorter than a compound file header")
        self.data = data
        shift, mini_shift = _u16(data, 0x1E), _u16(data, 0x20)
        if _u16(data, 0x1C) != 0xFFFE or shift not in (9, 12) or mini_shift != 6:
            raise XlsDamaged(f"byte order, sector shift {shift} or mini shift {mini_shift}")
        if _u32(data, 0x38) != _MINI_CUTOFF:
            raise XlsDamaged(f"mini stream cutoff {_u32(data, 0x38)}")
        self.sector = 1 << shift
        self.count = -(-(len(data) - self.sector) // self.sector)  # a last partial sector too
        for offset in (0x28, 0x2C, 0x40, 0x48):  # directory, FAT, mini FAT, DIFAT sectors
            if _u32(data, offset) > self.count:
                raise XlsDamaged(f"header count at {offset:#x} beyond the file")
        self.fat = self._read_fat()
        self.entries = self._chain_bytes(_u32(data, 0x30), None)
        if len(self.entries) < 128 or self.entries[66] != 5:
            raise XlsDamaged("no root directory entry")
        root_start, root_size = self._entry_location(0)
        self.ministream = self._chain_bytes(root_start, root_size)
        minifat = self._chain_bytes(_u32(data, 0x3C), None)
        self.minifat = struct.unpack(f"<{len(minifat) // 4}I", minifat[: len(minifat) // 4 * 4])

    def _sector_bytes(self, sid: int) -> bytes:
        start = (sid + 1) * self.sector
        return self.data[start : start + self.sector]

    def _read_fat(self) -> list[int]:
        fat_sectors = list(struct.unpack_from(f"<{_HEADER_FAT_ENTRIES}I", self.data, 0x4C))
        per = self.sector // 4 - 1
        difat, seen = _u32(self.data, 0x44), set[int]()
        while difat not in (_FREE, _END):
            if difat >= self.count or difat in seen:
                raise XlsDamaged(f"DIFAT sector {difat:#x}")
            seen.add(difat)
            raw = self._sector_bytes(difat).ljust(self.sector, b"\xff")
            entries = struct.unpack(f"<{per + 1}I", raw)
            fat_sectors.extend(entries[:per])
            difat = entries[per]
        fat: list[int] = []
        for sid in fat_sectors:
            if sid == _FREE:
                continue
            if sid >= self.count:
                raise XlsDamaged(f"FAT sector {sid:#x} beyond the file")
            fat.extend(
                struct.unpack(
                    f"<{self.sector // 4}I", self._sector_bytes(sid).ljust(self.sector, b"\xff")
                )
            )
        return fat

    def _chain(self, sid: int, table: tuple[int, ...] | list[int], limit: int) -> Iterator[int]:
        seen = set[int]()
        while sid != _END:
            if sid >= limit or sid >= len(table) or sid in seen:
                raise XlsDamaged(f"sector chain through {sid:#x}")
            seen.add(sid)
            yield sid
            sid = table[sid]

    def _chain_bytes(self, sid: int, size: int | None) -> bytes:
        data = b"".join(self._sector_bytes(s) for s in self._chain(sid, self.fat, self.count))
        if size is None:
            return data
        if len(data) < size:
            raise XlsDamaged(f"stream of {size} bytes in a chain of {len(data)}")
        return data[:size]

    def _entry_location(self, index: int) -> tuple[int, int]:
        pos = index * 128
        start = _u32(self.entries, pos + 116)
        if self.sector == 512:
            size = _u32(self.entries, pos + 120)
        else:
            size = int(struct.unpack_from("<Q", self.entries, pos + 120)[0])
        if size > len(self.data):
            raise XlsDamaged(f"directory entry {index} larger than the file")
        return start, size

    def _mini_bytes(self, sid: int, size: int) -> bytes:
        limit = len(self.ministream) // _MINI_SECTOR
        parts = [
            self.ministream[s * _MINI_SECTOR : (s + 1) * _MINI_SECTOR]
            for s in self._chain(sid, self.minifat, limit)
        ]
        data = b"".join(parts)
        if len(data) < size:
            raise XlsDamaged(f"mini stream of {size} bytes in a chain of {len(data)}")
        return data[:size]

    def workbook_stream(self) -> bytes:
        """The ``Workbook`` (or BIFF5 ``Book``) stream, found by name as the reader does."""
        for wanted in ("Workbook", "Book"):
            for index in range(len(self.entries) // 128):
                raw = self.entries[index * 128 : index * 128 + 64]
                name = raw.decode("utf-16-le", "ignore").split("\x00", 1)[0]
                if name != wanted:
                    continue
                if self.entries[index * 128 + 66] != 2:
                    raise XlsDamaged(f"{wanted} is not a stream")
                start, size = self._entry_location(index)
                if size < _MINI_CUTOFF:
                    return self._mini_bytes(start, size)
                return self._chain_bytes(start, size)
        raise XlsDamaged("no Workbook stream")


def _records(stream: bytes, pos: int) -> Iterator[tuple[int, int, int]]:
    """(kind, body offset, body length) of each BIFF record from ``pos`` to the end."""
    end = len(stream)
    while pos + 4 <= end:
        kind, length = struct.unpack_from("<HH", stream, pos)
        body = pos + 4
        if body + length > end:
            raise XlsDamaged(f"record {kind:#06x} runs past the stream")
        yield kind, body, length
        pos = body + length


def _globals(stream: bytes) -> tuple[list[int], bool]:
    """The offsets of the sheets' substreams, and whether the workbook is encrypted."""
    offsets: list[int] = []
    encrypted = False
    records = list(_records_until_eof(stream, 0))
    for index, (kind, body, length) in enumerate(records):
        if kind == _FILEPASS:
            encrypted = encrypted or length < 2 or _u16(stream, body) != 0
        elif kind == _BOUNDSHEET:
            if length < 6 or _u32(stream, body) >= len(stream):
                raise XlsDamaged("BOUNDSHEET offset beyond the stream")
            offsets.append(_u32(stream, body))
        elif kind == _SST:
            _check_sst(stream, records, index)
    return offsets, encrypted


def _records_until_eof(stream: bytes, pos: int) -> Iterator[tuple[int, int, int]]:
    for record in _records(stream, pos):
        yield record
        if record[0] == _EOF:
            return


def _check_sst(stream: bytes, records: list[tuple[int, int, int]], index: int) -> None:
    """The reader reserves room for the declared number of strings: it must fit the bytes."""
    _kind, body, length = records[index]
    if length < 8:
        raise XlsDamaged("SST record too short")
    unique = int(struct.unpack_from("<i", stream, body + 4)[0])
    room = length - 8
    for kind, _body, more in records[index + 1 :]:
        if kind != _CONTINUE:
            break
        room += more
    if unique < 0 or unique > room // _MIN_SST_STRING:
        raise XlsDamaged(f"SST declares {unique} strings in {room} bytes")


def _sheet_extent(stream: bytes, pos: int) -> SheetExtent:
    extent = SheetExtent()
    for kind, body, length in _records_until_eof(stream, pos):
        if kind == _DIMENSIONS:
            _add_dimensions(extent, stream, body, length)
            continue
        if kind in _CELLS and length >= 4:
            col = _u16(stream, body + 2)
        elif kind in _MULTI and length >= 6:
            # the reader refuses a MULRK whose last column comes before its first
            col = max(_u16(stream, body + 2), _u16(stream, body + length - 2))
        else:
            continue  # too short to place a cell: the reader refuses it, or ignores it
        extent.rows = max(extent.rows, _u16(stream, body) + 1)
        extent.columns = max(extent.columns, col + 1)
    return extent


def _add_dimensions(extent: SheetExtent, stream: bytes, body: int, length: int) -> None:
    """``DIMENSIONS``: the reader reserves (last row - first row) x (last col - first col)
    cells, in unsigned arithmetic: a last before a first would wrap round to billions."""
    if length == 10:
        first_row, last_row, first_col, last_col = struct.unpack_from("<HHHH", stream, body)
    elif length == 14:
        first_row, last_row, first_col, last_col = struct.unpack_from("<IIHH", stream, body)
    else:
        raise XlsDamaged(f"DIMENSIONS of {length} bytes")
    if last_row == 0 or last_col == 0:
        return  # an empty sheet: one cell at most
    if last_row < first_row or last_col < first_col:
        raise XlsDamaged("DIMENSIONS end before they start")
    reserved = (last_row - first_row) * (last_col - first_col)
    extent.reserved = max(extent.reserved, reserved)
    extent.rows = max(extent.rows, last_row)
    extent.columns = max(extent.columns, last_col)


def workbook_extents(data: bytes) -> XlsWorkbook:
    """Each sheet's extent (one per ``BOUNDSHEET``, as the reader reads them), or
    :class:`XlsDamaged` with the reason the file does not add up."""
    try:
        stream = _Compound(data).workbook_stream()
        offsets, encrypted = _globals(stream)
        if encrypted:
            return XlsWorkbook(encrypted=True)
        return XlsWorkbook([_sheet_extent(stream, pos) for pos in offsets])
    except (struct.error, IndexError, ValueError, OverflowError) as exc:
        raise XlsDamaged(f"{type(exc).__name__}: {exc}") from None


def sheet_extents(data: bytes) -> list[tuple[int, int]] | None:
    """(rows, columns) spanned by each sheet, or None if the file does not add up."""
    try:
        workbook = workbook_extents(data)
    except XlsDamaged:
        return None
    return [(sheet.rows, sheet.columns) for sheet in workbook.sheets]
