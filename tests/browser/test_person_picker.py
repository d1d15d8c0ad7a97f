"""Picking people in a real browser (members.forms.PersonPicker and static/wksbm/forms.js): the
officer types a part of a registered person's name in the add-member form and chooses them from
the list; a NIK typed into a case's form fills nothing it should not and says when it was issued
outside the village; without JavaScript the form finds the person by name when sent."""

import datetime

import pytest

from members.models import Keanggotaan
from pmks.models import KasusPMKS
from tests.conftest import CIBEUREUM

SITI = "3277014101800001"  # a woman born 1 January 1980, issued in Cibeureum's kecamatan


@pytest.fixture
def groups(site, make_perkumpulan, make_warga):
    dw = make_perkumpulan("CBR-DW-001", nama="Dasa Wisma Mawar")
    kt = make_perkumpulan("CBR-KT-001", jenis="KT", nama="Karang Taruna Tunas Harapan")
    siti = make_warga(SITI, nama="Siti Aminah", wilayah_id=CIBEUREUM, rw=2, rt=1,
                      tanggal_lahir=datetime.date(1980, 1, 1), jenis_kelamin="P")
    Keanggotaan.objects.create(warga=siti, perkumpulan=kt)
    return {"dw": dw, "siti": siti}


def test_a_member_is_chosen_from_the_people_found_by_name(site, operator, groups):
    page = site.login(operator)
    page.goto(f"{site.url}/perkumpulan/CBR-DW-001/")
    if page.locator("#anggota-nik").is_hidden():  # open at once in a group with no members
        page.locator("#anggota details summary").last.click()
    page.locator("#anggota-nik").press_sequentially("amin", delay=30)
    option = page.locator(f"#anggota-nik-pilihan option[value='{SITI}']")
    option.wait_for(state="attached")
    assert option.get_attribute("label") == (
        f"Siti Aminah — 1 Jan 1980, RT 1/RW 2, Cibeureum ({SITI})")
    page.fill("#anggota-nik", SITI)  # as choosing the option from the list does
    # The NIK's birth date and sex fill the empty boxes; nothing disagrees, nothing is said.
    assert page.input_value("#anggota-tanggal_lahir") == "1980-01-01"
    assert page.input_value("#anggota-jenis_kelamin") == "P"
    assert page.locator(".nik-note").count() == 0
    page.click("#anggota button[type=submit]:has-text('Tambah anggota')")
    page.wait_for_url(f"{site.url}/perkumpulan/CBR-DW-001/**")
    assert "Siti Aminah" in page.locator("#anggota").inner_text()
    assert Keanggotaan.objects.filter(warga=groups["siti"], perkumpulan=groups["dw"]).exists()


def test_without_javascript_a_name_sent_finds_the_person(site, operator, groups):
    page = site.login(operator)
    page.context.route("**/*.js", lambda route: route.abort())
    page.goto(f"{site.url}/perkumpulan/CBR-DW-001/")
    if page.locator("#anggota-nik").is_hidden():  # open at once in a group with no members
        page.locator("#anggota details summary").last.click()
    page.fill("#anggota-nik", "siti aminah")
    page.click("#anggota button[type=submit]:has-text('Tambah anggota')")
    page.wait_for_url(f"{site.url}/perkumpulan/CBR-DW-001/**")
    assert Keanggotaan.objects.filter(warga=groups["siti"], perkumpulan=groups["dw"]).exists()


def test_a_case_nik_from_another_kecamatan_is_said_beside_the_box(site, operator, groups):
    page = site.login(operator)
    page.goto(f"{site.url}/pmks/baru/")
    page.locator("#id_nik").press_sequentially("3273016506010007", delay=10)
    note = page.locator("#id_nik-nik")
    assert note.inner_text() == ("NIK ini diterbitkan di kecamatan 32.73.01, di luar kecamatan "
                                 "desa ini: boleh, tetapi periksa NIK-nya.")
    page.fill("#id_nik", SITI)
    page.locator("#id_nik").dispatch_event("input")
    assert note.count() == 0
    page.fill("#id_nik", "3273016506010007")
    page.locator("#id_nik").dispatch_event("input")
    page.fill("#id_nama", "Rina Lain")
    page.select_option("#id_kategori", index=1)
    page.click("form button[type=submit].primary")
    page.wait_for_url(f"{site.url}/pmks/*/")
    case = KasusPMKS.objects.get(nama="Rina Lain")
    assert (case.warga.tanggal_lahir, case.warga.jenis_kelamin) == (
        datetime.date(2001, 6, 25), "P")
    assert "kecamatan 32.73.01" in page.locator(".messages").inner_text()


def test_a_nik_that_disagrees_with_what_was_typed_says_so_beside_it(site, operator, groups):
    """A new member's date of birth and sex typed first, then a NIK that encodes others: each
    box says it differs from the NIK (the form still takes what was typed)."""
    page = site.login(operator)
    page.goto(f"{site.url}/perkumpulan/CBR-DW-001/")
    if page.locator("#anggota-nik").is_hidden():
        page.locator("#anggota details summary").last.click()
    page.fill("#anggota-tanggal_lahir", "1990-05-05")
    page.select_option("#anggota-jenis_kelamin", "L")
    page.locator("#anggota-nik").press_sequentially("3277016506010007", delay=10)  # 25-06-2001, P
    assert page.locator("#anggota-tanggal_lahir-nik").inner_text() == (
        "Berbeda dengan tanggal lahir dalam NIK.")
    assert page.locator("#anggota-jenis_kelamin-nik").inner_text() == (
        "Berbeda dengan jenis kelamin dalam NIK.")
    assert page.input_value("#anggota-tanggal_lahir") == "1990-05-05"  # nothing overwritten
    page.fill("#anggota-tanggal_lahir", "2001-06-25")
    page.locator("#anggota-tanggal_lahir").dispatch_event("change")
    assert page.locator("#anggota-tanggal_lahir-nik").count() == 0
