"""KoboToolbox exports of the survey's XLSForm (odk.form) for the tests, laid out as KoboToolbox
writes them (formpack): the main sheet named after the form, one row per submission, its fields
then `_id`, `_uuid`, `_submission_time`, `_validation_status`, `_notes`, `_status`,
`_submitted_by`, `__version__`, `_tags`, `_index`; a sheet per repeat group named after it, its
fields (`anggota/nik` with "include groups in headers", else `nik`) then `_index`,
`_parent_table_name`, `_parent_index`, `_submission__id`, `_submission__uuid`,
`_submission__submission_time`, …; a select_multiple as one column of the choices' names
separated by spaces and one column per choice (`kegiatan/arisan`, 1 or 0); dates as yyyy-mm-dd.

`kobo_sheets(workbook_sheets)` turns the survey workbook's rows (tests.survey_files) into the
export of the same data: each group a submission, its members, the cases it accompanies (the
others in the first submission, not accompanied) and its links as its repeats."""

import csv
import datetime
import io
import uuid
import zipfile

import openpyxl

from odk.form import ACCOMPANIED, FROM_GROUP, MAIN, REPEATS, dropdowns, label, repeat_title
from registry import validators
from registry.workbook import SHEETS

TITLE = "Pendataan WKSBM Cibeureum"
MAIN_META = ["_id", "_uuid", "_submission_time", "_validation_status", "_notes", "_status",
             "_submitted_by", "__version__", "_tags", "_index"]
REPEAT_META = ["_index", "_parent_table_name", "_parent_index", "_submission__id",
               "_submission__uuid", "_submission__submission_time",
               "_submission__validation_status", "_submission__notes", "_submission__status",
               "_submission__submitted_by", "_submission___version__", "_submission__tags"]
SUBMITTED = "2026-11-20T09:15:02"


def submission_uuid(kode: str) -> str:
    return str(uuid.uuid5(uuid.NAMESPACE_URL, f"wksbm:{kode}"))


def _names(sheet: str, column: str, value, lists, labels=False):
    """A workbook value as the export holds it: the choices' names (XML values), or with
    `labels` their labels, a select_multiple's joined by spaces."""
    if labels and (sheet, column) in lists and value is not None:
        names, single = lists[(sheet, column)]
        by_name = {validators.normalize_label(label): label for label in names.values()}
        parts = [value] if single else str(value).replace(",", ";").split(";")
        return " ".join(by_name.get(validators.normalize_label(p.strip()), p.strip())
                        for p in parts if p.strip())
    if (sheet, column) not in lists or value is None:
        if isinstance(value, datetime.date):
            return value.isoformat()
        if column.startswith("tanggal") and isinstance(value, str) and value[2:3] == "-":
            day, month, year = value.split("-")
            return f"{year}-{month}-{day}"
        return value
    names, single = lists[(sheet, column)]
    by_label = {validators.normalize_label(label): name for name, label in names.items()}
    parts = [value] if single else [p for p in str(value).replace(",", ";").split(";")]
    found = [by_label.get(validators.normalize_label(p.strip())) for p in parts if p.strip()]
    if None in found:
        return value  # not in the list: as a label
    return " ".join(found)


def kobo_sheets(workbook: dict, *, groups_in_headers: bool = True, labels: bool = False
                ) -> dict[str, list[list]]:
    """The export (sheet title → rows, the header first) of the workbook's rows; with `labels`,
    an export of labels (KoboToolbox's "Labels" format): headers, sheet names and choices as
    the form's labels."""
    lists = dropdowns()
    main_columns = [c.name for c in SHEETS[MAIN].columns]
    multi = [c for c in main_columns if (MAIN, c) in lists and not lists[(MAIN, c)][1]]
    shown_main = [label(c) if labels else c for c in main_columns]
    header = ["start", "end", *shown_main]
    for column in multi:
        header += [f"{column}/{name}" for name in lists[(MAIN, column)][0]]
    main = [header + MAIN_META]
    index_of = {}
    for index, group in enumerate(workbook.get(MAIN, []), start=1):
        kode = group["kode_perkumpulan"]
        index_of[kode] = index
        row = [SUBMITTED, SUBMITTED]
        row += [_names(MAIN, c, group.get(c), lists, labels) for c in main_columns]
        for column in multi:
            chosen = str(_names(MAIN, column, group.get(column), lists) or "").split()
            row += [1 if name in chosen else 0 for name in lists[(MAIN, column)][0]]
        row += [1000 + index, submission_uuid(kode), SUBMITTED, None, None, "submitted_via_web",
                None, "vXyZ2026", None, index]
        main.append(row)
    sheets = {TITLE: main}
    first = next(iter(index_of), None)
    for repeat in REPEATS:
        columns = [c.name for c in SHEETS[repeat].columns if c.name not in FROM_GROUP[repeat]]
        if repeat == "pmks":
            columns = [ACCOMPANIED, *columns]
        title = repeat_title(repeat) if labels else repeat
        shown = [label(c) if labels else c for c in columns]
        shown = [f"{title}/{c}" if groups_in_headers else c for c in shown]
        rows = [shown + REPEAT_META]
        for index, record in enumerate(workbook.get(repeat, []), start=1):
            record = dict(record)
            if repeat == "pmks":
                kode = record.get("kode_perkumpulan_pendamping")
                record[ACCOMPANIED] = ("Ya" if kode else "Tidak") if labels else (
                    "ya" if kode else "tidak")
                kode = kode or first
            else:
                kode = record["kode_perkumpulan"]
            row = [_names(repeat, c, record.get(c), lists, labels) for c in columns]
            row += [index, TITLE, index_of[kode], 1000 + index_of[kode], submission_uuid(kode),
                    SUBMITTED, None, None, "submitted_via_web", None, "vXyZ2026", None]
            rows.append(row)
        sheets[title] = rows
    return sheets


def kobo_xlsx(path, sheets: dict[str, list[list]]):
    book = openpyxl.Workbook()
    book.remove(book.active)
    for title, rows in sheets.items():
        sheet = book.create_sheet(title[:31])
        for row in rows:
            sheet.append(row)
    book.save(path)
    return path


def kobo_csv_zip(path, sheets: dict[str, list[list]]):
    """The CSV export: the main table `<form>.csv` and a `<form>-<repeat>.csv` per repeat,
    separated by ';' as KoboToolbox writes them, in a .zip."""
    with zipfile.ZipFile(path, "w") as archive:
        for title, rows in sheets.items():
            name = f"{TITLE}.csv" if title == TITLE else f"{TITLE}-{title}.csv"
            text = io.StringIO()
            writer = csv.writer(text, delimiter=";")
            for row in rows:
                writer.writerow(["" if v is None else v for v in row])
            archive.writestr(name, text.getvalue().encode("utf-8"))
    return path


CENTRAL_MAIN_META = ["meta-instanceID", "KEY", "SubmitterID", "SubmitterName",
                     "AttachmentsPresent", "AttachmentsExpected", "Status", "ReviewState",
                     "DeviceID", "Edits", "FormVersion"]


def central_csv_zip(path, kobo: dict[str, list[list]], form_id: str = "wksbm_327701"):
    """The same export as ODK Central writes it ("All data and media" without media): the main
    table `<form>.csv` — SubmissionDate, the fields with group paths joined by "-", then
    meta-instanceID, KEY ("uuid:…") and Central's own columns —, and `<form>-<repeat>.csv`
    per repeat, its fields then PARENT_KEY (the submission's KEY) and its own KEY; commas."""
    main, *repeats = kobo.items()
    title, rows = main
    header = rows[0]
    meta = {name: header.index(name) for name in MAIN_META}
    fields = [i for i, name in enumerate(header) if name not in meta]
    tables = {form_id: [["SubmissionDate", *(header[i].replace("/", "-") for i in fields),
                         *CENTRAL_MAIN_META]]}
    for row in rows[1:]:
        key = f"uuid:{row[meta['_uuid']]}"
        tables[form_id].append([SUBMITTED, *(row[i] for i in fields), key, key, "5",
                                "enumerator", "0", "0", "", "", "collect:abc", "0", "vXyZ2026"])
    for repeat_title_, rows in repeats:
        header = rows[0]
        meta = {name: header.index(name) for name in REPEAT_META}
        fields = [i for i, name in enumerate(header) if name not in meta]
        name = repeat_title_.replace(" ", "_")
        table = [[*(header[i].replace("/", "-") for i in fields), "PARENT_KEY", "KEY"]]
        for row in rows[1:]:
            parent = f"uuid:{row[meta['_submission__uuid']]}"
            table.append([*(row[i] for i in fields), parent,
                          f"{parent}/{name}[{row[meta['_index']]}]"])
        tables[f"{form_id}-{name}"] = table
    with zipfile.ZipFile(path, "w") as archive:
        for name, table in tables.items():
            text = io.StringIO()
            writer = csv.writer(text)
            for row in table:
                writer.writerow(["" if v is None else v for v in row])
            archive.writestr(f"{name}.csv", text.getvalue().encode("utf-8"))
    return path
