"""A round's progress page in a real browser: Dinas Sosial staff open it and see the district's
totals by stage, the bars per kecamatan and the villages' rows, with nothing the page's security
policy refuses; a village officer sees their village's row only.

With WKSBM_SCREENSHOTS=1 it also saves docs/screenshots/verifikasi-progres.png (as
tests/browser/test_screenshots.py does for the other pages)."""

import os
from pathlib import Path

import pytest

from registry.models import Wilayah
from tests.conftest import CIBEUREUM, MELONG
from tests.verifikasi.test_round_pages import LEUWIGAJAH, UTAMA, make_round, submit, verify

FOLDER = Path(__file__).resolve().parents[2] / "docs" / "screenshots"


@pytest.fixture
def putaran(site, staf, operator, kecamatan, make_perkumpulan):
    """Cibeureum approved, Melong submitted (one item returned), Utama verified, Leuwigajah's
    list not submitted, the other villages without a list."""
    putaran = make_round(staf, nama="Verifikasi Data PMKS dan Perkumpulan 2026")
    for kode, desa in (("CBR-DW-001", CIBEUREUM), ("MLG-DW-001", MELONG),
                       ("MLG-DW-002", MELONG), ("UTM-DW-001", UTAMA)):
        make_perkumpulan(kode, desa=desa)
    cibeureum = submit(putaran, CIBEUREUM, operator)
    verify(cibeureum, kecamatan)
    cibeureum.setujui(staf)
    melong = submit(putaran, MELONG, operator)
    melong.items.order_by("label").first().kembalikan(kecamatan, "Alamat tidak lengkap")
    verify(submit(putaran, UTAMA, operator), kecamatan)
    putaran.usulan_desa(Wilayah.objects.get(pk=LEUWIGAJAH))
    return putaran


def test_the_progress_page_in_the_browser(site, staf, operator, putaran):
    page = site.login(staf)
    refused = []
    page.on("console", lambda m: refused.append(m.text) if m.type == "error" else None)
    assert page.goto(f"{site.url}/verifikasi/{putaran.pk}/").status == 200
    totals = {stage: page.locator(f"#total-{stage} strong").inner_text()
              for stage in ("BELUM", "DIAJUKAN", "DIVERIFIKASI", "DISETUJUI")}
    assert totals == {"BELUM": "12", "DIAJUKAN": "1", "DIVERIFIKASI": "1", "DISETUJUI": "1"}
    assert page.locator("#total-terlambat strong").inner_text() == "0"
    assert page.locator("tr[data-tahap]").count() == 15
    assert page.locator("#kecamatan-tabel tbody tr").count() == 3
    # Cimahi Selatan's bar: a segment for each stage, drawn (not refused by the policy).
    bar = page.locator("#kecamatan-32\\.77\\.01 svg.tahap-bar rect")
    assert bar.count() == 4
    assert page.locator("#kecamatan-32\\.77\\.01 svg.tahap-bar").bounding_box()["width"] > 50
    row = "#desa-" + CIBEUREUM.replace(".", "\\.")
    assert page.locator(f"{row} td").first.inner_text() == "Disetujui"
    assert not [m for m in refused if "Content Security Policy" in m], refused
    if os.environ.get("WKSBM_SCREENSHOTS") == "1":
        FOLDER.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=FOLDER / "verifikasi-progres.png", full_page=True)
    # The village's officer: the district's totals, their own village's row.
    officer = site.login(operator, site.page())
    assert officer.goto(f"{site.url}/verifikasi/{putaran.pk}/").status == 200
    assert officer.locator("tr[data-tahap]").count() == 1
    assert officer.locator("#total-BELUM strong").inner_text() == "12"
