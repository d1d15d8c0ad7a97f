"""The web import in a real browser: a workbook with a mistake is refused with its errors and
uploaded again from the same page once mended; the check then shows the first rows it will
write, and saving writes them."""

from registry.models import Impor, Perkumpulan
from tests.registry.test_import_web import CIBEUREUM, workbook_bytes


def saved(tmp_path, name, groups):
    path = tmp_path / name
    path.write_bytes(workbook_bytes(groups).getvalue())
    return path


def test_a_refused_workbook_is_mended_and_uploaded_again(site, operator, tmp_path):
    wrong = saved(tmp_path, "survei-salah.xlsx",
                  [("W-DW-1", CIBEUREUM, "Dasa Wisma Uji", "Bukan Jenis", 2001)])
    mended = saved(tmp_path, "survei.xlsx",
                   [(f"W-DW-{i}", CIBEUREUM, f"Dasa Wisma Uji {i}", "Dasa Wisma", 2001)
                    for i in range(1, 8)])
    page = site.login(operator)
    page.goto(f"{site.url}/impor/")
    page.set_input_files("#id_berkas", str(wrong))
    page.click("form[data-sibuk] button[type=submit]")
    page.wait_for_url(f"{site.url}/impor/*/")
    assert "1 kesalahan: tidak ada yang disimpan" in page.inner_text("main")
    refused = Impor.objects.get().pk
    page.click("a[href='#unggah-lagi']")
    page.set_input_files("#unggah-lagi ~ form #id_berkas", str(mended))
    page.click("#unggah-lagi ~ form button[type=submit]")
    page.wait_for_function(f"!location.href.endsWith('/{refused}/')")
    preview = page.locator("table.pratinjau")
    assert preview.locator("caption").inner_text() == (
        "Lembar perkumpulan: 5 baris pertama dari 7, seperti yang akan ditulis")
    assert preview.locator("tbody tr").count() == 5
    assert "Dasa Wisma Uji 1" in preview.inner_text()
    page.click("form[data-sibuk] button:has-text('Simpan ke registri')")
    page.wait_for_load_state()
    assert Perkumpulan.objects.filter(kode__startswith="W-DW-").count() == 7
    assert page.locator("table.pratinjau").count() == 0
