"""The admin under the site's Content-Security-Policy, in a real browser: no script or style it
needs is refused, and its scripted widgets (autocomplete, inline rows, date shortcuts) work."""

import pytest

pytestmark = pytest.mark.django_db(transaction=True)


def watch_csp(page) -> list[str]:
    """Collect the browser's reports of anything the policy refused on this page."""
    refused = []
    page.on(
        "console",
        lambda message: refused.append(message.text)
        if "Content Security Policy" in message.text else None,
    )
    return refused


def test_the_admin_works_under_the_policy(site, admin_user):
    page = site.login(admin_user)
    refused = watch_csp(page)
    for path in (
        "/admin/",
        "/admin/registry/perkumpulan/",
        "/admin/registry/perkumpulan/import/",
        "/admin/registry/user/add/",
        "/admin/network/forum/add/",
        "/admin/axes/accessattempt/",
    ):
        response = page.goto(site.url + path)
        assert response.status == 200, path
        assert "default-src 'self'" in response.headers["content-security-policy"], path

    # A scripted change form: a forum's autocomplete opens and finds a village, a meeting row
    # is added and its date shortcut fills in today's date.
    page.goto(f"{site.url}/admin/network/forum/add/")
    page.locator("#id_desa + .select2 .select2-selection").click()
    page.locator(".select2-dropdown .select2-search__field").fill("Cibeureum")
    page.locator(".select2-results__option", has_text="Cibeureum").first.wait_for()
    page.keyboard.press("Escape")
    rows = page.locator("#pertemuan-group tr.form-row:not(.empty-form)")
    before = rows.count()
    page.locator("#pertemuan-group .add-row a").click()
    assert rows.count() == before + 1
    row = rows.nth(before)
    row.locator(".datetimeshortcuts a").first.click()
    assert row.locator("input.vDateField").input_value() != ""
    assert refused == []

    # The watch itself works: an inline style added now is refused and reported.
    page.evaluate("document.body.insertAdjacentHTML('beforeend', '<p style=\"color: red\">x</p>')")
    page.wait_for_timeout(200)
    assert refused and "style-src 'self'" in refused[0]


def test_the_export_and_history_pages_work_under_the_policy(site, admin_user, make_perkumpulan):
    """The export page's "Select all" unticks and ticks every field (its inline handler was
    refused, and its label pointed at no box), and a record's history page asks for nothing
    the policy refuses."""
    group = make_perkumpulan("CBR-DW-001")
    page = site.login(admin_user)
    refused = watch_csp(page)
    page.goto(f"{site.url}/admin/registry/perkumpulan/{group.pk}/history/")
    page.goto(f"{site.url}/admin/registry/perkumpulan/export/")
    fields = page.locator('.selectable-field-export-row:visible input[type="checkbox"]')
    assert fields.count() > 5
    page.locator("label[for='select-all-toggle']").click()
    assert not any(fields.nth(i).is_checked() for i in range(fields.count()))
    page.locator("input.select-toggle").click()
    assert all(fields.nth(i).is_checked() for i in range(fields.count()))
    assert refused == []
