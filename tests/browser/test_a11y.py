"""An automated accessibility check: axe-core (vendored in tests/browser/vendor/, never fetched
from a CDN) runs the WCAG 2.0/2.1 A and AA rules on every page a village officer, a district
clerk and an observer reach, on the login page, on the admin's index and a group's change page,
and on the busiest pages at 360 px. A violation of "serious" or "critical" impact fails the test,
named by page, rule, impact, elements and what to do.

The pages are the authorisation matrix's own (tests/test_authorisation.py), found as
tests/browser/test_field_ready.py finds them: a new page is checked as soon as it has its row."""

from pathlib import Path

import pytest

from tests.browser.test_field_ready import html_pages
from tests.test_authorisation import ROWS, WEB, users, w  # noqa: F401 — the matrix's fixtures

AXE_SOURCE = (Path(__file__).parent / "vendor" / "axe.min.js").read_text(encoding="utf-8")
TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]
FAILING = ("serious", "critical")

# Markup of Django's admin that the project does not write, excluded by exact rule and the
# selector of the element (or of the ancestor) it sits in: {(rule id, selector): why}. Only the
# admin has a #container.
EXCLUDED: dict[tuple[str, str], str] = {
    ("label", "#container .inline-group .tabular td"):
        "Django's tabular inlines name their fields in the column headers, not in <label>s",
    ("select-name", "#container .inline-group .tabular td"):
        "Django's tabular inlines name their fields in the column headers, not in <label>s",
    ("label", "#container .select2-container"):
        "the search box select2 (shipped with Django's admin autocomplete) adds beside the "
        "labelled <select> it stands for",
    ("aria-input-field-name", "#container .select2-container"):
        "select2's combobox, a stand-in for the labelled <select> Django's admin renders",
}

RUN = """async ([tags, failing, excluded]) => {
    const result = await axe.run(document,
                                 {runOnly: {type: "tag", values: tags}, elementRef: true});
    return result.violations
        .filter(v => failing.includes(v.impact))
        .flatMap(v => v.nodes
            .filter(n => !excluded.some(([rule, sel]) => rule === v.id && n.element.closest(sel)))
            .map(n => ({rule: v.id, impact: n.impact || v.impact, target: n.target.join(" "),
                        help: v.help, summary: n.failureSummary})));
}"""


def violations_here(page, label: str) -> list[str]:
    """The serious and critical violations on the page open in `page`, one readable line each."""
    if not page.evaluate("typeof window.axe !== 'undefined'"):
        page.evaluate(AXE_SOURCE)  # evaluated in the page's main world: the CSP does not apply
    found = page.evaluate(RUN, [TAGS, list(FAILING), [list(key) for key in EXCLUDED]])
    return [f"{label}: {v['rule']} ({v['impact']}) at {v['target']}: {v['help']}. "
            + " ".join(v["summary"].split()) for v in found]


def audit(page, base: str, urls: list[str]) -> list[str]:
    found = []
    for url in urls:
        page.goto(base + url)
        found += violations_here(page, url)
    return found


def test_axe_runs_under_the_sites_content_security_policy(site):
    """The check itself works: axe loads in a page the CSP guards and finds a planted fault."""
    page = site.page()
    page.goto(site.url + "/accounts/login/")
    assert "script-src" in page.request.get(site.url + "/accounts/login/").headers.get(
        "content-security-policy", "")
    assert violations_here(page, "login") == []
    assert page.evaluate("axe.version") == "4.14.1"
    page.evaluate("""() => {  // a pale paragraph, styled through the DOM (the CSP allows that)
        const p = document.createElement("p");
        p.textContent = "pale";
        p.style.color = "#ddd";
        p.style.background = "#fff";
        document.querySelector("main").append(p);
    }""")
    planted = violations_here(page, "login")
    assert any(v.startswith("login: color-contrast (serious)") for v in planted), planted


def test_the_login_page_has_no_serious_violation(site):
    page = site.page()
    assert audit(page, site.url, ["/accounts/login/"]) == []


@pytest.mark.parametrize("role", ["operator", "staf", "pengamat"])
def test_no_page_of_the_role_has_a_serious_violation(site, w, role):  # noqa: F811
    page = site.login(w.users[role])
    urls = html_pages(page, site.url, w, WEB)
    assert len(urls) >= 25, urls  # the walk reaches the app's pages, not a few
    violations = audit(page, site.url, urls)
    assert violations == [], "\n".join(violations)


def test_the_admin_index_and_a_group_change_page_have_no_serious_violation(site, w):  # noqa: F811
    page = site.login(w.users["admin_user"])
    shown = {key: ROWS[key] for key in ("admin:index", "admin:registry_perkumpulan_change",
                                         "admin:registry_perkumpulan_changelist")}
    urls = html_pages(page, site.url, w, shown)
    assert len(urls) == 3, urls
    violations = audit(page, site.url, urls)
    assert violations == [], "\n".join(violations)


def test_the_busiest_pages_on_a_phone_have_no_serious_violation(site, w):  # noqa: F811
    page = site.page(width=360)
    site.login(w.users["operator"], page)
    urls = ["/", "/perkumpulan/", f"/perkumpulan/{w.group['cbr'].kode}/"]
    violations = audit(page, site.url, urls)
    assert violations == [], "\n".join(violations)
