"""Monitoring rounds and what changed between two of them, on the hand-worked village of
tests/ketahanan/test_indikator.py: a round named, then a group deleted (with its link), a group
of another type, a membership ended, a link made and one removed, a case closed and one opened,
a group founded."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from tests.conftest import CIBEUREUM, MELONG

KECAMATAN = "32.77.01"


@pytest.fixture
def named(village, staf):
    from ketahanan.models import PutaranPantau

    return PutaranPantau.objects.create(wilayah_id="32.77", nama="Pemantauan I",
                                        tanggal=timezone.localdate(), dibuat_oleh=staf)


def change(village, make_perkumpulan):
    from members.models import Keanggotaan
    from network.models import Hubungan
    from pmks.models import KasusPMKS, KategoriPMKS
    from registry.models import JenisPerkumpulan

    g, c = village["g"], village["c"]
    g["G4"].delete()
    g["G3"].jenis = JenisPerkumpulan.objects.get(kode="KUBE")
    g["G3"].save()
    membership = Keanggotaan.objects.get(warga=village["p"]["P1"])
    membership.selesai = timezone.localdate()
    membership.save()
    Hubungan.objects.create(perkumpulan=g["G6"], mitra_perkumpulan=g["G1"], bentuk="BERBAGI")
    Hubungan.objects.get(perkumpulan=g["G1"], mitra_perkumpulan=g["G2"]).delete()
    c["C2"].status = "SELESAI"
    c["C2"].save()
    KasusPMKS.objects.create(nama="C6", desa_id=CIBEUREUM,
                             kategori=KategoriPMKS.objects.get(kode="FM"))
    make_perkumpulan("CBR-KWT-001", jenis="KWT")


def counts(page, wilayah: str) -> dict:
    labels = page.context["labels"]
    row = next(r for r in page.context["rows"] if r["wilayah"] == wilayah)
    return {str(label): n for label, n in zip(labels, row["counts"], strict=True) if n}


def test_the_changes_between_a_named_round_and_today(village, named, make_perkumpulan, client,
                                                    staf):
    change(village, make_perkumpulan)
    client.force_login(staf)
    page = client.get("/ketahanan/perubahan/", {"wilayah": KECAMATAN, "dari": f"t-{named.pk}",
                                                "sampai": "kini"})
    assert page.status_code == 200
    kinds = [str(k) for k in page.context["labels"]]
    row = next(r for r in page.context["rows"] if r["wilayah"] == CIBEUREUM)
    found = dict(zip(kinds, row["counts"], strict=True))
    values = list(found.values())
    # founded, dissolved, changed type, joined, left, links made, ended, opened, closed
    assert values == [1, 1, 1, 0, 1, 0, 2, 1, 1]
    melong = next(r for r in page.context["rows"] if r["wilayah"] == MELONG)
    assert melong["counts"] == [0, 0, 0, 0, 0, 1, 0, 0, 0]
    figures = {f["key"]: (f["a"], f["b"]) for f in page.context["figures"]}
    assert figures == {"perkumpulan": (5, 5), "keanggotaan": (3, 2), "hubungan": (3, 2),
                       "kasus_terbuka": (4, 4)}
    table1 = next(t for t in page.context["tables"] if t["nomor"] == 1)
    assert (table1["a"], table1["b"], table1["selisih"]) == (5, 5, 0)
    html = page.content.decode()
    assert "Kelompok CBR-KWT-001 (CBR-KWT-001)" in html  # the founded group, by name


def test_an_observer_sees_no_case_columns(village, named, make_perkumpulan, client, pengamat):
    change(village, make_perkumpulan)
    client.force_login(pengamat)
    page = client.get("/ketahanan/perubahan/", {"wilayah": KECAMATAN, "dari": f"t-{named.pk}"})
    assert page.status_code == 200
    assert len(page.context["labels"]) == 7
    assert "kasus_terbuka" not in {f["key"] for f in page.context["figures"]}
    assert all(t["nomor"] not in (10, 11) for t in page.context["tables"])


def test_the_rounds_of_an_area_and_their_trend(village, named, make_perkumpulan, client,
                                               operator):
    from registry.models import Impor, StatusImpor

    Impor.objects.create(pengguna=operator, wilayah_id=CIBEUREUM, nama_berkas="survei.xlsx",
                         status=StatusImpor.DIIMPOR, diimpor=timezone.now())
    change(village, make_perkumpulan)
    client.force_login(operator)
    page = client.get("/ketahanan/putaran/")
    assert page.status_code == 200
    kinds = [r.jenis for r in page.context["rounds"]]
    assert kinds == ["kini", "impor", "tanggal"]  # newest first: today, the import, the round
    trend = {t["key"]: t for t in page.context["trend"]}
    assert [d["value"] for d in trend["perkumpulan"]["chart"]["dots"]] == [4, 4, 4]
    assert [d["value"] for d in trend["hubungan"]["chart"]["dots"]] == [3, 3, 1]
    assert page.context["may_name"] is True


def test_naming_a_round(village, client, operator, operator_lain, pengamat):
    from ketahanan.models import PutaranPantau

    client.force_login(operator)
    today = timezone.localdate()
    response = client.post(f"/ketahanan/putaran/baru/?wilayah={CIBEUREUM}",
                           {"nama": "Musim tanam", "tanggal": today.isoformat()})
    assert response.status_code == 302
    assert PutaranPantau.objects.get().wilayah_id == CIBEUREUM
    late = client.post(f"/ketahanan/putaran/baru/?wilayah={CIBEUREUM}",
                       {"nama": "Besok", "tanggal": (today + timezone.timedelta(days=1))
                        .isoformat()})
    assert late.status_code == 400 and PutaranPantau.objects.count() == 1
    client.force_login(operator_lain)
    assert client.post(f"/ketahanan/putaran/baru/?wilayah={CIBEUREUM}",
                       {"nama": "X", "tanggal": today.isoformat()}).status_code == 404
    client.force_login(pengamat)
    assert client.post(f"/ketahanan/putaran/baru/?wilayah={CIBEUREUM}",
                       {"nama": "X", "tanggal": today.isoformat()}).status_code == 403


def test_unknown_rounds_are_told(village, client, staf):
    client.force_login(staf)
    page = client.get("/ketahanan/perubahan/", {"wilayah": KECAMATAN, "dari": "t-999"})
    assert page.status_code == 400


def test_the_change_page_costs_the_same_queries_for_more_changes(village, named,
                                                                 make_perkumpulan, client,
                                                                 staf):
    client.force_login(staf)
    params = {"wilayah": KECAMATAN, "dari": f"t-{named.pk}"}
    change(village, make_perkumpulan)
    client.get("/ketahanan/perubahan/", params)  # the named round's counts computed, kept
    with CaptureQueriesContext(connection) as few:
        client.get("/ketahanan/perubahan/", params)
    for i in range(5):
        make_perkumpulan(f"MLG-X-{i}", desa=MELONG)
    with CaptureQueriesContext(connection) as many:
        client.get("/ketahanan/perubahan/", params)
    assert len(many) == len(few)
