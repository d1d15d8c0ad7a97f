"""The steps of a round on the models: submit, return, bring up to date, verify, approve."""

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from tests.conftest import CIBEUREUM
from verifikasi.models import (
    Aksi,
    ItemUsulan,
    Perubahan,
    Putaran,
    StatusItem,
    Tahap,
)


@pytest.fixture
def putaran(staf):
    today = timezone.localdate()
    return Putaran.objects.create(
        nama="Verifikasi 2026", wilayah_id="32.77", mulai=today.replace(month=1, day=1),
        selesai=today.replace(month=12, day=31), batas_usulan=today + datetime.timedelta(7),
        batas_verifikasi=today + datetime.timedelta(14),
        batas_persetujuan=today + datetime.timedelta(21), dibuat_oleh=staf)


def submitted(putaran, operator):
    usulan = putaran.usulan_desa(putaran.desa().get(pk=CIBEUREUM))
    usulan.musdes_tanggal = timezone.localdate()
    usulan.musdes_tempat = "Balai Desa Cibeureum"
    usulan.musdes_hadir = 42
    usulan.ajukan(operator)
    return usulan


def test_a_first_round_lists_every_record_of_the_village(putaran, operator, make_perkumpulan):
    make_perkumpulan("CBR-DW-001")
    make_perkumpulan("CBR-DW-002", aktif=False)
    make_perkumpulan("MLG-DW-001", desa="32.77.01.1001")
    usulan = submitted(putaran, operator)
    items = {i.label.split()[0]: i for i in usulan.items.all()}
    assert set(items) == {"CBR-DW-001", "CBR-DW-002"}
    assert items["CBR-DW-001"].perubahan == Perubahan.BARU
    assert items["CBR-DW-002"].perubahan == Perubahan.TUTUP
    assert items["CBR-DW-001"].data["nama"] == "Kelompok CBR-DW-001"
    assert usulan.tahap == Tahap.DIAJUKAN


def test_submitting_needs_the_village_meeting(putaran, operator):
    usulan = putaran.usulan_desa(putaran.desa().get(pk=CIBEUREUM))
    with pytest.raises(ValidationError):
        usulan.ajukan(operator)
    assert not ItemUsulan.objects.exists()


def test_return_fix_verify_approve(putaran, operator, kecamatan, staf, make_perkumpulan):
    group = make_perkumpulan("CBR-DW-001")
    usulan = submitted(putaran, operator)
    item = usulan.items.get()
    item.kembalikan(kecamatan, "Tahun berdiri salah")
    with pytest.raises(ValidationError):
        usulan.verifikasi(kecamatan)
    group.tahun_berdiri = 2001
    group.save()
    assert [i.selisih(i.sekarang) for i in usulan.berubah()] == [
        [("tahun_berdiri", "2000", "2001")]]
    assert usulan.perbarui(operator, "Sudah diperbaiki") == (1, 0)
    item.refresh_from_db()
    assert item.status == StatusItem.DIAJUKAN
    assert item.data_awal["tahun_berdiri"] == "2000" and item.data["tahun_berdiri"] == "2001"
    assert item.langkah.filter(aksi=Aksi.AJUKAN_ULANG).get().data["alasan"] == \
        "Tahun berdiri salah"
    item.terima(kecamatan)
    usulan.verifikasi(kecamatan)
    # A change after verification blocks approval until the village submits it.
    group.nama = "Dasa Wisma Anggrek"
    group.save()
    with pytest.raises(ValidationError):
        usulan.setujui(staf)
    usulan.perbarui(operator)
    usulan.refresh_from_db()
    assert usulan.tahap == Tahap.DIAJUKAN
    usulan.items.get().terima(kecamatan)
    usulan.verifikasi(kecamatan)
    usulan.setujui(staf)
    assert usulan.tahap == Tahap.DISETUJUI


def test_the_next_round_lists_only_the_changes(putaran, operator, kecamatan, staf,
                                               make_perkumpulan):
    make_perkumpulan("CBR-DW-001")
    changed = make_perkumpulan("CBR-DW-002")
    deleted = make_perkumpulan("CBR-DW-003")
    usulan = submitted(putaran, operator)
    for item in usulan.items.all():
        item.terima(kecamatan)
    usulan.verifikasi(kecamatan)
    usulan.setujui(staf)
    nxt = Putaran.objects.create(
        nama="Verifikasi 2027", wilayah_id="32.77", mulai=putaran.mulai, selesai=putaran.selesai,
        batas_usulan=putaran.batas_usulan, batas_verifikasi=putaran.batas_verifikasi,
        batas_persetujuan=putaran.batas_persetujuan)
    changed.aktif = False
    changed.save()
    deleted.delete()
    make_perkumpulan("CBR-DW-004")
    second = submitted(nxt, operator)
    assert {(i.label.split()[0], i.perubahan) for i in second.items.all()} == {
        ("CBR-DW-002", Perubahan.TUTUP), ("CBR-DW-003", Perubahan.HAPUS),
        ("CBR-DW-004", Perubahan.BARU)}


def test_late_stages(putaran, operator):
    usulan = putaran.usulan_desa(putaran.desa().get(pk=CIBEUREUM))
    assert not usulan.terlambat()
    assert usulan.terlambat(putaran.batas_usulan + datetime.timedelta(1))
    submitted(putaran, operator)
    usulan.refresh_from_db()
    assert not usulan.terlambat(putaran.batas_verifikasi)
    assert usulan.terlambat(putaran.batas_verifikasi + datetime.timedelta(1))
