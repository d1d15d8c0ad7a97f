"""django-import-export in the admin: the buttons follow the role, exports hold only what the user
may see (NIK masked for observers, formulas made inert), imports go through the two admin steps
and are refused outside the user's area, for a key of another village's row and for a key that
appears twice in one file. The people, membership, PMKS and network tables: in tests/members,
tests/pmks and tests/network (test_admin_import.py), sharing tests/admin_import.py."""

import io
import uuid

import openpyxl
import pytest

from tests.admin_import import (  # noqa: F401 (fixtures)
    GROUPS,
    assert_read_as_the_sheet_reads,
    check_export_imports_again_unchanged,
    confirm,
    csv_file,
    csv_rows,
    english,
    export,
    format_index,
    model_admin,
    one_of_everything,
    upload,
    validation_messages,
    xlsx_file,
)
from tests.conftest import CIBEUREUM, MELONG, SUKARASA

pytestmark = pytest.mark.django_db

GROUP_COLUMNS = ["kode", "nama", "jenis", "desa", "tahun_berdiri", "tujuan", "kegiatan"]


# Buttons and permissions -----------------------------------------------------------------------
def test_staff_see_import_and_export_buttons(client, staf):
    client.force_login(staf)
    page = client.get(GROUPS).content.decode()
    assert f'href="{GROUPS}import/"' in page.replace("'", '"')
    assert f"{GROUPS}export/" in page
    assert client.get(f"{GROUPS}import/").status_code == 200


def test_observer_gets_no_import_but_may_export(client, pengamat):
    client.force_login(pengamat)
    page = client.get(GROUPS).content.decode()
    assert f"{GROUPS}import/" not in page
    assert f"{GROUPS}export/" in page
    assert client.get(f"{GROUPS}import/").status_code == 403
    assert client.post(f"{GROUPS}process_import/", {}).status_code == 403
    assert client.get(f"{GROUPS}export/").status_code == 200


def test_the_permission_code_in_settings_names_the_admin_permission(rf, staf, pengamat, settings):
    group_admin = model_admin(GROUPS)
    request = rf.get(GROUPS)
    request.user = pengamat
    assert group_admin.has_export_permission(request)
    assert not group_admin.has_import_permission(request)
    settings.IMPORT_EXPORT_EXPORT_PERMISSION_CODE = "change"
    assert not group_admin.has_export_permission(request)
    request.user = staf
    assert group_admin.has_export_permission(request)


# Export ----------------------------------------------------------------------------------------
def test_export_by_staff_holds_their_groups_only(client, staf, make_perkumpulan):
    make_perkumpulan("CBR-DW-001")
    make_perkumpulan("MLG-DW-001", desa=MELONG)
    make_perkumpulan("X", desa=SUKARASA)
    client.force_login(staf)
    rows = csv_rows(export(client, GROUPS))
    assert rows[0][:4] == ["kode", "nama", "jenis", "desa"]
    kodes = {row[0] for row in rows[1:]}
    assert kodes == {"CBR-DW-001", "MLG-DW-001"}


def test_export_writes_codes_and_names(client, staf, make_perkumpulan):
    from registry.models import Pilihan

    group = make_perkumpulan("CBR-DW-001")
    group.kegiatan.set(Pilihan.objects.filter(daftar="kegiatan", kode__in=["ARISAN", "JIMPITAN"]))
    client.force_login(staf)
    rows = csv_rows(export(client, GROUPS))
    row = dict(zip(rows[0], rows[1], strict=True))
    assert row["jenis"] == "DW"
    assert row["desa"] == CIBEUREUM
    assert set(row["kegiatan"].split("; ")) == {"Arisan", "Jimpitan Beras"}
    assert row["aktif"] == "1"


def test_export_makes_formulas_inert(client, staf, make_perkumpulan):
    make_perkumpulan("CBR-DW-001", nama='=HYPERLINK("http://x.example","klik")')
    make_perkumpulan("CBR-DW-002", nama="+62 Paguyuban")
    client.force_login(staf)
    rows = csv_rows(export(client, GROUPS))
    names = {row[0]: row[1] for row in rows[1:]}
    assert not names["CBR-DW-001"].startswith("=")
    assert names["CBR-DW-001"] == "'" + '=HYPERLINK("http://x.example","klik")'
    assert names["CBR-DW-002"] == "'+62 Paguyuban"

    response = export(client, GROUPS, "XLSX")
    assert response.status_code == 200
    sheet = openpyxl.load_workbook(io.BytesIO(response.content)).active
    cells = {row[0].value: row[1] for row in sheet.iter_rows(min_row=2)}
    # A text cell, never a formula, holding the name exactly as it is.
    assert cells["CBR-DW-001"].data_type == "s"
    assert cells["CBR-DW-001"].value == '=HYPERLINK("http://x.example","klik")'
    assert cells["CBR-DW-002"].data_type == "s"
    assert cells["CBR-DW-002"].value == "+62 Paguyuban"
    # Empty cells stay empty (the library's escaping would write "None").
    header = [c.value for c in next(sheet.iter_rows(max_row=1))]
    rw = header.index("rw")
    assert all(row[rw].value in (None, "") for row in sheet.iter_rows(min_row=2))


# Import ----------------------------------------------------------------------------------------
def test_staff_import_a_group_in_two_steps(client, staf, tmp_path):
    from registry.models import Perkumpulan

    path = xlsx_file(
        tmp_path,
        GROUP_COLUMNS + ["sumber_dana", "aktif"],
        [["CBR-DW-050", "Dasa Wisma Mawar", "dw", "3277011002", 2010, "Kesejahteraan Anak",
          "Arisan; jimpitan", "Iuran Anggota", "Ya"]],
    )
    client.force_login(staf)
    preview = upload(client, GROUPS, path)
    assert preview.status_code == 200
    assert not validation_messages(preview)
    assert preview.context["result"].totals["new"] == 1
    assert not Perkumpulan.objects.filter(kode="CBR-DW-050").exists()  # a dry run

    done = confirm(client, GROUPS, preview)
    assert done.status_code == 302
    group = Perkumpulan.objects.get(kode="CBR-DW-050")
    assert group.nama == "Dasa Wisma Mawar"
    assert group.jenis.kode == "DW" and group.desa_id == CIBEUREUM
    assert group.tahun_berdiri == 2010 and group.tujuan.kode == "ANAK"
    assert {p.kode for p in group.kegiatan.all()} == {"ARISAN", "JIMPITAN"}
    assert [p.kode for p in group.sumber_dana.all()] == ["IURAN"]
    assert group.aktif is True


def test_staff_update_a_group_by_its_code(client, staf, make_perkumpulan, tmp_path):
    group = make_perkumpulan("CBR-DW-001", nama="Lama")
    path = csv_file(tmp_path, GROUP_COLUMNS, [["CBR-DW-001", "Baru", "DW", CIBEUREUM, "2001",
                                              "", ""]])
    client.force_login(staf)
    preview = upload(client, GROUPS, path)
    assert preview.context["result"].totals["update"] == 1
    confirm(client, GROUPS, preview)
    group.refresh_from_db()
    assert (group.nama, group.tahun_berdiri) == ("Baru", 2001)


def test_model_validators_run_on_import(client, staf, tmp_path):
    from registry.models import Perkumpulan

    path = csv_file(tmp_path, GROUP_COLUMNS, [["CBR DW 1", "Kelompok", "DW", CIBEUREUM, "1800",
                                              "", "Main bola"]])
    client.force_login(staf)
    preview = upload(client, GROUPS, path)
    messages = " ".join(validation_messages(preview))
    assert "CBR DW 1" in messages  # the group-code validator
    assert "1800" in messages  # the year validator
    assert "Main bola" in messages  # not an activity of the list
    assert "confirm_form" not in preview.context
    assert not Perkumpulan.objects.exists()


def test_operator_cannot_import_a_group_into_another_village(client, operator, tmp_path):
    from registry.models import Perkumpulan

    for path in (
        csv_file(tmp_path, GROUP_COLUMNS, [["MLG-DW-009", "Kelompok", "DW", MELONG, "2000",
                                           "", ""]]),
        xlsx_file(tmp_path, GROUP_COLUMNS, [["MLG-DW-009", "Kelompok", "DW", MELONG, 2000,
                                            None, None]]),
    ):
        client.force_login(operator)
        preview = upload(client, GROUPS, path)
        assert preview.status_code == 200
        assert any("outside your area" in m for m in validation_messages(preview))
        assert "confirm_form" not in preview.context
    assert not Perkumpulan.objects.exists()


def test_confirming_a_refused_file_anyway_writes_nothing(client, operator, tmp_path, settings):
    """The confirm step reads the file again and checks it again: posting it by hand (or after
    the data changed) imports nothing."""
    from registry.models import Perkumpulan

    settings.MEDIA_ROOT = tmp_path / "media"
    name = f"wksbm-test-{uuid.uuid4().hex}"
    # Where the admin's first step leaves the upload (IMPORT_EXPORT_TMP_STORAGE_CLASS).
    path = tmp_path / "media" / "django-import-export" / name
    path.parent.mkdir(parents=True)
    path.write_bytes(
        csv_file(tmp_path, GROUP_COLUMNS, [
            ["CBR-DW-070", "Boleh", "DW", CIBEUREUM, "2000", "", ""],
            ["MLG-DW-070", "Tidak boleh", "DW", MELONG, "2000", "", ""],
        ]).read_bytes()
    )
    client.force_login(operator)
    response = client.post(f"{GROUPS}process_import/", {
        "import_file_name": name,
        "original_file_name": "kelompok.csv",
        "format": format_index(GROUPS, "CSV"),
        "resource": "0",
    })
    assert response.status_code == 302
    assert not Perkumpulan.objects.exists()


def test_operator_cannot_take_over_another_villages_group_by_its_code(
    client, operator, make_perkumpulan, tmp_path
):
    from registry.models import Perkumpulan

    group = make_perkumpulan("MLG-DW-001", desa=MELONG, nama="Dasa Wisma Melong")
    for path in (
        # Even placed in the operator's own village, the code is another village's group.
        csv_file(tmp_path, GROUP_COLUMNS, [["MLG-DW-001", "Diambil alih", "DW", CIBEUREUM,
                                           "2000", "", ""]]),
        xlsx_file(tmp_path, GROUP_COLUMNS, [["MLG-DW-001", "Diambil alih", "DW", MELONG, 2000,
                                            None, None]]),
    ):
        client.force_login(operator)
        preview = upload(client, GROUPS, path)
        result = preview.context["result"]
        assert result.totals["update"] == 0
        assert any("MLG-DW-001" in m and "outside your area" in m
                   for m in validation_messages(preview))
        assert "confirm_form" not in preview.context
    group.refresh_from_db()
    assert group.nama == "Dasa Wisma Melong" and group.desa_id == MELONG
    assert Perkumpulan.objects.count() == 1


def test_operator_cannot_move_their_group_to_another_village(
    client, operator, make_perkumpulan, tmp_path
):
    group = make_perkumpulan("CBR-DW-001")
    path = csv_file(tmp_path, GROUP_COLUMNS, [["CBR-DW-001", "Pindah", "DW", MELONG, "2000",
                                              "", ""]])
    client.force_login(operator)
    preview = upload(client, GROUPS, path)
    assert any("outside your area" in m for m in validation_messages(preview))
    group.refresh_from_db()
    assert group.desa_id == CIBEUREUM


def test_a_key_twice_in_one_file_is_an_error_not_an_overwrite(client, staf, tmp_path):
    from registry.models import Perkumpulan

    path = csv_file(tmp_path, GROUP_COLUMNS, [
        ["CBR-DW-080", "Pertama", "DW", CIBEUREUM, "2000", "", ""],
        ["CBR-DW-080", "Kedua", "DW", CIBEUREUM, "2001", "", ""],
    ])
    client.force_login(staf)
    preview = upload(client, GROUPS, path)
    result = preview.context["result"]
    assert [row.number for row in result.invalid_rows] == [2]
    # Both say the rows the spreadsheet shows: the header is row 1, the key's first row 2.
    assert any("more than once in the file (first on line 2)" in m
               for m in validation_messages(preview))
    assert "<td>3</td>" in preview.content.decode()
    assert "confirm_form" not in preview.context
    assert not Perkumpulan.objects.exists()


def test_a_file_without_its_key_column_is_told_without_a_traceback(client, staf, tmp_path):
    """A file lacking the key column (a group's code) is told in the site's words; the page
    shows no Python traceback."""
    path = csv_file(tmp_path, ["nama", "desa"], [["Tanpa Kode", CIBEUREUM]])
    client.force_login(staf)
    preview = upload(client, GROUPS, path)
    page = preview.content.decode()
    assert "The file has no column kode, which says which record each row is" in page
    assert "Traceback" not in page and "FieldError" not in page


def test_a_csv_not_in_utf8_is_told_how_to_save_it(client, staf, tmp_path):
    path = tmp_path / "latin1.csv"
    path.write_bytes(",".join(GROUP_COLUMNS).encode() + b"\nCBR-DW-081,Caf\xe9,DW\n")
    client.force_login(staf)
    page = upload(client, GROUPS, path).content.decode()
    assert "The file is not text in UTF-8" in page
    assert "UnicodeDecodeError" not in page


def test_foreign_keys_are_looked_up_once_per_file(client, staf, tmp_path,
                                                  django_assert_max_num_queries):
    """Areas, types and list values are read once per file, whatever the number of rows (what
    remains per row is saving it and the model's own validation)."""
    rows = [[f"CBR-DW-{n:03}", f"Kelompok {n}", "DW", CIBEUREUM, "2000", "ANAK", "Arisan"]
            for n in range(1, 41)]
    path = csv_file(tmp_path, GROUP_COLUMNS, rows)
    client.force_login(staf)
    # per row: saving it, its history (registry.audit), the model's own validation
    with django_assert_max_num_queries(40 * 11) as captured:
        preview = upload(client, GROUPS, path)
    assert preview.context["result"].totals["new"] == 40
    lookups = [
        q["sql"] for q in captured.captured_queries
        if q["sql"].startswith("SELECT") and not q["sql"].startswith('SELECT 1 AS "a"')
        and any(f'FROM "registry_{table}"' in q["sql"]
                for table in ("wilayah", "jenisperkumpulan", "pilihan"))
    ]
    assert len(lookups) <= 6, lookups


def test_the_resource_refuses_an_observer_even_outside_the_admin(pengamat, make_perkumpulan):
    import tablib

    from registry.models import Perkumpulan
    from registry.resources import PerkumpulanResource

    make_perkumpulan("CBR-DW-001", nama="Lama")
    dataset = tablib.Dataset(headers=GROUP_COLUMNS)
    dataset.append(["CBR-DW-001", "Baru", "DW", CIBEUREUM, "2000", "", ""])
    result = PerkumpulanResource(user=pengamat).import_data(dataset, dry_run=False)
    assert result.has_errors() or result.has_validation_errors()
    assert Perkumpulan.objects.get().nama == "Lama"


@pytest.mark.parametrize("fmt", ["CSV", "XLSX"])
@pytest.mark.usefixtures("one_of_everything")
def test_an_export_imports_again_unchanged(client, staf, fmt, tmp_path):
    """What staff export they can import again as it is: every row found, nothing changed (the
    other apps' tables: in their own tests/<app>/test_admin_import.py)."""
    client.force_login(staf)
    check_export_imports_again_unchanged(client, GROUPS, fmt, tmp_path)


# The same cells as the survey workbook ---------------------------------------------------------
@pytest.mark.parametrize("column, cells", [
    ("kode", ["CBR-DW-001", "CBR DW 1"]),
    ("nama", ["  Dasa   Wisma  Mawar ", "x" * 201]),
    ("rw", ["3", 3.0, "-1", "abc", 0, 1000]),
    ("rt", ["12", "1.5"]),
    ("tahun_berdiri", ["1800", 2000, "3000"]),
    ("masa_kepengurusan", [5, "40000"]),
    ("jaringan_kerja", ["pemerintah", "Organisasi Sosial", "ORSOS", "lain"]),
    ("prakarsa", ["masyarakat", "Pemerintah", "lain"]),
])
def test_group_columns_are_read_as_the_perkumpulan_sheet_reads_them(column, cells):
    from registry import workbook
    from registry.resources import PerkumpulanResource
    from registry.workbook import perkumpulan

    sheet = perkumpulan.PerkumpulanSheet()
    converters = sheet.converters(workbook.Import())
    convert = converters.get(column) or {
        "kode": workbook.to_kode_perkumpulan, "nama": workbook.to_name, "rw": workbook.to_rw_rt,
        "rt": workbook.to_rw_rt, "tahun_berdiri": workbook.to_year,
        "masa_kepengurusan": perkumpulan.to_term}[column]
    assert_read_as_the_sheet_reads(PerkumpulanResource, column, convert, cells)
