"""Helpers of the admin's import and export tests (django-import-export), shared by each app's:
tests/registry/test_admin_import_export.py and tests/<app>/test_admin_import.py. A test module
takes the fixtures by importing them (`english` is autouse)."""

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

from tests.conftest import CIBEUREUM

GROUPS = "/admin/registry/perkumpulan/"
PEOPLE = "/admin/members/warga/"
MEMBERSHIPS = "/admin/members/keanggotaan/"
PMKS = "/admin/pmks/kasuspmks/"
NIK = "3277014101800001"
MASKED = "••••••••••••0001"


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
    """The rows of an exported CSV, which says it is UTF-8 (its charset, and a byte-order mark
    for Excel)."""
    assert response.status_code == 200, response.content[:500]
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response.content.startswith("\ufeff".encode())
    return list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))


def validation_messages(preview) -> list[str]:
    result = preview.context["result"]
    messages = [str(e.error) for e in result.base_errors]
    messages.extend(str(e.error) for _line, errors in result.row_errors() for e in errors)
    for row in result.invalid_rows:
        for errors in row.error_dict.values():
            messages.extend(str(e) for e in errors)
    return messages


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


def check_export_imports_again_unchanged(client, url: str, fmt: str, tmp_path: Path) -> None:
    """What staff export they can import again as it is: every row found, nothing changed."""
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


def assert_read_as_the_sheet_reads(resource_class, column: str, convert, cells: list) -> None:
    """The resource's column reads each cell as the workbook sheet's converter `convert` does:
    the same value, or the same error messages."""
    from django.core.exceptions import ValidationError

    widget = resource_class().fields[column].widget
    for cell in cells:
        outcomes = []
        for read in (convert, widget.clean):
            try:
                outcomes.append(("value", read(cell)))
            except ValidationError as exc:
                outcomes.append(("error", exc.messages))
        assert outcomes[0] == outcomes[1], (column, cell, outcomes)
