"""A full disk or database is told as what it is (503, "the server's storage is full", nothing
saved), never as the site's fault, and a web upload cut short by it leaves no half file."""

import os
import sqlite3
import uuid

import pytest

from registry.models import Impor
from registry.views import impor as impor_views
from tests.registry.test_import_web import CIBEUREUM, upload, workbook_bytes
from wksbm_site import errors

pytestmark = pytest.mark.django_db


@pytest.mark.skipif(not os.path.exists("/dev/full"), reason="needs Linux's /dev/full")
def test_an_upload_on_a_full_disk_is_told_and_leaves_nothing(
        client, operator, settings, tmp_path, monkeypatch):
    # The upload's file is /dev/full, whose every write fails as on a full disk (ENOSPC).
    settings.WKSBM_UPLOAD_DIR = str(tmp_path)
    name = uuid.UUID(int=2026)
    monkeypatch.setattr(impor_views.uuid, "uuid4", lambda: name)
    (tmp_path / f"{name.hex}.xlsx").symlink_to("/dev/full")
    client.raise_request_exception = False
    client.force_login(operator)
    response = upload(client, workbook_bytes(
        [("W-DW-1", CIBEUREUM, "Dasa Wisma Uji", "Dasa Wisma", 2001)]))
    assert response.status_code == 503
    page = response.content.decode()
    assert "Penyimpanan server penuh" in page
    assert "Tidak ada yang tersimpan" in page
    assert list(tmp_path.iterdir()) == []  # no half file
    assert Impor.objects.count() == 0


def full_sqlite_error() -> sqlite3.Error:
    """SQLite's own error of a database that cannot grow."""
    database = sqlite3.connect(":memory:")
    database.execute("CREATE TABLE t (x BLOB)")
    pages = database.execute("PRAGMA page_count").fetchone()[0]
    database.execute(f"PRAGMA max_page_count = {pages}")
    try:
        database.execute("INSERT INTO t VALUES (zeroblob(100000))")
    except sqlite3.Error as exc:
        return exc
    finally:
        database.close()
    raise AssertionError("SQLite grew past its limit")


def test_a_full_database_is_told_as_full_storage_and_other_faults_are_not(rf):
    from django.db import utils

    try:
        try:
            raise full_sqlite_error()
        except sqlite3.Error as exc:
            raise utils.OperationalError(str(exc)) from exc  # as Django wraps it
    except utils.OperationalError:
        response = errors.server_error(rf.get("/"))
    assert response.status_code == 503
    try:
        raise OSError(13, "Permission denied")
    except OSError:
        response = errors.server_error(rf.get("/"))
    assert response.status_code == 500
    assert "Terjadi kesalahan" in response.content.decode()
