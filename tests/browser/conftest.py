"""Browser tests: Debian's Chromium driven by Playwright against the live server.

Skipped, with the reason printed in the summary, when Chromium or Playwright is missing
(`.ci/run` installs Chromium, so CI always runs them)."""

import os
import shutil

import pytest
from django.core.management import call_command

# Playwright's sync API runs an event loop in the test's thread; the ORM calls of the fixtures
# are still plain synchronous calls.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

CHROMIUM = os.environ.get("WKSBM_CHROMIUM", "/usr/bin/chromium")


@pytest.fixture(scope="session")
def browser():
    if not shutil.which(CHROMIUM):
        pytest.skip(f"Chromium not found at {CHROMIUM}: browser tests skipped")
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        pytest.skip("Playwright is not installed: browser tests skipped")
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(
            executable_path=CHROMIUM, headless=True, args=["--no-sandbox"]
        )
        yield chromium
        chromium.close()


def load_reference_data() -> None:
    """What tests/conftest.py loads for the session: the reference lists and the areas."""
    call_command("loaddata", "referensi", verbosity=0)
    for prefix in ("32.77", "32.73.01"):
        call_command("load_wilayah", prefix=prefix, stdout=open(os.devnull, "w"))


@pytest.fixture(scope="module")
def restore_reference_data(django_db_blocker):
    """A live-server test empties every table when it ends: the next browser test loads the
    reference data again, and the tests after this module get it back too."""
    yield
    with django_db_blocker.unblock():
        load_reference_data()


@pytest.fixture
def reference_data(restore_reference_data, transactional_db):
    from registry.models import Wilayah

    if not Wilayah.objects.filter(pk="32.77").exists():
        load_reference_data()


@pytest.fixture
def site(reference_data, live_server, browser):
    """A fresh browser context on the live server; `site.login(user)` logs in through the form."""
    from tests.conftest import PASSWORD

    context = browser.new_context(viewport={"width": 1280, "height": 900}, locale="id-ID")
    context.set_default_timeout(10_000)

    class Site:
        url = live_server.url

        def page(self, width=None):
            page = context.new_page()
            if width:
                page.set_viewport_size({"width": width, "height": 800})
            return page

        def login(self, user, page=None):
            page = page or self.page()
            page.goto(f"{self.url}/accounts/login/")
            page.fill("#id_username", user.username)
            page.fill("#id_password", PASSWORD)
            page.click("main form button[type=submit]")
            page.wait_for_url(f"{self.url}/")
            return page

    yield Site()
    context.close()
