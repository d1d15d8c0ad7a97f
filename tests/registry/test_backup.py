"""`manage.py backup` and `manage.py restore`: a copy made while the app runs comes back exactly.

The round trip runs the commands in child processes against a copy of the test database (a
SQLite file; a PostgreSQL database when the suite runs on PostgreSQL): data is imported (groups,
people, memberships, a case, links), backed up while another connection holds a write it has not
committed, changed and deleted, restored — and every row of every table is what it was. The
backup also restores into an empty database. Bad input fails with a clear message, a non-zero
exit and no file that looks like a backup.
"""

import sqlite3
from contextlib import closing, contextmanager
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command
from django.utils import translation

from members.models import Keanggotaan
from network.models import Hubungan
from registry.management.commands import backup as backup_command
from registry.models import Perkumpulan
from tests.registry.databases import (  # noqa: F401 - the fixture
    Scratch,
    create_pg,
    database_template,
    drop_pg,
    pg_url,
    scratch_database,
)
from tests.registry.test_import_command import good_file, make_xlsx

GROUPS = Perkumpulan._meta.db_table
LINKS = Hubungan._meta.db_table
MEMBERSHIPS = Keanggotaan._meta.db_table


@contextmanager
def write_not_committed(db: Scratch):
    """Another connection in the middle of a write: its change must not be in the backup, and
    the backup must not wait for it."""
    sql = f"UPDATE \"{GROUPS}\" SET nama = 'BELUM DISIMPAN'"
    if db.vendor == "sqlite":
        with closing(sqlite3.connect(db.path, isolation_level=None)) as writer:
            writer.execute("BEGIN IMMEDIATE")
            writer.execute(sql)
            yield
            writer.execute("ROLLBACK")
    else:
        import psycopg

        with psycopg.connect(dbname=db.name, **db.params) as writer:
            writer.execute(sql)
            yield
            writer.rollback()


def backed_up(done, folder: Path) -> Path:
    assert done.returncode == 0, done.stderr
    assert done.stdout.startswith("Cadangan ditulis: "), done.stdout
    [written] = [p for p in folder.iterdir() if not p.name.startswith("template")]
    assert str(written) in done.stdout
    return written


@pytest.mark.django_db
def test_a_backup_made_while_the_app_runs_restores_every_row(database_template, tmp_path):  # noqa: F811
    folder = tmp_path / "backups"
    folder.mkdir()
    with scratch_database(database_template, tmp_path, "backup") as db:
        imported = db.manage("import_survey", good_file(tmp_path))
        assert imported.returncode == 0, imported.stderr
        assert (db.count(GROUPS), db.count(MEMBERSHIPS), db.count(LINKS)) == (2, 3, 1)
        before = db.everything()

        with write_not_committed(db):
            copy = backed_up(db.manage("backup", "--output", folder), folder)
        assert copy.suffix == (".sqlite3" if db.vendor == "sqlite" else ".dump")
        assert copy.name.startswith("wksbm-")

        # Changed and deleted after the backup: another import, a rename, deletions.
        changed = db.manage("import_survey", make_xlsx(tmp_path, {"perkumpulan": [{
            "kode_perkumpulan": "CBR-KT-009", "kode_wilayah": "32.77.01.1002",
            "nama": "Karang Taruna Baru", "jenis": "Karang Taruna", "tahun_berdiri": 2020}]},
            "later.xlsx"))
        assert changed.returncode == 0, changed.stderr
        db.execute(f'DELETE FROM "{LINKS}"', f'DELETE FROM "{MEMBERSHIPS}"',
                   f"UPDATE \"{GROUPS}\" SET nama = 'Diubah'")
        assert db.everything() != before

        refused = db.manage("restore", copy)
        assert refused.returncode != 0 and "--yes" in refused.stderr
        restored = db.manage("restore", copy, "--yes")
        assert restored.returncode == 0, restored.stderr
        assert db.everything() == before

        # The backup also fills an empty database (a new server).
        if db.vendor == "sqlite":
            empty = Scratch("sqlite", f"sqlite:///{tmp_path / 'new.sqlite3'}",
                            path=tmp_path / "new.sqlite3")
            assert empty.manage("restore", copy, "--yes").returncode == 0
            assert empty.everything() == before
            assert Scratch("sqlite", "", path=copy).everything() == before  # the copy itself
        else:
            name = f"{db.name}_new"
            create_pg(name)
            try:
                empty = Scratch("postgresql", pg_url(name), name=name, params=db.params)
                done = empty.manage("restore", copy, "--yes")
                assert done.returncode == 0, done.stderr
                assert empty.everything() == before
            finally:
                drop_pg(name)


# Bad input -------------------------------------------------------------------------------------
def only_backups(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir())


def test_an_output_in_a_missing_folder_fails_clearly(tmp_path):
    with translation.override("en"), pytest.raises(CommandError, match="does not exist") as raised:
        call_command("backup", "--output", tmp_path / "nowhere" / "copy.sqlite3")
    assert raised.value.returncode != 0
    assert only_backups(tmp_path) == []


def test_an_output_under_a_file_fails_clearly(tmp_path):
    (tmp_path / "a-file").write_text("x")
    with translation.override("en"), pytest.raises(CommandError, match="does not exist"):
        call_command("backup", "--output", tmp_path / "a-file" / "copy.sqlite3")
    assert only_backups(tmp_path) == ["a-file"]


def test_a_backup_never_overwrites_a_file(tmp_path):
    existing = tmp_path / "copy.sqlite3"
    existing.write_text("an older backup")
    with translation.override("en"), pytest.raises(CommandError, match="already exists"):
        call_command("backup", "--output", existing)
    assert existing.read_text() == "an older backup"


def test_a_copy_that_fails_half_way_leaves_nothing(tmp_path, monkeypatch):
    def fail(alias, target):
        Path(target).write_bytes(b"SQLite format 3\x00 half a database")
        raise sqlite3.OperationalError("database or disk is full")

    monkeypatch.setattr(backup_command, "copy_sqlite", fail)
    monkeypatch.setattr(backup_command, "dump_postgresql", fail)
    with pytest.raises(CommandError, match="disk is full"):
        call_command("backup", "--output", tmp_path / "copy")
    assert only_backups(tmp_path) == []


# PostgreSQL's tools, whatever database the suite runs on: the settings point at a server that
# is not there, with a password that must never be shown.
PASSWORD = "rahasia-JANGAN-tampil"
NOWHERE = Scratch("postgresql", f"postgres://wksbm:{PASSWORD}@127.0.0.1:1/wksbm")


def test_without_pg_dump_the_backup_says_what_to_install(tmp_path):
    done = NOWHERE.manage("backup", "--output", tmp_path, PATH="/nonexistent")
    assert done.returncode != 0
    assert "pg_dump tidak ditemukan" in done.stderr
    assert PASSWORD not in done.stdout + done.stderr
    assert only_backups(tmp_path) == []


def test_a_failing_pg_dump_is_told_without_the_password(tmp_path):
    done = NOWHERE.manage("backup", "--output", tmp_path)
    if "pg_dump tidak ditemukan" in done.stderr:
        pytest.skip("pg_dump is not installed")
    assert done.returncode != 0
    assert "pg_dump gagal" in done.stderr
    assert PASSWORD not in done.stdout + done.stderr
    assert only_backups(tmp_path) == []


def test_restore_refuses_a_file_that_is_no_backup(tmp_path):
    other = tmp_path / "notes.txt"
    other.write_text("not a database")
    with translation.override("en"), pytest.raises(CommandError, match="not a backup"):
        call_command("restore", other, "--yes")
    with translation.override("en"), pytest.raises(CommandError, match="file not found"):
        call_command("restore", tmp_path / "missing.sqlite3", "--yes")
