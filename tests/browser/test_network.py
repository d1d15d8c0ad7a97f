"""The working network in a real browser: an officer finds an isolated group in the picture,
opens it from its dot, links it to another group and sees the network change; the forum and the
network lead to each other; the GraphML download opens as a graph; the page fits a phone."""

import networkx as nx
import pytest

from network.models import Hubungan, Mitra
from tests.conftest import CIBEUREUM


@pytest.fixture
def groups(site, make_perkumpulan):
    g = {name: make_perkumpulan(f"CBR-{name}", jenis=jenis, nama=f"Kelompok {name}")
         for name, jenis in [("A", "DW"), ("B", "DW"), ("C", "POSYANDU"), ("G", "KT")]}
    Hubungan.objects.create(perkumpulan=g["A"], mitra_perkumpulan=g["B"], bentuk="KOORDINASI")
    office = Mitra.objects.create(nama="Kantor Desa", jenis="PEMERINTAH", wilayah_id=CIBEUREUM)
    Hubungan.objects.create(perkumpulan=g["C"], mitra_luar=office, bentuk="KOORDINASI")
    return g


def figure(page, label: str) -> str:
    return page.locator(f".figure:has-text('{label}') strong").inner_text()


def test_an_officer_links_an_isolated_group_from_the_picture(site, operator, groups):
    page = site.login(operator)
    page.click("nav >> text=Jaringan")
    assert figure(page, "tanpa hubungan") == "1"  # G
    assert figure(page, "bagian terpisah") == "3"  # A–B, C–office, G
    # Each group is a dot of the picture that opens the group; the partner is a square.
    picture = page.locator("figure.network svg").first
    assert picture.locator("a circle").count() == 4
    assert picture.locator("rect").count() == 1
    picture.locator("a[href$='/perkumpulan/CBR-G/']").click()
    page.wait_for_url(f"{site.url}/perkumpulan/CBR-G/")
    page.locator("#hubungan details summary").click()
    # The partner is typed: the groups found are offered as the officer types.
    page.locator("#hubungan-kode_perkumpulan").press_sequentially("Kelompok A", delay=30)
    offered = page.locator("#hubungan-kode_perkumpulan-pilihan option")
    offered.first.wait_for(state="attached")
    assert offered.first.get_attribute("value") == "CBR-A"
    page.fill("#hubungan-kode_perkumpulan", "CBR-A")
    page.select_option("#hubungan-bentuk", label="Koordinasi")
    page.click("#hubungan button[type=submit]:has-text('Tambah hubungan')")
    page.wait_for_url(f"{site.url}/perkumpulan/CBR-G/**")
    assert "Kelompok A" in page.locator("#hubungan").inner_text()
    page.goto(f"{site.url}/jaringan/")
    assert figure(page, "tanpa hubungan") == "0"
    assert figure(page, "bagian terpisah") == "2"
    assert figure(page, "hubungan antarperkumpulan") == "2"
    # A now lies between B and G: the group that bridges the most.
    assert page.locator("#penghubung-judul + p + ol li").first.inner_text().startswith(
        "Kelompok A")


def test_forum_and_network_lead_to_each_other_and_gephi_gets_the_graph(
        site, operator, groups, tmp_path):
    page = site.login(operator)
    page.goto(f"{site.url}/forum/?desa={CIBEUREUM}")
    page.click("a:has-text('Jaringan kerja desa')")
    page.wait_for_url(f"{site.url}/jaringan/?wilayah={CIBEUREUM}")
    with page.expect_download() as download:
        page.click("a:has-text('GraphML')")
    path = tmp_path / "jaringan.graphml"
    download.value.save_as(path)
    network = nx.read_graphml(path)
    assert (network.number_of_nodes(), network.number_of_edges()) == (5, 2)
    page.click("a:has-text('Forum WKSBM desa')")
    page.wait_for_url(f"{site.url}/forum/?desa={CIBEUREUM}")


def test_the_network_page_fits_a_phone(site, staf, groups):
    page = site.page(width=360)
    site.login(staf, page)
    for path in (f"/jaringan/?wilayah={CIBEUREUM}", "/jaringan/?wilayah=32.77"):
        assert page.goto(site.url + path).status == 200, path
        width = page.evaluate("document.documentElement.scrollWidth")
        assert width <= 360, (path, width)


def test_removing_a_link_asks_first_and_needs_no_script(site, browser, operator, groups):
    """Hapus on a group's link opens a page that asks (the link is still there), Batal goes back
    with nothing changed, and the page's own button removes it — with JavaScript off."""
    from tests.conftest import PASSWORD

    link = Hubungan.objects.get(perkumpulan=groups["A"])
    context = browser.new_context(java_script_enabled=False, locale="id-ID")
    context.set_default_timeout(10_000)
    page = context.new_page()
    page.goto(f"{site.url}/accounts/login/")
    page.fill("#id_username", operator.username)
    page.fill("#id_password", PASSWORD)
    page.click("main form button[type=submit]")
    page.wait_for_url(f"{site.url}/")

    group_page = f"{site.url}/perkumpulan/CBR-A/"
    page.goto(group_page)
    page.click("#hubungan button:has-text('Hapus')")
    page.wait_for_url(f"{site.url}/hubungan/{link.pk}/hapus/**")
    question = page.locator("main").inner_text()
    assert "Kelompok A" in question and "Kelompok B" in question
    assert Hubungan.objects.filter(pk=link.pk).exists()  # asked, not yet removed

    page.click("main a:has-text('Batal')")
    page.wait_for_url(f"{group_page}#hubungan")
    assert "Kelompok B" in page.locator("#hubungan").inner_text()
    assert Hubungan.objects.filter(pk=link.pk).exists()

    page.click("#hubungan button:has-text('Hapus')")
    page.wait_for_url(f"{site.url}/hubungan/{link.pk}/hapus/**")
    page.click("main form[method=post] button[type=submit]")
    page.wait_for_url(f"{group_page}#hubungan")
    assert not Hubungan.objects.filter(pk=link.pk).exists()
    assert "Kelompok B" not in page.locator("#hubungan").inner_text()
    context.close()


def test_the_network_page_speaks_plainly_and_every_type_has_its_own_mark(site, operator,
                                                                       make_perkumpulan):
    """All 17 types in one village: 17 legend marks, no two alike in colour and shape, from a
    palette told apart with any colour vision; a partner's long name in full; each figure
    explained; the per-type table fits its column at 1280 px."""
    from network.picture import PALETTE
    from registry.models import JenisPerkumpulan

    groups = [make_perkumpulan(f"CBR-{t.kode}", jenis=t.kode, nama=f"Kelompok {t.nama}")
              for t in JenisPerkumpulan.objects.order_by("urutan")]
    office = Mitra.objects.create(nama="Pusat Kesejahteraan Sosial Kelurahan Cibeureum Utara",
                                  jenis="PEMERINTAH", wilayah_id=CIBEUREUM)
    Hubungan.objects.create(perkumpulan=groups[0], mitra_luar=office, bentuk="KOORDINASI")
    Hubungan.objects.create(perkumpulan=groups[0], mitra_perkumpulan=groups[1],
                            bentuk="KOORDINASI")
    page = site.login(operator)
    page.goto(f"{site.url}/jaringan/?wilayah={CIBEUREUM}")
    marks = page.locator("ul.legend li svg").evaluate_all(
        "svgs => svgs.map(s => [...s.querySelectorAll('circle')].map(c => [c.getAttribute"
        "('fill'), c.getAttribute('stroke'), c.getAttribute('r')].join()).join('|'))")
    assert len(marks) == 17 and len(set(marks)) == 17
    colours = {c.upper() for c in page.locator("ul.legend circle").evaluate_all(
        "cs => cs.map(c => c.getAttribute('stroke') === '#fff' || !c.getAttribute('stroke') "
        "? c.getAttribute('fill') : c.getAttribute('stroke'))")} - {"#FFF"}
    assert colours <= {c.upper() for c in PALETTE}
    name = page.locator("figure.network").first.locator("g:has(rect) tspan").all_text_contents()
    assert " ".join(name) == "Pusat Kesejahteraan Sosial Kelurahan Cibeureum Utara"
    explained = page.locator("dl.explain").inner_text()
    for term in ("Bagian terpisah", "Kepadatan", "Perkumpulan penghubung"):
        assert term in explained
    table = page.locator("#jenis-judul ~ .table-wrap").first
    assert table.evaluate("t => t.scrollWidth <= t.clientWidth")
