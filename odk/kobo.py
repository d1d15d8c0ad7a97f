"""Importing what KoboToolbox and ODK tools export of the survey's XLSForm (odk.form): their
.xlsx export — the main sheet (one row per submission: a group) named after the form, one sheet
per repeat group (anggota, pmks, jaringan) — and CSV, the main table alone or a .zip of the main
table and one CSV per repeat. The export becomes the survey workbook's sheets in memory and goes
through the workbook's own pipeline (registry.workbook.run): the same checks, the same
all-or-nothing write, the same errors — each named by the export's sheet, row and column and by
the submission (its _uuid). docs/odk.md describes the layout."""

import csv
import io
import zipfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from django.utils.translation import gettext as _

from odk.form import ACCOMPANIED, FROM_GROUP, MAIN, REPEATS, dropdowns, label, repeat_title
from registry import sheets, validators
from registry.workbook import (
    MAX_CELL_CHARS,
    MAX_FILE_BYTES,
    MAX_SHEET_ROWS,
    MAX_TEXT_BYTES,
    SHEETS,
    CellError,
    Layout,
    WorkbookError,
)
from registry.workbook.reading import check_zip_sizes

UUID = "_uuid"
SUBMISSION_TIME = "_submission_time"
INDEX = "_index"
PARENT_INDEX = "_parent_index"
SUBMISSION_UUID = "_submission__uuid"
# ODK Central's CSV export: a submission's KEY ("uuid:…") on the main table, its PARENT_KEY on
# a repeat's table (the repeat row's own KEY adds "/anggota[1]"), group paths joined by "-".
KEY = "key"
PARENT_KEY = "parent_key"
SUBMISSION_DATE = "submissiondate"


def _key(header: Any) -> str:
    return validators.normalize_label(str(header)).replace(" ", "_") if header is not None else ""


@dataclass
class _Scan:
    """What read_rows asks of a sheet's scan: nothing too large to read (the export's own
    sheets were scanned), and the last row holding values."""

    last_value_row: int = 0
    oversized: list = field(default_factory=list)


class _Sheet:
    """One sheet of the survey made from the export: its rows by the export's row numbers."""

    def __init__(self, title: str, header: list[str], rows: list[tuple[int, list]]):
        self.title = title
        self.header = header
        self.rows = rows
        self._scan = _Scan(rows[-1][0] if rows else 1)

    def scan(self) -> _Scan:
        return self._scan

    def cell_rows(self):
        yield 1, list(enumerate(self.header, start=1))
        for number, values in self.rows:
            yield number, [(i, v) for i, v in enumerate(values, start=1) if v is not None]


@dataclass
class _Source:
    """Where a sheet of the survey comes from in the export: its sheet, its columns' headers
    (by the workbook's column names) and each row's submission."""

    title: str
    headers: dict[str, str]
    submissions: dict[int, str]


class SurveyFromExport:
    """The survey's sheets made from an export (`worksheets`), and `locate`: an error's sheet,
    row and column in the export's terms."""

    def __init__(self):
        self.worksheets: list[_Sheet] = []
        self.sources: dict[str, _Source] = {}

    def close(self) -> None:
        pass

    def locate(self, error: CellError) -> None:
        source = self.sources.get(error.sheet)
        if source is None:
            return
        error.column = source.headers.get(error.column, error.column)
        submission = source.submissions.get(error.row)
        error.sheet = f"{source.title} ({submission})" if submission else source.title


class KoboLayout(Layout):
    def prepare(self, source):
        return from_csv(source)

    def convert(self, book):
        return convert(book)


# The export's sheets ------------------------------------------------------------------------------
def _read(worksheet) -> list[tuple[int, dict[int, Any]]]:
    """The rows of one of the export's sheets, through the workbook reader's bounds."""
    scan = worksheet.scan()
    if scan.oversized:
        place = scan.oversized[0]
        raise WorkbookError(
            _("Sheet %(sheet)s, row %(row)s holds a cell too large to read; refused.")
            % {"sheet": worksheet.title, "row": place.row}
        )
    rows, text = [], 0
    for number, cells in worksheet.cell_rows():
        text += sum(4 * len(v) for _i, v in cells if isinstance(v, str))
        if text > MAX_TEXT_BYTES:
            raise WorkbookError(
                _("The workbook holds more text than a survey can (over %(limit)d MB); refused.")
                % {"limit": MAX_TEXT_BYTES // (1024 * 1024)}
            )
        rows.append((number, dict(cells)))
    return rows


def _header_of(worksheet) -> dict[int, str]:
    """The first row of a sheet that is not one of the survey's; a sheet the workbook reader
    refuses is not an export's (the survey's sheets are read, and refused, as before)."""
    try:
        for number, cells in worksheet.cell_rows():
            return {i: _key(v) for i, v in cells if isinstance(v, str)} if number == 1 else {}
    except WorkbookError:
        return {}
    return {}


def convert(book) -> SurveyFromExport | None:
    """The survey made from a KoboToolbox/ODK export, or None when `book` is not one: an export
    has a sheet (the main one, named after the form) whose columns include _uuid and
    _submission_time, and no sheet named perkumpulan."""
    titles = {validators.normalize_label(ws.title): ws for ws in book.worksheets}
    if MAIN in titles:
        return None
    main = None
    for title, worksheet in titles.items():
        if title in SHEETS:
            continue
        header = set(_header_of(worksheet).values())
        if {UUID, SUBMISSION_TIME} <= header or {KEY, SUBMISSION_DATE} <= header:
            main = worksheet
            break
    if main is None:
        return None
    survey = SurveyFromExport()
    lists = dropdowns()
    main_rows = _read(main)
    groups = _sheet(survey, MAIN, main, main_rows, lists, parents=None)
    for name in REPEATS:
        found = titles.get(name) or titles.get(validators.normalize_label(repeat_title(name)))
        if found is not None and name in SHEETS:
            _sheet(survey, name, found, _read(found), lists, parents=groups)
    return survey


def _columns(header: dict[int, str], sheet: str, lists) -> dict[int, str]:
    """The export's columns of the survey's columns: `field` or, with the groups in the headers,
    `group/field` — not a select_multiple's column of one choice, `field/choice`. An export of
    labels names them by the questions' labels (`NIK`, `Anggota/NIK`)."""
    names = [c.name for c in SHEETS[sheet].columns] + [ACCOMPANIED]
    wanted = {name: name for name in names}
    for name in names:
        wanted.setdefault(_key(label(name)), name)
    multi = {key for key, name in wanted.items() if (sheet, name) in lists
             and not lists[(sheet, name)][1]}
    found: dict[int, str] = {}
    for index, key in header.items():
        parts = key.split("/")
        if parts[-1] not in wanted:  # ODK Central: "anggota-nik", "kegiatan-arisan"
            parts = [*parts[:-1], *parts[-1].split("-")]
        name = wanted.get(parts[-1])
        if name and (len(parts) == 1 or parts[-2] not in multi):
            if name not in found.values():
                found[index] = name
    return found


def _value(sheet: str, column: str, value: Any, lists) -> Any:
    """A choice's name as its label (an export of XML values); a label stays as it is."""
    choices = lists.get((sheet, column))
    if choices is None or not isinstance(value, str):
        return value
    names, single = choices
    if single:
        return names.get(value.strip(), value)
    words = value.split()
    if words and all(w in names for w in words):
        return "; ".join(names[w] for w in words)
    return _labels(words, names.values()) or value


def _labels(words: list[str], labels) -> str | None:
    """A select_multiple exported as labels joined by spaces ("Iuran Anggota Sumbangan
    Masyarakat"), split into the list's labels, the longest first; None if it does not split."""
    known = {validators.normalize_label(text): text for text in labels}
    found, start = [], 0
    while start < len(words):
        for end in range(len(words), start, -1):
            text = known.get(validators.normalize_label(" ".join(words[start:end])))
            if text is not None:
                found.append(text)
                start = end
                break
        else:
            return None
    return "; ".join(found) or None


def _sheet(survey: SurveyFromExport, sheet: str, worksheet, rows, lists, parents):
    """Make the survey's `sheet` from the export's rows; returns {_index: the group's code and
    area} for the main sheet."""
    first = rows[0][1] if rows and rows[0][0] == 1 else {}
    header = {i: _key(v) for i, v in first.items()}
    position = {k: i for i, k in header.items()}
    columns = _columns(header, sheet, lists)
    derived = FROM_GROUP.get(sheet, set()) if parents is not None else set()
    names = [c.name for c in SHEETS[sheet].columns
             if c.name in columns.values() or c.name in derived]
    originals = {v: first[i] for i, v in columns.items()}
    # KoboToolbox links a repeat's row to its submission by _index/_parent_index and names a
    # submission by its _uuid; ODK Central does both by the submission's KEY.
    central = KEY in position and INDEX not in position
    uuid_name = KEY if central else UUID if parents is None else SUBMISSION_UUID
    index_name = KEY if central else INDEX
    parent_name = PARENT_KEY if central else PARENT_INDEX
    parent_header = str(first.get(position[parent_name], parent_name)) if (
        parent_name in position) else parent_name
    headers = {name: str(originals.get(name, parent_header)) for name in names}
    submissions: dict[int, str] = {}
    made: list[tuple[int, list]] = []
    groups: dict[str, Any] = {}
    uuid_at = position.get(PARENT_KEY if central and parents is not None else uuid_name)
    index_at = position.get(index_name)
    parent_at = position.get(parent_name)
    for number, cells in rows:
        if number == 1:
            continue
        if len(made) >= MAX_SHEET_ROWS:
            raise WorkbookError(
                _("Sheet %(sheet)s holds more than %(limit)s rows; refused.")
                % {"sheet": worksheet.title, "limit": f"{MAX_SHEET_ROWS:,}"}
            )
        values = {columns[i]: _value(sheet, columns[i], v, lists)
                  for i, v in cells.items() if i in columns}
        if not any(v not in (None, "") for v in values.values()):
            continue
        uuid = cells.get(uuid_at) if uuid_at else None
        index = cells.get(index_at) if index_at else None
        submissions[number] = (
            f"KEY {uuid}" if central and uuid not in (None, "") else
            f"_uuid {uuid}" if uuid not in (None, "") else
            f"_index {index}" if index not in (None, "") else "")
        if parents is None:
            if index not in (None, ""):
                groups[_text(index)] = values.get("kode_perkumpulan")
        else:
            code = parents.get(_text(cells.get(parent_at))) if parent_at else None
            accompanied = values.pop(ACCOMPANIED, None)
            if "kode_perkumpulan" in derived:
                values["kode_perkumpulan"] = code
            if "kode_perkumpulan_pendamping" in derived:
                said = _text(accompanied).lower()
                values["kode_perkumpulan_pendamping"] = code if said in ("ya", "yes", "1") else None
        made.append((number, [values.get(name) for name in names]))
    survey.worksheets.append(_Sheet(sheet, names, made))
    survey.sources[sheet] = _Source(worksheet.title, headers, submissions)
    return groups


def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return str(value).strip()


# CSV ----------------------------------------------------------------------------------------------
def from_csv(source):
    """An .xlsx (in memory) of a CSV export — one .csv (the main table), or a .zip of the main
    table and one .csv per repeat group, each named after its repeat (`anggota.csv`, or as
    KoboToolbox and ODK name them, `<form>-anggota.csv`) — or None for another kind of file."""
    name = str(getattr(source, "name", source)).lower()
    if name.endswith(".csv"):
        _check_size(source)
        return _workbook([(Path(name).stem, _bytes(source))])
    if not name.endswith(".zip"):
        return None
    names = check_zip_sizes(source)
    if "xl/workbook.xml" in names or "content.xml" in names:
        return None
    _check_size(source)
    tables = []
    with zipfile.ZipFile(source) as archive:
        for member in sorted(names):
            if member.lower().endswith(".csv") and not member.startswith("__MACOSX"):
                tables.append((Path(member).stem, archive.read(member)))
    if hasattr(source, "seek"):
        source.seek(0)
    if not tables:
        raise WorkbookError(_("The .zip holds no .csv file."))
    return _workbook(tables)


def _check_size(source) -> None:
    from registry.workbook.reading import _size

    if _size(source) > MAX_FILE_BYTES:
        raise WorkbookError(
            _("The file is %(size)d MB; the limit is %(limit)d MB.")
            % {"size": _size(source) // (1024 * 1024), "limit": MAX_FILE_BYTES // (1024 * 1024)}
        )


def _bytes(source) -> bytes:
    if hasattr(source, "read"):
        source.seek(0)
        data = source.read()
        source.seek(0)
        return data
    return Path(source).read_bytes()


def _workbook(tables: list[tuple[str, bytes]]):
    """Each CSV as a sheet: the main table named as the file (KoboToolbox names the main sheet of
    its .xlsx after the form), a repeat's after the last '-'-separated part of its name."""
    with sheets.Book(streaming=True) as book:  # its temporary files removed if refused
        return _fill(book, tables)


def _fill(book, tables: list[tuple[str, bytes]]):
    used = set()
    survey_like = False  # an export's main table, or one of the survey's own sheets as CSV
    csv.field_size_limit(10 * MAX_CELL_CHARS)
    for stem, data in tables:
        try:
            text = data.decode("utf-8-sig")
        except UnicodeDecodeError as exc:
            raise WorkbookError(
                _("%(file)s is not a UTF-8 CSV file.") % {"file": f"{stem}.csv"}
            ) from exc
        try:
            dialect = csv.Sniffer().sniff(text[:65536], delimiters=",;\t")
        except csv.Error:
            dialect = csv.excel
        reader = csv.reader(io.StringIO(text), dialect)
        try:
            rows = list(_bounded(reader, stem))
        except csv.Error as exc:
            raise WorkbookError(
                _("%(file)s cannot be read as CSV: %(problem)s")
                % {"file": f"{stem}.csv", "problem": exc}
            ) from exc
        _refuse_control_characters(stem, text, rows)
        header = {_key(h) for h in (rows[0] if rows else [])}
        survey_like = survey_like or validators.normalize_label(stem) in SHEETS or (
            {UUID, SUBMISSION_TIME} <= header or {KEY, SUBMISSION_DATE} <= header)
        repeat = PARENT_INDEX in header or PARENT_KEY in header
        title = (stem.rsplit("-", 1)[-1] if repeat else stem)[:31] or "data"
        for bad in "[]:*?/\\":
            title = title.replace(bad, "_")
        while validators.normalize_label(title) in used:
            title = title[:28] + f"_{len(used)}"
        used.add(validators.normalize_label(title))
        sheet = book.sheet(title)
        for row in rows:
            sheet.append([cell if cell != "" else None for cell in row])
    if not survey_like:
        raise WorkbookError(
            _("%(file)s is not an export of the survey's form: the first row of its main table "
              "names neither _uuid and _submission_time (KoboToolbox) nor KEY and SubmissionDate "
              "(ODK Central).") % {"file": f"{tables[0][0]}.csv" if len(tables) == 1
                                    else _("The .zip")})
    stream = io.BytesIO()
    book.save(stream)
    stream.seek(0)
    stream.name = "export.xlsx"
    return stream


def _refuse_control_characters(stem: str, text: str, rows: list[list[str]]) -> None:
    """A control character no workbook can hold (NUL, a vertical tab: sheets.
    ILLEGAL_CHARACTERS_RE) is refused where it is, rather than saved as "\ufffd" unseen."""
    if sheets.ILLEGAL_CHARACTERS_RE.search(text) is None:  # nearly every file: one search
        return
    header = rows[0] if rows else []
    for number, row in enumerate(rows, start=1):
        for index, cell in enumerate(row):
            found = sheets.ILLEGAL_CHARACTERS_RE.search(cell)
            if found is None:
                continue
            name = header[index] if index < len(header) else ""
            if not name or sheets.ILLEGAL_CHARACTERS_RE.search(name):
                name = str(index + 1)
            raise WorkbookError(
                _("%(file)s row %(row)d, column %(column)s, holds a control character "
                  "(%(code)s) that no workbook can hold: remove it and import again.")
                % {"file": f"{stem}.csv", "row": number, "column": name[:100],
                   "code": f"U+{ord(found.group()):04X}"})


def _bounded(reader, stem: str):
    for count, row in enumerate(reader):
        if count > MAX_SHEET_ROWS:
            raise WorkbookError(
                _("%(file)s holds more than %(limit)s rows; refused.")
                % {"file": f"{stem}.csv", "limit": f"{MAX_SHEET_ROWS:,}"}
            )
        yield row
