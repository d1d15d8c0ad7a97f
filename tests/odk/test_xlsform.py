"""The survey as an XLSForm (`manage.py xlsform`): pyxform, which KoboToolbox and ODK Central
run on an uploaded form, converts it to an XForm without an error."""

import io
import re

import openpyxl
import pytest
from django.core.management import CommandError, call_command
from django.utils import translation
from pyxform.xls2xform import convert

from registry.models import JenisPerkumpulan

pytestmark = pytest.mark.django_db


def make_form(tmp_path, wilayah="32.77.01"):
    path = tmp_path / "form.xlsx"
    out = io.StringIO()
    call_command("xlsform", "--wilayah", wilayah, "-o", str(path), stdout=out)
    return path, out.getvalue()


def test_the_xlsform_converts_to_an_xform_with_pyxform(tmp_path):
    path, out = make_form(tmp_path)
    assert "wksbm_327701" in out
    warnings = []
    xform = convert(xlsform=str(path), warnings=warnings).xform
    # The group, its three repeats, the NIK's constraint, dates as dates.
    assert '<h:title>Pendataan WKSBM' in xform
    for repeat in ("anggota", "pmks", "jaringan"):
        assert re.search(rf'<repeat nodeset="/data/{repeat}"', xform), repeat
    assert "regex(., '^[0-9]{16}$')" in xform
    assert 'nodeset="/data/anggota/nik"' in xform
    assert re.search(r'nodeset="/data/anggota/tanggal_lahir" type="date"', xform)
    assert re.search(r'nodeset="/data/kode_perkumpulan" type="string" required="true\(\)"', xform)
    assert "NIK harus 16 angka" in xform


def test_the_choices_are_the_areas_villages_the_17_types_and_the_reference_lists(tmp_path):
    path, _out = make_form(tmp_path)
    book = openpyxl.load_workbook(path)
    choices = [row for row in book["choices"].iter_rows(min_row=2, values_only=True)]
    by_list = {}
    for list_name, name, label in choices:
        by_list.setdefault(list_name, []).append((name, label))
    assert ("32.77.01.1002", "Cibeureum (32.77.01.1002)") in by_list["wilayah"]
    assert all(kode.startswith("32.77.01.") for kode, _label in by_list["wilayah"])
    assert len(by_list["perkumpulan_jenis"]) == JenisPerkumpulan.objects.count() == 17
    assert ("dasa_wisma", "Dasa Wisma") in by_list["perkumpulan_jenis"]
    assert ("pelayanan_kesehatan", "Pelayanan Kesehatan") in by_list["perkumpulan_tujuan"]
    assert len(by_list["pmks_kategori"]) >= 26
    settings = list(book["settings"].iter_rows(values_only=True))
    assert dict(zip(settings[0], settings[1], strict=True))["form_id"] == "wksbm_327701"


def test_a_village_s_form_offers_that_village_only(tmp_path):
    path, _out = make_form(tmp_path, "3277011002")
    book = openpyxl.load_workbook(path)
    villages = [r[1] for r in book["choices"].iter_rows(min_row=2, values_only=True)
                if r[0] == "wilayah"]
    assert villages == ["32.77.01.1002"]


def test_an_unknown_area_is_a_clear_error_and_no_file(tmp_path):
    with pytest.raises(CommandError, match="99.99.99.9999"):
        call_command("xlsform", "--wilayah", "99.99.99.9999", "-o", str(tmp_path / "f.xlsx"))
    with translation.override("en"), pytest.raises(CommandError, match="not an area code"):
        call_command("xlsform", "--wilayah", "abc", "-o", str(tmp_path / "f.xlsx"))
