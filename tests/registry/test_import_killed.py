"""An import killed half-way leaves the database as it was.

`manage.py import_survey` runs in a child process against a real database — a SQLite file, or a
PostgreSQL database when the suite runs on PostgreSQL — that already holds groups, people,
memberships, a case and links. A large workbook (real .xlsx, openpyxl) is imported and the
process is killed with SIGKILL once it writes: on SQLite once it holds the write lock and its
write-ahead log grows, on PostgreSQL once its transaction has written a row. Afterwards every
row of every table is what it was, and the database opens and imports fine.
"""

import os
import signal
import sqlite3
import subprocess
import sys
import time

import openpyxl
import pytest
from django.conf import settings
from openpyxl.cell import WriteOnlyCell

from members.models import Keanggotaan, Warga
from network.models import Hubungan
from pmks.models import KasusPMKS
from registry.models import Perkumpulan
from tests.conftest import CIBEUREUM
from tests.registry.databases import database_template, scratch_database  # noqa: F401
from tests.registry.test_import_command import good_file

GROUPS, MEMBERS = 2000, 20000  # a write of a few seconds: long enough to be caught in
APP_NAME = "wksbm-import-killed"
TABLES = {"groups": Perkumpulan, "people": Warga, "memberships": Keanggotaan,
          "cases": KasusPMKS, "links": Hubungan}


def big_workbook(path):
    """GROUPS groups (two of them already in the database, renamed), MEMBERS members with NIKs
    of their own, a case and a link: a real .xlsx written in openpyxl's write-only mode."""
    book = openpyxl.Workbook(write_only=True)
    sheet = book.create_sheet("perkumpulan")
    sheet.append(["kode_perkumpulan", "kode_wilayah", "nama", "jenis", "tahun_berdiri",
                  "kegiatan"])
    codes = ["CBR-DW-001", "CBR-PSY-001"] + [f"BIG-{g:05d}" for g in range(GROUPS - 2)]
    for g, kode in enumerate(codes):
        jenis = "Posyandu" if kode == "CBR-PSY-001" else "Dasa Wisma"
        sheet.append([kode, CIBEUREUM, f"Kelompok Besar {g}", jenis, 2001, "Arisan; Bank Sampah"])
    sheet = book.create_sheet("anggota")
    sheet.append(["kode_perkumpulan", "nik", "nama"])
    for i in range(MEMBERS):
        # Kecamatan 32.77.02, born on day 1–28 of a month of 1980, sequence from 0001: unique.
        nik = f"327702{1 + i % 28:02d}{1 + (i // 28) % 12:02d}80{1 + i // 336:04d}"
        cell = WriteOnlyCell(sheet, value=nik)
        cell.number_format = "@"
        sheet.append([codes[i % GROUPS], cell, f"Warga Besar {i}"])
    sheet = book.create_sheet("pmks")
    sheet.append(["nama", "kode_wilayah", "kategori"])
    sheet.append(["Aki Darma", CIBEUREUM, "Lanjut Usia Terlantar"])
    sheet = book.create_sheet("jaringan")
    sheet.append(["kode_perkumpulan", "mitra"])
    sheet.append(["BIG-00000", "CBR-DW-001"])
    book.save(path)
    return path


def start_import(db, workbook) -> subprocess.Popen:
    return subprocess.Popen(
        [sys.executable, str(settings.BASE_DIR / "manage.py"), "import_survey", str(workbook)],
        cwd=settings.BASE_DIR, env=db.env(PGAPPNAME=APP_NAME),
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
    )


def sqlite_writing(db) -> bool:
    """The import holds SQLite's write lock and has written pages to the write-ahead log."""
    with db.connect() as probe:
        probe.isolation_level = None
        try:
            probe.execute("PRAGMA busy_timeout = 0")
            probe.execute("BEGIN IMMEDIATE")
            probe.execute("ROLLBACK")
            return False
        except sqlite3.OperationalError:  # database is locked: the import's transaction
            wal = db.path.with_name(db.path.name + "-wal")
            return wal.exists() and wal.stat().st_size > 256 * 1024


def postgres_backend(db) -> list[tuple]:
    """The import's connection: (pid, its transaction has written a row)."""
    return db.query(
        "SELECT pid, backend_xid IS NOT NULL FROM pg_stat_activity WHERE application_name = %s",
        (APP_NAME,))


def postgres_writing(db) -> bool:
    return any(wrote for _pid, wrote in postgres_backend(db))


@pytest.mark.django_db
def test_an_import_killed_while_writing_leaves_the_database_as_it_was(
    database_template, tmp_path  # noqa: F811 - the fixture imported above
):
    with scratch_database(database_template, tmp_path, "killed") as db:
        first = db.manage("import_survey", good_file(tmp_path))
        assert first.returncode == 0, first.stderr
        counts = {name: db.count(model._meta.db_table) for name, model in TABLES.items()}
        assert counts == {"groups": 2, "people": 2, "memberships": 3, "cases": 1, "links": 1}
        before = db.everything()
        workbook = big_workbook(tmp_path / "big.xlsx")

        writing = sqlite_writing if db.vendor == "sqlite" else postgres_writing
        process = start_import(db, workbook)
        deadline = time.monotonic() + 60
        try:
            while process.poll() is None and not writing(db):
                assert time.monotonic() < deadline, "the import never started writing"
                time.sleep(0.02)
            assert process.poll() is None, (
                "the import ended before it could be killed; make the workbook bigger\n"
                + process.communicate()[1])
            os.kill(process.pid, signal.SIGKILL)
        finally:
            process.kill()
            process.communicate()
        assert process.returncode == -signal.SIGKILL

        if db.vendor == "postgresql":  # the server notices the lost client and rolls back
            while postgres_backend(db):
                assert time.monotonic() < deadline, "the killed import's backend stayed"
                time.sleep(0.05)
        else:
            assert db.query("PRAGMA integrity_check") == [("ok",)]
        after = {name: db.count(model._meta.db_table) for name, model in TABLES.items()}
        assert after == counts
        assert db.everything() == before

        # The database opens fine: the same small file imports again, all unchanged.
        again = db.manage("import_survey", good_file(tmp_path))
        assert again.returncode == 0, again.stderr
        assert again.stdout.startswith("perkumpulan: 0 baru, 0 diubah, 2 tidak berubah"), (
            again.stdout)
