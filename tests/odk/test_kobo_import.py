"""Importing a KoboToolbox export of the survey's XLSForm (odk.kobo): the export, built with
openpyxl as KoboToolbox lays it out (tests/odk/kobo_files.py), goes through the survey
workbook's pipeline — the same records as the equivalent workbook, the same all-or-nothing
write, errors named by the export's sheet, row, column and the submission's _uuid."""

import io

import openpyxl
import pytest
from django.core.management import CommandError, call_command
from django.db import transaction

from members.models import Keanggotaan, Warga
from network.models import Hubungan, Mitra
from pmks.models import KasusPMKS
from registry.models import Perkumpulan
from tests.odk.kobo_files import (
    TITLE,
    central_csv_zip,
    kobo_csv_zip,
    kobo_sheets,
    kobo_xlsx,
    submission_uuid,
)
from tests.survey_files import (
    BUDI,
    MODELS,
    counts,
    good_sheets,
    imported,
    make_xlsx,
    refused,
    tally,
    unchanged,
)

pytestmark = pytest.mark.django_db
DEMO = "fixtures/cibeureum_2006.xlsx"


def state() -> dict:
    """The registry by natural keys (no primary keys, no timestamps): two imports into fresh
    registries compare equal when they wrote the same records."""
    keys = {Perkumpulan: "kode", Warga: "nik"}
    plain = {}
    for model in MODELS:
        plain[model] = {
            row["id"]: {k: v for k, v in row.items()
                        if k not in ("id", "dibuat", "diubah") and not k.endswith("_id")}
            for row in model.objects.values()
        }
    natural = {
        model: {pk: (row[keys[model]] if model in keys else repr(sorted(row.items())))
                for pk, row in rows.items()}
        for model, rows in plain.items()
    }
    targets = {}
    for model in MODELS:
        for f in model._meta.concrete_fields:
            if f.is_relation and f.related_model in natural:
                targets[(model, f.attname)] = f.related_model
    result = {}
    for model in MODELS:
        rows = []
        for row in model.objects.values():
            shown = {}
            for k, v in row.items():
                if k in ("id", "dibuat", "diubah"):
                    continue
                target = targets.get((model, k))
                shown[k] = natural[target].get(v) if target else v
            rows.append(repr(sorted(shown.items())))
        result[model.__name__] = sorted(rows)
    for column in ("syarat_keanggotaan", "sumber_dana", "nilai_solidaritas", "kegiatan"):
        result[column] = sorted(
            Perkumpulan.objects.values_list("kode", f"{column}__kode").exclude(
                **{f"{column}__kode": None})
        )
    return result


def registry_after(path) -> dict:
    """What importing `path` into the registry as it stands writes; rolled back afterwards."""
    with transaction.atomic():
        imported(path)
        found = state()
        transaction.set_rollback(True)
    return found


def workbook_rows(path) -> dict:
    """The sheets of a survey workbook as lists of dicts."""
    book = openpyxl.load_workbook(path, read_only=True)
    sheets = {}
    for sheet in book.worksheets:
        rows = list(sheet.iter_rows(values_only=True))
        sheets[sheet.title] = [dict(zip(rows[0], row, strict=True)) for row in rows[1:]]
    return sheets


def run_command(*args) -> tuple[str, str]:
    out, err = io.StringIO(), io.StringIO()
    call_command("import_survey", *[str(a) for a in args], stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


def failing(*args) -> str:
    out, err = io.StringIO(), io.StringIO()
    with pytest.raises(CommandError) as raised:
        call_command("import_survey", *[str(a) for a in args], stdout=out, stderr=err)
    assert raised.value.returncode != 0
    return f"{err.getvalue()}\n{raised.value}"


# The same records as the workbook ----------------------------------------------------------------
@pytest.mark.parametrize("groups_in_headers", [True, False])
def test_a_kobo_export_imports_to_the_same_records_as_the_workbook(tmp_path, groups_in_headers):
    workbook = good_sheets()
    expected = registry_after(make_xlsx(tmp_path, workbook))
    export = kobo_xlsx(tmp_path / "kobo.xlsx",
                       kobo_sheets(workbook, groups_in_headers=groups_in_headers))
    assert registry_after(export) == expected
    assert expected["Perkumpulan"] and expected["Keanggotaan"] and expected["KasusPMKS"]


def test_an_export_of_labels_imports_to_the_same_records(tmp_path):
    """KoboToolbox's "Labels" format: headers `Anggota/NIK`, sheets `Kasus PMKS`, choices as
    labels, a select_multiple's labels joined by spaces ("Iuran Anggota Sumbangan Masyarakat")."""
    workbook = good_sheets()
    expected = registry_after(make_xlsx(tmp_path, workbook))
    sheets = kobo_sheets(workbook, labels=True)
    assert "Kasus PMKS" in sheets and "Anggota/NIK" in sheets["Anggota"][0]
    main = sheets[TITLE]
    assert main[1][main[0].index("Sumber dana")] == "Iuran Anggota Sumbangan Masyarakat"
    assert registry_after(kobo_xlsx(tmp_path / "kobo.xlsx", sheets)) == expected


def test_the_demo_village_exported_from_kobo_imports_to_the_workbook_s_records(tmp_path):
    """Cibeureum as surveyed in 2006 (307 groups, 614 members, 35 cases, 139 links)."""
    workbook = workbook_rows(DEMO)
    expected = registry_after(DEMO)
    export = kobo_xlsx(tmp_path / "kobo.xlsx", kobo_sheets(workbook))
    assert len(expected["Perkumpulan"]) == 307
    assert registry_after(export) == expected


def test_reimporting_an_export_changes_nothing(tmp_path):
    export = kobo_xlsx(tmp_path / "kobo.xlsx", kobo_sheets(good_sheets()))
    first = imported(export)
    assert tally(first)["perkumpulan"]["created"] == 2
    before = state()
    again = imported(export)
    assert tally(again) == {
        "perkumpulan": unchanged(2), "anggota": unchanged(3), "pmks": unchanged(2),
        "jaringan": unchanged(2),
    }
    assert state() == before


@pytest.mark.parametrize("export", [kobo_csv_zip, central_csv_zip], ids=["kobo", "odk-central"])
def test_the_command_imports_a_csv_zip_export_and_again_unchanged(tmp_path, export):
    """KoboToolbox's CSV zip (repeats linked by _index/_parent_index) and ODK Central's (by
    KEY/PARENT_KEY, group paths joined by "-")."""
    path = export(tmp_path / "ekspor.zip", kobo_sheets(good_sheets()))
    expected = registry_after(make_xlsx(tmp_path, good_sheets()))
    out, _err = run_command(path)
    assert out.startswith("perkumpulan: 2 baru, 0 diubah, 0 tidak berubah; anggota: 3 baru")
    assert state() == expected
    out, _err = run_command(path)
    assert out.startswith("perkumpulan: 0 baru, 0 diubah, 2 tidak berubah; anggota: 0 baru, 0 "
                          "diubah, 3 tidak berubah")
    assert state() == expected


def test_an_odk_central_export_s_errors_name_the_submission_s_key(tmp_path):
    sheets = kobo_sheets(good_sheets())
    members = sheets["anggota"]
    members[2][members[0].index("anggota/nik")] = "12345"
    links = sheets["jaringan"]
    links[1][links[0].index("_submission__uuid")] = "tidak-ada"  # PARENT_KEY of no submission
    path = central_csv_zip(tmp_path / "central.zip", sheets)
    before = counts()
    text = failing(path)
    key = f"uuid:{submission_uuid('CBR-DW-001')}"
    assert f"anggota (KEY {key}):3:anggota-nik:" in text
    assert "jaringan (KEY uuid:tidak-ada):2:PARENT_KEY:" in text
    assert counts() == before


def test_the_main_table_alone_as_csv_imports_the_groups(tmp_path):
    sheets = kobo_sheets(good_sheets())
    path = tmp_path / "main.csv"
    path.write_text("\n".join(",".join("" if v is None else str(v) for v in row)
                              for row in sheets[TITLE]), encoding="utf-8")
    imp = imported(path)
    assert tally(imp) == {"perkumpulan": {"created": 2, "updated": 0, "unchanged": 0}}
    assert set(Perkumpulan.objects.values_list("kode", flat=True)) == {"CBR-DW-001",
                                                                      "CBR-PSY-001"}


# Errors ------------------------------------------------------------------------------------------
def test_errors_name_the_submission_and_the_field_and_nothing_is_written(tmp_path):
    sheets = kobo_sheets(good_sheets())
    members = sheets["anggota"]
    nik = members[0].index("anggota/nik")
    members[2][nik] = "12345"  # Budi's row, of the first submission
    main = sheets[TITLE]
    main[2][main[0].index("tahun_berdiri")] = 3000  # the second submission
    path = kobo_xlsx(tmp_path / "kobo.xlsx", sheets)
    imp = refused(path, [
        (f"{TITLE} (_uuid {submission_uuid('CBR-PSY-001')})", 3, "tahun_berdiri"),
        (f"anggota (_uuid {submission_uuid('CBR-DW-001')})", 3, "anggota/nik"),
    ])
    assert imp.errors[1].value == "12345"
    assert not Warga.objects.filter(nik=BUDI).exists()


def test_the_command_prints_the_located_errors_and_exits_non_zero(tmp_path):
    sheets = kobo_sheets(good_sheets())
    sheets["anggota"][1][0] = ""  # the first member's NIK left empty
    path = kobo_xlsx(tmp_path / "kobo.xlsx", sheets)
    before = counts()
    text = failing(path)
    assert f"anggota (_uuid {submission_uuid('CBR-DW-001')}):2:anggota/nik:" in text
    assert counts() == before


def test_an_export_missing_a_required_column_is_refused_naming_it(tmp_path):
    sheets = kobo_sheets(good_sheets())
    main = sheets[TITLE]
    at = main[0].index("nama")
    sheets[TITLE] = [row[:at] + row[at + 1:] for row in main]
    path = kobo_xlsx(tmp_path / "kobo.xlsx", sheets)
    before = counts()
    text = failing(path)
    assert f"{TITLE}:1:nama:" in text
    assert counts() == before


def test_a_repeat_row_whose_submission_is_missing_is_an_error_on_its_parent_index(tmp_path):
    sheets = kobo_sheets(good_sheets())
    links = sheets["jaringan"]
    links[1][links[0].index("_parent_index")] = 99
    refused(kobo_xlsx(tmp_path / "kobo.xlsx", sheets),
            [(f"jaringan (_uuid {submission_uuid('CBR-DW-001')})", 2, "_parent_index")])
    assert not Hubungan.objects.exists() and not Mitra.objects.exists()


def test_a_random_workbook_is_refused_with_a_clear_message(tmp_path):
    book = openpyxl.Workbook()
    book.active.append(["foo", "bar"])
    book.active.append([1, 2])
    book.save(tmp_path / "random.xlsx")
    text = failing(tmp_path / "random.xlsx")
    assert "perkumpulan" in text
    assert counts()["Perkumpulan"] == 0


def test_a_csv_that_is_no_export_is_refused_saying_so_and_a_survey_sheet_as_csv_imports(
        tmp_path):
    import csv

    from tests.survey_files import table

    (tmp_path / "daftar.csv").write_text("kode,nama\nX1,Melati\n", encoding="utf-8")
    text = failing(tmp_path / "daftar.csv")
    assert "daftar.csv bukan ekspor formulir survei" in text and "_uuid" in text
    assert counts()["Perkumpulan"] == 0
    # The survey's own groups sheet, saved as CSV by its name: taken as that sheet.
    rows = table(good_sheets()["perkumpulan"])
    with open(tmp_path / "perkumpulan.csv", "w", newline="", encoding="utf-8") as f:
        csv.writer(f).writerows([["" if v is None else v for v in row] for row in rows])
    assert tally(imported(tmp_path / "perkumpulan.csv")) == {
        "perkumpulan": {"created": 2, "updated": 0, "unchanged": 0}}


def test_a_csv_that_is_not_utf8_and_a_zip_without_csv_are_refused(tmp_path):
    (tmp_path / "bad.csv").write_bytes(b"kode_perkumpulan;nama\n\xff\xfe;x\n")
    assert "UTF-8" in failing(tmp_path / "bad.csv")
    import zipfile

    with zipfile.ZipFile(tmp_path / "empty.zip", "w") as archive:
        archive.writestr("readme.txt", "nothing")
    assert ".csv" in failing(tmp_path / "empty.zip")
    assert not KasusPMKS.objects.exists() and not Keanggotaan.objects.exists()


def test_a_csv_field_too_long_to_be_a_cell_is_refused_and_a_long_cell_named(tmp_path):
    sheets = kobo_sheets(good_sheets())
    header, first = sheets[TITLE][0], list(sheets[TITLE][1])
    first[header.index("nama")] = "x" * 6_000
    path = tmp_path / "main.csv"
    path.write_text("\n".join(",".join("" if v is None else str(v) for v in row)
                              for row in (header, first)), encoding="utf-8")
    imp = refused(path, [(f"main (_uuid {submission_uuid('CBR-DW-001')})", 2, "nama")])
    assert "5,000" in imp.errors[0].message or "5.000" in imp.errors[0].message
    first[header.index("nama")] = "x" * 100_000
    path.write_text("\n".join(",".join("" if v is None else str(v) for v in row)
                              for row in (header, first)), encoding="utf-8")
    assert "CSV" in failing(path)


@pytest.mark.parametrize("character", ["\x00", "\x0b"])
def test_a_control_character_in_a_csv_is_refused_where_it_is(tmp_path, character):
    """No workbook can hold it: told with its place, nothing saved (not a "\ufffd" unseen)."""
    sheets = kobo_sheets(good_sheets())
    header, first = sheets[TITLE][0], list(sheets[TITLE][1])
    first[header.index("nama")] = f"Mel{character}ati"
    path = tmp_path / "main.csv"
    path.write_text("\n".join(",".join("" if v is None else str(v) for v in row)
                              for row in (header, first)), encoding="utf-8")
    text = failing(path)
    code = f"U+{ord(character):04X}"
    assert f"main.csv baris 2, kolom nama, memuat karakter kendali ({code})" in text
    assert counts()["Perkumpulan"] == 0


def test_a_refused_csv_leaves_no_temporary_file_behind(tmp_path):
    """The CSV's rows go into a streaming workbook that spills to temporary files; a CSV refused
    after its first table was written must not leave them on the server's disk."""
    from pathlib import Path

    from openpyxl.worksheet._writer import ALL_TEMP_FILES

    before = set(ALL_TEMP_FILES)
    (tmp_path / "daftar.csv").write_text("kode,nama\nX1,Melati\n", encoding="utf-8")
    assert "daftar.csv bukan ekspor formulir survei" in failing(tmp_path / "daftar.csv")
    left = set(ALL_TEMP_FILES) - before
    assert left == set() and not any(Path(p).exists() for p in left)
