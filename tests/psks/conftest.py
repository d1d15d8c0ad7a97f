"""The PSKS tests' village: groups of Cibeureum and Melong with their boards, the kecamatan's
TKSK, a PSM of Cibeureum, an LKS and two trainings.

Who leads what (current leaderships unless said):
- Dasa Wisma Mawar (Cibeureum): Ani chair, Budi secretary, Cici treasurer, Dodi a plain member
- Karang Taruna (Cibeureum): Eka chair; Gita its former chair (ended)
- Posyandu Melati (Cibeureum): Budi chair
- Dasa Wisma Lama (Cibeureum, inactive): Ani chair
- Dasa Wisma Melong (Melong): Fajar chair

Trainings: "Pengelolaan keuangan kelompok" (kecamatan 32.77.01, 5 March 2024) attended by Ani,
Budi, Dodi, Fajar and Gita; "Administrasi kelompok" (Cibeureum, 1 June 2025) attended by Ani."""

import datetime

import pytest

from tests.conftest import CIBEUREUM, MELONG

KECAMATAN = "32.77.01"


def nik(i: int) -> str:
    """A valid NIK of Kecamatan Cimahi Selatan (32.77.01), a man born 1 January 1980."""
    return f"327701010180{i:04d}"


@pytest.fixture
def world(make_perkumpulan, make_warga):
    from members.models import Keanggotaan
    from psks.models import LKS, Pelatihan, PesertaPelatihan, PetugasPSKS

    people = {name: make_warga(nik(i), nama=name, wilayah_id=MELONG if name == "Fajar"
                               else CIBEUREUM)
              for i, name in enumerate(
                  ["Ani", "Budi", "Cici", "Dodi", "Eka", "Fajar", "Gita", "Hadi", "Indah"], 1)}
    groups = {
        "dw": make_perkumpulan("CBR-DW-001", nama="Dasa Wisma Mawar"),
        "kt": make_perkumpulan("CBR-KT-001", jenis="KT", nama="Karang Taruna"),
        "py": make_perkumpulan("CBR-PY-001", jenis="POSYANDU", nama="Posyandu Melati"),
        "lama": make_perkumpulan("CBR-DW-002", nama="Dasa Wisma Lama", aktif=False),
        "mlg": make_perkumpulan("MLG-DW-001", desa=MELONG, nama="Dasa Wisma Melong"),
    }
    for group, name, peran, selesai in [
        ("dw", "Ani", "KETUA", None), ("dw", "Budi", "SEKRETARIS", None),
        ("dw", "Cici", "BENDAHARA", None), ("dw", "Dodi", "ANGGOTA", None),
        ("kt", "Eka", "KETUA", None), ("kt", "Gita", "KETUA", datetime.date(2023, 12, 31)),
        ("py", "Budi", "KETUA", None), ("lama", "Ani", "KETUA", None),
        ("mlg", "Fajar", "KETUA", None),
    ]:
        Keanggotaan.objects.create(perkumpulan=groups[group], warga=people[name], peran=peran,
                                   selesai=selesai)
    keuangan = Pelatihan.objects.create(
        topik="Pengelolaan keuangan kelompok", tanggal_mulai=datetime.date(2024, 3, 5),
        penyelenggara="Dinas Sosial Kota Cimahi", wilayah_id=KECAMATAN)
    administrasi = Pelatihan.objects.create(
        topik="Administrasi kelompok", tanggal_mulai=datetime.date(2025, 6, 1),
        penyelenggara="Kelurahan Cibeureum", wilayah_id=CIBEUREUM)
    for name in ("Ani", "Budi", "Dodi", "Fajar", "Gita"):
        PesertaPelatihan.objects.create(pelatihan=keuangan, warga=people[name])
    PesertaPelatihan.objects.create(pelatihan=administrasi, warga=people["Ani"])
    tksk = PetugasPSKS.objects.create(warga=people["Hadi"], peran="TKSK", wilayah_id=KECAMATAN,
                                      mulai=datetime.date(2020, 1, 1))
    psm = PetugasPSKS.objects.create(warga=people["Indah"], peran="PSM", wilayah_id=CIBEUREUM)
    lks = LKS.objects.create(nama="Panti Asuhan Al-Ikhlas", wilayah_id=CIBEUREUM,
                             status_hukum="BADAN_HUKUM", nomor_registrasi="AHU-0012",
                             layanan="anak terlantar")
    return {"people": people, "groups": groups, "keuangan": keuangan,
            "administrasi": administrasi, "tksk": tksk, "psm": psm, "lks": lks}
