"""Downloads of personal data in a real browser: the menu's Ekspor asks first and names what the
file holds, then downloads a workbook the import reads; the case list's list by name opens its
note before its link."""

import openpyxl

from tests.conftest import CIBEUREUM


def test_the_export_asks_first_then_downloads(site, staf, make_perkumpulan, tmp_path):
    from pmks.models import KasusPMKS, KategoriPMKS

    make_perkumpulan("CBR-DW-001", nama="Dasa Wisma Mawar")
    KasusPMKS.objects.create(nama="Mak Icih", desa_id=CIBEUREUM,
                             kategori=KategoriPMKS.objects.order_by("urutan")[0])
    page = site.login(staf)
    page.click("nav >> text=Ekspor")
    page.wait_for_url(f"{site.url}/ekspor/siapkan/")
    assert "dicatat di log akses PMKS" in page.locator(".sensitive").inner_text()
    page.select_option("#wilayah", CIBEUREUM)
    with page.expect_download() as download:
        page.click("button:has-text('Saya mengerti: unduh')")
    path = tmp_path / "ekspor.xlsx"
    download.value.save_as(path)
    book = openpyxl.load_workbook(path, read_only=True)
    assert "perkumpulan" in book.sheetnames
    page.goto(f"{site.url}/pmks/")
    link = page.locator(".sensitive-download a")
    assert link.is_hidden()
    page.click(".sensitive-download summary")
    assert link.is_visible() and "log akses PMKS" in page.locator(
        ".sensitive-download .sensitive").inner_text()
