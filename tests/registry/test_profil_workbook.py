"""The survey workbook's optional `profil_desa` sheet: a village's figures per year, imported,
exported, offered by the blank template; re-importing changes nothing, a workbook without the
sheet imports as before, errors are told by row and column and nothing is written."""

import io

import openpyxl

from registry import workbook
from registry.models import ProfilDesa, Wilayah
from tests.survey_files import (
    CIBEUREUM,
    MELONG,
    created,
    good_sheets,
    imported,
    make_xlsx,
    refused,
    tally,
    unchanged,
)

COLUMNS = ["kode_wilayah", "tahun", "jumlah_rw", "jumlah_rt", "jumlah_kk", "jumlah_penduduk",
           "penduduk_laki_laki", "penduduk_perempuan", "usia_0_4", "usia_5_14", "usia_15_24",
           "usia_25_59", "usia_60_plus", "mata_pencaharian", "sumber"]
# Seed 004 III.A (the sex and age split made up to add up to its 39,652 residents).
CIBEUREUM_2006 = {
    "kode_wilayah": CIBEUREUM, "tahun": 2006, "jumlah_rw": 23, "jumlah_rt": 170,
    "jumlah_kk": 11571, "jumlah_penduduk": 39652, "penduduk_laki_laki": 19800,
    "penduduk_perempuan": 19852, "usia_0_4": 3652, "usia_5_14": 7000, "usia_15_24": 8000,
    "usia_25_59": 18000, "usia_60_plus": 3000,
    "mata_pencaharian": "buruh/pegawai swasta; pegawai negeri; petani",
    "sumber": "Monografi Kelurahan Cibeureum",
}
# Melong: only a total by sex (the population follows), the year as text.
MELONG_2007 = {"kode_wilayah": "3277011001", "tahun": "2007", "penduduk_laki_laki": 100,
               "penduduk_perempuan": "120"}


def values(profil: ProfilDesa) -> dict:
    return {k: v for k, v in profil.__dict__.items()
            if k not in ("_state", "id", "dibuat", "diubah")}


def test_import_then_again_changes_nothing(tmp_path, operator, staf):
    path = make_xlsx(tmp_path, {"profil_desa": [CIBEUREUM_2006, MELONG_2007]})
    imp = imported(path, user=staf)
    assert tally(imp) == {"profil_desa": created(2)}
    cbr = ProfilDesa.objects.get(desa_id=CIBEUREUM, tahun=2006)
    assert (cbr.jumlah_rw, cbr.jumlah_rt, cbr.jumlah_kk, cbr.jumlah_penduduk, cbr.dewasa) == (
        23, 170, 11571, 39652, 29000)
    mlg = ProfilDesa.objects.get(desa_id=MELONG, tahun=2007)
    assert (mlg.jumlah_penduduk, mlg.jumlah_rw) == (220, None)
    assert cbr.history.count() == 1
    before = [values(p) for p in ProfilDesa.objects.order_by("pk")]

    imp = imported(path, user=staf)
    assert tally(imp) == {"profil_desa": unchanged(2)}
    assert [values(p) for p in ProfilDesa.objects.order_by("pk")] == before
    assert cbr.history.count() == 1

    changed = make_xlsx(tmp_path, {"profil_desa": [{**CIBEUREUM_2006, "jumlah_kk": 11600}]},
                        name="changed.xlsx")
    assert tally(imported(changed, user=operator)) == {
        "profil_desa": {"created": 0, "updated": 1, "unchanged": 0}}
    cbr.refresh_from_db()
    assert cbr.jumlah_kk == 11600 and cbr.history.count() == 2


def test_export_then_import_changes_nothing(tmp_path, admin_user, staf, make_perkumpulan):
    imported(make_xlsx(tmp_path, {"profil_desa": [CIBEUREUM_2006, MELONG_2007]}), user=staf)
    buffer = io.BytesIO()
    counts = workbook.export_workbook(buffer, user=staf, area=Wilayah.objects.get(pk="32.77"))
    assert counts["profil_desa"] == 2
    rows = list(openpyxl.load_workbook(io.BytesIO(buffer.getvalue()))["profil_desa"]
                .iter_rows(values_only=True))
    assert list(rows[0]) == COLUMNS
    # By village code, then year: Melong (…1001) before Cibeureum (…1002).
    assert list(rows[1][:8]) == [MELONG, 2007, None, None, None, 220, 100, 120]
    assert list(rows[2]) == [CIBEUREUM_2006[c] for c in COLUMNS]
    before = [values(p) for p in ProfilDesa.objects.order_by("pk")]
    buffer.seek(0)
    imp = imported(buffer, user=staf)
    assert tally(imp)["profil_desa"] == unchanged(2)
    assert [values(p) for p in ProfilDesa.objects.order_by("pk")] == before
    # Another city's staff export none of them.
    other = io.BytesIO()
    assert workbook.export_workbook(other, user=admin_user,
                                    area=Wilayah.objects.get(pk="32.73"))["profil_desa"] == 0


def test_a_workbook_without_the_sheet_imports_as_before(tmp_path, staf):
    imp = imported(make_xlsx(tmp_path, good_sheets()), user=staf)
    assert "profil_desa" not in imp.counts and "profil_desa" not in imp.sheets_found
    assert ProfilDesa.objects.count() == 0
    assert imp.counts["perkumpulan"].created > 0


def test_bad_rows_are_told_and_nothing_is_written(tmp_path, operator):
    rows = [
        {**CIBEUREUM_2006, "jumlah_penduduk": 40000},  # men + women 39,652
        {**CIBEUREUM_2006, "tahun": 2007, "jumlah_rw": -1, "usia_60_plus": 4000},
        {**CIBEUREUM_2006, "tahun": 1800},
        {**CIBEUREUM_2006, "kode_wilayah": MELONG},  # not the operator's village
        {**CIBEUREUM_2006, "kode_wilayah": "32.77.01"},  # not a village
        {**CIBEUREUM_2006, "tahun": 2008, "jumlah_rt": 10},  # fewer RT than RW
        {**CIBEUREUM_2006, "tahun": 2009, "mata_pencaharian": "x" * 501},
    ]
    refused(make_xlsx(tmp_path, {"profil_desa": rows}), [
        ("profil_desa", 2, "penduduk_laki_laki"),
        ("profil_desa", 2, "usia_0_4"),
        ("profil_desa", 3, "jumlah_rw"),
        ("profil_desa", 3, "usia_0_4"),
        ("profil_desa", 4, "tahun"),
        ("profil_desa", 5, "kode_wilayah"),
        ("profil_desa", 6, "kode_wilayah"),
        ("profil_desa", 7, "jumlah_rt"),
        ("profil_desa", 8, "mata_pencaharian"),
    ], user=operator)
    assert ProfilDesa.objects.count() == 0


def test_the_same_village_and_year_twice_with_other_figures(tmp_path, operator):
    rows = [CIBEUREUM_2006, CIBEUREUM_2006, {**CIBEUREUM_2006, "jumlah_kk": 1}]
    refused(make_xlsx(tmp_path, {"profil_desa": rows}), [("profil_desa", 4, "tahun")],
            user=operator)


def test_the_template_offers_the_sheet(client, operator):
    client.force_login(operator)
    response = client.get("/impor/templat.xlsx")
    book = openpyxl.load_workbook(io.BytesIO(b"".join(response.streaming_content)))
    header = [c.value for c in book["profil_desa"][1]]
    assert header == COLUMNS
    lists = {book["daftar"].cell(1, c).value: c for c in range(1, book["daftar"].max_column + 1)}
    column = lists["profil_desa.mata_pencaharian"]
    assert book["daftar"].cell(2, column).value == "buruh/pegawai swasta"
    validations = book["profil_desa"].data_validations.dataValidation
    assert any(str(v.sqref).startswith("N2") for v in validations)
