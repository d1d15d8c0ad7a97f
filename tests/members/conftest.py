"""The members pages' world: two Cimahi groups (Cibeureum, Melong) and one in Kota Bandung, four
people and their memberships; and what the page-family tests share (adding a member by NIK, the
rows as they are, the members panel of a group's page, counting a page's queries)."""

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from tests.conftest import CIBEUREUM, MELONG, SUKARASA

SITI = "3277014101800001"  # a woman born 1 January 1980 (day + 40), Cibeureum
BUDI = "3277010203750002"  # a man born 2 March 1975, Cibeureum
ASEP = "3277011212850003"  # Melong
DEDE = "3273011505900004"  # Kota Bandung
NEW_NIK = "3277012506010005"  # nobody yet


@pytest.fixture
def data(make_perkumpulan, make_warga):
    from members.models import Keanggotaan

    cbr = make_perkumpulan("CBR-DW-001", nama="Dasa Wisma Mawar")
    mlg = make_perkumpulan("MLG-DW-001", desa=MELONG, nama="Dasa Wisma Melati")
    bdg = make_perkumpulan("BDG-DW-001", desa=SUKARASA, nama="Dasa Wisma Bandung")
    siti = make_warga(SITI, nama="Siti Aminah", wilayah_id=CIBEUREUM, pendidikan="SMA")
    budi = make_warga(BUDI, nama="Budi Santoso", wilayah_id=CIBEUREUM)
    asep = make_warga(ASEP, nama="Asep Sunandar", wilayah_id=MELONG)
    dede = make_warga(DEDE, nama="Dede Rahmat", wilayah_id=SUKARASA)
    start = datetime.date(2020, 1, 1)
    return {
        "cbr": cbr, "mlg": mlg, "bdg": bdg,
        "siti": siti, "budi": budi, "asep": asep, "dede": dede,
        "ketua": Keanggotaan.objects.create(warga=siti, perkumpulan=cbr, peran="KETUA",
                                            mulai=start),
        "anggota": Keanggotaan.objects.create(warga=budi, perkumpulan=cbr, mulai=start),
        "mlg_ketua": Keanggotaan.objects.create(warga=asep, perkumpulan=mlg, peran="KETUA"),
        "bdg_ketua": Keanggotaan.objects.create(warga=dede, perkumpulan=bdg, peran="KETUA"),
    }


ADD = {"nik": NEW_NIK, "nama": "Rina Marlina", "jenis_kelamin": "P", "peran": "ANGGOTA"}


def add(client, kode="CBR-DW-001", **changes):
    posted = {**ADD, **changes}
    return client.post(f"/perkumpulan/{kode}/anggota/tambah/",
                        {k: v for k, v in posted.items() if v is not None})


def snapshot():
    from members.models import Keanggotaan, Warga

    return (
        list(Warga.objects.order_by("pk").values_list()),
        list(Keanggotaan.objects.order_by("pk").values_list()),
    )


def panel(response) -> dict:
    [found] = [p["context"] for p in response.context["panels"]
               if p["template"] == "members/panel_anggota.html"]
    return found


def queries(client, url) -> int:
    with CaptureQueriesContext(connection) as captured:
        assert client.get(url).status_code == 200
    return len(captured)


def grow(data, make_warga, n):
    """n people, each a current member of both Cimahi groups, every other one with an ended
    earlier role in Cibeureum."""
    from members.models import Keanggotaan

    for i in range(n):
        person = make_warga(f"3277010101{70 + i % 20:02d}{i + 100:04d}", nama=f"Orang {i:02d}")
        for group in (data["cbr"], data["mlg"]):
            Keanggotaan.objects.create(warga=person, perkumpulan=group,
                                       mulai=datetime.date(2022, 1, 1))
        if i % 2:
            Keanggotaan.objects.create(warga=person, perkumpulan=data["cbr"], peran="BENDAHARA",
                                       mulai=datetime.date(2020, 1, 1),
                                       selesai=datetime.date(2021, 12, 31))
