"""Cases of two villages: Mak Icih (registered, accompanied, referred, helped), Abah Entis (no NIK,
no group) in Cibeureum; Ujang in Melong."""

import pytest
from django.utils import timezone

from tests.conftest import CIBEUREUM, MELONG

NIK = "3277014101800001"


@pytest.fixture
def cases(make_perkumpulan, make_warga, operator):
    from pmks.models import KasusPMKS, KategoriPMKS, StatusKasus

    dw = make_perkumpulan("CBR-DW-001", nama="Dasa Wisma Mawar")
    first, second = KategoriPMKS.objects.order_by("urutan", "nama")[:2]
    icih = KasusPMKS.objects.create(
        nama="Mak Icih", warga=make_warga(NIK, nama="Mak Icih", wilayah_id=CIBEUREUM),
        desa_id=CIBEUREUM, rw=3, kategori=first, pendamping=dw, alamat="Jl. Melati 4")
    icih.catat_status(operator)
    icih.ubah_status(StatusKasus.DIRUJUK, operator, catatan="ke panti")
    icih.rujukan.create(tujuan="PANTI", lembaga="Panti Werdha", oleh=operator)
    from bantuan.models import Penyaluran

    Penyaluran.bantu_kasus(icih, tanggal=timezone.localdate(),
                           bentuk="BARANG", sumber="JIMPITAN", nilai=50000, perkumpulan=dw)
    entis = KasusPMKS.objects.create(nama="Abah Entis", desa_id=CIBEUREUM, rw=5, kategori=second)
    melong = KasusPMKS.objects.create(nama="Ujang", desa_id=MELONG, kategori=first)
    return {"icih": icih, "entis": entis, "melong": melong, "first": first}
