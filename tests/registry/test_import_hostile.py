"""Hostile workbooks are refused before they cost much, with a clear message."""

import io
import zipfile

import openpyxl
import pytest

from registry import workbook
from registry.models import Perkumpulan
from registry.workbook import reading

LAUGHS = (
    '<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol">'
    '<!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">'
    '<!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">]>'
)


def with_entity_bomb() -> io.BytesIO:
    """A real workbook whose sheet XML declares nested entities (a "billion laughs")."""
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.title = "perkumpulan"
    sheet.append(["kode_perkumpulan", "kode_wilayah", "nama", "jenis", "tahun_berdiri"])
    sheet.append(["H-1", "32.77.01.1002", "Uji", "DW", 2000])
    plain = io.BytesIO()
    book.save(plain)
    hostile = io.BytesIO()
    with zipfile.ZipFile(plain) as source, zipfile.ZipFile(hostile, "w") as target:
        for item in source.infolist():
            data = source.read(item.filename)
            if item.filename == "xl/worksheets/sheet1.xml":
                text = data.decode()
                if text.startswith("<?xml"):
                    text = text.split("?>", 1)[1]
                data = (LAUGHS + text.replace(">Uji<", ">&lol3;<")).encode()
            target.writestr(item, data)
    hostile.seek(0)
    return hostile


def test_it_refuses_xml_entities(db):
    with pytest.raises(workbook.WorkbookError) as refused:
        workbook.run(with_entity_bomb())
    assert "rusak" in str(refused.value)  # "damaged", in the default Indonesian
    causes, error = [], refused.value
    while error is not None:
        causes.append(type(error).__name__)
        error = error.__cause__ or error.__context__
    assert "EntitiesForbidden" in causes  # defusedxml stopped it, not an accident of parsing
    assert not Perkumpulan.objects.exists()


def test_it_refuses_a_file_over_the_size_limit(db, monkeypatch):
    monkeypatch.setattr(reading, "MAX_FILE_BYTES", 1024)
    with pytest.raises(workbook.WorkbookError) as refused:
        workbook.run(io.BytesIO(b"PK" + b"\0" * 4096))
    assert "MB" in str(refused.value)
