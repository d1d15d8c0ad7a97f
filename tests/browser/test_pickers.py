"""Picking groups in a real browser (registry.forms.GroupPicker, GroupsPicker and
static/wksbm/forms.js): the groups found are offered as the officer types a part of a name, each
told apart by type, RW and village; a forum's member groups are ticked one by one from them; and
without JavaScript the same form finds the group by its name when sent."""

import pytest

from network.models import Forum
from tests.conftest import CIBEUREUM


@pytest.fixture
def anggrek(site, make_perkumpulan):
    return [
        make_perkumpulan("CBR-DW-021", nama="Dasa Wisma Anggrek", rw=2),
        make_perkumpulan("CBR-DW-051", nama="Dasa Wisma Anggrek", rw=5),
        make_perkumpulan("CBR-KT-001", jenis="KT", nama="Karang Taruna Tunas Harapan"),
    ]


def offered(page, box: str, typed: str, awaited: str) -> list[tuple[str, str]]:
    """(value, label) of what the picker `box` offers once `typed` is typed into it and the
    group coded `awaited` is among them."""
    page.locator(box).press_sequentially(typed, delay=30)
    page.locator(f"{box}-pilihan option[value='{awaited}']").wait_for(state="attached")
    options = page.locator(f"{box}-pilihan option")
    return [(o.get_attribute("value"), o.get_attribute("label")) for o in options.all()]


def test_a_forums_member_groups_are_ticked_from_what_the_officer_types(site, operator, anggrek):
    page = site.login(operator)
    page.goto(f"{site.url}/forum/")
    page.fill("#id_nama", "WKSBM Cibeureum")
    page.select_option("#id_mekanisme", index=1)
    assert offered(page, "#id_anggota", "anggrek", "CBR-DW-051") == [
        ("CBR-DW-021", "Dasa Wisma Anggrek — Dasa Wisma, RW 2, Cibeureum (CBR-DW-021)"),
        ("CBR-DW-051", "Dasa Wisma Anggrek — Dasa Wisma, RW 5, Cibeureum (CBR-DW-051)"),
    ]
    page.fill("#id_anggota", "CBR-DW-051")  # as choosing the option from the list does
    ticked = page.locator("#id_anggota-dipilih input:checked")
    assert ticked.count() == 1 and page.input_value("#id_anggota") == ""
    offered(page, "#id_anggota", "tunas", "CBR-KT-001")
    page.fill("#id_anggota", "CBR-KT-001")
    assert ticked.count() == 2
    page.click("form:has(#id_anggota) button[type=submit]")
    page.wait_for_load_state()
    forum = Forum.objects.get(desa_id=CIBEUREUM)
    assert sorted(forum.anggota.values_list("kode", flat=True)) == ["CBR-DW-051", "CBR-KT-001"]
    # Edited later: the members are ticked boxes; unticking one leaves it out.
    page.goto(f"{site.url}/forum/")
    page.locator("details:has(#id_anggota) > summary").click()
    page.uncheck("#id_anggota-dipilih input[value='CBR-DW-051']")
    page.click("form:has(#id_anggota) button[type=submit]")
    page.wait_for_load_state()
    assert list(forum.anggota.values_list("kode", flat=True)) == ["CBR-KT-001"]


def test_without_javascript_the_form_finds_the_group_by_its_name(browser, site, operator,
                                                                anggrek):
    page = site.login(operator)
    page.context.route("**/*.js", lambda route: route.abort())
    page.goto(f"{site.url}/perkumpulan/CBR-DW-021/")
    page.locator("#hubungan details summary").click()
    page.fill("#hubungan-kode_perkumpulan", "dasa wisma anggrek")
    page.select_option("#hubungan-bentuk", label="Koordinasi")
    page.click("#hubungan button[type=submit]:has-text('Tambah hubungan')")
    # Two groups bear the name: both are named with their codes, nothing is saved.
    error = page.locator("#hubungan-kode_perkumpulan_error").inner_text()
    assert "CBR-DW-021" in error and "CBR-DW-051" in error and "RW 5" in error
    page.fill("#hubungan-kode_perkumpulan", "tunas harapan")
    page.click("#hubungan button[type=submit]:has-text('Tambah hubungan')")
    page.wait_for_url(f"{site.url}/perkumpulan/CBR-DW-021/**")
    assert "Karang Taruna Tunas Harapan" in page.locator("#hubungan").inner_text()
