"""A data team's analyst makes an API token in a real browser (from the link in the header), uses
it from a script, and revokes it."""

import urllib.error
import urllib.request


def api_status(url: str, key: str) -> int:
    request = urllib.request.Request(f"{url}/api/v1/perkumpulan/",
                                     headers={"Authorization": f"Token {key}"})
    try:
        with urllib.request.urlopen(request) as response:  # noqa: S310 — the live test server
            return response.status
    except urllib.error.HTTPError as exc:
        return exc.code


def test_a_token_is_made_shown_once_used_and_revoked(site, staf):
    page = site.login(staf)
    page.click("header >> text=Token API")
    page.wait_for_url(f"{site.url}/akun/token/")
    page.fill("#id_name", "Skrip dasbor")
    page.click("main form.form button[type=submit]")
    key = page.locator("code.token-key").inner_text().strip()
    assert len(key) >= 40
    assert api_status(site.url, key) == 200
    page.goto(f"{site.url}/akun/token/")
    assert page.locator("code.token-key").count() == 0  # shown once
    assert "Skrip dasbor" in page.locator("main table").inner_text()
    page.click("main table button:has-text('Cabut')")
    page.wait_for_url(f"{site.url}/akun/token/")
    assert "dicabut" in page.locator(".messages").inner_text()
    assert api_status(site.url, key) == 401

