"""A full disk or database is told as what it is (503, "the server's storage is full", nothing
saved), never as the site's fault, and a web upload cut short by it leaves no half file."""

import errno
import os
import sqlite3
import uuid

import pytest
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import TemporaryUploadedFile

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


# Media files (aid evidence, verification decrees): whole or not at all ------------------------
class FillsTheDisk:
    """An upload's stream that fails as a full disk does, after its first 64 KiB are written."""

    def chunks(self, chunk_size=None):
        yield b"x" * 65536
        raise OSError(errno.ENOSPC, "No space left on device")


def media_files(root) -> list[str]:
    return sorted(str(p.relative_to(root)) for p in root.rglob("*") if p.is_file())


def test_a_media_file_cut_short_by_a_full_disk_leaves_nothing(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    with pytest.raises(OSError) as failed:
        default_storage.save("bantuan/bukti/2026/12/foto.jpg", FillsTheDisk())
    assert failed.value.errno == errno.ENOSPC
    assert errors.storage_full(failed.value)  # told as 503 by the site's error page
    assert media_files(tmp_path) == []


def test_media_files_are_saved_whole_under_their_names(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    first = default_storage.save("bantuan/bukti/foto.jpg", ContentFile(b"first"))
    second = default_storage.save("bantuan/bukti/foto.jpg", ContentFile(b"second"))
    upload = TemporaryUploadedFile("scan.pdf", "application/pdf", 5, None)
    upload.write(b"third")
    upload.flush()
    third = default_storage.save("verifikasi/scan.pdf", upload)  # moved, not copied
    upload.close()
    assert first == "bantuan/bukti/foto.jpg"
    assert second != first and second.startswith("bantuan/bukti/foto_")
    assert [default_storage.open(n).read() for n in (first, second, third)] == [
        b"first", b"second", b"third"]
    assert media_files(tmp_path) == sorted([first, second, third])  # no partial file left


def test_a_name_taken_while_the_file_is_written_is_not_overwritten(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    taken = tmp_path / "bantuan" / "foto.jpg"

    class TakenMeanwhile(ContentFile):
        def chunks(self, chunk_size=None):
            taken.parent.mkdir(parents=True, exist_ok=True)
            taken.write_bytes(b"another's")
            yield from super().chunks(chunk_size)

    name = default_storage.save("bantuan/foto.jpg", TakenMeanwhile(b"mine"))
    assert name != "bantuan/foto.jpg"
    assert taken.read_bytes() == b"another's"
    assert default_storage.open(name).read() == b"mine"
    assert media_files(tmp_path) == sorted(["bantuan/foto.jpg", name])
