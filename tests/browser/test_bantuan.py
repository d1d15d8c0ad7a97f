"""Aid in a real browser: a village officer opens the village's programme, adds a person as a
recipient by NIK, records a distribution with a photo of the handover, meets the double-aid rule
on a second programme of the same form and adds the person there with a reason; the person's page
shows everything received; an observer sees the programme's totals but no recipient; the
recipient's page fits a phone."""

import base64
import datetime

import pytest
from django.utils import timezone

from bantuan.models import Penerima, Penyaluran, Program, StatusPenerima
from tests.conftest import CIBEUREUM

NIK = "3277014101800001"
# A 1×1 PNG: what a phone's photo of the handover is, as far as the checks go.
PNG = base64.b64decode(
    "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg=="
)


@pytest.fixture
def programmes(site, make_warga, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    make_warga(NIK, nama="Mak Icih", wilayah_id=CIBEUREUM, alamat="Jl. Melati 4")
    start = datetime.date(timezone.localdate().year, 1, 1)
    blt = Program.objects.create(kode="BLT-DD-CBR", nama="BLT Dana Desa Cibeureum",
                                 sumber="DANA_DESA", bentuk="UANG", wilayah_id=CIBEUREUM,
                                 mulai=start, kuota_per_desa=40)
    pkh = Program.objects.create(kode="PKH-3277", nama="PKH Kota Cimahi", sumber="PEMERINTAH",
                                 bentuk="UANG", wilayah_id="32.77", mulai=start)
    return blt, pkh


def test_an_officer_adds_a_recipient_and_records_a_distribution(
        site, operator, pengamat, programmes, tmp_path):
    blt, pkh = programmes
    page = site.login(operator)
    page.goto(f"{site.url}/bantuan/")
    page.click(f"a:has-text('{blt.nama}')")
    page.wait_for_url(f"{site.url}/bantuan/program/{blt.pk}/")
    page.click("#penerima-tambah")
    page.fill("#id_target", NIK)
    page.click("form.form button[type=submit]")
    page.wait_for_url(f"{site.url}/bantuan/penerima/*/")
    penerima = Penerima.objects.get(program=blt)
    assert (penerima.warga.nik, penerima.desa_id, penerima.diputuskan_oleh) == (
        NIK, CIBEUREUM, operator)
    assert "Mak Icih" in page.locator("#target").inner_text()

    # A distribution with its proof: the value, the receipt's number, a photo of the handover.
    photo = tmp_path / "serah-terima.png"
    photo.write_bytes(PNG)
    page.fill("#salur-nilai", "600000")
    page.fill("#salur-nomor_bukti", "KW-001/2026")
    page.set_input_files("#salur-berkas_bukti", str(photo))
    page.click("#form-penyaluran button[type=submit]")
    page.wait_for_url(f"{site.url}/bantuan/penerima/{penerima.pk}/**")
    given = Penyaluran.objects.get(penerima=penerima)
    assert (given.nilai, given.nomor_bukti, given.oleh) == (600_000, "KW-001/2026", operator)
    assert given.berkas_bukti.read() == PNG
    penerima.refresh_from_db()
    assert penerima.status == StatusPenerima.DITERIMA
    assert "KW-001/2026" in page.locator("#penyaluran").inner_text()

    # A value typed with an extra 000 is told beside its field; nothing is written.
    page.fill("#salur-nilai", "6000000000")
    page.click("#form-penyaluran button[type=submit]")
    page.wait_for_load_state()
    assert page.locator("#salur-nilai[aria-invalid=true]").count() == 1
    assert Penyaluran.objects.filter(penerima=penerima).count() == 1

    # The city's cash programme: the same person over the same months is double aid.
    page.goto(f"{site.url}/bantuan/program/{pkh.pk}/penerima/tambah/")
    page.fill("#id_target", NIK)
    page.click("form.form button[type=submit]")
    page.wait_for_load_state()
    assert blt.kode in page.locator("#ganda").inner_text()
    assert not Penerima.objects.filter(program=pkh).exists()
    page.fill("#id_alasan_ganda", "Lansia sebatang kara, disetujui musyawarah desa")
    page.click("form.form button[type=submit]")
    page.wait_for_url(f"{site.url}/bantuan/penerima/*/")
    assert Penerima.objects.get(program=pkh).alasan_ganda == (
        "Lansia sebatang kara, disetujui musyawarah desa")

    # Everything the person received, on their page.
    page.goto(f"{site.url}/warga/{penerima.warga_id}/")
    text = page.locator("main").inner_text()
    assert blt.nama in text and pkh.nama in text and "600000" in text

    # The recipient's page fits a phone.
    phone = site.page(width=360)
    site.login(operator, phone)
    phone.goto(f"{site.url}/bantuan/penerima/{penerima.pk}/")
    assert phone.evaluate("document.documentElement.scrollWidth") <= 360

    # An observer: the programme's totals, never a name.
    watcher = site.page()
    site.login(pengamat, watcher)
    watcher.goto(f"{site.url}/bantuan/program/{blt.pk}/")
    assert "Mak Icih" not in watcher.locator("main").inner_text()
    response = watcher.goto(f"{site.url}/bantuan/penerima/{penerima.pk}/")
    assert response.status == 403
