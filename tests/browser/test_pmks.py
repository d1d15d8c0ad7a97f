"""A PMKS case in a real browser: an officer records a person by name and address, moves the case
through its statuses, refers it and records help, all on the case's page; the officer of the next
village cannot open it, an observer cannot open the PMKS pages at all; the pages fit a phone."""

import pytest

from pmks.models import KasusPMKS, KategoriPMKS, LogAkses, StatusKasus


@pytest.fixture
def posyandu(site, make_perkumpulan):
    return make_perkumpulan("CBR-PY-001", jenis="POSYANDU", nama="Posyandu Melati")


def open_form(page, title: str) -> None:
    page.locator(f"details summary:has-text('{title}')").click()


def save(page, aksi: str, url: str) -> None:
    page.click(f"form[action$='/{aksi}/'] button[type=submit]")
    page.wait_for_url(f"{url}/pmks/**")


def test_an_officer_follows_a_case_from_identified_to_helped(
    site, operator, operator_lain, pengamat, posyandu
):
    page = site.login(operator)
    page.goto(f"{site.url}/pmks/")
    page.click("a:has-text('Kasus baru')")
    page.fill("#id_nama", "Nini Ooh")
    page.fill("#id_rw", "3")
    page.fill("#id_alamat", "Kp. Babakan")
    page.select_option("#id_kategori", label="Lanjut Usia Terlantar")
    page.fill("#id_pendamping_kode", "CBR-PY-001")
    page.click("form.form button[type=submit]")
    page.wait_for_url(f"{site.url}/pmks/*/")
    case = KasusPMKS.objects.get(nama="Nini Ooh")
    assert page.url == f"{site.url}/pmks/{case.pk}/"
    assert "Posyandu Melati" in page.locator("main").inner_text()

    open_form(page, "Ubah status")
    page.select_option("#status-status", label="Ditangani")
    page.fill("#status-catatan", "dikunjungi kader posyandu")
    save(page, "status", site.url)
    timeline = page.locator("ol.timeline")
    assert "dikunjungi kader posyandu" in timeline.inner_text()

    open_form(page, "Rujuk kasus")
    page.select_option("#rujukan-tujuan", label="Puskesmas")
    page.fill("#rujukan-lembaga", "Puskesmas Cibeureum")
    save(page, "rujukan", site.url)

    open_form(page, "Catat bantuan")
    page.select_option("#bantuan-bentuk", label="Barang")
    page.select_option("#bantuan-sumber", label="Jimpitan beras")
    page.fill("#bantuan-nilai", "75000")
    save(page, "bantuan", site.url)

    case.refresh_from_db()
    assert case.status == StatusKasus.DIRUJUK
    assert list(case.riwayat.values_list("status", flat=True)) == [
        "TERIDENTIFIKASI", "DITANGANI", "DIRUJUK"]
    assert (case.bantuan.get().nilai, case.bantuan.get().perkumpulan) == (75000, posyandu)
    text = page.locator("ol.timeline").inner_text()
    assert "Puskesmas Cibeureum" in text and "Jimpitan beras" in text and "75000" in text

    # A wrong date is told next to its field; the case is left as it was.
    open_form(page, "Ubah status")
    page.select_option("#status-status", label="Selesai")
    page.fill("#status-tanggal", "2999-01-01")
    page.click("form[action$='/status/'] button[type=submit]")
    date = page.locator("#status-tanggal")
    assert date.get_attribute("aria-invalid") == "true"
    assert page.locator("#status-tanggal_error").is_visible()
    case.refresh_from_db()
    assert case.status == StatusKasus.DIRUJUK

    # The next village's officer gets a 404; an observer no PMKS pages at all.
    other = site.page()
    other.context.clear_cookies()
    site.login(operator_lain, other)
    assert other.goto(f"{site.url}/pmks/{case.pk}/").status == 404
    other.context.clear_cookies()
    site.login(pengamat, other)
    assert other.goto(f"{site.url}/pmks/").status == 403
    assert "PMKS" not in other.locator("nav").first.inner_text()
    # Every view of the case page was logged: the officer's, never the refused ones.
    assert set(LogAkses.objects.filter(kasus=case).values_list("pengguna__username", flat=True)) \
        == {operator.username}


def test_the_pmks_pages_fit_a_phone(site, operator, posyandu):
    case = KasusPMKS.objects.create(nama="Abah Entis", desa_id=operator.wilayah_id,
                                    kategori=KategoriPMKS.objects.first(), pendamping=posyandu)
    page = site.page(width=360)
    site.login(operator, page)
    for path in ("/pmks/", f"/pmks/{case.pk}/", "/pmks/baru/", "/pmks/cakupan/"):
        assert page.goto(site.url + path).status == 200, path
        width = page.evaluate("document.documentElement.scrollWidth")
        assert width <= 360, (path, width)
