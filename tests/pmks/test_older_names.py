"""The older ministry PMKS list (seed 002): its names are aliases of today's categories where one
covers them, categories of their own (marked `daftar_lama`) where none does; a list written with
them imports from the survey workbook and from the admin."""

import pytest
from django.core.management import call_command

from pmks.models import KasusPMKS, KategoriPMKS
from registry.workbook.cells import matcher
from tests.admin_import import PMKS, confirm, english, upload, xlsx_file  # noqa: F401
from tests.survey_files import ASEP, case, created, imported, make_xlsx, tally, unchanged

pytestmark = pytest.mark.django_db

# Seed 002's names (as written there) and the older list's, with the category each lands on.
OLDER_NAMES = {
    "wanita rawan sosial ekonomi": "PRSE",
    "keluarga berumah tidak layak huni": "KBRTLH",
    "Keluarga Muda Miskin": "KMM",
    "keluarga muda yang kondisi sosial ekonominya miskin": "KMM",
    "penyandang cacat terlantar": "PD",
    "anak atau remaja terlantar": "AT",
    "lansia terlantar": "LUT",
    "Keluarga Fakir Miskin": "FM",
    "Anak Nakal": "ABH",
    "Anak Cacat": "ADK",
    "Bekas Narapidana": "BWBLP",
    "Pekerja Migran Terlantar": "PMBS",
    "Korban Bencana Sosial/Pengungsi": "KBS",
    "Keluarga Rentan": "KR",
    "Masyarakat yang Tinggal di Daerah Rawan Bencana": "MDRB",
    "RTLH": "KBRTLH",
}


def test_the_older_names_match_todays_categories_or_their_own():
    categories = list(KategoriPMKS.objects.all())
    match = matcher(KategoriPMKS.lookup(categories), "kategori", [])
    assert {name: match(name).kode for name in OLDER_NAMES} == OLDER_NAMES
    # The 26 of today, and four of the older list that none of them covers.
    assert KategoriPMKS.objects.filter(daftar_lama=False).count() == 26
    assert sorted(KategoriPMKS.objects.filter(daftar_lama=True).values_list("kode", flat=True)) \
        == ["KBRTLH", "KMM", "KR", "MDRB"]
    # Listed after the 26 (the form's and the template's dropdowns, Table 10).
    assert [k.kode for k in KategoriPMKS.objects.order_by("urutan", "nama")][26:] == [
        "KBRTLH", "KMM", "KR", "MDRB"]
    assert list(KategoriPMKS.objects.get(kode="KMM").jenis_penolong.values_list(
        "kode", flat=True).order_by("kode")) == ["KUBE", "UP2KS"]


def test_loading_the_reference_list_again_updates_without_duplicating():
    before = KategoriPMKS.objects.count()
    KategoriPMKS.objects.filter(kode="PRSE").update(alias="")
    call_command("loaddata", "referensi", verbosity=0)
    assert KategoriPMKS.objects.count() == before == 30
    assert "Wanita Rawan Sosial Ekonomi" in KategoriPMKS.objects.get(kode="PRSE").alias


def test_the_data_migration_adds_to_a_database_loaded_before():
    """A database loaded with the 26 only (and an officer's own alias) gets the older list."""
    import importlib

    from django.apps import apps

    migration = importlib.import_module("pmks.migrations.0009_older_pmks_list")
    KategoriPMKS.objects.filter(daftar_lama=True).delete()
    KategoriPMKS.objects.filter(kode="PRSE").update(alias="Perempuan Rawan")
    migration.add_older_list(apps, None)
    migration.add_older_list(apps, None)  # twice: nothing doubles
    assert KategoriPMKS.objects.count() == 30
    assert KategoriPMKS.objects.get(kode="PRSE").alias == (
        "Perempuan Rawan; Wanita Rawan Sosial Ekonomi; WRSE")
    older = KategoriPMKS.objects.get(kode="KBRTLH")
    assert (older.nama, older.daftar_lama, older.urutan) == (
        "Keluarga Berumah Tidak Layak Huni", True, 101)


def test_a_pmks_sheet_written_with_the_older_names_imports(tmp_path):
    path = make_xlsx(tmp_path, {"pmks": [
        case("Euis", "wanita rawan sosial ekonomi", rw=1),
        case("Dadang", "keluarga berumah tidak layak huni", rw=2),
        case("Asep", "Keluarga Muda Miskin", nik=ASEP),
        case("Mak Onah", "penyandang cacat terlantar"),
    ]})
    assert tally(imported(path)) == {"pmks": created(4)}
    assert dict(KasusPMKS.objects.values_list("nama", "kategori__kode")) == {
        "Euis": "PRSE", "Dadang": "KBRTLH", "Asep": "KMM", "Mak Onah": "PD"}
    assert tally(imported(path)) == {"pmks": unchanged(4)}


def test_the_admin_import_takes_the_older_names(client, staf, english, tmp_path):  # noqa: F811
    client.force_login(staf)
    path = xlsx_file(tmp_path, ["id", "nama", "desa", "kategori", "status"], [
        ["", "Euis", "32.77.01.1002", "Wanita Rawan Sosial Ekonomi", "Teridentifikasi"],
        ["", "Dadang", "32.77.01.1002", "keluarga berumah tidak layak huni", "Ditangani"],
    ])
    preview = upload(client, PMKS, path)
    assert preview.status_code == 200 and not preview.context["result"].has_validation_errors()
    assert confirm(client, PMKS, preview).status_code == 302
    assert dict(KasusPMKS.objects.values_list("nama", "kategori__kode")) == {
        "Euis": "PRSE", "Dadang": "KBRTLH"}


def test_table_10_lists_an_older_category_after_todays_only_when_it_holds_cases(tmp_path):
    from registry import rekap
    from registry.models import Wilayah

    def table_10():
        data = rekap.build(Wilayah.objects.get(pk="32.77.01.1002"), 2026).as_dict()
        table = next(t for t in data["tabel"] if t["nomor"] == 10)
        return [(r["label"], r["kode"], r["nilai"]) for r in table["baris"]]

    path = make_xlsx(tmp_path, {"pmks": [
        case("Dadang", "keluarga berumah tidak layak huni", status="Ditangani"),
        case("Euis", "wanita rawan sosial ekonomi"),
        case("Asep", "Fakir Miskin", nik=ASEP, status="Selesai"),
    ]})
    imported(path)
    assert table_10() == [
        ("Perempuan Rawan Sosial Ekonomi", "PRSE", [1, 0, 0, 0, 0]),
        ("Fakir Miskin", "FM", [0, 0, 0, 1, 0]),
        ("Keluarga Berumah Tidak Layak Huni", "KBRTLH", [0, 1, 0, 0, 0]),
    ]
    # A new episode after a closed case counts too: every case is a row's count.
    again = make_xlsx(tmp_path, {"pmks": [case("Asep", "Keluarga Fakir Miskin", nik=ASEP)]},
                      "again.xlsx")
    imported(again)
    assert table_10()[1] == ("Fakir Miskin", "FM", [1, 0, 0, 1, 0])
