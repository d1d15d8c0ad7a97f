"""Web imports one at a time, and uploads that do not stay for ever (issue 16).

A check or a save runs inside one of WKSBM_IMPORT_SLOTS import slots (a file lock under
WKSBM_UPLOAD_DIR shared by every worker process); an upload or a confirmation that finds them
taken waits its turn (MENUNGGU), told so, and the waiting page — which refreshes itself — runs
the first waiting import once a slot is free. Unconfirmed uploads expire after
WKSBM_UPLOAD_KEEP_HOURS, on every upload and with `manage.py clean_uploads`.
"""

import datetime
import io
import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.core.management import call_command
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from registry import import_queue
from registry.models import Impor, Perkumpulan
from tests.registry.hostile_workbooks import HEADER, Big, group_row, write_xlsx


@pytest.fixture(autouse=True)
def english(client, settings):
    """The messages in English, their source (the Indonesian catalogue is another's work)."""
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"


@pytest.fixture(autouse=True)
def uploads(settings, tmp_path):
    """Each test its own upload folder, so its slots are its own."""
    settings.WKSBM_UPLOAD_DIR = str(tmp_path / "impor")
    settings.WKSBM_IMPORT_SLOTS = 1
    settings.WKSBM_UPLOAD_KEEP_HOURS = 24
    return Path(settings.WKSBM_UPLOAD_DIR)


def survey(*groups, name="survei.xlsx") -> io.BytesIO:
    buffer = io.BytesIO()
    write_xlsx(buffer, [HEADER, *(groups or [group_row(1)])], shared=True)
    buffer.seek(0)
    buffer.name = name
    return buffer


def upload(client, content=None):
    return client.post(reverse("registry:impor_new"), {"berkas": content or survey()})


def detail(client, record):
    return client.get(reverse("registry:impor_detail", args=[record.pk]))


def confirm(client, record):
    return client.post(reverse("registry:impor_confirm", args=[record.pk]))


def told(response) -> str:
    return " ".join(str(m) for m in response.wsgi_request._messages)


# Waiting its turn ---------------------------------------------------------------------------------
def test_an_upload_waits_while_another_import_runs_and_its_page_runs_it_after(client, operator):
    client.force_login(operator)
    with import_queue.slot() as held:
        assert held
        response = upload(client)
        record = Impor.objects.get()
        assert response.status_code == 302
        assert record.status == "MENUNGGU" and not record.simpan
        assert "Another import is running: your file waits its turn to be checked" in told(response)
        page = detail(client, record)  # the slot is still taken: it still waits
        record.refresh_from_db()
        assert record.status == "MENUNGGU"
        html = page.content.decode()
        assert '<meta http-equiv="refresh" content="5">' in html
        assert reverse("registry:impor_confirm", args=[record.pk]) not in html
        assert Path(record.berkas).is_file()
    page = detail(client, record)  # the slot is free: this request checks the file
    record.refresh_from_db()
    assert record.status == "DIPERIKSA"
    assert record.jumlah["perkumpulan"] == {"created": 1, "updated": 0, "unchanged": 0}
    html = page.content.decode()
    assert 'http-equiv="refresh"' not in html
    assert reverse("registry:impor_confirm", args=[record.pk]) in html
    assert not Perkumpulan.objects.exists()


def test_a_confirmation_waits_its_turn_then_is_saved_whole(client, operator):
    client.force_login(operator)
    upload(client, survey(group_row(1), group_row(2)))
    record = Impor.objects.get()
    assert record.status == "DIPERIKSA"  # no other import: checked at once
    with import_queue.slot():
        response = confirm(client, record)
        record.refresh_from_db()
        assert (record.status, record.simpan) == ("MENUNGGU", True)
        assert "waits its turn to be saved" in told(response)
        assert confirm(client, record).status_code == 302  # twice: it still waits, once
        assert not Perkumpulan.objects.exists()
    response = detail(client, record)
    record.refresh_from_db()
    assert record.status == "DIIMPOR" and record.berkas == ""
    assert Perkumpulan.objects.count() == 2
    assert "Imported: perkumpulan: 2 created" in told(response)


def test_a_save_waiting_its_turn_checks_again_against_the_registry_of_then(
        client, operator, make_perkumpulan):
    """Still all or nothing: while the save waited, another village registered the group's
    code; the save refuses the whole file and says so."""
    client.force_login(operator)
    upload(client, survey(group_row(1), group_row(2)))
    record = Impor.objects.get()
    with import_queue.slot():
        confirm(client, record)
        make_perkumpulan("H-2", desa="32.77.01.1001")
    response = detail(client, record)
    record.refresh_from_db()
    assert record.status == "GAGAL" and record.kesalahan and record.berkas == ""
    assert "The registry changed since the check" in told(response)
    assert list(Perkumpulan.objects.values_list("kode", flat=True)) == ["H-2"]


def test_waiting_imports_run_in_the_order_they_came_whoever_asks(client, operator, staf):
    client.force_login(operator)
    with import_queue.slot():
        upload(client, survey(group_row(1)))
        client.force_login(staf)
        upload(client, survey(group_row(2)))
    first, second = Impor.objects.order_by("pk")
    page = detail(client, second).content.decode()  # staf's page runs the operator's first
    first.refresh_from_db()
    second.refresh_from_db()
    assert (first.status, second.status) == ("DIPERIKSA", "MENUNGGU")
    assert "Your file is next." in page
    detail(client, second)
    second.refresh_from_db()
    assert second.status == "DIPERIKSA"


def test_the_waiting_page_tells_the_place_in_the_queue(client, operator):
    client.force_login(operator)
    with import_queue.slot():
        for n in range(3):
            upload(client, survey(group_row(n)))
        last = Impor.objects.order_by("pk").last()
        page = detail(client, last).content.decode()
    assert "2 imports wait before yours." in page


SLOT_HOLDER = """
import fcntl, os, sys, time
handle = os.open(sys.argv[1], os.O_RDWR | os.O_CREAT, 0o600)
fcntl.flock(handle, fcntl.LOCK_EX)
print("held", flush=True)
time.sleep(60)
"""


def test_the_slot_is_shared_by_every_worker_process(client, operator, uploads):
    """Another process (a second gunicorn worker) holding the slot makes this one's upload
    wait; once it ends, the waiting page runs the import."""
    uploads.mkdir(parents=True, exist_ok=True)
    holder = subprocess.Popen([sys.executable, "-c", SLOT_HOLDER, str(uploads / ".slot-0.lock")],
                              stdout=subprocess.PIPE, text=True)
    try:
        assert holder.stdout.readline().strip() == "held"
        client.force_login(operator)
        upload(client)
        record = Impor.objects.get()
        assert record.status == "MENUNGGU"
    finally:
        holder.kill()
        holder.wait()
    detail(client, record)
    record.refresh_from_db()
    assert record.status == "DIPERIKSA"


def test_more_slots_let_imports_run_side_by_side(client, operator, settings):
    settings.WKSBM_IMPORT_SLOTS = 2
    client.force_login(operator)
    with import_queue.slot():
        upload(client)
    assert Impor.objects.get().status == "DIPERIKSA"


def test_an_import_whose_worker_died_twice_is_refused_with_a_message(client, operator):
    client.force_login(operator)
    with import_queue.slot():
        upload(client)
    record = Impor.objects.get()
    Impor.objects.filter(pk=record.pk).update(percobaan=import_queue.MAX_ATTEMPTS)
    page = detail(client, record)
    record.refresh_from_db()
    assert record.status == "GAGAL" and record.berkas == ""
    assert "import_survey" in record.kesalahan[0][4]
    assert page.status_code == 200


def test_a_file_that_cannot_be_read_while_waiting_is_refused_on_its_page(client, operator):
    """Told on the form when checked at once (tests/registry/test_import_web.py); when it
    waited, its page shows why."""
    client.force_login(operator)
    broken = io.BytesIO()
    write_xlsx(broken, [HEADER, group_row(1)], shared=True)
    data = broken.getvalue().replace(b"sharedStrings.xml", b"sharedStrinXX.xml")
    content = io.BytesIO(data)
    content.name = "rusak.xlsx"
    with import_queue.slot():
        assert upload(client, content).status_code == 302
    record = Impor.objects.get()
    detail(client, record)
    record.refresh_from_db()
    assert record.status == "GAGAL" and len(record.kesalahan) == 1


# What a record stores ---------------------------------------------------------------------------
def test_a_record_keeps_the_first_errors_and_their_number(client, operator):
    client.force_login(operator)
    upload(client, survey(*(group_row(n, nama="x" * 300) for n in range(1, 1_501))))
    record = Impor.objects.get()
    assert record.status == "GAGAL"
    assert len(record.kesalahan) == 1_000 and record.jumlah_kesalahan == 1_500
    page = detail(client, record).content.decode()
    assert "1500 errors: nothing was saved" in page
    assert "… and 500 more errors, not listed" in page
    download = client.get(reverse("registry:impor_errors", args=[record.pk]))
    import openpyxl

    sheet = openpyxl.load_workbook(io.BytesIO(b"".join(download.streaming_content))).active
    rows = list(sheet.iter_rows(values_only=True))
    assert len(rows) == 1 + 1_000 + 1 and "500" in rows[-1][4]


def test_a_cell_of_300_000_characters_is_stored_as_its_start(client, operator):
    """Not twice whole (as its value, and quoted in "… is not a valid type"): its start, once."""
    client.force_login(operator)
    content = io.BytesIO()
    write_xlsx(content, [HEADER, [*group_row(1)[:3], Big(300_000), 2001]], shared=True)
    content.seek(0)
    content.name = "besar.xlsx"
    upload(client, content)
    record = Impor.objects.get()
    assert record.status == "GAGAL"
    assert [e[:3] for e in record.kesalahan] == [["perkumpulan", 2, "jenis"]]
    assert len(str(record.kesalahan)) < 2_000
    assert detail(client, record).status_code == 200


def test_the_import_history_does_not_read_the_stored_errors(client, operator):
    client.force_login(operator)
    upload(client, survey(group_row(1, nama="x" * 300)))
    with CaptureQueriesContext(connection) as queries:
        page = client.get(reverse("registry:impor_list"))
    assert page.status_code == 200 and "survei.xlsx" in page.content.decode()
    selects = [q["sql"] for q in queries if "registry_impor" in q["sql"]]
    assert selects and not any('"kesalahan"' in sql or '"peringatan"' in sql for sql in selects)


# Clean-up -------------------------------------------------------------------------------------
def test_an_unconfirmed_upload_expires_and_must_be_uploaded_again(client, operator):
    client.force_login(operator)
    upload(client)
    record = Impor.objects.get()
    file = Path(record.berkas)
    assert record.status == "DIPERIKSA" and file.is_file()
    Impor.objects.filter(pk=record.pk).update(
        diperiksa=timezone.now() - datetime.timedelta(hours=25))
    upload(client, survey(group_row(7)))  # every upload cleans up first
    record.refresh_from_db()
    assert record.status == "KEDALUWARSA" and record.berkas == "" and not file.exists()
    page = detail(client, record).content.decode()
    assert "not confirmed within 24 hours" in page and reverse("registry:impor_new") in page
    response = confirm(client, record)
    assert "upload it again" in told(response)
    assert not Perkumpulan.objects.exists()


def test_a_recent_unconfirmed_upload_is_kept(client, operator):
    client.force_login(operator)
    upload(client)
    record = Impor.objects.get()
    Impor.objects.filter(pk=record.pk).update(
        diperiksa=timezone.now() - datetime.timedelta(hours=23))
    assert import_queue.clean_up().expired == 0
    confirm(client, record)
    record.refresh_from_db()
    assert record.status == "DIIMPOR"


def test_an_import_waiting_too_long_expires(client, operator):
    client.force_login(operator)
    with import_queue.slot():
        upload(client)
        record = Impor.objects.get()
        Impor.objects.filter(pk=record.pk).update(
            menunggu_sejak=timezone.now() - datetime.timedelta(hours=25))
        assert import_queue.clean_up().expired == 1
    record.refresh_from_db()
    assert record.status == "KEDALUWARSA"


def test_clean_uploads_removes_old_files_nothing_refers_to(client, operator, uploads, settings,
                                                           tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    client.force_login(operator)
    upload(client)
    live = Path(Impor.objects.get().berkas)
    old = timezone.now() - datetime.timedelta(hours=30)
    orphan, fresh = uploads / "orphan.xlsx", uploads / "fresh.xlsx"
    orphan.write_bytes(b"x")
    fresh.write_bytes(b"x")
    for path in (orphan, live):
        os.utime(path, (old.timestamp(), old.timestamp()))
    stale = default_storage.save("django-import-export/stale", ContentFile(b"a,b\n"))
    recent = default_storage.save("django-import-export/recent", ContentFile(b"a,b\n"))
    os.utime(default_storage.path(stale), (old.timestamp(), old.timestamp()))
    out = io.StringIO()
    call_command("clean_uploads", stdout=out)
    assert "1 unused upload file(s)" in out.getvalue()
    assert not orphan.exists() and fresh.exists()
    assert live.exists()  # its import was checked just now: still waiting for confirmation
    assert not default_storage.exists(stale) and default_storage.exists(recent)


def test_a_file_being_imported_is_not_removed(client, operator, uploads):
    client.force_login(operator)
    with import_queue.slot():
        upload(client)
    record = Impor.objects.get()
    handle = import_queue._lock(record.berkas)  # as a step running in another worker holds it
    try:
        assert import_queue.in_use(record)
        Impor.objects.filter(pk=record.pk).update(
            menunggu_sejak=timezone.now() - datetime.timedelta(hours=25))
        assert import_queue.clean_up().expired == 0
        assert import_queue.work() is None  # not taken twice either
    finally:
        import_queue._unlock(handle)
    assert Path(record.berkas).is_file()


def test_the_uploader_cancels_a_checked_import_and_its_file_is_removed(client, operator, staf):
    """"Cancel" on a checked import (it was a link back, leaving the import waiting for a day):
    nothing is written, the file is gone, the import says so and cannot be confirmed; nobody but
    the uploader may cancel it."""
    client.force_login(operator)
    upload(client)
    record = Impor.objects.get()
    file = Path(record.berkas)
    cancel = reverse("registry:impor_cancel", args=[record.pk])
    assert f'formaction="{cancel}"' in detail(client, record).content.decode()
    other = Client()
    other.force_login(staf)
    assert other.post(reverse("registry:impor_cancel", args=[record.pk])).status_code == 404
    assert client.get(reverse("registry:impor_cancel", args=[record.pk])).status_code == 405
    response = client.post(reverse("registry:impor_cancel", args=[record.pk]), follow=True)
    assert "Import cancelled: nothing was written" in response.content.decode()
    record.refresh_from_db()
    assert record.status == "DIBATALKAN" and record.berkas == "" and not file.exists()
    assert "This import was cancelled" in detail(client, record).content.decode()
    assert "upload it again" in told(confirm(client, record))
    assert not Perkumpulan.objects.exists()
    # A cancelled import is not cancelled again.
    response = client.post(reverse("registry:impor_cancel", args=[record.pk]), follow=True)
    assert "cannot be cancelled any more" in response.content.decode()
