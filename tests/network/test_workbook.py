"""The jaringan sheet of the survey workbook (network.workbook): links between groups and to
outside partners, and what an import of links leaves behind."""

import pytest
from django.utils import translation

from network.models import BentukHubungan, Hubungan, JenisMitra, Mitra
from registry import workbook
from tests.survey_files import (
    CIBEUREUM,
    created,
    group,
    imported,
    link,
    make_xlsx,
    message,
    refused,
    tally,
    unchanged,
)

pytestmark = pytest.mark.django_db


# The jaringan sheet ------------------------------------------------------------------------------
def network_file(tmp_path, *links):
    return make_xlsx(tmp_path, {
        "perkumpulan": [group("CBR-DW-001"), group("CBR-PSY-001", jenis="Posyandu")],
        "jaringan": list(links),
    })


def test_a_link_between_two_groups(tmp_path):
    imported(network_file(tmp_path, link("CBR-DW-001", "CBR-PSY-001", bentuk_hubungan="Rujukan")))
    only = Hubungan.objects.get()
    assert (only.perkumpulan.kode, only.mitra_perkumpulan.kode, only.mitra_luar) == (
        "CBR-DW-001", "CBR-PSY-001", None
    )
    assert only.bentuk == BentukHubungan.RUJUKAN
    assert Mitra.objects.count() == 0


def test_imported_links_update_the_stored_count_of_isolated_groups(tmp_path):
    from registry import rekap
    from registry.models import Wilayah

    city = Wilayah.objects.get(pk="32.77")
    imported(make_xlsx(tmp_path, {"perkumpulan": [group("CBR-DW-001"),
                                                  group("CBR-PSY-001", jenis="Posyandu")]}))
    rekap.refresh_stale(city)
    rows = rekap.RekapSel.objects.filter(wilayah=city)
    assert rekap.stored_total(rows, "terisolasi") == 2
    imported(network_file(tmp_path, link("CBR-DW-001", "CBR-PSY-001")))
    rekap.refresh_stale(city)
    assert rekap.stored_total(rows, "terisolasi") == 0


def test_an_import_leaves_planner_statistics_on_sqlite(tmp_path):
    """Without them SQLite reads a large area's groups row by row (see bench/pages_bench.py)."""
    from django.db import connection

    if connection.vendor != "sqlite":
        pytest.skip("PostgreSQL's autovacuum keeps its own statistics")
    imported(network_file(tmp_path, link("CBR-DW-001", "CBR-PSY-001")))
    with connection.cursor() as cursor:
        cursor.execute("SELECT DISTINCT tbl FROM sqlite_stat1")
        analysed = {row[0] for row in cursor.fetchall()}
    assert {"registry_perkumpulan", "network_hubungan"} <= analysed


def test_a_new_outside_partner_is_created_with_its_jenis_mitra(tmp_path):
    path = network_file(tmp_path, link("CBR-DW-001", "PT Sumber Rejeki", jenis_mitra="CSR"))
    imp = imported(path)
    assert tally(imp)["jaringan"] == created(1)
    partner = Mitra.objects.get()
    assert (partner.nama, partner.jenis, partner.wilayah_id) == (
        "PT Sumber Rejeki", JenisMitra.DUNIA_USAHA, CIBEUREUM
    )
    assert Hubungan.objects.get().mitra_luar == partner


def test_an_unknown_outside_partner_without_jenis_mitra_is_an_error(tmp_path):
    path = network_file(tmp_path, link("CBR-DW-001", "CBR-PSY-001"),
                        link("CBR-DW-001", "Yayasan Entah"))
    imp = refused(path, [("jaringan", 3, "jenis_mitra")])
    with translation.override("en"):
        imp = workbook.run(path)
    assert "Yayasan Entah" in message(imp)


def test_a_link_of_a_group_to_itself_is_an_error(tmp_path):
    path = network_file(tmp_path, link("CBR-DW-001", "CBR-PSY-001"),
                        link("CBR-PSY-001", "CBR-PSY-001"))
    refused(path, [("jaringan", 3, "mitra")])


@pytest.mark.parametrize(
    "nama", ["Dinas Sosial Kota Cimahi", "DINAS SOSIAL  kota cimahi"], ids=["same", "other-case"]
)
def test_a_partner_recorded_at_the_kabupaten_is_reused(tmp_path, nama):
    dinas = Mitra.objects.create(
        nama="Dinas Sosial Kota Cimahi", jenis=JenisMitra.PEMERINTAH, wilayah_id="32.77"
    )
    path = network_file(tmp_path, link("CBR-DW-001", nama,
                                       bentuk_hubungan="Berjenjang (vertikal)"))
    imported(path)
    assert list(Mitra.objects.all()) == [dinas]
    assert Hubungan.objects.get().mitra_luar == dinas
    assert tally(imported(path))["jaringan"] == unchanged(1)
