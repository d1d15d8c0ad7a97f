"""Downloads of personal data ask first and say they are recorded: the menu's Export leads to a
page that says what the survey workbook holds for the user's role; the PMKS list's and an aid
programme's lists by name open a note before the download link."""

from tests.conftest import CIBEUREUM


def test_the_export_asks_first_and_says_what_the_file_holds(client, staf, pengamat, operator):
    client.force_login(staf)
    assert 'href="/ekspor/siapkan/"' in client.get("/").content.decode()  # the menu's Export
    html = client.get("/ekspor/siapkan/").content.decode()
    assert "NIK lengkap" in html and "PMKS" in html and "dicatat" in html
    assert 'action="/ekspor/"' in html and "Saya mengerti: unduh" in html
    assert f'<option value="{CIBEUREUM}">— Cibeureum ({CIBEUREUM})</option>' in html
    client.force_login(pengamat)
    html = client.get("/ekspor/siapkan/").content.decode()
    assert "Berkas ini memuat data pribadi" not in html and "tanpa data pribadi" in html
    client.force_login(operator)
    html = client.get("/ekspor/siapkan/").content.decode()
    assert f'<input type="hidden" name="wilayah" value="{CIBEUREUM}">' in html
    response = client.get("/ekspor/", {"wilayah": CIBEUREUM})  # what the button asks
    assert response.status_code == 200 and response["Content-Disposition"].startswith(
        "attachment")


def test_the_case_list_download_opens_a_note_first(client, staf, make_perkumpulan):
    from pmks.models import KasusPMKS, KategoriPMKS

    KasusPMKS.objects.create(nama="Mak Icih", desa_id=CIBEUREUM,
                             kategori=KategoriPMKS.objects.order_by("urutan")[0])
    client.force_login(staf)
    html = client.get("/pmks/").content.decode()
    note = html[html.index('<details class="sensitive-download"'):]
    note = note[:note.index("</details>")]
    assert "log akses PMKS" in note and 'href="/pmks/unduh.xlsx?"' in note
