"""A village's list in a round, step by step, over HTTP: the operator submits it with the village
meeting's record, the kecamatan accepts or returns each item and verifies, the district approves
or sends it back; a returned item answered or fixed; a record changed after submission; late
submission; who may take which step and see what."""

import datetime
import re
import struct
import zlib

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext

from pmks.models import KasusPMKS, KategoriPMKS, LogAkses
from registry.models import JenisPerkumpulan, Perkumpulan
from tests.conftest import CIBEUREUM, MELONG, SUKARASA, today
from verifikasi.models import Aksi, ItemUsulan, Langkah, Putaran, StatusItem, Tahap, UsulanDesa


def png_bytes() -> bytes:
    """A real 1×1 PNG."""
    def chunk(kind: bytes, data: bytes) -> bytes:
        return (struct.pack(">I", len(data)) + kind + data
                + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF))

    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", 1, 1, 8, 2, 0, 0, 0))
            + chunk(b"IDAT", zlib.compress(b"\x00\xff\x00\x00")) + chunk(b"IEND", b""))


PDF = (b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n2 0 obj<</Type/Pages/Kids[]"
       b"/Count 0>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n")


def make_round(staf, batas_usulan=None) -> Putaran:
    batas = batas_usulan or today() + datetime.timedelta(7)
    return Putaran.objects.create(
        nama="Verifikasi 2026", wilayah_id="32.77", mulai=today().replace(month=1, day=1),
        selesai=today().replace(month=12, day=31), batas_usulan=batas,
        batas_verifikasi=max(batas, today()) + datetime.timedelta(14),
        batas_persetujuan=max(batas, today()) + datetime.timedelta(21), dibuat_oleh=staf)


@pytest.fixture
def putaran(staf):
    return make_round(staf)


@pytest.fixture
def groups(make_perkumpulan):
    return {
        "dw": make_perkumpulan("CBR-DW-001", nama="Dasa Wisma Mawar"),
        "kt": make_perkumpulan("CBR-KT-001", jenis="KT", nama="Karang Taruna Tunas"),
        "tutup": make_perkumpulan("CBR-DW-002", nama="Dasa Wisma Melati", aktif=False),
    }


def url(putaran, tail="", desa=CIBEUREUM) -> str:
    return f"/verifikasi/{putaran.pk}/desa/{desa}/{tail}"


def meeting(**overrides) -> dict:
    data = {"musdes_tanggal": today().isoformat(), "musdes_tempat": "Balai Desa Cibeureum",
            "musdes_hadir": "42", "catatan": "Hasil musdes",
            "berita_acara": SimpleUploadedFile("berita-acara.png", png_bytes(), "image/png")}
    data.update(overrides)
    return {k: v for k, v in data.items() if v is not None}


def submit(client, operator, putaran, **overrides):
    client.force_login(operator)
    return client.post(url(putaran, "ajukan/"), meeting(**overrides))


def usulan_of(putaran) -> UsulanDesa:
    return UsulanDesa.objects.get(putaran=putaran, desa=CIBEUREUM)


def item_of(putaran, kode: str) -> ItemUsulan:
    return ItemUsulan.objects.get(usulan__putaran=putaran, label__contains=kode)


def accept_all_and_verify(client, kecamatan, putaran):
    client.force_login(kecamatan)
    assert client.post(url(putaran), {}).status_code == 302
    assert client.post(url(putaran, "verifikasi/"), {"catatan": "Lengkap"}).status_code == 302


def message_numbers(response) -> list[str]:
    return [re.findall(r"\d+", str(m)) for m in response.context["messages"]][-1]


# Submitting ----------------------------------------------------------------------------------
def test_operator_submits_after_a_preview_with_the_meeting_record(client, operator, putaran,
                                                                  groups, settings):
    client.force_login(operator)
    page = client.get(url(putaran))
    assert page.status_code == 200
    assert usulan_of(putaran).tahap == Tahap.BELUM  # made on the village's first visit
    form = client.get(url(putaran, "ajukan/"))
    assert form.status_code == 200
    assert form.context["preview"]["total"] == 3
    body = form.content.decode()
    for name in ("Dasa Wisma Mawar", "Karang Taruna Tunas", "Dasa Wisma Melati"):
        assert name in body
    assert 'data-perubahan="TUTUP"' in body and not form.context["late"]
    response = submit(client, operator, putaran)
    assert response.status_code == 302 and response.url == url(putaran)
    usulan = usulan_of(putaran)
    assert usulan.tahap == Tahap.DIAJUKAN and usulan.musdes_hadir == 42
    assert usulan.catatan_desa == "Hasil musdes" and not usulan.diajukan_terlambat
    assert usulan.berita_acara.name.startswith("verifikasi/berita_acara/")
    assert (settings.MEDIA_ROOT / usulan.berita_acara.name).read_bytes() == png_bytes()
    assert {i.perubahan for i in usulan.items.all()} == {"BARU", "TUTUP"}
    page = client.get(url(putaran))
    body = page.content.decode()
    assert 'data-tahap="DIAJUKAN"' in body and "Balai Desa Cibeureum" in body
    assert body.count('data-status="DIAJUKAN" data-perubahan') == 3
    # Submitting again: refused, nothing more written.
    again = submit(client, operator, putaran)
    assert again.status_code == 409 and 'id="langkah-ditolak"' in again.content.decode()
    assert ItemUsulan.objects.count() == 3
    assert Langkah.objects.filter(aksi=Aksi.AJUKAN).count() == 1


def test_a_submission_sent_twice_is_submitted_once(client, operator, putaran, groups):
    client.force_login(operator)
    token = client.get(url(putaran, "ajukan/")).context["form"]["sekali"].initial
    first = client.post(url(putaran, "ajukan/"), meeting(sekali=token))
    second = client.post(url(putaran, "ajukan/"), meeting(sekali=token))
    assert first.status_code == 302 and second.status_code == 302
    assert second.url == url(putaran)
    assert ItemUsulan.objects.count() == 3
    assert Langkah.objects.filter(aksi=Aksi.AJUKAN).count() == 1


def test_a_pdf_scan_is_accepted(client, operator, putaran, groups):
    response = submit(client, operator, putaran, berita_acara=SimpleUploadedFile(
        "berita-acara.pdf", PDF, "application/pdf"))
    assert response.status_code == 302
    assert usulan_of(putaran).berita_acara.name.endswith(".pdf")


@pytest.mark.parametrize("missing", ["musdes_tanggal", "musdes_tempat", "musdes_hadir",
                                     "berita_acara"])
def test_submission_refused_without_the_meeting_record(client, operator, putaran, groups,
                                                       missing):
    response = submit(client, operator, putaran, **{missing: None})
    assert response.status_code == 400
    assert missing in response.context["form"].errors
    assert usulan_of(putaran).tahap == Tahap.BELUM
    assert not ItemUsulan.objects.exists() and not Langkah.objects.exists()


def test_submission_refused_for_a_fake_scan_or_no_attendance(client, operator, putaran, groups):
    fake = SimpleUploadedFile("berita-acara.png", b"not a picture", "image/png")
    assert submit(client, operator, putaran, berita_acara=fake).status_code == 400
    assert submit(client, operator, putaran, musdes_hadir="0").status_code == 400
    future = (today() + datetime.timedelta(3)).isoformat()
    assert submit(client, operator, putaran, musdes_tanggal=future).status_code == 400
    usulan = usulan_of(putaran)
    assert usulan.tahap == Tahap.BELUM and not usulan.berita_acara and usulan.musdes_hadir is None
    assert not ItemUsulan.objects.exists()


@pytest.mark.parametrize("who,status", [("kecamatan", 403), ("staf", 403), ("pengamat", 403),
                                        ("operator_lain", 404), ("kecamatan_lain", 404),
                                        ("staf_lain", 404)])
def test_submission_refused_for_other_roles_and_villages(client, request, putaran, groups, who,
                                                         status):
    user = request.getfixturevalue(who)
    client.force_login(user)
    assert client.get(url(putaran, "ajukan/")).status_code == status
    assert client.post(url(putaran, "ajukan/"), meeting()).status_code == status
    assert not UsulanDesa.objects.exists() and not ItemUsulan.objects.exists()


def test_post_only_steps_refuse_get(client, operator, kecamatan, staf, putaran):
    client.force_login(operator)
    for tail in ("perbarui/", "verifikasi/", "setujui/", "kembalikan/"):
        assert client.get(url(putaran, tail)).status_code == 405
    client.force_login(operator)
    assert client.post(url(putaran, "berita-acara/")).status_code == 405


def test_a_village_outside_the_round_or_the_area_is_not_found(client, operator, staf_lain,
                                                              putaran):
    client.force_login(operator)
    assert client.get(url(putaran, desa=SUKARASA)).status_code == 404  # Kota Bandung
    assert client.get(url(putaran, desa=MELONG)).status_code == 404
    assert client.get(url(putaran, desa="32.77.01")).status_code == 404  # not a village
    client.force_login(staf_lain)
    assert client.get(url(putaran)).status_code == 404
    assert not UsulanDesa.objects.exists()


def test_others_see_not_submitted_without_making_a_list(client, kecamatan, staf, pengamat,
                                                        putaran):
    for user in (kecamatan, staf, pengamat):
        client.force_login(user)
        page = client.get(url(putaran))
        assert page.status_code == 200
        assert 'data-tahap="BELUM"' in page.content.decode()
    assert not UsulanDesa.objects.exists()


def test_late_submission_is_flagged(client, operator, staf, groups):
    late = make_round(staf, batas_usulan=today() - datetime.timedelta(2))
    client.force_login(operator)
    assert 'id="batas-lewat"' in client.get(url(late)).content.decode()
    form = client.get(url(late, "ajukan/"))
    assert form.context["late"] and 'id="terlambat"' in form.content.decode()
    assert submit(client, operator, late).status_code == 302
    usulan = usulan_of(late)
    assert usulan.diajukan_terlambat and usulan.terlambat()
    body = client.get(url(late)).content.decode()
    assert 'id="diajukan-terlambat"' in body and 'id="terlambat"' in body


# Downloading the minutes --------------------------------------------------------------------
def test_the_minutes_are_served_only_to_who_may_see_the_list(client, request, operator,
                                                              putaran, groups):
    submit(client, operator, putaran)
    expected = {"operator": 200, "kecamatan": 200, "staf": 200, "admin_user": 200,
                "pengamat": 404, "operator_lain": 404, "kecamatan_lain": 404, "staf_lain": 404}
    for who, status in expected.items():
        client.force_login(request.getfixturevalue(who))
        response = client.get(url(putaran, "berita-acara/"))
        assert response.status_code == status, who
        if status == 200:
            assert b"".join(response.streaming_content) == png_bytes()
            assert response["Content-Type"] == "image/png"


def test_no_minutes_no_download(client, operator, putaran):
    client.force_login(operator)
    client.get(url(putaran))
    assert client.get(url(putaran, "berita-acara/")).status_code == 404


# Returning and answering ----------------------------------------------------------------------
def test_return_with_a_reason_then_answer_and_resubmit(client, operator, kecamatan, staf,
                                                       pengamat, kecamatan_lain, putaran, groups):
    submit(client, operator, putaran)
    item = item_of(putaran, "Dasa Wisma Mawar")
    client.force_login(kecamatan)
    empty = client.post(f"/verifikasi/item/{item.pk}/kembalikan/", {"catatan": "  "})
    assert empty.status_code == 400 and 'id="langkah-ditolak"' in empty.content.decode()
    item.refresh_from_db()
    assert item.status == StatusItem.DIAJUKAN and not item.langkah.exists()
    back = client.post(f"/verifikasi/item/{item.pk}/kembalikan/",
                       {"catatan": "Tahun berdiri meragukan", "next": url(putaran)})
    assert back.status_code == 302 and back.url == url(putaran)
    item.refresh_from_db()
    assert item.status == StatusItem.DIKEMBALIKAN and item.alasan == "Tahun berdiri meragukan"
    # The village sees the reason on its list.
    client.force_login(operator)
    body = client.get(url(putaran) + "?status=DIKEMBALIKAN").content.decode()
    assert "Tahun berdiri meragukan" in body and "Karang Taruna Tunas" not in body
    # Who may not take the step.
    assert client.post(f"/verifikasi/item/{item.pk}/terima/").status_code == 403
    for user, status in ((staf, 403), (kecamatan_lain, 404), (pengamat, 404)):
        client.force_login(user)
        assert client.post(f"/verifikasi/item/{item.pk}/terima/").status_code == status
    client.force_login(kecamatan)
    assert client.post(f"/verifikasi/item/{item.pk}/ajukan-ulang/",
                       {"catatan": "x"}).status_code == 403
    client.force_login(operator)
    assert client.get(f"/verifikasi/item/{item.pk}/ajukan-ulang/").status_code == 405
    empty = client.post(f"/verifikasi/item/{item.pk}/ajukan-ulang/", {"catatan": ""})
    assert empty.status_code == 400
    item.refresh_from_db()
    assert item.status == StatusItem.DIKEMBALIKAN
    answered = client.post(f"/verifikasi/item/{item.pk}/ajukan-ulang/",
                           {"catatan": "Sesuai akta pendirian 2000"})
    assert answered.status_code == 302
    item.refresh_from_db()
    assert item.status == StatusItem.DIAJUKAN
    # Its history is kept: every step on the item's page.
    page = client.get(f"/verifikasi/item/{item.pk}/")
    body = page.content.decode()
    assert re.findall(r'data-aksi="(\w+)"', body) == ["AJUKAN", "KEMBALIKAN", "AJUKAN_ULANG"]
    assert "Tahun berdiri meragukan" in body and "Sesuai akta pendirian 2000" in body
    assert 'data-status="DIAJUKAN"' in body
    # The answered item is accepted; resubmitting an item not returned is refused.
    client.force_login(kecamatan)
    assert client.post(f"/verifikasi/item/{item.pk}/terima/").status_code == 302
    client.force_login(operator)
    refused = client.post(f"/verifikasi/item/{item.pk}/ajukan-ulang/", {"catatan": "lagi"})
    assert refused.status_code == 409
    assert item.langkah.count() == 3  # returned, submitted again, accepted


def test_resubmit_by_fixing_the_record_and_bringing_the_list_up_to_date(
        client, operator, kecamatan, putaran, groups):
    submit(client, operator, putaran)
    item = item_of(putaran, "Dasa Wisma Mawar")
    client.force_login(kecamatan)
    client.post(f"/verifikasi/item/{item.pk}/kembalikan/", {"catatan": "Tahun berdiri salah"})
    groups["dw"].tahun_berdiri = 2001
    groups["dw"].save()
    client.force_login(operator)
    page = client.get(url(putaran))
    changed = page.context["changed"]
    assert [c["item"].pk for c in changed] == [item.pk]
    assert [row[1:] for row in changed[0]["rows"]] == [("2000", "2001")]
    response = client.post(url(putaran, "perbarui/"), {"catatan": "Sudah diperbaiki"},
                           follow=True)
    assert response.status_code == 200
    assert message_numbers(response) == ["1", "0"]
    item.refresh_from_db()
    assert item.status == StatusItem.DIAJUKAN and item.data["tahun_berdiri"] == "2001"
    body = client.get(f"/verifikasi/item/{item.pk}/").content.decode()
    # As first proposed, as submitted; the step shows what changed from what.
    assert re.search(r'class="awal">2000<', body) and re.search(r"<strong>2001</strong>", body)
    assert re.findall(r'data-aksi="(\w+)"', body) == ["AJUKAN", "KEMBALIKAN", "AJUKAN_ULANG",
                                                      "PERBARUI"]
    assert "2000 → 2001" in body and "Tahun berdiri salah" in body


def test_bringing_up_to_date_adds_new_records(client, operator, putaran, groups,
                                              make_perkumpulan):
    submit(client, operator, putaran)
    make_perkumpulan("CBR-DW-009", nama="Dasa Wisma Kenanga")
    client.force_login(operator)
    page = client.get(url(putaran))
    assert [c.data["nama"] for c in page.context["not_listed"]] == ["Dasa Wisma Kenanga"]
    assert 'id="belum-di-daftar"' in page.content.decode()
    response = client.post(url(putaran, "perbarui/"), {}, follow=True)
    assert message_numbers(response) == ["0", "1"]
    assert ItemUsulan.objects.filter(label__contains="Kenanga").exists()


# Verifying and approving ----------------------------------------------------------------------
def test_verify_is_refused_while_items_are_open(client, operator, kecamatan, putaran, groups):
    submit(client, operator, putaran)
    client.force_login(kecamatan)
    item = item_of(putaran, "Dasa Wisma Mawar")
    client.post(f"/verifikasi/item/{item.pk}/terima/")
    refused = client.post(url(putaran, "verifikasi/"), {"catatan": "Cek"})
    assert refused.status_code == 409
    assert 'id="langkah-ditolak"' in refused.content.decode()
    assert usulan_of(putaran).tahap == Tahap.DIAJUKAN
    assert not Langkah.objects.filter(aksi=Aksi.VERIFIKASI).exists()
    # Accept all remaining: one POST.
    assert client.post(url(putaran), {}).status_code == 302
    assert set(ItemUsulan.objects.values_list("status", flat=True)) == {StatusItem.DITERIMA}
    assert client.post(url(putaran, "verifikasi/"), {"catatan": "Lengkap"}).status_code == 302
    usulan = usulan_of(putaran)
    assert usulan.tahap == Tahap.DIVERIFIKASI and usulan.diverifikasi_oleh == kecamatan
    assert usulan.catatan_verifikasi == "Lengkap"
    # Nothing left to accept once verified.
    assert client.post(url(putaran), {}).status_code == 409


def test_only_the_kecamatan_verifies(client, operator, staf, pengamat, kecamatan_lain, putaran,
                                     groups):
    submit(client, operator, putaran)
    for user, status in ((operator, 403), (staf, 403), (pengamat, 403), (kecamatan_lain, 404)):
        client.force_login(user)
        assert client.post(url(putaran, "verifikasi/")).status_code == status
        assert client.post(url(putaran), {}).status_code == status
    assert set(ItemUsulan.objects.values_list("status", flat=True)) == {StatusItem.DIAJUKAN}


def test_approval_refused_when_a_record_changed_after_submission(client, operator, kecamatan,
                                                                 staf, putaran, groups):
    submit(client, operator, putaran)
    accept_all_and_verify(client, kecamatan, putaran)
    groups["kt"].nama = "Karang Taruna Tunas Harapan"
    groups["kt"].save()
    client.force_login(staf)
    refused = client.post(url(putaran, "setujui/"), {"catatan": "OK"})
    assert refused.status_code == 409
    body = refused.content.decode()
    # Both values side by side.
    assert re.search(r'class="dulu">Karang Taruna Tunas<', body)
    assert re.search(r'class="kini">Karang Taruna Tunas Harapan<', body)
    assert usulan_of(putaran).tahap == Tahap.DIVERIFIKASI
    assert not Langkah.objects.filter(aksi=Aksi.SETUJUI).exists()
    # The village submits the change, the kecamatan accepts and verifies, the district approves.
    client.force_login(operator)
    response = client.post(url(putaran, "perbarui/"), {}, follow=True)
    assert message_numbers(response) == ["1", "0"]
    assert usulan_of(putaran).tahap == Tahap.DIAJUKAN
    accept_all_and_verify(client, kecamatan, putaran)
    client.force_login(staf)
    assert client.post(url(putaran, "setujui/"), {"catatan": "Disetujui"}).status_code == 302
    usulan = usulan_of(putaran)
    assert usulan.tahap == Tahap.DISETUJUI and usulan.disetujui_oleh == staf
    body = client.get(url(putaran)).content.decode()
    assert 'data-tahap="DISETUJUI"' in body and "Disetujui" in body
    assert re.findall(r'data-aksi="(\w+)"', body) == [
        "AJUKAN", "VERIFIKASI", "PERBARUI", "VERIFIKASI", "SETUJUI"]


def test_only_the_district_approves(client, operator, kecamatan, pengamat, staf_lain, putaran,
                                    groups):
    submit(client, operator, putaran)
    accept_all_and_verify(client, kecamatan, putaran)
    for user, status in ((operator, 403), (kecamatan, 403), (pengamat, 403), (staf_lain, 404)):
        client.force_login(user)
        assert client.post(url(putaran, "setujui/")).status_code == status
        assert client.post(url(putaran, "kembalikan/"), {"catatan": "x"}).status_code == status
    assert usulan_of(putaran).tahap == Tahap.DIVERIFIKASI


def test_the_district_sends_a_list_back_to_the_kecamatan(client, operator, kecamatan, staf,
                                                         putaran, groups):
    submit(client, operator, putaran)
    client.force_login(staf)
    assert client.post(url(putaran, "setujui/")).status_code == 409  # not verified yet
    accept_all_and_verify(client, kecamatan, putaran)
    client.force_login(staf)
    empty = client.post(url(putaran, "kembalikan/"), {"catatan": ""})
    assert empty.status_code == 400
    assert usulan_of(putaran).tahap == Tahap.DIVERIFIKASI
    done = client.post(url(putaran, "kembalikan/"), {"catatan": "Cek ulang Karang Taruna"})
    assert done.status_code == 302
    usulan = usulan_of(putaran)
    assert usulan.tahap == Tahap.DIAJUKAN and usulan.diverifikasi is None
    body = client.get(url(putaran)).content.decode()
    assert "Cek ulang Karang Taruna" in body and 'data-aksi="KEMBALI_KEC"' in body
    # The kecamatan may verify again.
    client.force_login(kecamatan)
    assert client.post(url(putaran, "verifikasi/")).status_code == 302


# Who sees what --------------------------------------------------------------------------------
def test_observers_see_the_stage_and_counts_never_the_items(client, operator, pengamat,
                                                            putaran, groups):
    submit(client, operator, putaran)
    item = item_of(putaran, "Dasa Wisma Mawar")
    client.force_login(pengamat)
    page = client.get(url(putaran))
    body = page.content.decode()
    assert page.status_code == 200 and 'data-tahap="DIAJUKAN"' in body
    assert page.context["total"] == 3 and page.context["page"] is None
    assert "Dasa Wisma Mawar" not in body and "Hasil musdes" not in body
    assert 'id="berita-acara"' not in body
    assert client.get(f"/verifikasi/item/{item.pk}/").status_code == 404


def test_an_item_of_a_pmks_case_is_logged_the_list_is_not(client, operator, kecamatan, putaran):
    KasusPMKS.objects.create(nama="Mak Icih", desa_id=CIBEUREUM,
                             kategori=KategoriPMKS.objects.first())
    submit(client, operator, putaran)
    client.force_login(kecamatan)
    before = LogAkses.objects.count()
    assert "Mak Icih" in client.get(url(putaran)).content.decode()
    assert LogAkses.objects.count() == before
    item = ItemUsulan.objects.get(jenis="PMKS")
    assert "Mak Icih" in client.get(f"/verifikasi/item/{item.pk}/").content.decode()
    log = LogAkses.objects.get()
    assert log.pengguna == kecamatan and log.kasus.nama == "Mak Icih"


def test_the_list_page_costs_the_same_queries_whatever_its_size(
        client, operator, kecamatan, putaran, make_perkumpulan, django_assert_max_num_queries):
    for i in range(3):
        make_perkumpulan(f"CBR-DW-{i:03d}")
    submit(client, operator, putaran)
    client.force_login(kecamatan)
    with CaptureQueriesContext(connection) as small:
        assert client.get(url(putaran)).status_code == 200
    counted = len(small.captured_queries)
    assert 0 < counted <= 20
    # Over 500 records of one kind: past any chunk of ids.
    jenis = JenisPerkumpulan.objects.get(kode="DW")
    Perkumpulan.objects.bulk_create(
        Perkumpulan(kode=f"CBR-DW-{i:03d}", nama=f"Kelompok {i}", desa_id=CIBEUREUM, jenis=jenis,
                    tahun_berdiri=2000) for i in range(3, 530))
    client.force_login(operator)
    client.post(url(putaran, "perbarui/"))
    assert ItemUsulan.objects.count() == 530
    Perkumpulan.objects.filter(kode__in=["CBR-DW-001", "CBR-DW-520"]).update(tahun_berdiri=2001)
    client.force_login(kecamatan)
    with django_assert_max_num_queries(counted):
        page = client.get(url(putaran))
    assert len(page.context["page"].object_list) == 100
    assert page.context["page"].paginator.num_pages == 6
    assert {c["item"].label.split()[0] for c in page.context["changed"]} == {
        "CBR-DW-001", "CBR-DW-520"}
