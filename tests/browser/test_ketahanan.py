"""The social-resilience indicators in a real browser: an officer opens them from the menu, sees
the four dimensions side by side (one row at 1280 px), follows the records behind an indicator,
looks at the village as it stood; the page fits a phone; a clerk compares the villages. With
WKSBM_SCREENSHOTS=1 the screenshots go to docs/screenshots/ (else to a temporary folder: a test
run leaves the committed pictures alone)."""

import os
import tempfile
from pathlib import Path

import pytest
from django.utils import timezone

from tests.conftest import CIBEUREUM

FOLDER = (Path(__file__).resolve().parents[2] / "docs" / "screenshots"
          if os.environ.get("WKSBM_SCREENSHOTS") == "1" else Path(tempfile.gettempdir()))
KECAMATAN = "32.77.01"


@pytest.fixture
def village(site, make_perkumpulan, make_warga):
    """The village worked out by hand in tests/ketahanan/test_indikator.py."""
    from tests.ketahanan.test_indikator import make_village

    return make_village(make_perkumpulan, make_warga)


def test_an_officer_reads_the_four_dimensions_and_opens_the_records_behind(
        site, operator, village):
    page = site.login(operator)
    page.click("nav >> text=Ketahanan")
    page.wait_for_url(f"{site.url}/ketahanan/")
    boxes = [page.locator(f"#dimensi-{key}").bounding_box()
             for key in ("perlindungan", "partisipasi", "pengendalian_konflik", "kearifan_lokal")]
    assert len({round(box["y"]) for box in boxes}) == 1  # side by side
    assert page.locator("#indikator-perkumpulan_berjejaring strong").inner_text() == "75,00%"
    assert page.locator("#indikator-perkumpulan_berjejaring small").inner_text() == "(3 / 4)"
    FOLDER.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=FOLDER / "ketahanan-indikator.png", full_page=True)
    page.locator("#indikator-pmks_didampingi a").click()
    page.wait_for_url(f"{site.url}/pmks/cakupan/?wilayah={CIBEUREUM}")
    # The village as it stood yesterday: nothing was registered yet.
    page.goto(f"{site.url}/ketahanan/")
    yesterday = timezone.localdate() - timezone.timedelta(days=1)
    page.fill("#pada", yesterday.isoformat())
    page.click("form.pada-form button[type=submit]")
    page.wait_for_url(f"{site.url}/ketahanan/?wilayah={CIBEUREUM}&pada={yesterday.isoformat()}")
    assert page.locator("#indikator-perkumpulan_berjejaring strong").inner_text() == "–"


def test_the_page_fits_a_phone(site, operator, village):
    page = site.login(operator, site.page(width=360))
    page.goto(f"{site.url}/ketahanan/")
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 360


def test_a_clerk_compares_the_villages_and_sorts_them(site, staf, village):
    page = site.login(staf)
    page.goto(f"{site.url}/ketahanan/banding/?wilayah={KECAMATAN}")
    page.click("th a:has-text('Perkumpulan prakarsa masyarakat')")
    first = page.locator("table.banding tbody tr th a").first.inner_text()
    assert first in ("Cibeureum", "Melong")
    page.click("th a:has-text('Perkumpulan prakarsa masyarakat')")
    assert page.locator("table.banding tbody tr th a").first.inner_text() != first
    assert page.locator("svg.chart rect").count() == 2
    page.screenshot(path=FOLDER / "ketahanan-banding.png", full_page=True)
