"""An automated accessibility check: axe-core (vendored in tests/browser/vendor/) runs on the main
pages, as the user who sees each, and finds no serious or critical WCAG 2.1 A/AA violation.

axe is injected by Playwright as an init script (the DevTools protocol's, which the site's
Content-Security-Policy does not govern), so the pages are checked under their real policy."""

import re
from pathlib import Path

import pytest

from tests import world as world_module

pytestmark = pytest.mark.django_db(transaction=True)

AXE = (Path(__file__).parent / "vendor" / "axe.min.js").read_text()
TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]
BLOCKING = {"serious", "critical"}

# Violations in Django admin's own markup that the project cannot reasonably change, each an
# axe rule and a pattern of the target selectors it excuses:
EXCLUDED = [
    # A tabular inline's fields are named by their column's header, which Django's
    # edit_inline/tabular.html does not tie to them (no <label>, no aria-labelledby).
    ("label", re.compile(r"#id_[a-z_]+-\d+-[A-Za-z_]+")),
    ("select-name", re.compile(r"#id_[a-z_]+-\d+-[A-Za-z_]+")),
    # The autocomplete widget's Select2 (admin/js/vendor/select2): its combobox and its search
    # box carry no name of their own; the real <select> behind it has the field's label.
    ("aria-input-field-name", re.compile(r"select2-selection|#select2-id_")),
    ("label", re.compile(r"\.select2-search__field")),
]


def axe_violations(page) -> list[dict]:
    """Run axe on the page as it is and return its serious and critical violations."""
    page.wait_for_load_state("load")
    results = page.evaluate(
        "tags => axe.run(document, {runOnly: {type: 'tag', values: tags}})", TAGS
    )
    found = []
    for violation in results["violations"]:
        if violation["impact"] not in BLOCKING:
            continue
        nodes = [node for node in violation["nodes"] if not excused(violation["id"], node)]
        if nodes:
            found.append({**violation, "nodes": nodes})
    return found


def excused(rule: str, node: dict) -> bool:
    target = " ".join(map(str, node["target"]))
    return any(rule == id_ and pattern.search(target) for id_, pattern in EXCLUDED)


def describe(path: str, width: int, violations: list[dict]) -> str:
    lines = []
    for violation in violations:
        lines.append(f"{path} @{width}px: {violation['id']} ({violation['impact']}): "
                     f"{violation['help']} — {violation['helpUrl']}")
        for node in violation["nodes"][:8]:
            lines.append(f"    {' '.join(map(str, node['target']))}: "
                         f"{node.get('failureSummary', '').splitlines()[-1].strip()}")
        if len(violation["nodes"]) > 8:
            lines.append(f"    … and {len(violation['nodes']) - 8} more")
    return "\n".join(lines)


def check(site, page, paths, width=1280) -> list[str]:
    page.set_viewport_size({"width": width, "height": 900})
    problems = []
    for path in paths:
        response = page.goto(site.url + path)
        assert response.status == 200, path
        # Checked under the site's real policy, not a relaxed one.
        assert "default-src 'self'" in response.headers["content-security-policy"], path
        violations = axe_violations(page)
        if violations:
            problems.append(describe(path, width, violations))
    return problems


@pytest.fixture
def a11y_page(site):
    """A page of the site's browser context with axe loaded in every document it opens."""
    page = site.page()
    page.context.add_init_script(script=AXE)
    return page


@pytest.fixture
def w(operator, operator_lain, staf_lain, make_perkumpulan, make_warga):
    return world_module.build(make_perkumpulan, make_warga, {
        "cbr": operator, "mlg": operator_lain, "skr": staf_lain})


def test_the_login_page(site, a11y_page):
    problems = check(site, a11y_page, ["/accounts/login/"])
    assert not problems, "\n".join(problems)


def test_a_village_officers_pages(site, a11y_page, operator, w):
    site.login(operator, a11y_page)
    group, person, case = w.group["cbr"], w.warga["cbr"], w.kasus["cbr"]
    paths = [
        "/",
        "/perkumpulan/",
        f"/perkumpulan/{group.kode}/",
        "/perkumpulan/baru/",
        "/warga/?q=warga",
        f"/warga/{person.pk}/",
        "/pmks/",
        f"/pmks/{case.pk}/",
        "/pmks/baru/",
        "/jaringan/",
        "/impor/",
        "/ekspor/siapkan/",
        "/bantuan/",
        "/verifikasi/",
        "/ketahanan/",
    ]
    problems = check(site, a11y_page, paths)
    problems += check(site, a11y_page, ["/", "/perkumpulan/", f"/perkumpulan/{group.kode}/"],
                      width=360)
    # The phone's menu, opened.
    a11y_page.click(".menu-tombol")
    assert a11y_page.locator("#menu-utama").is_visible()
    violations = axe_violations(a11y_page)
    if violations:
        problems.append(describe(f"/perkumpulan/{group.kode}/ (menu open)", 360, violations))
    assert not problems, "\n".join(problems)


def test_district_staffs_pages(site, a11y_page, staf, w):
    site.login(staf, a11y_page)
    problems = check(site, a11y_page, [
        "/", "/rekap/", "/pmks/cakupan/", "/jaringan/", "/bantuan/", "/verifikasi/",
        "/ketahanan/", f"/verifikasi/{w.putaran['cbr'].pk}/",
    ])
    assert not problems, "\n".join(problems)


def test_an_observers_pages(site, a11y_page, pengamat, w):
    site.login(pengamat, a11y_page)
    problems = check(site, a11y_page, ["/", "/perkumpulan/", "/rekap/"])
    assert not problems, "\n".join(problems)


def test_the_admin(site, a11y_page, admin_user, w):
    site.login(admin_user, a11y_page)
    problems = check(site, a11y_page, [
        "/admin/", f"/admin/registry/perkumpulan/{w.group['cbr'].pk}/change/",
    ])
    assert not problems, "\n".join(problems)
