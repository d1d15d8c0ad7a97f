"""The admin at an office PC's 1280 px: no page scrolls sideways (a group's page with its member,
link and fund rows included), its headings are Indonesian, its header wears the app's colour."""

import pytest

pytestmark = pytest.mark.django_db(transaction=True)


def test_the_admin_fits_1280_px_and_speaks_indonesian(site, admin_user, make_perkumpulan,
                                                      make_warga):
    from members.models import Keanggotaan
    from network.models import Hubungan

    group = make_perkumpulan("CBR-DW-001", nama="Dasa Wisma Mawar")
    other = make_perkumpulan("CBR-KT-001", jenis="KT", nama="Karang Taruna Tunas Harapan")
    person = make_warga("3277014101800001", nama="Siti Aminah")
    Keanggotaan.objects.create(warga=person, perkumpulan=group, peran="KETUA")
    Hubungan.objects.create(perkumpulan=group, mitra_perkumpulan=other, bentuk="KOORDINASI")
    page = site.login(admin_user)
    for path in ("/admin/", f"/admin/registry/perkumpulan/{group.pk}/change/",
                 "/admin/registry/perkumpulan/", "/admin/members/warga/",
                 f"/admin/members/warga/{person.pk}/change/"):
        assert page.goto(site.url + path).ok, path
        width = page.evaluate("document.documentElement.scrollWidth")
        assert width <= 1280, (path, width)
    page.goto(site.url + "/admin/")
    headings = page.locator("#content-main caption, #content-main .module h2").all_inner_texts()
    assert "PERCOBAAN MASUK" in " ".join(headings).upper()
    assert not any(text.strip().upper() in ("AXES", "LOGIN ATTEMPTS") for text in headings)
    colour = page.evaluate("getComputedStyle(document.querySelector('#header')).backgroundColor")
    assert colour == "rgb(31, 111, 92)"  # the app's --brand, #1f6f5c
