"""The groups' own funds in the demo data (demo.dana): every group's dues and arisan, the
simpan-pinjam of the groups whose activity it is (seed 004, D–E), last year's books; in the
generated villages and in the demo village, whose seed 004 recap of 2006 stays as it was."""

import datetime
from collections import Counter

import pytest
from django.core.management import call_command

from demo.generator import ACTIVITY
from network.models import DanaPerkumpulan
from registry import rekap, validators
from registry.models import Perkumpulan, Wilayah
from tests.demo.test_generate_demo import VILLAGES, generate

LAST_YEAR_END = datetime.date(validators.this_year() - 1, 12, 31)


def savers() -> int:
    return Perkumpulan.objects.filter(
        jenis__kode__in=[j for j, a in ACTIVITY.items() if a == "SIMPAN_PINJAM"]).count()


@pytest.mark.django_db
def test_generated_groups_run_dues_an_arisan_and_simpan_pinjam(db):
    generate()
    # The villages' groups: the kecamatan's BKB (demo.atas) keeps no funds.
    groups = Perkumpulan.objects.filter(desa__in=VILLAGES).count()
    kinds = Counter(DanaPerkumpulan.objects.values_list("jenis", flat=True))
    assert kinds == {"IURAN": groups, "ARISAN": groups, "SIMPAN_PINJAM": savers()}
    assert savers() > 0
    assert set(DanaPerkumpulan.objects.values_list("tanggal", flat=True)) == {LAST_YEAR_END}
    # An arisan pays out what it collects.
    assert all(collected == spent for collected, spent in DanaPerkumpulan.objects.filter(
        jenis="ARISAN").values_list("terkumpul", "dipakai"))
    assert DanaPerkumpulan.history.count() == DanaPerkumpulan.objects.count()
    table = next(t for t in rekap.build(Wilayah.objects.get(pk="32.77.01"),
                                        LAST_YEAR_END.year).tabel if t.nomor == 12)
    assert [(r.kode, r.jumlah) for r in table.baris] == [
        ("IURAN", groups), ("ARISAN", groups), ("SIMPAN_PINJAM", savers())]


@pytest.mark.django_db
def test_the_demo_village_gets_its_funds_once(db):
    call_command("load_demo", stdout=open("/dev/null", "w"))
    groups = Perkumpulan.objects.filter(desa_id="32.77.01.1002").count()
    assert groups == 307  # the village's; the kecamatan's BKB (demo.atas) keeps no funds
    entries = DanaPerkumpulan.objects.count()
    assert entries == 2 * groups + savers()
    call_command("load_demo", stdout=open("/dev/null", "w"))
    assert DanaPerkumpulan.objects.count() == entries
    # Seed 004's 2006 tables are all the 2006 recap holds: the funds are last year's books.
    assert 12 not in {t.nomor for t in rekap.build(Wilayah.objects.get(pk="32.77.01.1002"),
                                                   2006).tabel}
