"""Every link the site shows a user leads somewhere for that user: each role's pages are walked
from the home page and the admin's index, following every link on them, and no link answers
with an error — a menu entry, a "data behind this figure" link or a partner group's name that
led to a 400, 403 or 404 is a dead end the user was sent to by the site itself."""

import re
from collections import deque
from html import unescape
from urllib.parse import urldefrag, urlsplit

import pytest

from tests import world as world_module
from tests.test_authorisation import rolled_back
from tests.test_bad_input import SafeClient

pytestmark = pytest.mark.django_db

HREF = re.compile(r'<a\b[^>]*\bhref="([^"#][^"]*)"', re.I)
# Not pages: leaving, switching language, the admin's own docs; downloads are followed (HEAD
# would not run the view's checks) but not read for links.
SKIP = ("/accounts/logout", "/admin/logout", "/i18n/", "/static/", "/media/", "/api/schema",
        "mailto:", "javascript:")
PAGES_PER_ROLE = 400


@pytest.fixture
def w(operator, operator_lain, kecamatan, staf, staf_lain, pengamat, admin_user,
      make_perkumpulan, make_warga):
    built = world_module.build(make_perkumpulan, make_warga,
                               {"cbr": operator, "mlg": operator_lain, "skr": staf_lain})
    built.roles = {"operator": operator, "kecamatan": kecamatan, "staf": staf,
                   "pengamat": pengamat, "admin": admin_user}
    return built


def walk(client, starts, limit=PAGES_PER_ROLE) -> tuple[int, list[str]]:
    """(pages read, dead links as "status url ← page", and pages that open with a field
    marked invalid)."""
    seen = set(starts)
    queue = deque((url, "(start)") for url in starts)
    dead, read = [], 0
    while queue and read < limit:
        url, page = queue.popleft()
        with rolled_back():
            response = client.get(url)
        read += 1
        status = response.status_code
        if status in (301, 302):
            target = response["Location"]
            if target.startswith("/") and target not in seen:
                seen.add(target)
                queue.append((target, page))
            continue
        if status != 200:
            dead.append(f"{status} {url} ← {page}")
            continue
        if "text/html" not in response.get("Content-Type", ""):
            continue
        content = response.content.decode()
        if 'aria-invalid="true"' in content:  # a form told wrong before anything was sent
            dead.append(f"a field marked invalid on opening {url} ← {page}")
        for href in HREF.findall(content):
            link = urldefrag(unescape(href))[0]
            parts = urlsplit(link)
            if parts.scheme or parts.netloc or not link.startswith("/") or link.startswith(SKIP):
                continue
            if link not in seen:
                seen.add(link)
                queue.append((link, url))
    return read, dead


@pytest.mark.parametrize("role", ["operator", "kecamatan", "staf", "pengamat", "admin"])
def test_every_link_a_user_is_shown_leads_somewhere(w, role):
    client = SafeClient()
    client.force_login(w.roles[role])
    read, dead = walk(client, ["/", "/admin/"])
    assert read > 50
    assert dead == [], "\n".join(dead)
