"""The web side: the import page offers the XLSForm of the user's area, and an uploaded
KoboToolbox .xlsx export or an ODK Central .zip is checked and imported as a survey workbook
is."""

import io

import openpyxl
import pytest
from django.urls import reverse
from pyxform.xls2xform import convert

from registry.models import Impor, Perkumpulan
from tests.odk.kobo_files import TITLE, central_csv_zip, kobo_sheets, kobo_xlsx, submission_uuid
from tests.survey_files import good_sheets

pytestmark = pytest.mark.django_db


def test_the_import_page_links_the_xlsform_of_the_user_s_village(client, operator):
    client.force_login(operator)
    page = client.get(reverse("registry:impor_new")).content.decode()
    assert reverse("odk:xlsform") in page
    response = client.get(reverse("odk:xlsform"))
    assert response.status_code == 200
    content = b"".join(response.streaming_content)
    book = openpyxl.load_workbook(io.BytesIO(content))
    villages = [r[1] for r in book["choices"].iter_rows(min_row=2, values_only=True)
                if r[0] == "wilayah"]
    assert villages == [operator.wilayah_id]
    assert "<repeat" in convert(xlsform=io.BytesIO(content)).xform


def test_an_area_outside_the_user_s_is_not_found_and_no_area_is_asked_for(
        client, operator, admin_user):
    client.force_login(operator)
    assert client.get(reverse("odk:xlsform"), {"wilayah": "32.77.01.1001"}).status_code == 404
    client.force_login(admin_user)
    response = client.get(reverse("odk:xlsform"))  # no area of their own: choose a province
    assert response.status_code == 200
    assert '<a href="/impor/formulir-odk.xlsx?wilayah=32">' in response.content.decode()
    assert client.get(reverse("odk:xlsform"), {"wilayah": "32.77.01"}).status_code == 200


def test_an_uploaded_kobo_export_is_checked_then_imported(client, operator, tmp_path):
    client.force_login(operator)
    sheets = kobo_sheets(good_sheets())
    main = sheets[TITLE]
    main[1][main[0].index("rw")] = 0
    with open(kobo_xlsx(tmp_path / "kobo.xlsx", sheets), "rb") as handle:
        client.post(reverse("registry:impor_new"), {"berkas": handle})
    record = Impor.objects.get()
    page = client.get(reverse("registry:impor_detail", args=[record.pk])).content.decode()
    assert submission_uuid("CBR-DW-001") in page
    assert Perkumpulan.objects.count() == 0
    with open(kobo_xlsx(tmp_path / "kobo-fixed.xlsx", kobo_sheets(good_sheets())), "rb") as handle:
        client.post(reverse("registry:impor_new"), {"berkas": handle})
    record = Impor.objects.latest("pk")
    assert record.status == "DIPERIKSA", record.kesalahan
    client.post(reverse("registry:impor_confirm", args=[record.pk]))
    record.refresh_from_db()
    assert record.status == "DIIMPOR"
    assert set(Perkumpulan.objects.values_list("kode", flat=True)) == {"CBR-DW-001",
                                                                      "CBR-PSY-001"}


def test_an_odk_central_zip_uploaded_is_checked_then_imported(client, operator, tmp_path):
    client.force_login(operator)
    assert 'accept=".xlsx,.ods,.xls,.csv,.zip"' in client.get(
        reverse("registry:impor_new")).content.decode()
    export = central_csv_zip(tmp_path / "wksbm_327701.zip", kobo_sheets(good_sheets()))
    with open(export, "rb") as handle:
        response = client.post(reverse("registry:impor_new"), {"berkas": handle})
    record = Impor.objects.get()
    assert response.status_code == 302 and record.status == "DIPERIKSA", record.kesalahan
    client.post(reverse("registry:impor_confirm", args=[record.pk]))
    record.refresh_from_db()
    assert record.status == "DIIMPOR"
    assert Perkumpulan.objects.count() == 2


def test_a_csv_that_cannot_be_read_is_told_on_the_form_and_nothing_kept(client, operator,
                                                                          tmp_path):
    client.force_login(operator)
    path = tmp_path / "ekspor.csv"
    path.write_bytes("nama;kode\nKelompok É;1\n".encode("utf-16"))
    with open(path, "rb") as handle:
        response = client.post(reverse("registry:impor_new"), {"berkas": handle})
    assert response.status_code == 400
    assert "bukan berkas CSV UTF-8" in response.content.decode()
    assert not Impor.objects.exists()
