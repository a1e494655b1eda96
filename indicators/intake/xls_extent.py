"""The used extent of each sheet of a legacy ``.xls`` workbook, read before parsing it.

A 6 KB ``.xls`` with one cell in A1 and one in IV65536 makes the reader allocate every cell in
between (about 1 GB). This module reads just enough of the compound file (OLE/CFB) to walk the
BIFF records of the ``Workbook`` stream and find each sheet's last row and column, so the
safety checks can refuse such a file first. It never raises: ``None`` means "could not tell"
(the reader then decides).
"""

from __future__ import annotations

import struct

_FREE, _END = 0xFFFFFFFF, 0xFFFFFFFE
# BIFF8 cell records: all start with row (u16) and column (u16)
_CELLS = {0x0203, 0x027E, 0x00FD, 0x0204, 0x0201, 0x0205, 0x0006, 0x00D6}
_MULTI = {0x00BD, 0x00BE}  # MULRK, MULBLANK: last column in the record's last two bytes
_BOF = 0x0809


class _Compound:
    def __init__(self, data: bytes):
        self.data = data
        self.sector = 1 << struct.unpack_from("<H", data, 0x1E)[0]
        self.mini = 1 << struct.unpack_from("<H", data, 0x20)[0]
        self.cutoff = struct.unpack_from("<I", data, 0x38)[0]
        self.count = max(0, len(data) // self.sector - 1)
        fat_sectors = list(struct.unpack_from("<109I", data, 0x4C))
        difat, n_difat = struct.unpack_from("<II", data, 0x44)
        per = self.sector // 4 - 1
        for _ in range(min(n_difat, self.count)):
            if difat in (_FREE, _END) or difat >= self.count:
                break
            entries = struct.unpack_from(f"<{per + 1}I", data, self._offset(difat))
            fat_sectors.extend(entries[:per])
            difat = entries[per]
        self.fat: list[int] = []
        for sid in fat_sectors:
            if sid in (_FREE, _END) or sid >= self.count:
                continue
            self.fat.extend(struct.unpack_from(f"<{self.sector // 4}I", data, self._offset(sid)))
        self.minifat = self._stream(struct.unpack_from("<I", data, 0x3C)[0], None)
        self.entries = self._stream(struct.unpack_from("<I", data, 0x30)[0], None)
        root_start = struct.unpack_from("<I", self.entries, 116)[0]
        self.ministream = self._stream(root_start, None)

    def _offset(self, sid: int) -> int:
        return int((sid + 1) * self.sector)

    def _stream(self, sid: int, size: int | None) -> bytes:
        parts: list[bytes] = []
        seen = 0
        while sid not in (_FREE, _END) and sid < len(self.fat) and seen <= self.count:
            start = self._offset(sid)
            parts.append(self.data[start : start + self.sector])
            sid = self.fat[sid]
            seen += 1
        data = b"".join(parts)
        return data if size is None else data[:size]

    def _mini_stream(self, sid: int, size: int) -> bytes:
        usable = len(self.minifat) // 4
        table = struct.unpack(f"<{usable}I", self.minifat[: usable * 4])
        parts: list[bytes] = []
        seen = 0
        while sid not in (_FREE, _END) and sid < len(table) and seen <= len(table):
            start = sid * self.mini
            parts.append(self.ministream[start : start + self.mini])
            sid = table[sid]
            seen += 1
        return b"".join(parts)[:size]

    def stream(self, wanted: tuple[str, ...]) -> bytes | None:
        for pos in range(0, len(self.entries) - 127, 128):
            length = struct.unpack_from("<H", self.entries, pos + 64)[0]
            name = self.entries[pos : pos + max(0, length - 2)].decode("utf-16-le", "replace")
            if self.entries[pos + 66] != 2 or name not in wanted:
                continue
            start, size = struct.unpack_from("<II", self.entries, pos + 116)
            if size < self.cutoff:
                return self._mini_stream(start, size)
            return self._stream(start, size)
        return None


def sheet_extents(data: bytes) -> list[tuple[int, int]] | None:
    """(rows, columns) spanned by each sheet's cells, or None if the file cannot be walked."""
    try:
        stream = _Compound(data).stream(("Workbook", "Book"))
    except (struct.error, IndexError, ValueError, OverflowError, MemoryError):
        return None
    if not stream:
        return None
    extents: list[tuple[int, int]] = []
    rows = cols = 0
    pos = 0
    end = len(stream)
    while pos + 4 <= end:
        kind, length = struct.unpack_from("<HH", stream, pos)
        body = pos + 4
        if kind == _BOF:
            if rows or cols:
                extents.append((rows, cols))
            rows = cols = 0
        elif kind in _CELLS and length >= 4 and body + 4 <= end:
            row, col = struct.unpack_from("<HH", stream, body)
            rows, cols = max(rows, row + 1), max(cols, col + 1)
        elif kind in _MULTI and length >= 6 and body + length <= end:
            row = struct.unpack_from("<H", stream, body)[0]
            last = struct.unpack_from("<H", stream, body + length - 2)[0]
            rows, cols = max(rows, row + 1), max(cols, last + 1)
        pos = body + length
    if rows or cols:
        extents.append((rows, cols))
    return extents
