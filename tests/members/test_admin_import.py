"""django-import-export in the admin, people and memberships (members.resources): exports masked
for observers, imports read as the anggota sheet reads them and kept within the user's area."""

import datetime

import pytest

from tests.admin_import import (  # noqa: F401 (fixtures)
    MASKED,
    MEMBERSHIPS,
    NIK,
    PEOPLE,
    assert_read_as_the_sheet_reads,
    check_export_imports_again_unchanged,
    confirm,
    csv_file,
    csv_rows,
    english,
    export,
    one_of_everything,
    upload,
    validation_messages,
    xlsx_file,
)
from tests.conftest import CIBEUREUM, MELONG, SUKARASA

pytestmark = pytest.mark.django_db


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


@pytest.mark.parametrize("url", [PEOPLE, MEMBERSHIPS])
@pytest.mark.parametrize("fmt", ["CSV", "XLSX"])
@pytest.mark.usefixtures("one_of_everything")
def test_an_export_imports_again_unchanged(client, staf, url, fmt, tmp_path):
    client.force_login(staf)
    check_export_imports_again_unchanged(client, url, fmt, tmp_path)


# The same cells as the survey workbook ---------------------------------------------------------
@pytest.mark.parametrize("column, cells", [
    ("nik", [NIK, "3277019999800001", 3277014101800000]),
    ("nama", ["  Euis   Rahmawati ", "x" * 201]),
    ("jenis_kelamin", ["Laki-laki", "pria", "P", "Perempuan", "X"]),
    ("tanggal_lahir", ["01-02-1980", "1980-02-30", datetime.datetime(1980, 1, 1)]),
    ("pendidikan", ["S1", "SLTA", "Tidak Tamat SD", "kursus"]),
    ("rw", ["3", "-1", 0]),
])
def test_people_columns_are_read_as_the_anggota_sheet_reads_them(column, cells):
    from members import workbook as sheet
    from members.resources import WargaResource
    from registry import workbook

    convert = {"nik": workbook.to_nik, "nama": workbook.to_name, "jenis_kelamin": sheet.SEX,
               "tanggal_lahir": workbook.to_date, "pendidikan": sheet.EDUCATION,
               "rw": workbook.to_rw_rt}[column]
    assert_read_as_the_sheet_reads(WargaResource, column, convert, cells)


def test_a_membership_role_is_read_as_the_anggota_sheet_reads_it():
    from members import workbook as sheet
    from members.resources import KeanggotaanResource

    assert_read_as_the_sheet_reads(KeanggotaanResource, "peran", sheet.ROLE,
                                   ["Wakil", "wakil ketua", "KETUA", "penasihat"])


def test_people_import_takes_the_spellings_the_anggota_sheet_takes(client, staf, tmp_path):
    from members.models import Warga

    path = csv_file(tmp_path, ["nik", "nama", "jenis_kelamin", "pendidikan", "wilayah"],
                    [[NIK, "Euis   Rahmawati", "Wanita", "S1", CIBEUREUM]])
    client.force_login(staf)
    confirm(client, PEOPLE, upload(client, PEOPLE, path))
    person = Warga.objects.get(nik=NIK)
    assert (person.nama, person.jenis_kelamin, person.pendidikan) == ("Euis Rahmawati", "P", "PT")
