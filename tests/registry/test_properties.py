"""Property-based tests (hypothesis) of the shared validators and of the importer's cell parsing:
whatever the value, the answer is the value or a ValidationError with a message a user can read —
never another exception, which would be a 500 on the web or a traceback from the command.

Runs are bounded and reproducible: at most 200 examples each, derandomized, no example database.
"""

import datetime
import math

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from registry import validators, workbook
from registry.workbook.cells import to_kode_perkumpulan, to_name
from registry.workbook.perkumpulan import to_term

BOUNDED = settings(max_examples=200, deadline=None, derandomize=True, database=None,
                   suppress_health_check=[HealthCheck.function_scoped_fixture])

# Provinces of Indonesia have codes 11-96.
province = st.integers(min_value=11, max_value=99)
area_part = st.integers(min_value=1, max_value=99)
birth = st.dates(min_value=datetime.date(1930, 1, 1), max_value=datetime.date(1999, 12, 31))
sex = st.sampled_from("LP")
sequence = st.integers(min_value=1, max_value=9999)


def make_nik(prov, kab, kec, born: datetime.date, sex: str, seq: int) -> str:
    day = born.day + (40 if sex == "P" else 0)
    return f"{prov:02d}{kab:02d}{kec:02d}{day:02d}{born.month:02d}{born.year % 100:02d}{seq:04d}"


def readable(error: ValidationError) -> list[str]:
    """The messages a user reads; formatting them must not fail either."""
    messages = [str(m) for m in error.messages]
    assert messages and all(messages)
    return messages


# NIK ----------------------------------------------------------------------------------------------
@BOUNDED
@given(province, area_part, area_part, birth, sex, sequence)
def test_every_nik_built_from_its_parts_is_valid_and_tells_birth_and_sex(
        prov, kab, kec, born, sex, seq):
    nik = make_nik(prov, kab, kec, born, sex, seq)
    validators.validate_nik(nik)
    assert validators.nik_birth_date(nik) == (born, sex)
    assert validators.mask_nik(nik).endswith(nik[-4:]) and nik[:12] not in validators.mask_nik(nik)


@BOUNDED
@given(province, area_part, area_part, birth, sex, sequence,
       st.integers(min_value=0, max_value=15), st.text(max_size=3))
def test_a_mutated_nik_is_judged_consistently_or_refused(prov, kab, kec, born, sex, seq, at, put):
    nik = make_nik(prov, kab, kec, born, sex, seq)
    mutated = nik[:at] + put + nik[at + 1:]
    try:
        validators.validate_nik(mutated)
    except ValidationError as error:
        readable(error)
        return
    # Accepted: then it is 16 digits with a birth date, and accepted again.
    assert len(mutated) == 16 and mutated.isdigit()
    assert validators.nik_birth_date(mutated) is not None
    validators.validate_nik(mutated)


@BOUNDED
@given(st.one_of(st.text(), st.integers(), st.none(), st.floats()))
def test_validate_nik_on_anything_raises_only_validation_error(value):
    try:
        validators.validate_nik(value)
    except ValidationError as error:
        readable(error)


# Area codes ---------------------------------------------------------------------------------------
@BOUNDED
@given(st.lists(st.integers(min_value=0, max_value=99), min_size=1, max_size=3),
       st.one_of(st.none(), st.integers(min_value=0, max_value=9999)))
def test_area_codes_round_trip_between_dotted_and_plain(parts, desa):
    dotted_parts = [f"{p:02d}" for p in parts]
    if desa is not None and len(parts) == 3:
        dotted_parts.append(f"{desa:04d}")
    dotted = ".".join(dotted_parts)
    plain = dotted.replace(".", "")
    assert validators.normalize_kode_wilayah(dotted) == dotted
    assert validators.normalize_kode_wilayah(plain) == dotted
    assert validators.normalize_kode_wilayah(f"  {plain} ") == dotted
    validators.validate_kode_wilayah(dotted)


@BOUNDED
@given(st.text())
def test_normalize_kode_wilayah_on_any_text_gives_a_valid_code_or_a_validation_error(text):
    try:
        kode = validators.normalize_kode_wilayah(text)
    except ValidationError as error:
        readable(error)
        return
    validators.validate_kode_wilayah(kode)
    assert validators.normalize_kode_wilayah(kode) == kode


# Years, RW/RT, dates ------------------------------------------------------------------------------
@BOUNDED
@given(st.integers(min_value=-10**6, max_value=10**6))
def test_years_are_accepted_exactly_from_1900_to_this_year(year):
    this_year = timezone.localdate().year
    try:
        validators.validate_tahun(year)
    except ValidationError as error:
        assert not 1900 <= year <= this_year
        assert str(year) in " ".join(readable(error))
    else:
        assert 1900 <= year <= this_year


@BOUNDED
@given(st.integers(min_value=-10**6, max_value=10**6))
def test_rw_rt_are_accepted_exactly_from_1_to_999(number):
    try:
        validators.validate_rw_rt(number)
    except ValidationError as error:
        assert not 1 <= number <= 999
        readable(error)
    else:
        assert 1 <= number <= 999


@BOUNDED
@given(st.one_of(st.dates(), st.datetimes(), st.datetimes(timezones=st.just(datetime.UTC))))
def test_validate_not_future_takes_dates_and_datetimes(moment):
    day = moment.date() if isinstance(moment, datetime.datetime) else moment
    try:
        validators.validate_not_future(moment)
    except ValidationError as error:
        assert day > timezone.localdate() or day.year < 1900
        readable(error)
    else:
        assert datetime.date(1900, 1, 1) <= day <= timezone.localdate()


# Fixed lists --------------------------------------------------------------------------------------
LOOKUP = validators.build_lookup([("DW", ["DW", "Dasa Wisma", "dasawisma"]),
                                  ("KT", ["KT", "Karang Taruna"])])


@BOUNDED
@given(st.text())
def test_match_value_on_any_text_finds_an_entry_or_says_what_is_accepted(text):
    try:
        found = validators.match_value(text, LOOKUP, "jenis", ["Dasa Wisma", "Karang Taruna"])
    except ValidationError as error:
        assert "Dasa Wisma" in " ".join(readable(error))
    else:
        assert found in ("DW", "KT")


@BOUNDED
@given(st.sampled_from(["dasa wisma", "DASA   WISMA", " Dasa Wisma ", "kt", "Karang taruna"]))
def test_match_value_ignores_case_and_spacing(text):
    assert validators.match_value(text, LOOKUP, "jenis", []) in ("DW", "KT")


# The importer's cells -----------------------------------------------------------------------------
# What a cell of a workbook holds (openpyxl gives int, float, str, bool, datetime, date, time),
# and worse.
cell_values = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(),
    st.integers(min_value=10**15, max_value=10**17),
    st.sampled_from([10**5000, -(10**5000), 10**4300, 2**64]),
    st.floats(allow_nan=True, allow_infinity=True),
    st.sampled_from([math.nan, math.inf, -math.inf, 1e308, 3.2770141018e15]),
    st.datetimes(), st.dates(), st.times(),
    st.text(),
    st.text(alphabet=st.sampled_from("0123456789.-/ \x00"), max_size=30),
    st.sampled_from(["9" * 5000, "1" * 4301, "-" + "9" * 5000, "\x00", "NaN", "inf",
                     "31-02-2024", "0001-01-01", "99999-01-01", "29/02/1900", "٣٢٧٧"]),
)

CONVERTERS = {
    "text": workbook.to_text,
    "int": workbook.to_int,
    "year": workbook.to_year,
    "rw_rt": workbook.to_rw_rt,
    "date": workbook.to_date,
    "past_date": workbook.to_past_date,
    "nik": workbook.to_nik,
    "bool": workbook.to_bool,
    "group code": to_kode_perkumpulan,
    "name": to_name,
    "term": to_term,
}


@pytest.mark.parametrize("name", sorted(CONVERTERS))
def test_a_cell_converter_gives_a_value_or_a_validation_error(name):
    convert = CONVERTERS[name]

    @BOUNDED
    @given(cell_values)
    def check(value):
        try:
            result = convert(value)
        except ValidationError as error:
            readable(error)
            return
        assert result is not None

    check()


def test_a_converter_that_remembers_values_refuses_again_in_the_readers_language():
    """to_year and the group code remember the values they accepted (a file repeats them row
    after row), never a refusal: each refused cell is told, in the reader's language."""
    from django.utils import translation

    for language, words in (("id", "harus antara"), ("en", "must be between"),
                            ("id", "harus antara")):
        with translation.override(language):
            for _ in range(2):
                with pytest.raises(ValidationError, match=words):
                    workbook.to_year(2999)
    assert workbook.to_year("1990") == workbook.to_year(1990) == workbook.to_year(1990.0) == 1990
    assert to_kode_perkumpulan(" CBR-DW-001 ") == to_kode_perkumpulan("CBR-DW-001") == "CBR-DW-001"
    with pytest.raises(ValidationError):
        workbook.to_year([1990])  # not a cell's value, not remembered: refused all the same


@BOUNDED
@given(st.sampled_from(sorted(CONVERTERS)), cell_values)
def test_the_importer_records_a_cell_error_or_gives_a_value(name, value):
    """Import.cell: the value, or None with one error row naming the cell (sheet, row, column,
    the value as text and the message)."""
    imp = workbook.Import()
    row = workbook.Row("perkumpulan", 7, {"kolom": value})
    result = imp.cell(row, "kolom", CONVERTERS[name], required=True)
    if result is None:
        assert len(imp.errors) >= 1
        for error in imp.errors:
            assert (error.sheet, error.row, error.column) == ("perkumpulan", 7, "kolom")
            assert isinstance(error.value, str) and len(error.value) <= 200
            assert error.message
            assert str(error)
    else:
        assert imp.errors == []


@BOUNDED
@given(st.integers(min_value=1900, max_value=2025))
def test_a_year_cell_reads_as_int_float_or_text(year):
    assume(year <= timezone.localdate().year)
    for cell in (year, float(year), str(year), f"{year}.0", f" {year} "):
        assert workbook.to_year(cell) == year


@BOUNDED
@given(province, area_part, area_part, birth, sex, sequence)
def test_a_nik_cell_as_text_is_taken_as_a_number_refused(prov, kab, kec, born, sex, seq):
    nik = make_nik(prov, kab, kec, born, sex, seq)
    assert workbook.to_nik(nik) == nik
    with pytest.raises(ValidationError):
        workbook.to_nik(float(nik))  # Excel's 15 significant digits
