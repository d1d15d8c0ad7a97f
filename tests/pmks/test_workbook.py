"""The pmks sheet of the survey workbook (pmks.workbook): how a case is keyed, its
accompanying group."""

import pytest

from members.models import Warga
from pmks.models import KasusPMKS
from tests.survey_files import (
    ASEP,
    case,
    created,
    dump,
    group,
    imported,
    make_xlsx,
    tally,
    unchanged,
)

pytestmark = pytest.mark.django_db


# The pmks sheet ----------------------------------------------------------------------------------
def test_a_pmks_case_without_nik_is_keyed_by_name_village_and_category(tmp_path):
    path = make_xlsx(tmp_path, {"pmks": [
        case("Mak Icih", "Lanjut Usia Terlantar", rw=2, rt=1),
        case("Mak Icih", "Fakir Miskin", rw=2, rt=1),
    ]})
    assert tally(imported(path)) == {"pmks": created(2)}
    assert set(KasusPMKS.objects.values_list("warga", "nama", "kategori__kode")) == {
        (None, "Mak Icih", "LUT"), (None, "Mak Icih", "FM"),
    }
    assert Warga.objects.count() == 0
    first = dump()
    assert tally(imported(path)) == {"pmks": unchanged(2)}
    assert dump() == first


def test_a_pmks_case_with_an_accompanying_group_of_the_same_file(tmp_path):
    path = make_xlsx(tmp_path, {
        "perkumpulan": [group("CBR-PSY-001", jenis="Posyandu")],
        "pmks": [case("Asep", "Penyandang Disabilitas", nik=ASEP,
                      kode_perkumpulan_pendamping="CBR-PSY-001")],
    })
    imported(path)
    kasus = KasusPMKS.objects.get(nama="Asep")
    assert (kasus.pendamping.kode, kasus.warga.nik) == ("CBR-PSY-001", ASEP)
    assert tally(imported(path)) == {"perkumpulan": unchanged(1), "pmks": unchanged(1)}
