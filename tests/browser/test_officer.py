"""A village officer's day in a real browser: create a group, add members and a link, find it in
the list; the officer of the next village cannot see it; the pages fit a phone and a keyboard."""

import pytest

from members.models import Keanggotaan
from network.models import Hubungan
from registry.models import Perkumpulan
from tests.conftest import MELONG

MEMBERS = [  # NIK, name, role label
    ("3277010101800001", "Budi Santoso", "Ketua"),
    ("3277014101800002", "Siti Aminah", "Sekretaris"),
    ("3277010202850003", "Asep Sunandar", "Anggota"),
]


@pytest.fixture
def karang_taruna(site, make_perkumpulan):
    return make_perkumpulan("CBR-KT-001", jenis="KT", nama="Karang Taruna Tunas Harapan")


def create_group(page, url):
    page.goto(f"{url}/perkumpulan/baru/")
    page.fill("#id_kode", "CBR-DW-777")
    page.fill("#id_nama", "Dasa Wisma Kenanga")
    page.select_option("#id_jenis", label="Dasa Wisma")
    page.fill("#id_rw", "4")
    page.fill("#id_tahun_berdiri", "2010")
    page.click("form.form button[type=submit]")
    page.wait_for_url(f"{url}/perkumpulan/CBR-DW-777/")


def test_an_officer_records_a_group_that_the_next_village_cannot_see(
    site, operator, operator_lain, karang_taruna
):
    page = site.login(operator)
    create_group(page, site.url)
    assert page.locator("h1").inner_text().startswith("Dasa Wisma Kenanga")

    for nik, nama, peran in MEMBERS:
        summary = page.locator("#anggota details summary").last
        if page.locator("#anggota-nik").is_hidden():
            summary.click()
        page.fill("#anggota-nik", nik)
        page.fill("#anggota-nama", nama)
        page.select_option("#anggota-peran", label=peran)
        page.click("#anggota button[type=submit]:has-text('Tambah anggota')")
        page.wait_for_url(f"{site.url}/perkumpulan/CBR-DW-777/**")
        assert nama in page.locator("#anggota").inner_text()

    page.locator("#hubungan details summary").click()
    # The partner is picked by a part of its name: the groups found are offered as it is typed.
    page.locator("#hubungan-kode_perkumpulan").press_sequentially("tunas har", delay=30)
    offered = page.locator("#hubungan-kode_perkumpulan-pilihan option")
    offered.first.wait_for(state="attached")
    assert offered.count() == 1
    assert offered.first.get_attribute("label") == (
        "Karang Taruna Tunas Harapan — Pemuda/Karang Taruna, Cibeureum (CBR-KT-001)")
    page.fill("#hubungan-kode_perkumpulan", offered.first.get_attribute("value"))
    page.select_option("#hubungan-bentuk", label="Koordinasi")
    page.click("#hubungan button[type=submit]:has-text('Tambah hubungan')")
    page.wait_for_url(f"{site.url}/perkumpulan/CBR-DW-777/**")
    assert "Karang Taruna Tunas Harapan" in page.locator("#hubungan").inner_text()

    group = Perkumpulan.objects.get(kode="CBR-DW-777")
    assert sorted(Keanggotaan.objects.filter(perkumpulan=group)
                  .values_list("warga__nik", "peran")) == [
        ("3277010101800001", "KETUA"), ("3277010202850003", "ANGGOTA"),
        ("3277014101800002", "SEKRETARIS")]
    assert Hubungan.objects.get(perkumpulan=group).mitra_perkumpulan == karang_taruna

    # The filtered list finds it.
    page.goto(f"{site.url}/perkumpulan/?jenis=DW&q=kenanga")
    rows = page.locator("table.stack tbody tr")
    assert rows.count() == 1 and "CBR-DW-777" in rows.first.inner_text()

    # The officer of Melong sees neither the row nor the page.
    other = site.page()
    other.context.clear_cookies()
    site.login(operator_lain, other)
    other.goto(f"{site.url}/perkumpulan/?q=kenanga")
    assert other.locator("table.stack tbody tr").count() == 0
    response = other.goto(f"{site.url}/perkumpulan/CBR-DW-777/")
    assert response.status == 404
    assert operator_lain.wilayah_id == MELONG


def test_pages_fit_a_phone(site, operator, karang_taruna):
    page = site.page(width=360)
    site.login(operator, page)
    for path in ("/", "/perkumpulan/", "/perkumpulan/CBR-KT-001/", "/perkumpulan/baru/",
                 "/rekap/", "/rekap/?pada=2026-01-01", "/jaringan/", "/ketahanan/",
                 "/ketahanan/putaran/", "/ketahanan/perubahan/", "/ketahanan/pokja/",
                 "/ketahanan/penilaian/", "/rencana/"):
        assert page.goto(site.url + path).ok, path
        width = page.evaluate("document.documentElement.scrollWidth")
        assert width <= 360, (path, width)


def test_on_a_phone_the_menu_folds_and_opens(site, operator, karang_taruna):
    """At 360 px the header took 210 of 740 px on every page: the menu, the account and the
    language fold behind one button."""
    page = site.page(width=360)
    site.login(operator, page)
    for path in ("/", "/perkumpulan/", "/perkumpulan/CBR-KT-001/"):
        page.goto(site.url + path)
        assert page.locator("header.top").bounding_box()["height"] <= 60, path
        assert page.locator("#menu-utama").is_hidden()
    page.click("label.menu-tombol")
    assert page.locator("#menu-utama").is_visible()
    page.locator("#menu-utama >> text=Perkumpulan").click()
    page.wait_for_url(f"{site.url}/perkumpulan/")
    wide = site.page()
    wide.goto(site.url + "/")
    assert wide.locator("#menu-utama").is_visible()
    assert wide.locator("label.menu-tombol").is_hidden()


def test_a_keyboard_user_skips_to_the_content_and_sees_what_is_required(site, operator):
    page = site.login(operator)
    page.goto(f"{site.url}/perkumpulan/baru/")
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.className") == "skip"
    assert page.locator("a.skip").is_visible()
    page.keyboard.press("Enter")
    assert page.evaluate("document.activeElement.id") == "isi"
    required = page.locator(".field:has(.required) label").all_inner_texts()
    assert any("Kode" in text for text in required) and any("Nama" in text for text in required)
    assert not any("RT" == text.strip(" :") for text in required)


def test_the_group_form_works_by_keyboard(site, operator):
    page = site.login(operator)
    page.goto(f"{site.url}/perkumpulan/baru/")
    page.focus("#id_kode")
    page.keyboard.type("CBR-PY-010")
    page.keyboard.press("Tab")
    page.keyboard.type("Posyandu Dahlia")
    page.keyboard.press("Tab")  # the type: a select, chosen by typing its first letters
    page.keyboard.type("Posyandu")
    for _ in range(3):  # RW, RT, then the year founded
        page.keyboard.press("Tab")
    page.keyboard.type("2001")
    page.keyboard.press("Enter")
    page.wait_for_url(f"{site.url}/perkumpulan/CBR-PY-010/")
    group = Perkumpulan.objects.get(kode="CBR-PY-010")
    assert (group.nama, group.jenis.kode, group.tahun_berdiri) == ("Posyandu Dahlia",
                                                                  "POSYANDU", 2001)


def test_errors_are_read_next_to_the_field_and_nothing_typed_is_lost(site, operator):
    page = site.login(operator)
    page.goto(f"{site.url}/perkumpulan/baru/")
    page.fill("#id_kode", "CBR-DW-900")
    page.fill("#id_nama", "Dasa Wisma Anyelir")
    page.select_option("#id_jenis", label="Dasa Wisma")
    page.fill("#id_tahun_berdiri", "2999")
    page.click("form.form button[type=submit]")
    year = page.locator("#id_tahun_berdiri")
    assert year.get_attribute("aria-invalid") == "true"
    described = year.get_attribute("aria-describedby") or ""
    assert "id_tahun_berdiri_error" in described
    assert "2999" in page.locator("#id_tahun_berdiri_error").inner_text()
    assert page.input_value("#id_nama") == "Dasa Wisma Anyelir"
    assert not Perkumpulan.objects.filter(kode="CBR-DW-900").exists()
