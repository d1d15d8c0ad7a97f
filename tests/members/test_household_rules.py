"""Households (KK): the KK number's rule, one current household per person with dated moves,
and Table 3 counting a member household as one member."""

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from members.models import AnggotaKeluarga, HubunganKeluarga, KeanggotaanKeluarga, Keluarga
from registry import rekap, validators
from registry.models import Wilayah
from tests.conftest import CIBEUREUM
from tests.members.conftest import BUDI, SITI

KK = "3277011505150001"  # Cibeureum's kecamatan, issued 15 May 2015, sequence 0001
KK2 = "3277010203160002"


@pytest.mark.parametrize("value", [KK, "1101013112990001", "9271012902240123"])
def test_a_valid_kk_number_passes(value):
    validators.validate_no_kk(value)


@pytest.mark.parametrize(("value", "code"), [
    ("327701150515001", "kk_length"),
    ("32770115051500012", "kk_length"),
    ("32770115O5150001", "kk_not_digits"),
    ("0977011505150001", "kk_region"),
    ("3277011513150001", "kk_date"),  # month 13
    ("3277013202150001", "kk_date"),  # 32 February
    ("3277015505150001", "kk_date"),  # no +40 on a family card
    ("3277011505150000", "kk_sequence"),
])
def test_an_invalid_kk_number_is_refused_with_its_reason(value, code):
    with pytest.raises(ValidationError) as raised:
        validators.validate_no_kk(value)
    assert raised.value.code == code


def test_a_kk_number_shows_only_its_last_four_digits_masked():
    assert validators.mask_nik(KK) == "••••••••••••0001"


@pytest.fixture
def household(make_warga):
    siti = make_warga(SITI, nama="Siti Aminah", wilayah_id=CIBEUREUM)
    budi = make_warga(BUDI, nama="Budi Santoso", wilayah_id=CIBEUREUM)
    k = Keluarga(no_kk=KK, wilayah_id=CIBEUREUM, rw=3, rt=2)
    k.full_clean()
    k.save()
    return k, siti, budi


def test_a_person_has_one_current_household_and_a_move_is_dated(household):
    k, siti, budi = household
    k.tambah_anggota(budi, HubunganKeluarga.KEPALA, datetime.date(2015, 5, 15))
    k.tambah_anggota(siti, HubunganKeluarga.PASANGAN, datetime.date(2015, 5, 15))
    assert k.kepala == budi
    other = Keluarga.objects.create(no_kk=KK2, wilayah_id=CIBEUREUM)
    other.tambah_anggota(siti, HubunganKeluarga.KEPALA, datetime.date(2024, 3, 1))
    rows = list(AnggotaKeluarga.objects.filter(warga=siti).order_by("pk")
                .values_list("keluarga__no_kk", "hubungan", "mulai", "selesai"))
    assert rows == [
        (KK, "PASANGAN", datetime.date(2015, 5, 15), datetime.date(2024, 2, 29)),
        (KK2, "KEPALA", datetime.date(2024, 3, 1), None),
    ]
    with pytest.raises(IntegrityError), transaction.atomic():
        AnggotaKeluarga.objects.create(keluarga=k, warga=siti, mulai=datetime.date(2024, 4, 1))


def test_adding_a_current_member_again_is_refused(household):
    k, siti, _budi = household
    k.tambah_anggota(siti, HubunganKeluarga.KEPALA, datetime.date(2015, 5, 15))
    with pytest.raises(ValidationError):
        k.tambah_anggota(siti, HubunganKeluarga.LAINNYA, datetime.date(2020, 1, 1))
    assert AnggotaKeluarga.objects.filter(warga=siti).count() == 1


def sizes(kode_jenis="DW") -> tuple:
    data = rekap.build(Wilayah.objects.get(pk=CIBEUREUM), 2026).as_dict()
    table = next(t for t in data["tabel"] if t["nomor"] == 3)
    return tuple(next(r["nilai"] for r in table["baris"] if r["kode"] == kode_jenis))


def test_table_3_counts_a_member_household_as_one_member(household, make_perkumpulan,
                                                         make_warga):
    """A Dasa Wisma with no declared size: 1 person and 10 households are 11 members (11–20),
    though the households hold 20 people."""
    from members.models import Keanggotaan

    k, siti, budi = household
    group = make_perkumpulan("CBR-DW-009", jumlah_anggota=None)
    Keanggotaan.objects.create(warga=siti, perkumpulan=group, peran="KETUA")
    assert sizes() == (1, 0, 0)
    for i in range(10):
        kk = Keluarga.objects.create(no_kk=f"32770115051500{i + 10:02d}", wilayah_id=CIBEUREUM)
        for j in range(2):
            person = make_warga(f"3277010101{80 + j}0{i + 10:03d}", wilayah_id=CIBEUREUM)
            kk.tambah_anggota(person, HubunganKeluarga.LAINNYA, datetime.date(2020, 1, 1))
        KeanggotaanKeluarga.objects.create(keluarga=kk, perkumpulan=group)
    assert sizes() == (0, 1, 0)
    # An ended household membership no longer counts.
    KeanggotaanKeluarga.objects.filter(perkumpulan=group).update(
        selesai=datetime.date(2025, 1, 1))
    rekap.mark_groups_stale([group.pk])
    assert sizes() == (1, 0, 0)


def test_a_declared_size_still_wins_over_member_households(household, make_perkumpulan):
    k, _siti, _budi = household
    group = make_perkumpulan("CBR-DW-010", jumlah_anggota=25)
    KeanggotaanKeluarga.objects.create(keluarga=k, perkumpulan=group)
    assert sizes() == (0, 0, 1)
