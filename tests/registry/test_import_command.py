"""`manage.py import_survey FILE [--dry-run]`: the command-line contract of the survey import.

Exit status 0 on success, non-zero on any error after printing every error as
`sheet:row:column: message` on standard error; a one-line summary on standard output; --dry-run
only checks. In-process runs (call_command) see the exit status as a CommandError and its
returncode; two runs in a child process against a throw-away SQLite database check the real exit
status. The workbooks are real .xlsx files written with openpyxl.
"""

import datetime
import io
import os
import re
import shutil
import sqlite3
import subprocess
import sys
from contextlib import closing

import openpyxl
import pytest
from django.conf import settings
from django.core.management import CommandError, call_command
from django.utils import translation

from members.models import Keanggotaan, Warga
from network.models import Hubungan, Mitra
from pmks.models import KasusPMKS
from registry.models import Perkumpulan, Pilihan

CIBEUREUM = "32.77.01.1002"
SITI = "3277014101800001"
BUDI = "3277011505750002"
MODELS = (Perkumpulan, Warga, Keanggotaan, KasusPMKS, Hubungan, Mitra, Pilihan)
LINE = re.compile(r"^(?P<sheet>[a-z]+):(?P<row>\d+):(?P<column>[a-z_]+): (?P<message>\S.*)$")


# Building workbooks ------------------------------------------------------------------------------
def make_xlsx(tmp_path, sheets: dict, name: str = "survey.xlsx"):
    """Write a real .xlsx: each sheet is a list of dicts, one per row; the headers (row 1) are
    the union of their keys in order, and None cells stay empty."""
    book = openpyxl.Workbook()
    book.remove(book.active)
    for title, records in sheets.items():
        header = list(dict.fromkeys(k for record in records for k in record))
        sheet = book.create_sheet(title)
        sheet.append(header)
        for record in records:
            sheet.append([record.get(k) for k in header])
    path = tmp_path / name
    book.save(path)
    return path


def group(kode: str, **fields) -> dict:
    record = {"kode_perkumpulan": kode, "kode_wilayah": CIBEUREUM, "nama": f"Kelompok {kode}",
              "jenis": "Dasa Wisma", "tahun_berdiri": 2001}
    record.update(fields)
    return record


def good_file(tmp_path, name: str = "survey.xlsx"):
    return make_xlsx(tmp_path, {
        "perkumpulan": [group("CBR-DW-001", kegiatan="Arisan; Bank Sampah"),
                        group("CBR-PSY-001", jenis="Posyandu")],
        "anggota": [
            {"kode_perkumpulan": "CBR-DW-001", "nik": SITI, "nama": "Siti Aminah",
             "peran": "Ketua", "tanggal_lahir": datetime.date(1980, 1, 1)},
            {"kode_perkumpulan": "CBR-PSY-001", "nik": SITI, "nama": "Siti Aminah"},
            {"kode_perkumpulan": "CBR-PSY-001", "nik": BUDI, "nama": "Budi Santoso"},
        ],
        "pmks": [{"nama": "Mak Icih", "kode_wilayah": CIBEUREUM,
                  "kategori": "Lanjut Usia Terlantar"}],
        "jaringan": [{"kode_perkumpulan": "CBR-DW-001", "mitra": "CBR-PSY-001"}],
    }, name)


def bad_file(tmp_path, name: str = "bad.xlsx"):
    """Valid rows plus three errors on two sheets."""
    return make_xlsx(tmp_path, {
        "perkumpulan": [group("CBR-DW-001"), group("CBR-DW-002", jenis="Klub Motor", rw=0)],
        "anggota": [
            {"kode_perkumpulan": "CBR-DW-001", "nik": SITI, "nama": "Siti Aminah"},
            {"kode_perkumpulan": "CBR-DW-001", "nik": "123", "nama": "Budi Santoso"},
        ],
    }, name)


BAD_FILE_ERRORS = [
    ("perkumpulan", 3, "jenis"), ("perkumpulan", 3, "rw"), ("anggota", 3, "nik"),
]
GOOD_SUMMARY = (
    "perkumpulan: 2 created, 0 updated, 0 unchanged; anggota: 3 created, 0 updated, 0 unchanged; "
    "pmks: 1 created, 0 updated, 0 unchanged; jaringan: 1 created, 0 updated, 0 unchanged"
)


# Running the command -----------------------------------------------------------------------------
def counts() -> dict:
    return {model.__name__: model.objects.count() for model in MODELS}


def import_survey(*args) -> tuple[str, str]:
    """Run the command in this process; return (stdout, stderr). A failure raises CommandError."""
    out, err = io.StringIO(), io.StringIO()
    call_command("import_survey", *[str(a) for a in args], stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


def failing(*args) -> tuple[CommandError, str]:
    """Run the command expecting a non-zero exit; return the error and what went to stderr."""
    out, err = io.StringIO(), io.StringIO()
    with pytest.raises(CommandError) as raised:
        call_command("import_survey", *[str(a) for a in args], stdout=out, stderr=err)
    assert raised.value.returncode != 0
    assert out.getvalue() == ""
    return raised.value, err.getvalue()


def error_lines(stderr: str) -> list[tuple[str, int, str]]:
    """The `sheet:row:column: message` lines of stderr; every line must have that form."""
    found = []
    for line in stderr.splitlines():
        match = LINE.match(line)
        assert match, f"not a sheet:row:column: message line: {line!r}"
        found.append((match["sheet"], int(match["row"]), match["column"]))
    return found


# In-process runs ----------------------------------------------------------------------------------
@pytest.mark.django_db
def test_a_good_file_is_imported_with_a_one_line_summary(tmp_path):
    before = counts()
    with translation.override("en"):
        out, err = import_survey(good_file(tmp_path))
    assert out == GOOD_SUMMARY + "\n"
    assert err == ""
    assert {k: counts()[k] - before[k] for k in before} == {
        "Perkumpulan": 2, "Warga": 2, "Keanggotaan": 3, "KasusPMKS": 1, "Hubungan": 1,
        "Mitra": 0, "Pilihan": 1,
    }


@pytest.mark.django_db
def test_importing_the_same_file_again_reports_everything_unchanged(tmp_path):
    path = good_file(tmp_path)
    import_survey(path)
    before = counts()
    with translation.override("en"):
        out, _err = import_survey(path)
    assert out == (
        "perkumpulan: 0 created, 0 updated, 2 unchanged; anggota: 0 created, 0 updated, "
        "3 unchanged; pmks: 0 created, 0 updated, 1 unchanged; jaringan: 0 created, 0 updated, "
        "1 unchanged\n"
    )
    assert counts() == before


@pytest.mark.django_db
def test_errors_give_a_non_zero_exit_every_error_on_stderr_and_nothing_written(tmp_path):
    before = counts()
    error, err = failing(bad_file(tmp_path))
    assert error_lines(err) == BAD_FILE_ERRORS
    assert "3" in str(error)  # the number of errors
    assert counts() == before


@pytest.mark.django_db
def test_each_error_line_names_the_bad_value_and_what_would_be_right(tmp_path):
    with translation.override("en"):
        _error, err = failing(bad_file(tmp_path))
    lines = err.splitlines()
    assert lines[0].startswith("perkumpulan:3:jenis: ")
    assert "Klub Motor" in lines[0] and "Dasa Wisma" in lines[0]
    assert lines[1] == "perkumpulan:3:rw: RW/RT number 0 must be between 1 and 999."
    assert lines[2].startswith("anggota:3:nik: ") and "123" in lines[2]


@pytest.mark.django_db
def test_dry_run_of_a_good_file_writes_nothing_and_says_so(tmp_path):
    before = counts()
    with translation.override("en"):
        out, err = import_survey(good_file(tmp_path), "--dry-run")
    assert out == "Dry run, nothing written. " + GOOD_SUMMARY + "\n"
    assert err == ""
    assert counts() == before


@pytest.mark.django_db
def test_dry_run_of_a_bad_file_reports_the_errors_with_a_non_zero_exit(tmp_path):
    before = counts()
    _error, err = failing(bad_file(tmp_path), "--dry-run")
    assert error_lines(err) == BAD_FILE_ERRORS
    assert counts() == before


@pytest.mark.django_db
def test_warnings_are_printed_and_do_not_fail_the_import(tmp_path):
    path = make_xlsx(tmp_path, {"perkumpulan": [group("CBR-DW-001", nomor_urut=1)]})
    with translation.override("en"):
        out, err = import_survey(path)
    assert err.splitlines()[0].startswith("perkumpulan:1:nomor_urut: ")
    assert err.splitlines()[0].endswith("(warning)")
    assert Perkumpulan.objects.filter(kode="CBR-DW-001").exists()
    assert out.count("\n") == 1


@pytest.mark.django_db
def test_a_file_that_is_not_a_workbook_fails_naming_the_file(tmp_path):
    path = tmp_path / "survey.xlsx"
    path.write_text("bukan workbook\n", encoding="utf-8")
    error, _err = failing(path)
    assert str(error).startswith(f"{path}: ")


@pytest.mark.django_db
def test_a_missing_file_fails(tmp_path):
    error, _err = failing(tmp_path / "nowhere.xlsx")
    assert str(tmp_path / "nowhere.xlsx") in str(error)


# The real exit status, in a child process --------------------------------------------------------
@pytest.fixture(scope="module")
def sqlite_template(tmp_path_factory):
    """A migrated SQLite database with the reference lists and the areas of Kota Cimahi."""
    path = tmp_path_factory.mktemp("cli") / "template.sqlite3"
    for command in (["migrate", "--no-input"], ["loaddata", "referensi"],
                    ["load_wilayah", "--prefix", "32.77"]):
        done = manage(path, *command, "-v0")
        assert done.returncode == 0, done.stderr
    # Fold the write-ahead log into the file, so that a copy of the file is the whole database.
    with closing(sqlite3.connect(path)) as connection:
        connection.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        connection.execute("PRAGMA journal_mode=DELETE")
    return path


def manage(database, *args):
    env = {**os.environ, "DATABASE_URL": f"sqlite:///{database}",
           "DJANGO_SETTINGS_MODULE": "wksbm_site.settings"}
    env.setdefault("DJANGO_SECRET_KEY", "tests-only-not-secret")
    return subprocess.run(
        [sys.executable, str(settings.BASE_DIR / "manage.py"), *map(str, args)],
        cwd=settings.BASE_DIR, env=env, capture_output=True, text=True, timeout=120,
    )


def test_command_line_exit_status_is_0_with_the_summary_on_stdout(tmp_path, sqlite_template):
    database = shutil.copy(sqlite_template, tmp_path / "db.sqlite3")
    done = manage(database, "import_survey", good_file(tmp_path))
    assert done.returncode == 0, done.stderr
    assert done.stderr == ""
    assert len(done.stdout.splitlines()) == 1
    summary = done.stdout.strip()
    for sheet, created in (("perkumpulan", 2), ("anggota", 3), ("pmks", 1), ("jaringan", 1)):
        assert re.search(rf"\b{sheet}:[^;]*\b{created}\b", summary), summary


def test_command_line_exit_status_is_non_zero_with_every_error_on_stderr(
    tmp_path, sqlite_template
):
    database = shutil.copy(sqlite_template, tmp_path / "db.sqlite3")
    done = manage(database, "import_survey", bad_file(tmp_path))
    assert done.returncode != 0
    assert done.stdout == ""
    lines = done.stderr.splitlines()
    assert error_lines("\n".join(lines[:-1])) == BAD_FILE_ERRORS
    assert lines[-1].startswith("CommandError: ")
    # Nothing was written: a good import afterwards still creates every group.
    again = manage(database, "import_survey", good_file(tmp_path), "--dry-run")
    assert again.returncode == 0, again.stderr
    assert re.search(r"\bperkumpulan:[^;]*\b2\b", again.stdout), again.stdout
