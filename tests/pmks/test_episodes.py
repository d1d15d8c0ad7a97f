"""Repeat cases: a registered person has at most one open case per category; closed cases stay as
history and a new episode links to the previous one — in the database, the web form, the survey
workbook's pmks sheet and the admin's import."""

import datetime

import pytest
from django.db import IntegrityError, transaction

from members.models import Warga
from pmks.forms import OPEN_CASE
from pmks.models import KasusPMKS, KategoriPMKS, StatusKasus
from tests.admin_import import (  # noqa: F401
    PMKS,
    confirm,
    english,
    upload,
    validation_messages,
    xlsx_file,
)  # noqa: F401
from tests.conftest import CIBEUREUM
from tests.pmks.conftest import NIK
from tests.survey_files import ASEP, case, created, imported, make_xlsx, refused, tally, unchanged

pytestmark = pytest.mark.django_db

KBA = "Korban Bencana Alam"


def closed(kasus, status=StatusKasus.SELESAI):
    kasus.ubah_status(status)
    return kasus


# The database -----------------------------------------------------------------------------------
def test_a_second_open_case_is_refused_by_the_database_and_a_closed_one_is_history(
        cases, make_warga):
    icih = cases["icih"]  # open (referred)
    with pytest.raises(IntegrityError), transaction.atomic():
        KasusPMKS.objects.create(nama="Mak Icih", warga=icih.warga, desa_id=CIBEUREUM,
                                 kategori=icih.kategori)
    closed(icih)
    again = KasusPMKS.objects.create(nama="Mak Icih", warga=icih.warga, desa_id=CIBEUREUM,
                                     kategori=icih.kategori)
    assert again.kasus_sebelumnya == icih
    closed(again, StatusKasus.MENOLAK)  # refused help is closed too
    third = KasusPMKS.objects.create(nama="Mak Icih", warga=icih.warga, desa_id=CIBEUREUM,
                                     kategori=icih.kategori)
    assert third.kasus_sebelumnya == again
    assert KasusPMKS.objects.filter(warga=icih.warga).count() == 3
    # People without a NIK keep one case per name and category in a village.
    with pytest.raises(IntegrityError), transaction.atomic():
        KasusPMKS.objects.create(nama="Abah Entis", desa_id=CIBEUREUM,
                                 kategori=cases["entis"].kategori, status=StatusKasus.SELESAI)


# The web form -----------------------------------------------------------------------------------
def new_case(client, **data):
    return client.post("/pmks/baru/", {"nik": NIK, "nama": "Mak Icih", **data})


def test_the_form_refuses_a_second_open_case_and_links_to_the_open_one(client, operator, cases):
    client.force_login(operator)
    icih = cases["icih"]
    before = KasusPMKS.objects.count()
    response = new_case(client, kategori=icih.kategori_id)
    assert response.status_code == 400
    form = response.context["form"]
    assert form.has_error("kategori", OPEN_CASE)
    assert form.open_case == icih
    html = response.content.decode()
    assert f'<a href="/pmks/{icih.pk}/">' in html and 'id="kasus-terbuka"' in html
    assert KasusPMKS.objects.count() == before


def test_after_a_closed_case_the_form_records_a_new_episode(client, operator, cases):
    client.force_login(operator)
    icih = closed(cases["icih"])
    response = new_case(client, kategori=icih.kategori_id, tanggal_identifikasi="2026-04-01")
    assert response.status_code == 302
    episode = KasusPMKS.objects.exclude(pk=icih.pk).get(warga=icih.warga, kategori=icih.kategori)
    assert (episode.kasus_sebelumnya, episode.status) == (icih, StatusKasus.TERIDENTIFIKASI)
    assert episode.riwayat.get().status == StatusKasus.TERIDENTIFIKASI
    # Each case's page shows the other: the previous case, the next one.
    page = client.get(f"/pmks/{episode.pk}/")
    assert page.context["episodes"] == [icih] and not page.context["previous_elsewhere"]
    assert f'href="/pmks/{icih.pk}/"' in page.content.decode()
    assert client.get(f"/pmks/{icih.pk}/").context["episodes"] == [episode]


def test_a_closed_case_is_not_reopened_beside_a_newer_open_one(client, operator, cases):
    client.force_login(operator)
    icih = closed(cases["icih"])
    new_case(client, kategori=icih.kategori_id)
    response = client.post(f"/pmks/{icih.pk}/status/", {"status": "DITANGANI"})
    assert response.status_code == 400
    assert response.context["form"].has_error("status", "open_case_exists")
    icih.refresh_from_db()
    assert icih.status == StatusKasus.SELESAI


def test_a_case_page_of_a_person_without_episodes_costs_no_more_queries(
        client, operator, cases, django_assert_num_queries):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client.force_login(operator)
    icih = cases["icih"]
    client.get(f"/pmks/{icih.pk}/")
    with CaptureQueriesContext(connection) as first:
        client.get(f"/pmks/{icih.pk}/")
    closed(icih)
    for _ in range(3):  # three more episodes: the page's queries stay the same
        closed(KasusPMKS.objects.create(nama="Mak Icih", warga=icih.warga, desa_id=CIBEUREUM,
                                        kategori=icih.kategori))
    with django_assert_num_queries(len(first)):
        assert len(client.get(f"/pmks/{icih.pk}/").context["episodes"]) == 3


# The survey workbook ----------------------------------------------------------------------------
def asep(status="Teridentifikasi", **fields):
    return case("Asep", KBA, nik=ASEP, status=status, **fields)


def test_a_row_updates_the_open_case_and_after_closing_starts_a_new_episode(tmp_path):
    first = make_xlsx(tmp_path, {"pmks": [asep(tanggal_identifikasi="01-02-2025")]}, "a.xlsx")
    assert tally(imported(first)) == {"pmks": created(1)}
    flood = KasusPMKS.objects.get()
    # The same case, closed.
    done = make_xlsx(tmp_path, {"pmks": [asep("Selesai", tanggal_identifikasi="01-02-2025")]},
                     "b.xlsx")
    assert tally(imported(done))["pmks"]["updated"] == 1
    assert KasusPMKS.objects.get().status == StatusKasus.SELESAI
    assert tally(imported(done)) == {"pmks": unchanged(1)}
    # A second flood a year later: a new episode linked to the first.
    again = make_xlsx(tmp_path, {"pmks": [asep(tanggal_identifikasi="03-03-2026")]}, "c.xlsx")
    assert tally(imported(again)) == {"pmks": created(1)}
    second = KasusPMKS.objects.exclude(pk=flood.pk).get()
    assert (second.kasus_sebelumnya_id, second.status, second.tanggal_identifikasi) == (
        flood.pk, StatusKasus.TERIDENTIFIKASI, datetime.date(2026, 3, 3))
    assert tally(imported(again)) == {"pmks": unchanged(1)}
    # The first file again: its open row is the person's open case now (updated, not added).
    assert tally(imported(first))["pmks"]["updated"] == 1
    assert KasusPMKS.objects.count() == 2
    # An older workbook closing "the" case without a date closes the open one.
    close = make_xlsx(tmp_path, {"pmks": [asep("Selesai")]}, "d.xlsx")
    imported(close)
    assert set(KasusPMKS.objects.values_list("status", flat=True)) == {StatusKasus.SELESAI}
    assert KasusPMKS.objects.count() == 2


def test_history_and_the_open_case_in_one_file_import_and_again_unchanged(tmp_path):
    path = make_xlsx(tmp_path, {"pmks": [
        asep("Dirujuk", tanggal_identifikasi="05-01-2026"),
        asep("Selesai", tanggal_identifikasi="10-01-2024"),
        asep("Menolak Bantuan", tanggal_identifikasi="10-01-2025"),
    ]})
    assert tally(imported(path)) == {"pmks": created(3)}
    chain = {c.tanggal_identifikasi.year: c for c in KasusPMKS.objects.all()}
    assert chain[2024].kasus_sebelumnya is None
    assert chain[2025].kasus_sebelumnya == chain[2024]
    assert chain[2026].kasus_sebelumnya == chain[2025]
    assert tally(imported(path)) == {"pmks": unchanged(3)}


def test_two_open_rows_of_one_person_and_category_are_a_cell_error(tmp_path):
    path = make_xlsx(tmp_path, {"pmks": [
        asep(tanggal_identifikasi="05-01-2026"),
        asep("Ditangani", tanggal_identifikasi="06-01-2026"),
    ]})
    imp = refused(path, [("pmks", 3, "kategori")])
    assert "row 2" in str(imp.errors[0]) and "open case" in str(imp.errors[0])


def test_a_rows_key_for_people_without_nik_is_unchanged(tmp_path):
    path = make_xlsx(tmp_path, {"pmks": [case("Abah Entis", KBA, status="Selesai")]}, "a.xlsx")
    imported(path)
    reopen = make_xlsx(tmp_path, {"pmks": [case("Abah Entis", KBA, status="Ditangani")]},
                       "b.xlsx")
    assert tally(imported(reopen))["pmks"]["updated"] == 1
    assert KasusPMKS.objects.get().status == StatusKasus.DITANGANI


# The admin's import -----------------------------------------------------------------------------
def test_the_admin_import_updates_the_open_case_or_adds_a_new_episode(
        client, staf, cases, tmp_path):
    client.force_login(staf)
    icih = cases["icih"]
    kategori = KategoriPMKS.objects.get(pk=icih.kategori_id).nama
    header = ["id", "warga", "nama", "desa", "kategori", "status", "catatan"]
    row = ["", NIK, "Mak Icih", CIBEUREUM, kategori, "Ditangani", "dikunjungi"]
    preview = upload(client, PMKS, xlsx_file(tmp_path, header, [row]))
    assert not preview.context["result"].has_validation_errors(), validation_messages(preview)
    confirm(client, PMKS, preview)
    icih.refresh_from_db()
    assert (icih.status, icih.catatan) == (StatusKasus.DITANGANI, "dikunjungi")
    assert KasusPMKS.objects.filter(warga=icih.warga).count() == 1
    closed(icih)
    preview = upload(client, PMKS, xlsx_file(tmp_path, header, [row]))
    assert not preview.context["result"].has_validation_errors()
    confirm(client, PMKS, preview)
    episode = KasusPMKS.objects.exclude(pk=icih.pk).get(warga=icih.warga)
    assert (episode.kasus_sebelumnya, episode.status) == (icih, StatusKasus.DITANGANI)
    assert Warga.objects.filter(nik=NIK).count() == 1
