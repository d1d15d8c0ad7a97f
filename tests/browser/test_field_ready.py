"""What a village officer, a district clerk and an observer meet in a real browser, on every page
rather than a chosen few: no page scrolls sideways on a 360 px phone, no admin page at 1280 px;
staff narrow the lists to a part of their area; an observer is told what is hidden and why.

The pages are the authorisation matrix's own (tests/test_authorisation.py): a new page is walked
here as soon as it has its row there."""

import pytest

from tests.conftest import MELONG
from tests.test_authorisation import ROWS, WEB, users, w  # noqa: F401 — the matrix's fixtures

OBSERVER_NOTE = "Anda masuk sebagai pengamat"


def html_pages(page, base: str, world, rows) -> list[str]:
    """The addresses among `rows` that answer the signed-in user with an HTML page (not a
    download, not a refusal), asked through the browser's own session."""
    found = []
    for _key, row in sorted(rows.items()):
        if row.get in (None, "never"):
            continue
        try:
            url = row.url(world, "cbr")
        except (KeyError, AttributeError):  # a row about a record this world has not
            continue
        response = page.request.get(base + url, max_redirects=0)
        if response.status == 200 and "text/html" in response.headers.get("content-type", ""):
            found.append(url)
    return found


def widths(page, base: str, urls: list[str]) -> list[tuple[str, int]]:
    too_wide = []
    viewport = page.viewport_size["width"]
    for url in urls:
        page.goto(base + url)
        width = page.evaluate("document.documentElement.scrollWidth")
        if width > viewport:
            too_wide.append((url, width))
    return too_wide


@pytest.mark.parametrize("role", ["operator", "staf", "pengamat"])
def test_no_page_scrolls_sideways_on_a_phone(site, w, role):  # noqa: F811
    page = site.page(width=360)
    site.login(w.users[role], page)
    # The printable documents (…/cetak/) are A4 pages (794 px) by design: they are not walked.
    urls = [url for url in html_pages(page, site.url, w, WEB) if "/cetak/" not in url]
    assert len(urls) >= 25, urls  # the walk reaches the app's pages, not a few
    too_wide = widths(page, site.url, urls)
    assert too_wide == [], too_wide


def test_no_admin_page_scrolls_sideways_at_1280(site, w):  # noqa: F811
    page = site.page(width=1280)
    site.login(w.users["admin_user"], page)
    shown = {key: row for key, row in ROWS.items()
             if row.admin and key.endswith(("_changelist", "_change", "_add", "admin:index"))}
    urls = html_pages(page, site.url, w, shown)
    assert len(urls) >= 40, urls
    too_wide = widths(page, site.url, urls)
    assert too_wide == [], too_wide


def test_staff_narrow_each_list_to_a_village(site, w):  # noqa: F811
    """A city's clerk picks one village in the area filter of the group list, the people
    search, the PMKS list and the coverage page: only that village's rows remain."""
    page = site.login(w.users["staf"])
    for path, shown in (("/perkumpulan/", w.group), ("/warga/", w.warga), ("/pmks/", w.kasus),
                        ("/pmks/cakupan/", None)):
        page.goto(site.url + path)
        form = page.locator("main form[method=get]:has(select[name=wilayah])")
        if form.locator("select[name=wilayah]").is_hidden():  # the filters folded away
            page.locator("main details:has(select[name=wilayah]) > summary").click()
        form.locator("select[name=wilayah]").select_option(value=MELONG)
        form.locator("button[type=submit]").click()
        page.wait_for_load_state()
        assert f"wilayah={MELONG}" in page.url, path
        tables = " ".join(page.locator("main table").all_inner_texts())
        if shown is None:  # the coverage page's tables name villages
            assert "Melong" in tables and "Cibeureum" not in tables, path
        else:
            assert shown["mlg"].nama in tables and shown["cbr"].nama not in tables, path


def test_an_observer_is_told_what_is_hidden_and_why(site, w):  # noqa: F811
    from tests.world import NIKS

    page = site.login(w.users["pengamat"])
    for path in ("/", "/rekap/", f"/perkumpulan/{w.group['cbr'].kode}/", "/admin/"):
        page.goto(site.url + path)
        note = page.locator(".observer-note")
        assert note.count() == 1, path
        assert OBSERVER_NOTE in note.inner_text() and "NIK" in note.inner_text(), path
        assert not any(nik in page.content() for nik in NIKS.values()), path
