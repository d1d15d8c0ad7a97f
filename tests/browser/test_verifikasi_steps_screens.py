"""A village's list in a round, in Chromium: the kecamatan's worker opens a submitted list with
items in several states (accepted, returned with a reason, awaiting, one record changed after
submission), returns one more item with a reason from its row, and sees it returned.

With WKSBM_SCREENSHOTS=1 the list page is saved as docs/screenshots/verifikasi-desa.png."""

import datetime
import os
from pathlib import Path

from django.utils import timezone

from pmks.models import KasusPMKS, KategoriPMKS
from tests.conftest import CIBEUREUM
from verifikasi.models import ItemUsulan, Putaran, StatusItem

FOLDER = Path(__file__).resolve().parents[2] / "docs" / "screenshots"


def submitted_list(staf, operator, kecamatan, make_perkumpulan):
    today = timezone.localdate()
    putaran = Putaran.objects.create(
        nama="Verifikasi Semester I", wilayah_id="32.77", mulai=today.replace(month=1, day=1),
        selesai=today.replace(month=12, day=31), batas_usulan=today + datetime.timedelta(7),
        batas_verifikasi=today + datetime.timedelta(14),
        batas_persetujuan=today + datetime.timedelta(21), dibuat_oleh=staf)
    groups = [make_perkumpulan("CBR-DW-001", nama="Dasa Wisma Mawar"),
              make_perkumpulan("CBR-DW-002", nama="Dasa Wisma Melati", aktif=False),
              make_perkumpulan("CBR-KT-001", jenis="KT", nama="Karang Taruna Tunas"),
              make_perkumpulan("CBR-PY-001", jenis="POSYANDU", nama="Posyandu Kenanga")]
    KasusPMKS.objects.create(nama="Mak Icih", desa_id=CIBEUREUM,
                             kategori=KategoriPMKS.objects.order_by("pk").first())
    usulan = putaran.usulan_desa(putaran.desa().get(pk=CIBEUREUM))
    usulan.musdes_tanggal, usulan.musdes_tempat, usulan.musdes_hadir = \
        today, "Balai Desa Cibeureum", 42
    usulan.save()
    usulan.ajukan(operator, "Hasil musyawarah desa")
    items = {i.label: i for i in usulan.items.all()}

    def item(name):
        return next(i for label, i in items.items() if name in label)

    item("Dasa Wisma Mawar").terima(kecamatan)
    item("Dasa Wisma Melati").terima(kecamatan)
    item("Karang Taruna Tunas").kembalikan(kecamatan, "Jumlah anggota belum diisi")
    # Changed after submission: shown beside its submitted values.
    groups[3].nama = "Posyandu Kenanga Asri"
    groups[3].save()
    return putaran, item("Mak Icih")


def test_the_kecamatan_checks_a_village_list(site, staf, operator, kecamatan, make_perkumpulan):
    putaran, case_item = submitted_list(staf, operator, kecamatan, make_perkumpulan)
    page = site.login(kecamatan)
    address = f"{site.url}/verifikasi/{putaran.pk}/desa/{CIBEUREUM}/"
    assert page.goto(address).status == 200
    table = page.locator("#item-tabel")
    for label in ("Dasa Wisma Mawar", "Dasa Wisma Melati", "Karang Taruna Tunas",
                  "Posyandu Kenanga", "Mak Icih"):
        assert table.get_by_text(label).count() >= 1, label
    assert page.locator("#berubah .kini").get_by_text("Posyandu Kenanga Asri").count() == 1
    assert page.locator("#item-tabel tr[data-status=DITERIMA]").count() == 2
    # Return the case's item from its row, with a reason.
    row = page.locator(f"#item-{case_item.pk}")
    row.locator("input[name=catatan]").fill("Alamat belum lengkap")
    row.get_by_role("button").last.click()
    page.wait_for_url(f"{address}*")
    assert page.locator(f"#item-{case_item.pk}").get_attribute("data-status") == "DIKEMBALIKAN"
    assert "Alamat belum lengkap" in page.locator(f"#item-{case_item.pk} .alasan").inner_text()
    case_item.refresh_from_db()
    assert case_item.status == StatusItem.DIKEMBALIKAN
    assert ItemUsulan.objects.filter(status=StatusItem.DIKEMBALIKAN).count() == 2
    if os.environ.get("WKSBM_SCREENSHOTS") == "1":
        FOLDER.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=FOLDER / "verifikasi-desa.png", full_page=True)
