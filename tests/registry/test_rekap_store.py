"""The stored recap counts follow every kind of change: after each edit, the recap of every level
equals the recap computed from scratch."""

import io
from datetime import timedelta

import openpyxl
import pytest
from django.core.management import call_command
from django.utils import timezone, translation

from members.models import Keanggotaan, PeranAnggota
from registry import rekap
from registry.models import (
    Daftar,
    JenisPerkumpulan,
    Perkumpulan,
    Pilihan,
    RekapBasi,
    RekapSel,
    Wilayah,
)
from tests.conftest import CIBEUREUM, MELONG

LEUWIGAJAH = "32.77.02.1001"  # another kecamatan of Kota Cimahi
AREAS = [CIBEUREUM, MELONG, LEUWIGAJAH, "32.77.01", "32.77.02", "32.77", "32"]


def recaps() -> dict[str, dict]:
    return {kode: rekap.build(Wilayah.objects.get(pk=kode), 2016).as_dict() for kode in AREAS}


def assert_same_as_from_scratch() -> dict[str, dict]:
    kept = recaps()
    rekap.refresh_all()
    assert recaps() == kept
    return kept


def groups_of(data: dict) -> dict[str, int]:
    """Table 1 per type: total groups."""
    return {row["kode"]: row["jumlah"] for row in data["tabel"][0]["baris"]}


@pytest.fixture
def village(make_perkumpulan, make_warga):
    dw = make_perkumpulan("CBR-DW-001", jenis="DW", tahun_berdiri=2000, masa_kepengurusan=3)
    kt = make_perkumpulan("CBR-KT-001", jenis="KT", tahun_berdiri=2010)
    make_perkumpulan("MLG-DW-001", desa=MELONG, jenis="DW", tahun_berdiri=1990,
                     jumlah_anggota=25)
    chair = make_warga("3277014101800001", pendidikan="SMA", wilayah_id=CIBEUREUM)
    Keanggotaan.objects.create(warga=chair, perkumpulan=dw, peran=PeranAnggota.KETUA)
    return dw, kt, chair


def test_counts_follow_saves_moves_and_deletes(village):
    dw, kt, _chair = village
    before = assert_same_as_from_scratch()
    assert groups_of(before[CIBEUREUM]) == {"DW": 1, "KT": 1}
    assert before["32.77"]["jumlah_perkumpulan"] == 3

    kt.jenis = JenisPerkumpulan.objects.get(kode="POSYANDU")
    kt.save()
    assert groups_of(assert_same_as_from_scratch()[CIBEUREUM]) == {"DW": 1, "POSYANDU": 1}

    moved = Perkumpulan.objects.get(pk=kt.pk)  # loaded, then moved to another kecamatan
    moved.desa_id = LEUWIGAJAH
    moved.save()
    after = assert_same_as_from_scratch()
    assert groups_of(after[CIBEUREUM]) == {"DW": 1}
    assert groups_of(after["32.77.02"]) == {"POSYANDU": 1}
    assert after["32.77"]["jumlah_perkumpulan"] == 3

    dw.aktif = False
    dw.save()
    assert assert_same_as_from_scratch()[CIBEUREUM]["jumlah_perkumpulan"] == 0

    Perkumpulan.objects.filter(kode="MLG-DW-001").delete()
    after = assert_same_as_from_scratch()
    assert after["32.77"]["jumlah_perkumpulan"] == 1 and after["32"]["jumlah_perkumpulan"] == 1


def test_counts_follow_lists_members_and_education(village):
    dw, _kt, chair = village
    assert_same_as_from_scratch()
    funds = list(Pilihan.objects.filter(daftar=Daftar.SUMBER_DANA)[:2])
    dw.sumber_dana.add(*funds)
    table_9 = assert_same_as_from_scratch()["32.77"]["tabel"][8]
    assert table_9["nomor"] == 9 and table_9["total"]["jumlah"] == 2
    dw.sumber_dana.remove(funds[0])
    dw.sumber_dana.clear()
    assert assert_same_as_from_scratch()["32.77"]["tabel"][8]["total"]["jumlah"] == 0

    # Table 4: the chair's education changes, then the chair steps down.
    chair.pendidikan = "PT"
    chair.save()
    table_4 = assert_same_as_from_scratch()[CIBEUREUM]["tabel"][3]
    assert {r["kode"]: r["jumlah"] for r in table_4["baris"]} == {"PT": 1}
    membership = Keanggotaan.objects.get(warga=chair)
    membership.delete()
    assert assert_same_as_from_scratch()[CIBEUREUM]["tabel"][3]["total"]["jumlah"] == 0

    # Table 3: a group without a declared number counts its registered members.
    for i in range(11):
        person = type(chair).objects.create(nik=f"32770141018000{i + 10:02d}", nama=f"A {i}")
        Keanggotaan.objects.create(warga=person, perkumpulan=dw)
    dw.aktif = True
    dw.save()
    table_3 = assert_same_as_from_scratch()[CIBEUREUM]["tabel"][2]
    assert {r["kode"]: r["nilai"] for r in table_3["baris"]}["DW"] == [0, 1, 0]


def test_a_mark_newer_than_the_refresh_is_kept(village):
    """A change committed while a refresh runs leaves its village marked after the refresh."""
    rekap.own_writes_counted()
    assert not RekapBasi.objects.exists()
    RekapBasi.objects.create(desa_id=CIBEUREUM, sejak=timezone.now() + timedelta(days=1))
    rekap.refresh([CIBEUREUM])
    assert RekapBasi.objects.filter(pk=CIBEUREUM).exists()


def test_the_writer_computes_the_counts_and_no_reader_does(village, client, staf, operator,
                                                          capsys):
    """A web request that writes computes its villages' counts before it answers; counts left
    waiting by another process (a raw bulk write) are not computed by a page that reads them —
    the page says they wait — but by the next request that writes, or `--segarkan-basi`."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    dw, _kt, _chair = village
    rekap.own_writes_counted()  # the fixture's (made outside a request)
    assert not RekapBasi.objects.exists()
    client.force_login(operator)
    form = client.get(f"/perkumpulan/{dw.kode}/ubah/").context["form"]
    data = {k: v for k, v in form.initial.items() if v is not None and not isinstance(v, list)}
    data.update({name: [p.pk for p in value] for name, value in form.initial.items()
                 if isinstance(value, list)})
    data["aktif"] = ""  # unticked: no longer active
    answer = client.post(f"/perkumpulan/{dw.kode}/ubah/", data)
    assert answer.status_code == 302, answer.context["form"].errors
    assert not RekapBasi.objects.exists()
    assert RekapSel.objects.get(wilayah_id=CIBEUREUM, dimensi="jumlah",
                                jenis__kode="KT").jumlah == 1
    assert not RekapSel.objects.filter(wilayah_id=CIBEUREUM, dimensi="jumlah",
                                       jenis__kode="DW").exists()
    # Another process's raw bulk write: Melong's group inactive, every village of the city marked.
    villages = list(Wilayah.objects.filter(tingkat="desa", kode__startswith="32.77")
                    .values_list("pk", flat=True))
    Perkumpulan.objects.filter(desa=MELONG).update(aktif=False)
    RekapBasi.objects.bulk_create([RekapBasi(desa_id=v, sejak=timezone.now()) for v in villages])
    client.force_login(staf)
    with CaptureQueriesContext(connection) as captured:
        page = client.get("/rekap/", {"wilayah": "32.77", "tahun": 2016})
    writes = [q["sql"] for q in captured.captured_queries
              if q["sql"].lstrip().upper().startswith(("INSERT", "UPDATE", "DELETE"))]
    assert writes == []
    assert page.context["rekap"].jumlah_perkumpulan == 2  # as stored: Melong's not yet gone
    assert f"Angka {len(villages)} desa/kelurahan menunggu dihitung ulang" in page.content.decode()
    with translation.override("en"):
        call_command("rekap", wilayah="32.77", tahun_acuan=2016, segarkan_basi=True)
    assert f"Stored counts of {len(villages)} waiting villages" in capsys.readouterr().err
    assert not RekapBasi.objects.exists()
    assert rekap.build(Wilayah.objects.get(pk="32.77"), 2016).jumlah_perkumpulan == 1
    # Left waiting a while: the next write in a request takes them along.
    RekapBasi.objects.bulk_create([RekapBasi(desa_id=v, sejak=timezone.now()
                                             - timedelta(minutes=5)) for v in villages])
    with rekap.deferred():
        rekap.mark_stale([CIBEUREUM])
    assert not RekapBasi.objects.exists()


def test_imports_compute_what_they_change(db, tmp_path):
    call_command("load_demo", stdout=io.StringIO())
    city = Wilayah.objects.get(pk="32.77")
    # The village's 307 and the demo's BKB of the kecamatan (demo/atas.py).
    assert rekap.build(city, 2006).jumlah_perkumpulan == 308
    assert not RekapBasi.objects.exists()
    # Export Cibeureum, move two groups to Melong and deactivate one, import again.
    path = tmp_path / "cibeureum.xlsx"
    call_command("export_survey", wilayah=CIBEUREUM, output=str(path), stdout=io.StringIO())
    book = openpyxl.load_workbook(path)
    sheet = book["perkumpulan"]
    header = [c.value for c in sheet[1]]
    area, active = header.index("kode_wilayah"), header.index("aktif")
    sheet.cell(2, area + 1, MELONG)
    sheet.cell(3, area + 1, MELONG)
    sheet.cell(4, active + 1, "Tidak")
    book.save(path)
    call_command("import_survey", str(path), stdout=io.StringIO())
    assert not RekapBasi.objects.exists()  # computed by the import, in its transaction
    kept = assert_same_as_from_scratch()
    assert kept[MELONG]["jumlah_perkumpulan"] == 2
    assert kept[CIBEUREUM]["jumlah_perkumpulan"] == 304
    assert kept["32.77"]["jumlah_perkumpulan"] == 307


def test_refresh_costs_the_same_queries_for_one_village_or_many(
    make_perkumpulan, django_assert_max_num_queries
):
    make_perkumpulan("ONE-001")
    # (20 before Table 13's `latih`, 2 more for the PMKS store: its count, its rows; 5 for
    # the aid store: its rows, its recipients, distributions, stimulus groups and cases)
    with django_assert_max_num_queries(28) as one:
        rekap.refresh([CIBEUREUM])
    villages = list(Wilayah.objects.filter(tingkat="desa", kode__startswith="32.77")
                    .values_list("pk", flat=True))
    for i, kode in enumerate(villages):
        make_perkumpulan(f"MANY-{i:03d}", desa=kode, jenis=["DW", "KT"][i % 2])
    with django_assert_max_num_queries(len(one.captured_queries)):
        rekap.refresh(villages)
    assert rekap.build(Wilayah.objects.get(pk="32.77"), 2016).jumlah_perkumpulan == 16


def test_segarkan_recomputes_counts_a_raw_bulk_write_missed(village, capsys):
    assert rekap.build(Wilayah.objects.get(pk="32.77"), 2016).jumlah_perkumpulan == 3
    # A bulk update sends no signals: the stored counts still say three active groups...
    Perkumpulan.objects.filter(desa=CIBEUREUM).update(aktif=False)
    call_command("rekap", wilayah="32.77", tahun_acuan=2016)
    assert '"jumlah_perkumpulan": 3' in capsys.readouterr().out
    # ...until --segarkan computes them again.
    with translation.override("en"):
        call_command("rekap", wilayah="32.77", tahun_acuan=2016, segarkan=True)
    captured = capsys.readouterr()
    assert '"jumlah_perkumpulan": 1' in captured.out
    assert "Stored counts of 2 villages computed again." in captured.err


def test_a_change_no_count_reads_computes_nothing(village, make_perkumpulan):
    """A save that changes none of the fields the counts read marks nothing; a link changes the
    isolated groups' count only for a group it is the first link of, its removal only for a
    group left without any — by adjusting the stored count, no village counted again — and the
    counts stay those computed from scratch."""
    from network.models import Hubungan

    dw, kt, _chair = village
    mlg = Perkumpulan.objects.get(kode="MLG-DW-001")
    rekap.own_writes_counted()
    dw = Perkumpulan.objects.get(pk=dw.pk)  # loaded, as a form loads it
    dw.nama, dw.alamat = "Dasa Wisma Mawar", "Jl. Baru 1"
    dw.save()
    assert not RekapBasi.objects.exists()
    dw.tahun_berdiri = 2001
    dw.save()
    assert set(RekapBasi.objects.values_list("desa", flat=True)) == {CIBEUREUM}
    rekap.own_writes_counted()

    def isolated() -> dict[str, int]:
        return {w: rekap.stored_total(RekapSel.objects.filter(wilayah=w), "terisolasi")
                for w in (CIBEUREUM, MELONG, "32.77")}

    assert isolated() == {CIBEUREUM: 2, MELONG: 1, "32.77": 3}
    first = Hubungan.objects.create(perkumpulan=dw, mitra_perkumpulan=mlg, bentuk="KOORDINASI")
    assert isolated() == {CIBEUREUM: 1, MELONG: 0, "32.77": 1}
    second = Hubungan.objects.create(perkumpulan=dw, mitra_perkumpulan=kt, bentuk="KOORDINASI")
    assert isolated() == {CIBEUREUM: 0, MELONG: 0, "32.77": 0}  # kt's first
    Hubungan.objects.create(perkumpulan=mlg, mitra_perkumpulan=kt, bentuk="BERBAGI")
    second.delete()
    assert isolated() == {CIBEUREUM: 0, MELONG: 0, "32.77": 0}  # dw and kt keep a link each
    first.delete()
    assert isolated() == {CIBEUREUM: 1, MELONG: 0, "32.77": 1}  # dw alone
    assert not RekapBasi.objects.exists()  # no village waits to be counted again
    kept = assert_same_as_from_scratch()
    assert kept[CIBEUREUM]["jumlah_perkumpulan"] == 2


def test_a_link_of_a_kecamatans_group_adjusts_its_own_level_too(village, make_perkumpulan):
    from network.models import Hubungan

    dw, _kt, _chair = village
    bkb = make_perkumpulan("CS-BKB-001", desa="32.77.01", jenis="BKB")
    inactive = make_perkumpulan("CBR-DW-009", jenis="DW", aktif=False)
    rekap.own_writes_counted()
    link = Hubungan.objects.create(perkumpulan=bkb, mitra_perkumpulan=dw, bentuk="KOORDINASI")
    Hubungan.objects.create(perkumpulan=inactive, mitra_perkumpulan=dw, bentuk="KOORDINASI")
    assert not RekapBasi.objects.exists()
    assert not RekapSel.objects.filter(wilayah="32.77.01", dimensi="@terisolasi").exists()
    assert_same_as_from_scratch()
    link.delete()
    assert RekapSel.objects.get(wilayah="32.77.01", dimensi="@terisolasi").jumlah == 1
    assert_same_as_from_scratch()


@pytest.mark.django_db(transaction=True)
def test_a_link_written_outside_a_transaction_counts_its_villages_again(reference_data_reloaded):
    """Outside a transaction nothing holds two links of one group apart: the villages are
    counted again rather than adjusted."""
    from network.models import Hubungan

    dw = JenisPerkumpulan.objects.get(kode="DW")
    a = Perkumpulan.objects.create(kode="CBR-DW-101", nama="A", desa_id=CIBEUREUM, jenis=dw,
                                   tahun_berdiri=2000)
    b = Perkumpulan.objects.create(kode="MLG-DW-101", nama="B", desa_id=MELONG, jenis=dw,
                                   tahun_berdiri=2000)
    rekap.own_writes_counted()
    Hubungan.objects.create(perkumpulan=a, mitra_perkumpulan=b, bentuk="KOORDINASI")
    assert set(RekapBasi.objects.values_list("desa", flat=True)) == {CIBEUREUM, MELONG}
    assert_same_as_from_scratch()
