"""Bounding what calamine builds of an old Excel file (.xls, BIFF in an OLE2 compound file) before
it opens it (used by calamine_reader).

calamine reads every sheet of an .xls when it opens the file, and builds each as one dense block
from its first to its farthest cell (cells and formulas apart); it also reserves the block a
sheet's DIMENSIONS record claims. A 7 KB file of five sheets, each with one cell in its last row
and column, took 1 GB; a claimed block of 2³² rows aborts the process. `check` reads the file's
container and its records as calamine will, and refuses, with a WorkbookError, a file whose
blocks together exceed `max_cells`, or whose structure calamine would trip on (a chain of sectors
that loops or leaves the file, a sheet placed outside the stream, a record cut short).
Everything here is bounded by the file's size (at most reading.MAX_FILE_BYTES).
"""

import struct

from django.utils.translation import gettext as _

from registry.workbook.reading import WorkbookError

OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
_END_OF_CHAIN = 0xFFFFFFFE
_FREE = 0xFFFFFFFF
_MAX_SECTOR = 0xFFFFFFFA
# The names calamine looks for, in its order.
_STREAMS = ("Workbook", "Book", "WORKBOOK", "BOOK")
_BOF, _EOF, _CONTINUE, _BOUNDSHEET, _DIMENSIONS = 0x0809, 0x000A, 0x003C, 0x0085, 0x0200
_FORMULA, _MULRK = 0x0006, 0x00BD
# Records from which calamine makes one cell at (row, column) read from their first four bytes.
_CELLS = {0x0203, 0x0204, 0x00D6, 0x0205, 0x027E, 0x00FD}


def damaged() -> WorkbookError:
    return WorkbookError(_("The workbook cannot be read: it is damaged or not an .xlsx, .ods or "
                           ".xls file."))


def too_many_cells() -> WorkbookError:
    return WorkbookError(_("The .xls file spreads its cells over more rows and columns than a "
                           "survey can hold; refused. Save it as .xlsx and try again."))


def _u16(data: bytes, at: int) -> int:
    return struct.unpack_from("<H", data, at)[0]


def _u32(data: bytes, at: int) -> int:
    return struct.unpack_from("<I", data, at)[0]


class _Container:
    """The streams of an OLE2 compound file (MS-CFB), every chain checked."""

    def __init__(self, data: bytes):
        if len(data) < 512 or data[:8] != OLE_MAGIC or _u16(data, 28) != 0xFFFE:
            raise damaged()
        shift = _u16(data, 30)
        if shift not in (9, 12):
            raise damaged()
        self.data = data
        self.size = 1 << shift
        self.count = len(data) // self.size  # more sectors than the file can hold
        self.fat = self._fat()
        self.entries = self._directory()

    def _sector(self, number: int) -> bytes:
        start = (number + 1) * self.size
        if number > _MAX_SECTOR or start + self.size > len(self.data):
            raise damaged()  # past the file's end, or cut short
        return self.data[start:start + self.size]

    def _fat(self) -> list[int]:
        data = self.data
        listed = [_u32(data, 76 + 4 * i) for i in range(109)]
        difat, seen = _u32(data, 68), set()
        per = self.size // 4
        while difat not in (_END_OF_CHAIN, _FREE):
            if difat in seen or len(seen) > self.count:
                raise damaged()
            seen.add(difat)
            sector = self._sector(difat)
            listed += [_u32(sector, 4 * i) for i in range(per - 1)]
            difat = _u32(sector, 4 * (per - 1))
        fat: list[int] = []
        for number in listed[:_u32(data, 44)]:
            if number == _FREE:
                break
            sector = self._sector(number)
            fat += struct.unpack_from(f"<{per}I", sector)
        return fat

    def chain(self, start: int, table: list[int], read) -> bytes:
        """The bytes of a chain of sectors of `table` from `start`, each read by `read`."""
        parts, seen, number = [], set(), start
        while number != _END_OF_CHAIN:
            if number >= len(table) or number in seen:
                raise damaged()
            seen.add(number)
            parts.append(read(number))
            number = table[number]
        return b"".join(parts)

    def _directory(self) -> dict[str | None, tuple[int, int]]:
        raw = self.chain(_u32(self.data, 48), self.fat, self._sector)
        entries: dict[str | None, tuple[int, int]] = {}
        for at in range(0, len(raw) - 127, 128):
            length, kind = _u16(raw, at + 64), raw[at + 66]
            if kind not in (1, 2, 5) or not 2 <= length <= 64:
                continue
            name = raw[at:at + length - 2].decode("utf-16-le", "replace")
            place = (_u32(raw, at + 116), _u32(raw, at + 120))
            entries.setdefault(None if kind == 5 else name, place)  # None: the root
        return entries

    def stream(self, name: str) -> bytes | None:
        if name not in self.entries:
            return None
        start, size = self.entries[name]
        if size < _u32(self.data, 56):  # under the cutoff: in the mini stream
            root_start, root_size = self.entries.get(None, (_END_OF_CHAIN, 0))
            mini = self.chain(root_start, self.fat, self._sector)[:root_size]
            table_raw = self.chain(_u32(self.data, 60), self.fat, self._sector)
            table = list(struct.unpack_from(f"<{len(table_raw) // 4}I", table_raw))

            def read(number: int) -> bytes:
                if number * 64 >= len(mini):
                    raise damaged()
                return mini[number * 64:number * 64 + 64]

            data = self.chain(start, table, read)
        else:
            data = self.chain(start, self.fat, self._sector)
        if len(data) < size:
            raise damaged()
        return data[:size]


def _records(stream: bytes, at: int):
    """(type, data) of the records from `at`, a record's CONTINUE records joined to it, as
    calamine reads them."""
    end = len(stream)
    while at < end:
        if end - at < 4:
            raise damaged()
        kind, length = _u16(stream, at), _u16(stream, at + 2)
        if end - at - 4 < length:
            raise damaged()
        data = stream[at + 4:at + 4 + length]
        at += 4 + length
        while end - at > 4 and _u16(stream, at) == _CONTINUE:
            more = _u16(stream, at + 2)
            if end - at - 4 < more:
                raise damaged()
            at += 4 + more
        yield kind, data


class _Block:
    """The dense block calamine builds of a set of cells: its bounds, kept as the cells come."""

    def __init__(self):
        self.top = self.left = None
        self.bottom = self.right = 0

    def add(self, row: int, first: int, last: int | None = None) -> None:
        last = first if last is None else last
        if self.top is None:
            self.top, self.left = row, first
        self.top, self.bottom = min(self.top, row), max(self.bottom, row)
        self.left, self.right = min(self.left, first), max(self.right, last)

    def cells(self) -> int:
        if self.top is None:
            return 0
        return (self.bottom - self.top + 1) * (self.right - self.left + 1)


def _claimed(data: bytes) -> int:
    """The cells calamine reserves for a DIMENSIONS record (its parse_dimensions)."""
    if len(data) == 14:
        first_row, last_row = _u32(data, 0), _u32(data, 4)
        first_col, last_col = _u16(data, 8), _u16(data, 10)
    elif len(data) == 10:
        first_row, last_row, first_col, last_col = struct.unpack_from("<4H", data)
    else:
        raise damaged()
    if first_col > 0xFF or last_col < first_col:
        first_col = 0
    if last_row < 1 or last_col < 1:
        return 1
    if last_row - 1 < first_row:
        raise damaged()  # calamine would compute a negative number of rows
    return (last_row - first_row) * (last_col - first_col)


def _sheet_cells(stream: bytes, at: int) -> int:
    cells, formulas, claimed = _Block(), _Block(), 0
    seen_bof, depth = False, 0
    for kind, data in _records(stream, at):
        if depth:
            depth += {_BOF: 1, _EOF: -1}.get(kind, 0)
            continue
        if kind == _BOF:
            depth, seen_bof = (1 if seen_bof else 0), True
        elif kind == _EOF:
            break
        elif kind == _DIMENSIONS:
            claimed += _claimed(data)
        elif kind in _CELLS or kind == _FORMULA:
            if len(data) < (20 if kind == _FORMULA else 4):
                raise damaged()
            cells.add(_u16(data, 0), _u16(data, 2))
            if kind == _FORMULA:
                formulas.add(_u16(data, 0), _u16(data, 2))
        elif kind == _MULRK:
            if len(data) < 6 or _u16(data, len(data) - 2) < _u16(data, 2):
                raise damaged()
            cells.add(_u16(data, 0), _u16(data, 2), _u16(data, len(data) - 2))
    return claimed + cells.cells() + formulas.cells()


def check(data: bytes, max_cells: int) -> None:
    """Refuse an .xls calamine would build more than `max_cells` cells of, or trip on."""
    container = _Container(data)
    streams = [s for s in (container.stream(name) for name in _STREAMS) if s is not None]
    if not streams and "EncryptedPackage" in container.entries:
        # An .xlsx saved with a password: Excel wraps it, encrypted, in a compound file.
        raise WorkbookError(_("The workbook is protected with a password: open it in Excel, "
                              "remove the password (File › Info › Protect Workbook) and save it, "
                              "then upload it again."))
    if not streams:
        raise damaged()
    for stream in streams:
        positions = []
        for kind, record in _records(stream, 0):
            if kind == _BOUNDSHEET:
                if len(record) < 4:
                    raise damaged()
                positions.append(_u32(record, 0))
            elif kind == _EOF:
                break
        total = 0
        for position in positions:
            if position >= len(stream):
                raise damaged()
            total += _sheet_cells(stream, position)
            if total > max_cells:
                raise too_many_cells()
