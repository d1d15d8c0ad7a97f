"""The shared validation rules (registry.validators) and the model checks built on them."""

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone, translation

from registry.validators import (
    mask_nik,
    match_value,
    nik_birth_date,
    normalize_kode_wilayah,
    split_multi,
    validate_nik,
    validate_rw_rt,
    validate_tahun,
)

CIBEUREUM = "32.77.01.1002"

# ---------------------------------------------------------------------------------------------
# NIK


@pytest.mark.parametrize(
    ("nik", "born", "sex"),
    [
        ("3277011505750002", datetime.date(1975, 5, 15), "L"),  # a man born 15 May 1975
        ("3277014101800001", datetime.date(1980, 1, 1), "P"),  # a woman: day 01 + 40 = 41
        ("3277012902960003", datetime.date(1996, 2, 29), "L"),  # 29 February of a leap year
        ("3277016902960004", datetime.date(1996, 2, 29), "P"),  # the same for a woman (29+40)
        ("3277013112990005", datetime.date(1999, 12, 31), "L"),
    ],
)
def test_valid_nik_is_accepted_and_gives_birth_date_and_sex(nik, born, sex):
    validate_nik(nik)  # no error
    assert nik_birth_date(nik) == (born, sex)


@pytest.mark.parametrize(
    ("nik", "code"),
    [
        ("327701410180001", "nik_length"),  # 15 digits
        ("32770141018000012", "nik_length"),  # 17 digits
        ("", "nik_not_digits"),
        ("32770141018A0001", "nik_not_digits"),  # a letter
        ("3201014101800001.0", "nik_not_digits"),  # what Excel makes of a number cell
        ("3.201014101800001E15", "nik_not_digits"),
        (" 3277014101800001", "nik_not_digits"),  # a stray space
        ("3277-0141-0180-0001", "nik_not_digits"),
        # Full-width digits (pasted from some PDFs and input methods) are not a NIK: were they
        # accepted, one person could be registered twice under two spellings of one number.
        ("３２７７０１４１０１８０００１２", "nik_not_digits"),
        ("0977014101800001", "nik_region"),  # no province code below 11
        ("3277011513800001", "nik_birth_date"),  # month 13
        ("3277013201800001", "nik_birth_date"),  # day 32
        ("3277017201800001", "nik_birth_date"),  # a woman's day 32 (72)
        ("3277010001800001", "nik_birth_date"),  # day 00
        ("3277013002900001", "nik_birth_date"),  # 30 February
        ("3277012902970001", "nik_birth_date"),  # 29 February of a year that is not leap
        ("3277014101800000", "nik_sequence"),  # sequence numbers start at 0001
    ],
)
def test_invalid_nik_is_refused_with_its_reason(nik, code):
    with pytest.raises(ValidationError) as caught:
        validate_nik(nik)
    assert caught.value.code == code


def test_nik_error_message_quotes_the_value_in_english_and_indonesian():
    with pytest.raises(ValidationError) as caught:
        validate_nik("327701410180001")
    with translation.override("en"):
        assert caught.value.messages == [
            "NIK must be exactly 16 digits; “327701410180001” has 15."
        ]
    with translation.override("id"):
        indonesian = caught.value.messages[0]
    assert "“327701410180001”" in indonesian and "15" in indonesian
    assert indonesian != "NIK must be exactly 16 digits; “327701410180001” has 15."


@pytest.mark.parametrize(
    "nik", ["3277011513800001", "3277013002900001", "327701410180001", "32770141018A0001"]
)
def test_nik_birth_date_is_none_for_an_impossible_date_or_shape(nik):
    assert nik_birth_date(nik) is None


def test_nik_birth_date_never_puts_a_birth_in_the_future():
    this_year = timezone.localdate().year
    next_yy = (this_year + 1) % 100
    born, sex = nik_birth_date(f"3277010101{next_yy:02d}0001")
    assert (born.year, sex) == (this_year + 1 - 100, "L")


def test_a_nik_decoded_again_in_a_later_year_is_decoded_for_that_year(monkeypatch):
    from registry import validators

    nik = "3277010101300001"  # born on 1 January of a year ending in 30
    monkeypatch.setattr(validators, "this_year", lambda: 2026)
    assert nik_birth_date(nik) == (datetime.date(1930, 1, 1), "L")
    monkeypatch.setattr(validators, "this_year", lambda: 2031)
    assert nik_birth_date(nik) == (datetime.date(2030, 1, 1), "L")


def test_mask_nik_shows_only_the_last_four_digits():
    masked = mask_nik("3277014101800001")
    assert masked == "••••••••••••0001"
    assert len(masked) == 16
    assert "327701" not in masked and "4101" not in masked
    assert mask_nik("") == ""
    assert mask_nik(None) == ""


# ---------------------------------------------------------------------------------------------
# Area codes, years, RW/RT, multi-valued cells


@pytest.mark.parametrize(
    ("typed", "dotted"),
    [
        ("32.77.01.1002", "32.77.01.1002"),
        ("3277011002", "32.77.01.1002"),
        ("327701", "32.77.01"),
        ("32.77", "32.77"),
        ("3277", "32.77"),
        ("32", "32"),
        (" 32.77.01 ", "32.77.01"),
    ],
)
def test_normalize_kode_wilayah_accepts_dotted_and_plain(typed, dotted):
    assert normalize_kode_wilayah(typed) == dotted


@pytest.mark.parametrize("typed", ["32.7", "abc", "32771", "", "32.77.01.100", "32.77.1.1002"])
def test_normalize_kode_wilayah_refuses_anything_else(typed):
    with pytest.raises(ValidationError) as caught:
        normalize_kode_wilayah(typed)
    assert caught.value.code == "kode_wilayah_format"
    assert "32.77.01.1002" in caught.value.messages[0]  # the message shows how to write one


def test_validate_tahun_accepts_1900_to_this_year():
    this_year = timezone.localdate().year
    validate_tahun(1900)
    validate_tahun(this_year)
    for year in (1899, this_year + 1):
        with pytest.raises(ValidationError) as caught:
            validate_tahun(year)
        assert caught.value.code == "tahun_range"
        with translation.override("en"):
            message = caught.value.messages
        assert message == [f"Year {year} must be between 1900 and {this_year}."]


def test_validate_rw_rt_accepts_1_to_999():
    validate_rw_rt(1)
    validate_rw_rt(999)
    for number in (0, 1000):
        with pytest.raises(ValidationError) as caught:
            validate_rw_rt(number)
        assert caught.value.code == "rw_rt_range"


@pytest.mark.parametrize(
    ("cell", "parts"),
    [
        ("Arisan; Simpan pinjam;Pengajian", ["Arisan", "Simpan pinjam", "Pengajian"]),
        ("Arisan, Simpan pinjam", ["Arisan", "Simpan pinjam"]),
        ("Arisan;; ,Gotong royong; ", ["Arisan", "Gotong royong"]),
        ("Arisan", ["Arisan"]),
        ("", []),
        (None, []),
    ],
)
def test_split_multi_splits_on_semicolon_and_comma(cell, parts):
    assert split_multi(cell) == parts


# ---------------------------------------------------------------------------------------------
# Matching a spreadsheet value against a reference list


@pytest.fixture
def jenis_lookup(db, django_assert_num_queries):
    from registry.models import JenisPerkumpulan

    with django_assert_num_queries(1):
        lookup = JenisPerkumpulan.lookup()
    return lookup


@pytest.mark.parametrize(
    ("typed", "kode"),
    [
        ("DW", "DW"),  # code
        ("dw", "DW"),
        ("Dasa Wisma", "DW"),  # name
        ("DASA  WISMA ", "DW"),  # any case, extra spaces
        ("dasawisma", "DW"),  # alias
        ("karang taruna", "KT"),
        ("Pemuda/Karang Taruna", "KT"),
        ("PBHI", "PHBI"),  # the seed's misspelling
        ("phbi", "PHBI"),
        ("lkmd", "LPM"),
        ("LPM/LKMD", "LPM"),
        ("posyandu", "POSYANDU"),
    ],
)
def test_match_value_finds_group_type_by_code_name_or_alias(jenis_lookup, typed, kode):
    found = match_value(typed, jenis_lookup, "group type", ["Dasa Wisma", "Posyandu"])
    assert found.kode == kode


def test_match_value_lists_the_choices_for_an_unknown_value(jenis_lookup):
    from registry.models import JenisPerkumpulan

    names = list(JenisPerkumpulan.objects.values_list("nama", flat=True))
    assert len(names) == 17
    with pytest.raises(ValidationError) as caught:
        match_value("Arisan RT", jenis_lookup, "group type", names)
    assert caught.value.code == "not_in_list"
    with translation.override("en"):
        message = caught.value.messages[0]
    assert message.startswith("“Arisan RT” is not a valid group type; use one of: Dasa Wisma; ")
    for name in ("Posyandu", "Pemuda/Karang Taruna", "LPM/LKMD", "UP2K"):
        assert name in message


# ---------------------------------------------------------------------------------------------
# The same rules through the models


def test_warga_full_clean_refuses_a_bad_nik_on_the_nik_field(db):
    from members.models import Warga

    person = Warga(nik="3277011513800001", nama="Siti Aminah", wilayah_id=CIBEUREUM)
    with pytest.raises(ValidationError) as caught:
        person.full_clean()
    assert list(caught.value.error_dict) == ["nik"]
    assert [error.code for error in caught.value.error_dict["nik"]] == ["nik_birth_date"]


def test_warga_full_clean_accepts_a_good_nik(db):
    from members.models import Warga

    Warga(nik="3277014101800001", nama="Siti Aminah", wilayah_id=CIBEUREUM).full_clean()


def test_perkumpulan_full_clean_takes_a_kecamatan_as_its_area(db):
    """Seed 004: BKB and Peta Keluarga are organised up to the kecamatan or the province."""
    from registry.models import JenisPerkumpulan, Perkumpulan

    for kode, area in (("CS-BKB-001", "32.77.01"), ("CMH-BKB-001", "32.77"), ("JB-PK-001", "32")):
        group = Perkumpulan(kode=kode, nama=f"BKB {area}", desa_id=area,
                            jenis=JenisPerkumpulan.objects.get(kode="BKB"), tahun_berdiri=2001)
        group.full_clean()
        assert group.di_atas_desa


def test_perkumpulan_full_clean_refuses_a_duplicate_kode(make_perkumpulan):
    from registry.models import JenisPerkumpulan, Perkumpulan

    make_perkumpulan("CBR-DW-001")
    twin = Perkumpulan(
        kode="CBR-DW-001", nama="Dasa Wisma Melati", desa_id=CIBEUREUM,
        jenis=JenisPerkumpulan.objects.get(kode="DW"), tahun_berdiri=2001,
    )
    with pytest.raises(ValidationError) as caught:
        twin.full_clean()
    assert list(caught.value.message_dict) == ["kode"]
    assert Perkumpulan.objects.filter(kode="CBR-DW-001").count() == 1


@pytest.mark.parametrize("kode", ["CBR DW 001", "-CBR", "CBR#1", "X" * 41])
def test_perkumpulan_full_clean_refuses_a_malformed_kode(db, kode):
    from registry.models import JenisPerkumpulan, Perkumpulan

    group = Perkumpulan(
        kode=kode, nama="Dasa Wisma Melati", desa_id=CIBEUREUM,
        jenis=JenisPerkumpulan.objects.get(kode="DW"), tahun_berdiri=2001,
    )
    with pytest.raises(ValidationError) as caught:
        group.full_clean()
    assert "kode" in caught.value.message_dict

