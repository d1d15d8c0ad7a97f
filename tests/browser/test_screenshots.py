"""Screenshots of the main pages for the README (docs/screenshots/), from the demo village.

Run on purpose: WKSBM_SCREENSHOTS=1 .venv/bin/pytest tests/browser/test_screenshots.py"""

import io
import os
import time
from pathlib import Path

import pytest
from django.core.management import call_command

FOLDER = Path(__file__).resolve().parents[2] / "docs" / "screenshots"

pytestmark = pytest.mark.skipif(
    os.environ.get("WKSBM_SCREENSHOTS") != "1",
    reason="screenshots are taken only with WKSBM_SCREENSHOTS=1",
)

PAGES = [
    ("dashboard", "/"),
    ("perkumpulan", "/perkumpulan/?jenis=DW"),
    ("perkumpulan-detail", "/perkumpulan/CBR-DW-001/"),
    ("perkumpulan-form", "/perkumpulan/CBR-DW-001/ubah/"),
    ("rekap", "/rekap/?wilayah=32.77.01.1002&tahun=2006"),
    ("warga", "/warga/?q=siti"),
    ("forum", "/forum/"),
    ("pmks", "/pmks/"),
    ("pmks-cakupan", "/pmks/cakupan/"),
    ("jaringan", "/jaringan/?wilayah=32.77.01.1002"),
    ("bantuan", "/bantuan/"),
    ("bantuan-laporan", "/bantuan/laporan/"),
    ("ekspor", "/ekspor/siapkan/"),
    ("impor", "/impor/"),
]


def test_screenshots(site, operator):
    started = time.time() - 1
    call_command("load_demo", stdout=io.StringIO())
    FOLDER.mkdir(parents=True, exist_ok=True)
    page = site.page()
    page.goto(f"{site.url}/accounts/login/")
    page.screenshot(path=FOLDER / "login.png")
    site.login(operator, page)
    for name, path in PAGES:
        assert page.goto(site.url + path).status == 200, path
        page.screenshot(path=FOLDER / f"{name}.png", full_page=name not in ("rekap", "forum"))
    from pmks.models import KasusPMKS

    case = KasusPMKS.objects.filter(pendamping__isnull=False).order_by("pk").first()
    assert page.goto(f"{site.url}/pmks/{case.pk}/").status == 200
    page.locator("details summary").first.click()  # the status form open
    page.screenshot(path=FOLDER / "pmks-kasus.png", full_page=True)
    # The demo village's own workbook checked again: the preview of what it would write.
    from django.conf import settings

    page.goto(f"{site.url}/impor/")
    page.set_input_files("#id_berkas", str(settings.BASE_DIR / "fixtures" / "cibeureum_2006.xlsx"))
    page.click("form[data-sibuk] button[type=submit]")
    page.wait_for_url(f"{site.url}/impor/*/", timeout=120_000)
    page.screenshot(path=FOLDER / "impor-pratinjau.png", full_page=True)
    # Aid: the city's PKH by village, a recipient with its distributions, the recap's aid tables
    # (the demo's aid is last year's).
    from bantuan.models import Penerima, Program

    pkh = Program.objects.filter(kode__startswith="PKH-").first()
    assert page.goto(f"{site.url}/bantuan/program/{pkh.pk}/").status == 200
    page.screenshot(path=FOLDER / "bantuan-program.png", full_page=True)
    recipient = Penerima.objects.filter(program=pkh, penyaluran__isnull=False).first()
    assert page.goto(f"{site.url}/bantuan/penerima/{recipient.pk}/").status == 200
    page.screenshot(path=FOLDER / "bantuan-penerima.png", full_page=True)
    last_year = pkh.mulai.year
    assert page.goto(f"{site.url}/rekap/?wilayah=32.77.01.1002&tahun={last_year}").status == 200
    page.locator("#tabel-14").scroll_into_view_if_needed()
    page.screenshot(path=FOLDER / "rekap-bantuan.png")
    phone = site.page(width=360)
    site.login(operator, phone)
    phone.goto(f"{site.url}/perkumpulan/?jenis=DW")
    phone.screenshot(path=FOLDER / "perkumpulan-360px.png")
    own = ["login", *(name for name, _path in PAGES), "pmks-kasus", "impor-pratinjau",
           "bantuan-program",
           "bantuan-penerima", "rekap-bantuan", "perkumpulan-360px"]
    # Every screenshot of this test was written now (other tests write their own pages').
    assert all((FOLDER / f"{name}.png").stat().st_mtime >= started for name in own)
