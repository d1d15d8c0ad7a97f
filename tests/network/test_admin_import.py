"""django-import-export in the admin, partners, working links and forums (network.resources)."""

import pytest

from tests.admin_import import (  # noqa: F401 (fixtures)
    assert_read_as_the_sheet_reads,
    check_export_imports_again_unchanged,
    english,
    one_of_everything,
)

pytestmark = pytest.mark.django_db

PARTNERS = "/admin/network/mitra/"
LINKS = "/admin/network/hubungan/"
FORUMS = "/admin/network/forum/"


@pytest.mark.parametrize("url", [PARTNERS, LINKS, FORUMS])
@pytest.mark.parametrize("fmt", ["CSV", "XLSX"])
@pytest.mark.usefixtures("one_of_everything")
def test_an_export_imports_again_unchanged(client, staf, url, fmt, tmp_path):
    client.force_login(staf)
    check_export_imports_again_unchanged(client, url, fmt, tmp_path)


def test_partner_and_link_columns_are_read_as_the_jaringan_sheet_reads_them():
    from network import workbook as sheet
    from network.resources import HubunganResource, MitraResource
    from registry import workbook

    assert_read_as_the_sheet_reads(MitraResource, "nama", workbook.to_name,
                                   ["  Puskesmas   Cibeureum ", "x" * 201])
    assert_read_as_the_sheet_reads(MitraResource, "jenis", sheet.PARTNER_TYPE,
                                   ["NGO", "Dunia Usaha", "CSR", "koperasi"])
    assert_read_as_the_sheet_reads(HubunganResource, "bentuk", sheet.FORM,
                                   ["Vertikal", "rujukan", "Berbagi Sumber Daya", "lain"])
