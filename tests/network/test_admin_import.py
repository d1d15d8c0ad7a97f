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


def test_the_forum_import_keys_the_village_level_forum_and_leaves_rw_forums_alone(
        client, staf, tmp_path):
    from network.models import Forum, TingkatForum
    from tests.admin_import import confirm, csv_file, csv_rows, export, upload, validation_messages
    from tests.conftest import CIBEUREUM, MELONG

    own = Forum.objects.create(desa_id=CIBEUREUM, nama="WKSBM Cibeureum", mekanisme="TIM")
    Forum.objects.create(desa_id=CIBEUREUM, nama="WKSBM RW 03", mekanisme="TIM",
                         tingkat=TingkatForum.RW, rw=3)
    Forum.objects.create(desa_id=MELONG, nama="WKSBM RW 01 Melong", mekanisme="DEWAN",
                         tingkat=TingkatForum.RW, rw=1)
    client.force_login(staf)
    # The export holds the village-level forums, one row a village (its key).
    rows = csv_rows(export(client, FORUMS))
    assert [row[rows[0].index("nama")] for row in rows[1:]] == ["WKSBM Cibeureum"]
    path = csv_file(tmp_path, ["desa", "nama", "mekanisme"],
                    [[CIBEUREUM, "WKSBM Cibeureum Raya", "TIM"], [MELONG, "WKSBM Melong", "TIM"]])
    preview = upload(client, FORUMS, path)
    assert not validation_messages(preview)
    assert (preview.context["result"].totals["update"],
            preview.context["result"].totals["new"]) == (1, 1)
    confirm(client, FORUMS, preview)
    assert sorted(Forum.objects.values_list("desa", "tingkat", "nama")) == [
        (MELONG, "DESA", "WKSBM Melong"), (MELONG, "RW", "WKSBM RW 01 Melong"),
        (CIBEUREUM, "DESA", "WKSBM Cibeureum Raya"), (CIBEUREUM, "RW", "WKSBM RW 03")]
    assert Forum.objects.get(desa=CIBEUREUM, tingkat="DESA").pk == own.pk
