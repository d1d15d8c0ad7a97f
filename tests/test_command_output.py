"""The management commands and the files they write and read: a folder given as the output, a
folder that does not exist, a file where a folder should be, a full disk (/dev/full), an I/O error
once the file is written, a folder or a missing file given as the input, an unknown database, a
reference year of 0. Each fails with a one-line CommandError naming the path (the non-zero exit
of manage.py), never another exception or a traceback printed later (an archive left half
written), and no half-written file is left behind: an older file of that name stays as it was.
"""

import errno
import gc
import io
import os
import sys
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command
from django.utils import translation

from registry.management.commands import backup as backup_command

FULL = Path("/dev/full")
needs_dev_full = pytest.mark.skipif(
    not (FULL.exists() and os.access(FULL, os.W_OK)), reason="no writable /dev/full")

# Every command that writes a file, with the options before its output's.
WRITERS = {
    "rekap-json": ["rekap", "--wilayah", "32.77", "--tahun-acuan", "2020", "--output"],
    "rekap-text": ["rekap", "--wilayah", "32.77", "--format", "text", "--output"],
    "rekap-xlsx": ["rekap", "--wilayah", "32.77", "--format", "xlsx", "--output"],
    "jaringan-json": ["jaringan", "--wilayah", "32.77", "--output"],
    "jaringan-graphml": ["jaringan", "--wilayah", "32.77", "--format", "graphml", "--output"],
    "ketahanan-json": ["ketahanan", "--wilayah", "32.77", "--output"],
    "ketahanan-xlsx": ["ketahanan", "--wilayah", "32.77", "--format", "xlsx", "--output"],
    "export_survey": ["export_survey", "--wilayah", "32.77", "--output"],
    "export_survey-template": ["export_survey", "--template", "--output"],
    "xlsform": ["xlsform", "--wilayah", "32.77", "-o"],
    "backup": ["backup", "--output"],
}
# A folder given to backup is where it writes its default name: not a bad output.
FILE_WRITERS = {name: args for name, args in WRITERS.items() if name != "backup"}


def refused(*args) -> str:
    """Run a command that must fail: its CommandError's message, in English. Any other
    exception escapes and fails the test; so does an exception raised where nobody catches it
    (printed as "Exception ignored in …", e.g. by an archive written on when it is collected)."""
    unraisable = []
    hook, sys.unraisablehook = sys.unraisablehook, unraisable.append
    try:
        try:
            with translation.override("en"):
                call_command(*[str(a) for a in args], stdout=io.StringIO(),
                             stderr=io.StringIO())
        except CommandError as exc:
            message, returncode = str(exc), exc.returncode
        else:
            pytest.fail(f"{args[0]} did not fail")
        gc.collect()  # the exception and what its frames held are gone: collect the rest
    finally:
        sys.unraisablehook = hook
    assert not unraisable, [f"{u.exc_type.__name__}: {u.exc_value}" for u in unraisable]
    assert returncode != 0
    assert "\n" not in message, message
    return message


def files_in(folder: Path) -> list[str]:
    return sorted(str(p.relative_to(folder)) for p in folder.rglob("*"))


# Bad outputs -------------------------------------------------------------------------------------
@pytest.mark.django_db
@pytest.mark.parametrize("command", FILE_WRITERS.values(), ids=FILE_WRITERS)
def test_a_folder_as_the_output_is_refused(command, tmp_path):
    message = refused(*command, tmp_path)
    assert message == f"Cannot write {tmp_path}: Is a directory."
    assert files_in(tmp_path) == []


@pytest.mark.django_db
@pytest.mark.parametrize("command", WRITERS.values(), ids=WRITERS)
def test_an_output_in_a_missing_folder_is_refused(command, tmp_path):
    target = tmp_path / "nowhere" / "out.file"
    message = refused(*command, target)
    assert message.startswith(f"Cannot write {target}: ")
    assert "does not exist" in message
    assert files_in(tmp_path) == []


@pytest.mark.django_db
@pytest.mark.parametrize("command", WRITERS.values(), ids=WRITERS)
def test_an_output_beneath_a_file_is_refused(command, tmp_path):
    (tmp_path / "a-file").write_text("kept")
    target = tmp_path / "a-file" / "out.file"
    message = refused(*command, target)
    assert message.startswith(f"Cannot write {target}: ")
    assert files_in(tmp_path) == ["a-file"]
    assert (tmp_path / "a-file").read_text() == "kept"


@needs_dev_full
@pytest.mark.django_db
@pytest.mark.parametrize("command", FILE_WRITERS.values(), ids=FILE_WRITERS)
def test_a_full_disk_is_told(command):
    before = sorted(os.listdir("/dev"))
    message = refused(*command, FULL)
    assert message == f"Cannot write {FULL}: No space left on device."
    assert sorted(os.listdir("/dev")) == before  # a device is written in place, not replaced


@needs_dev_full
def test_a_backup_never_writes_over_a_device():
    assert str(FULL) in refused("backup", "--output", FULL)
    assert FULL.is_char_device()


@pytest.mark.django_db
@pytest.mark.parametrize("command", WRITERS.values(), ids=WRITERS)
def test_an_error_once_written_leaves_no_partial_file_and_the_older_file(command, tmp_path,
                                                                        monkeypatch):
    """The output is complete on disk only when renamed: an I/O error as it is flushed to disk
    leaves neither the partial file nor a damaged older file."""
    def copy(_alias, target):  # the test database cannot be copied in this process
        Path(target).write_bytes(b"SQLite format 3\x00 a copy")

    def failing_fsync(_fd):
        raise OSError(errno.EIO, os.strerror(errno.EIO))

    target = tmp_path / "out.file"
    if command[0] != "backup":  # a backup never overwrites a file
        target.write_text("the older file")
    monkeypatch.setattr(backup_command, "copy_sqlite", copy)
    monkeypatch.setattr(backup_command, "dump_postgresql", copy)
    monkeypatch.setattr(os, "fsync", failing_fsync)
    message = refused(*command, target)
    assert message == f"Cannot write {target}: Input/output error."
    if command[0] == "backup":
        assert files_in(tmp_path) == []
    else:
        assert files_in(tmp_path) == ["out.file"]
        assert target.read_text() == "the older file"


@pytest.mark.django_db
def test_a_good_output_replaces_the_older_file_and_leaves_nothing_else(tmp_path):
    target = tmp_path / "rekap.json"
    target.write_text("the older file")
    target.chmod(0o640)
    call_command("rekap", "--wilayah", "32.77", "--output", target, stderr=io.StringIO())
    assert target.read_text(encoding="utf-8").startswith("{")
    assert files_in(tmp_path) == ["rekap.json"]
    assert target.stat().st_mode & 0o777 == 0o640


# Bad inputs --------------------------------------------------------------------------------------
@pytest.mark.django_db
def test_a_folder_to_import_is_refused(tmp_path):
    assert refused("import_survey", tmp_path) == f"Cannot read {tmp_path}: Is a directory."


@pytest.mark.django_db
def test_a_missing_file_to_import_is_refused(tmp_path):
    missing = tmp_path / "nowhere.xlsx"
    assert refused("import_survey", missing) == (
        f"Cannot read {missing}: No such file or directory.")


def test_a_folder_to_restore_is_refused(tmp_path):
    assert refused("restore", tmp_path, "--yes") == f"Cannot read {tmp_path}: Is a directory."


@pytest.mark.django_db
def test_a_file_as_the_areas_folder_is_refused(tmp_path):
    (tmp_path / "a-file").write_text("x")
    message = refused("load_wilayah", "--dir", tmp_path / "a-file")
    assert message == f"Cannot read {tmp_path / 'a-file' / 'provinces.csv'}: Not a directory."


@pytest.mark.django_db
def test_an_areas_file_that_is_no_text_is_refused(tmp_path):
    (tmp_path / "provinces.csv").write_bytes(b"code,name\n32,\xff\xfe JAWA BARAT\n")
    message = refused("load_wilayah", "--dir", tmp_path)
    assert message.startswith(f"Cannot read {tmp_path / 'provinces.csv'}: ")


# Bad options -------------------------------------------------------------------------------------
@pytest.mark.parametrize("command", ["backup", "restore"])
def test_an_unknown_database_is_refused_with_the_known_ones(command, tmp_path):
    args = [command] if command == "backup" else [command, tmp_path / "copy.sqlite3", "--yes"]
    message = refused(*args, "--database", "nope")
    assert "nope" in message and "default" in message
    assert files_in(tmp_path) == []


@pytest.mark.django_db
@pytest.mark.parametrize("command", ["rekap", "ketahanan"])
@pytest.mark.parametrize("year", ["0", "-5", "99999"])
def test_an_implausible_reference_year_is_refused(command, year):
    message = refused(command, "--wilayah", "32.77", "--tahun-acuan", year)
    assert message == f"--tahun-acuan {year} is not a plausible year."
