"""django-import-export in the admin: the buttons follow the role, exports hold only what the user
may see (NIK masked for observers, formulas made inert), imports go through the two admin steps
and are refused outside the user's area, for a key of another village's row and for a key that
appears twice in one file."""

import csv
import datetime
import io
import uuid
from pathlib import Path

import openpyxl
import pytest
from django.contrib import admin
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import translation

from tests.conftest import CIBEUREUM, MELONG, SUKARASA

pytestmark = pytest.mark.django_db

GROUPS = "/admin/registry/perkumpulan/"
PEOPLE = "/admin/members/warga/"
MEMBERSHIPS = "/admin/members/keanggotaan/"
PMKS = "/admin/pmks/kasuspmks/"
NIK = "3277014101800001"
MASKED = "••••••••••••0001"
GROUP_COLUMNS = ["kode", "nama", "jenis", "desa", "tahun_berdiri", "tujuan", "kegiatan"]


@pytest.fixture(autouse=True)
def english(client, settings):
    """These tests read the messages in English, their source language (the Indonesian
    interface is tested in tests/test_i18n.py)."""
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    with translation.override("en"):
        yield


def model_admin(url: str):
    app_label, model_name = url.strip("/").split("/")[1:3]
    for model, model_admin in admin.site._registry.items():
        if (model._meta.app_label, model._meta.model_name) == (app_label, model_name):
            return model_admin
    raise LookupError(url)


def format_index(url: str, name: str) -> str:
    names = [f.__name__ for f in model_admin(url).get_import_formats()]
    return str(names.index(name))


def csv_file(tmp_path: Path, header: list[str], rows: list[list]) -> Path:
    path = tmp_path / f"{uuid.uuid4().hex}.csv"
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(header)
        writer.writerows(rows)
    return path


def xlsx_file(tmp_path: Path, header: list[str], rows: list[list]) -> Path:
    path = tmp_path / f"{uuid.uuid4().hex}.xlsx"
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(header)
    for row in rows:
        sheet.append(row)
    book.save(path)
    return path


def upload(client, url: str, path: Path):
    """Step 1 of the admin import: the file and its format; the dry run's page comes back."""
    fmt = "XLSX" if path.suffix == ".xlsx" else "CSV"
    upload = SimpleUploadedFile(path.name, path.read_bytes())
    return client.post(
        f"{url}import/",
        {"format": format_index(url, fmt), "import_file": upload, "resource": "0"},
    )


def confirm(client, url: str, preview):
    """Step 2: post the confirm form the preview offers."""
    form = preview.context["confirm_form"]
    return client.post(f"{url}process_import/", dict(form.initial))


def export(client, url: str, fmt: str = "CSV"):
    model = model_admin(url)
    resource = model.get_export_resource_classes(None)[0]
    fields = resource().get_export_order()
    data = {"format": format_index(url, fmt), "resource": "0"}
    data.update({f"{resource.__name__.lower()}_{name}": "on" for name in fields})
    return client.post(f"{url}export/", data)


def csv_rows(response) -> list[list[str]]:
    assert response.status_code == 200, response.content[:500]
    return list(csv.reader(io.StringIO(response.content.decode("utf-8"))))


def validation_messages(preview) -> list[str]:
    result = preview.context["result"]
    messages = [str(e.error) for e in result.base_errors]
    messages.extend(str(e.error) for _line, errors in result.row_errors() for e in errors)
    for row in result.invalid_rows:
        for errors in row.error_dict.values():
            messages.extend(str(e) for e in errors)
    return messages


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


def test_observer_may_not_export_pmks(client, pengamat, staf):
    client.force_login(pengamat)
    assert client.get(f"{PMKS}export/").status_code == 403
    assert client.get(f"{PMKS}import/").status_code == 403
    client.force_login(staf)
    assert client.get(f"{PMKS}export/").status_code == 200


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


def test_observer_exports_people_with_masked_nik_and_no_personal_columns(
    client, pengamat, make_warga
):
    """Observers open no people (as on the web): the admin's Export of people is refused, and
    were it reached, the NIK would be masked and the personal columns left out."""
    from members.resources import WargaResource
    from registry.admin import admin

    make_warga(NIK, nama="Euis Rahmawati", wilayah_id=CIBEUREUM, alamat="Jl. Kenanga 12",
               tanggal_lahir=datetime.date(1980, 1, 1))
    client.force_login(pengamat)
    assert client.get(f"{PEOPLE}export/").status_code == 403
    assert client.post(f"{PEOPLE}export/", {"format": "0"}).status_code == 403
    from members.models import Warga

    data = WargaResource(user=pengamat).export(Warga.objects.all())
    assert "alamat" not in data.headers and "tanggal_lahir" not in data.headers
    row = dict(zip(data.headers, data[0], strict=True))
    assert row["nik"] == MASKED
    assert row["nama"] == "Euis Rahmawati"
    assert NIK not in data.csv and "Kenanga" not in data.csv and "1980" not in data.csv
    assert admin.site._registry[Warga].has_export_permission(
        type("Request", (), {"user": pengamat})()) is False


def test_observer_exports_memberships_with_masked_nik(client, pengamat, make_perkumpulan,
                                                      make_warga):
    from members.models import Keanggotaan

    group = make_perkumpulan("CBR-DW-001")
    person = make_warga(NIK, nama="Euis Rahmawati", wilayah_id=CIBEUREUM)
    Keanggotaan.objects.create(warga=person, perkumpulan=group, peran="KETUA")
    client.force_login(pengamat)
    response = export(client, MEMBERSHIPS)
    rows = csv_rows(response)
    row = dict(zip(rows[0], rows[1], strict=True))
    assert row["warga"] == MASKED and row["perkumpulan"] == "CBR-DW-001"
    assert NIK not in response.content.decode()


def test_staff_export_people_with_full_nik(client, staf, make_warga):
    make_warga(NIK, nama="Euis Rahmawati", wilayah_id=CIBEUREUM, alamat="Jl. Kenanga 12")
    make_warga("3273010202900003", nama="Dadang Hermawan", wilayah_id=SUKARASA)
    client.force_login(staf)
    rows = csv_rows(export(client, PEOPLE))
    assert [row[0] for row in rows[1:]] == [NIK]
    assert "alamat" in rows[0]


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
    assert any("more than once" in m for m in validation_messages(preview))
    assert "confirm_form" not in preview.context
    assert not Perkumpulan.objects.exists()


def test_people_import_reads_xlsx_dates_as_dates(client, staf, tmp_path):
    """openpyxl gives datetimes; stored as dates, and importing the same file again finds
    nothing changed."""
    from members.models import Warga

    path = xlsx_file(
        tmp_path,
        ["nik", "nama", "jenis_kelamin", "tanggal_lahir", "wilayah", "rw"],
        [[NIK, "Euis Rahmawati", "Perempuan", datetime.datetime(1980, 1, 1), CIBEUREUM, 3]],
    )
    client.force_login(staf)
    confirm(client, PEOPLE, upload(client, PEOPLE, path))
    person = Warga.objects.get(nik=NIK)
    assert person.tanggal_lahir == datetime.date(1980, 1, 1)
    assert type(person.tanggal_lahir) is datetime.date
    assert (person.jenis_kelamin, person.wilayah_id, person.rw) == ("P", CIBEUREUM, 3)

    again = upload(client, PEOPLE, path)
    assert again.context["result"].totals["skip"] == 1
    assert again.context["result"].totals["update"] == 0


def test_the_shared_nik_rules_apply(client, staf, tmp_path):
    from members.models import Warga

    path = xlsx_file(tmp_path, ["nik", "nama", "wilayah"], [
        ["3277019999800001", "Euis", CIBEUREUM],  # no such birth date
        ["32770141018000", "Asep", CIBEUREUM],  # too short
    ])
    client.force_login(staf)
    preview = upload(client, PEOPLE, path)
    messages = " ".join(validation_messages(preview))
    assert "3277019999800001" in messages and "32770141018000" in messages
    assert [row.number for row in preview.context["result"].invalid_rows] == [1, 2]
    assert not Warga.objects.exists()


def test_people_stay_where_they_live(client, operator, make_perkumpulan, make_warga, tmp_path):
    """A member of the operator's group who lives in Melong is Melong's to correct, not the
    operator's (seeing is not owning); a new person must live in the operator's village."""
    from members.models import Keanggotaan, Warga

    group = make_perkumpulan("CBR-DW-001")
    member = make_warga(NIK, nama="Euis", wilayah_id=MELONG)
    Keanggotaan.objects.create(warga=member, perkumpulan=group)
    header = ["nik", "nama", "wilayah"]
    client.force_login(operator)

    path = csv_file(tmp_path, header, [[NIK, "Euis Rahmawati", MELONG]])
    preview = upload(client, PEOPLE, path)
    assert "confirm_form" not in preview.context
    assert any("person outside your area" in m for m in validation_messages(preview))
    member.refresh_from_db()
    assert (member.nama, member.wilayah_id) == ("Euis", MELONG)

    path = csv_file(tmp_path, header, [["3277015505900002", "Baru", ""],
                                       ["3277015505900003", "Baru juga", MELONG]])
    preview = upload(client, PEOPLE, path)
    invalid = preview.context["result"].invalid_rows
    assert [row.number for row in invalid] == [1, 2]
    assert [list(row.error_dict) for row in invalid] == [["wilayah"], ["wilayah"]]
    assert "within your area" in invalid[0].error_dict["wilayah"][0]
    assert "outside your area" in invalid[1].error_dict["wilayah"][0]
    assert Warga.objects.count() == 1


def test_operator_cannot_add_a_membership_to_another_villages_group(
    client, operator, make_perkumpulan, make_warga, tmp_path
):
    from members.models import Keanggotaan

    make_perkumpulan("MLG-DW-001", desa=MELONG)
    make_perkumpulan("CBR-DW-001")
    make_warga(NIK, wilayah_id=CIBEUREUM)
    path = csv_file(tmp_path, ["id", "perkumpulan", "warga", "peran"], [
        ["", "MLG-DW-001", NIK, "ANGGOTA"],
    ])
    client.force_login(operator)
    preview = upload(client, MEMBERSHIPS, path)
    assert any("outside your area" in m for m in validation_messages(preview))
    assert not Keanggotaan.objects.exists()

    path = csv_file(tmp_path, ["id", "perkumpulan", "warga", "peran"], [
        ["", "CBR-DW-001", NIK, "Ketua"],
    ])
    confirm(client, MEMBERSHIPS, upload(client, MEMBERSHIPS, path))
    membership = Keanggotaan.objects.get()
    assert (membership.perkumpulan.kode, membership.peran) == ("CBR-DW-001", "KETUA")


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


# Every model ---------------------------------------------------------------------------------
@pytest.fixture
def one_of_everything(make_perkumpulan, make_warga):
    from members.models import Keanggotaan
    from network.models import Forum, Hubungan, Mitra
    from pmks.models import KasusPMKS, KategoriPMKS

    group = make_perkumpulan("CBR-DW-001", nama="=Dasa Wisma Mawar")
    other = make_perkumpulan("CBR-PY-001", jenis="POSYANDU", rw=3)
    person = make_warga(NIK, nama="Euis Rahmawati", wilayah_id=CIBEUREUM,
                        tanggal_lahir=datetime.date(1980, 1, 1), alamat="-Jl. Kenanga 12")
    Keanggotaan.objects.create(warga=person, perkumpulan=group, peran="KETUA",
                               mulai=datetime.date(2020, 2, 1))
    KasusPMKS.objects.create(nama="Penerima", desa_id=CIBEUREUM, warga=person,
                             kategori=KategoriPMKS.objects.get(kode="FM"), pendamping=group,
                             tanggal_identifikasi=datetime.date(2024, 5, 6))
    mitra = Mitra.objects.create(nama="Puskesmas Cibeureum", jenis="PEMERINTAH",
                                 wilayah_id=CIBEUREUM)
    Hubungan.objects.create(perkumpulan=group, mitra_luar=mitra, bentuk="RUJUKAN")
    Hubungan.objects.create(perkumpulan=group, mitra_perkumpulan=other, bentuk="KOORDINASI")
    forum = Forum.objects.create(desa_id=CIBEUREUM, nama="Forum WKSBM Cibeureum",
                                 mekanisme="TIM", tanggal_dibentuk=datetime.date(2019, 3, 4))
    forum.anggota.add(group, other)


EVERY_MODEL = [
    GROUPS,
    PEOPLE,
    MEMBERSHIPS,
    PMKS,
    "/admin/network/mitra/",
    "/admin/network/hubungan/",
    "/admin/network/forum/",
]


@pytest.mark.parametrize("url", EVERY_MODEL)
@pytest.mark.parametrize("fmt", ["CSV", "XLSX"])
def test_an_export_imports_again_unchanged(client, staf, one_of_everything, url, fmt, tmp_path):
    """What staff export they can import again as it is: every row found, nothing changed."""
    client.force_login(staf)
    assert client.get(f"{url}import/").status_code == 200
    assert client.get(f"{url}export/").status_code == 200
    response = export(client, url, fmt)
    assert response.status_code == 200
    path = tmp_path / ("export.xlsx" if fmt == "XLSX" else "export.csv")
    path.write_bytes(response.content)
    model = model_admin(url).model
    before = model.objects.count()
    preview = upload(client, url, path)
    assert not validation_messages(preview)
    totals = preview.context["result"].totals
    assert totals["skip"] == before > 0
    assert totals["new"] == totals["update"] == 0
    confirm(client, url, preview)
    assert model.objects.count() == before
