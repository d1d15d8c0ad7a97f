"""The web import: upload → check (nothing written) → errors or summary → confirm → done."""

import io

import openpyxl
import pytest
from django.urls import reverse

from members.models import Keanggotaan
from registry.models import Impor, Perkumpulan

CIBEUREUM, MELONG = "32.77.01.1002", "32.77.01.1001"


def workbook_bytes(groups, members=(), group_columns=(), member_columns=("peran",)
                   ) -> io.BytesIO:
    """An upload of these groups (code, area, name, type, year founded, then `group_columns`)
    and members (code, NIK, name, then `member_columns`)."""
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.title = "perkumpulan"
    sheet.append(["kode_perkumpulan", "kode_wilayah", "nama", "jenis", "tahun_berdiri",
                  *group_columns])
    for row in groups:
        sheet.append(list(row))
    members_sheet = book.create_sheet("anggota")
    members_sheet.append(["kode_perkumpulan", "nik", "nama", *member_columns])
    for row in members:
        members_sheet.append(list(row))
    buffer = io.BytesIO()
    book.save(buffer)
    buffer.seek(0)
    buffer.name = "survei.xlsx"
    return buffer


def upload(client, content):
    return client.post(reverse("registry:impor_new"), {"berkas": content})


def test_it_checks_then_imports_on_confirmation(client, operator):
    client.force_login(operator)
    response = upload(client, workbook_bytes(
        [("W-DW-1", CIBEUREUM, "Dasa Wisma Uji", "Dasa Wisma", 2001)],
        [("W-DW-1", "3277014101800001", "Siti Aminah", "Ketua")],
    ))
    record = Impor.objects.get()
    assert response.status_code == 302
    assert record.status == "DIPERIKSA"
    assert Perkumpulan.objects.count() == 0  # checked, not written
    page = client.get(reverse("registry:impor_detail", args=[record.pk]))
    assert page.status_code == 200
    assert reverse("registry:impor_confirm", args=[record.pk]) in page.content.decode()
    client.post(reverse("registry:impor_confirm", args=[record.pk]))
    record.refresh_from_db()
    assert record.status == "DIIMPOR"
    assert record.jumlah["perkumpulan"] == {"created": 1, "updated": 0, "unchanged": 0}
    assert Keanggotaan.objects.get().perkumpulan.kode == "W-DW-1"
    # The stored upload is gone once it is imported; confirming again changes nothing.
    assert record.berkas == ""
    client.post(reverse("registry:impor_confirm", args=[record.pk]))
    assert Perkumpulan.objects.count() == 1


def test_it_lists_every_error_and_writes_nothing(client, operator):
    client.force_login(operator)
    upload(client, workbook_bytes([
        ("W-DW-1", CIBEUREUM, "Dasa Wisma Uji", "Bukan Jenis", 2001),
        ("W-DW-2", MELONG, "Dasa Wisma Tetangga", "Dasa Wisma", 2001),
        ("W-DW-3", CIBEUREUM, "Dasa Wisma Baru", "Dasa Wisma", 2999),
    ]))
    record = Impor.objects.get()
    assert record.status == "GAGAL"
    assert [(e[0], e[1], e[2]) for e in record.kesalahan] == [
        ("perkumpulan", 2, "jenis"),
        ("perkumpulan", 3, "kode_wilayah"),  # another village: not the operator's
        ("perkumpulan", 4, "tahun_berdiri"),
    ]
    assert Perkumpulan.objects.count() == 0
    page = client.get(reverse("registry:impor_detail", args=[record.pk])).content.decode()
    assert "Bukan Jenis" in page and "2999" in page
    assert "konfirmasi" not in page
    download = client.get(reverse("registry:impor_errors", args=[record.pk]))
    sheet = openpyxl.load_workbook(io.BytesIO(b"".join(download.streaming_content))).active
    rows = list(sheet.iter_rows(values_only=True))
    assert len(rows) == 4 and rows[1][:3] == ("perkumpulan", 2, "jenis")


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("data.csv", b"a,b\n1,2\n", ".xlsx"),
        ("rusak.xlsx", b"PK\x03\x04 not really a zip", "Excel"),
    ],
)
def test_it_refuses_what_is_not_a_workbook(client, operator, name, content, message):
    client.force_login(operator)
    bad = io.BytesIO(content)
    bad.name = name
    response = upload(client, bad)
    assert response.status_code == 400
    assert message in response.content.decode()
    assert Impor.objects.count() == 0


def test_observers_may_not_import(client, pengamat):
    client.force_login(pengamat)
    assert client.get(reverse("registry:impor_new")).status_code == 403
    assert upload(client, workbook_bytes([])).status_code == 403


def test_anonymous_users_are_sent_to_log_in(client, db):
    response = client.get(reverse("registry:impor_new"))
    assert response.status_code == 302 and "/login/" in response["Location"]


def test_imports_are_seen_only_within_reach(
    client, operator, operator_lain, staf, staf_lain, pengamat
):
    client.force_login(operator)
    upload(client, workbook_bytes([("W-DW-1", CIBEUREUM, "Uji", "Dasa Wisma", 2001)]))
    record = Impor.objects.get()
    url = reverse("registry:impor_detail", args=[record.pk])
    # Observers see no import: its errors quote the cells, NIKs included.
    reach = [(operator, 200), (operator_lain, 404), (staf, 200), (staf_lain, 404), (pengamat, 404)]
    for user, status in reach:
        client.force_login(user)
        assert client.get(url).status_code == status, user.username
    # Staff may look, but only the uploader confirms.
    client.force_login(staf)
    client.post(reverse("registry:impor_confirm", args=[record.pk]))
    assert Perkumpulan.objects.count() == 0


def test_the_template_has_dropdowns_and_text_nik(client, operator):
    client.force_login(operator)
    response = client.get(reverse("registry:workbook_template"))
    book = openpyxl.load_workbook(io.BytesIO(b"".join(response.streaming_content)))
    assert {"petunjuk", "perkumpulan", "anggota", "pmks", "jaringan"} <= set(book.sheetnames)
    assert book["daftar"].sheet_state == "hidden"
    groups = book["perkumpulan"]
    formulas = {str(v.sqref): v.formula1 for v in groups.data_validations.dataValidation}
    jenis_column = [c.value for c in groups[1]].index("jenis") + 1
    jenis_range = next(r for r in formulas if r.startswith(openpyxl.utils.get_column_letter(
        jenis_column) + "2"))
    values = [c.value for c in book["daftar"][formulas[jenis_range].split("!")[1].replace(
        "$", "").split(":")[0][0]] if c.value][1:]
    assert "Dasa Wisma" in values and len(values) == 17
    nik_column = [c.value for c in book["anggota"][1]].index("nik") + 1
    assert book["anggota"].cell(row=2, column=nik_column).number_format == "@"


def test_export_gives_the_area_in_the_import_format(client, staf, staf_lain, make_perkumpulan):
    make_perkumpulan("E-DW-1", desa=CIBEUREUM, nama="=HYPERLINK(\"x\")")
    make_perkumpulan("E-DW-2", desa="32.73.01.1001")
    client.force_login(staf)
    response = client.get(reverse("registry:workbook_export"), {"wilayah": "32.77"})
    book = openpyxl.load_workbook(io.BytesIO(b"".join(response.streaming_content)))
    rows = list(book["perkumpulan"].iter_rows(values_only=True))
    assert [r[0] for r in rows[1:]] == ["E-DW-1"]
    assert rows[1][2] == "=HYPERLINK(\"x\")"  # the name as it is, as text:
    assert book["perkumpulan"].cell(row=2, column=3).data_type == "s"  # never a formula
    assert client.get(reverse("registry:workbook_export"), {"wilayah": "32.73"}).status_code == 404
    assert client.get(reverse("registry:workbook_export"), {"wilayah": "abc"}).status_code == 400
