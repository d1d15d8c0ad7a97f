"""Who may open and change what on the member pages: every page for every role, a refused
request writing nothing; the changes are POST only."""

import pytest

from tests.members.conftest import ADD, snapshot

ROLES = ["anonymous", "operator", "operator_lain", "staf", "staf_lain", "pengamat", "admin_user"]


def login(client, request, role):
    if role != "anonymous":
        client.force_login(request.getfixturevalue(role))
    return client


def statuses(anonymous=302, operator=200, operator_lain=404, staf=200, staf_lain=404,
             pengamat=403, admin_user=200):
    return dict(anonymous=anonymous, operator=operator, operator_lain=operator_lain, staf=staf,
                staf_lain=staf_lain, pengamat=pengamat, admin_user=admin_user)


# (method, URL, posted data) → status by role. {name} is the pk of a fixture row. 302 for an
# anonymous user is the login page; 302 after a POST is the group's page (saved).
MATRIX = [
    ("get", "/warga/", None, statuses(operator_lain=200, staf_lain=200)),
    ("get", "/warga/?q=siti&page=abc", None, statuses(operator_lain=200, staf_lain=200)),
    ("get", "/warga/{siti}/", None, statuses()),
    ("get", "/warga/{dede}/", None, statuses(operator=404, staf=404, staf_lain=200)),
    ("get", "/warga/999999/", None, statuses(operator=404, staf=404, admin_user=404)),
    ("get", "/perkumpulan/CBR-DW-001/", None, statuses(pengamat=200)),
    ("get", "/anggota/{anggota}/", None, statuses()),
    ("get", "/anggota/{bdg_ketua}/", None, statuses(operator=404, staf=404, staf_lain=200)),
    ("post", "/perkumpulan/CBR-DW-001/anggota/tambah/", ADD,
     statuses(operator=302, staf=302, admin_user=302)),
    ("post", "/perkumpulan/BDG-DW-001/anggota/tambah/", ADD,
     statuses(operator=404, staf=404, staf_lain=302, admin_user=302)),
    ("post", "/anggota/{anggota}/peran/", {"peran": "BENDAHARA"},
     statuses(operator=302, staf=302, admin_user=302)),
    ("post", "/anggota/{anggota}/akhiri/", {}, statuses(operator=302, staf=302, admin_user=302)),
    ("post", "/anggota/{mlg_ketua}/akhiri/", {},
     statuses(operator=404, operator_lain=302, staf=302, admin_user=302)),
]


@pytest.mark.parametrize(
    ("method", "url", "posted", "expected", "role"),
    [(m, u, p, e, r) for m, u, p, e in MATRIX for r in ROLES],
    ids=[f"{m}-{u}-{r}" for m, u, _p, _e in MATRIX for r in ROLES],
)
def test_permission_matrix(client, request, data, method, url, posted, expected, role):
    url = url.format(**{name: row.pk for name, row in data.items()})
    before = snapshot()
    response = getattr(login(client, request, role), method)(url, posted)
    assert response.status_code == expected[role], (method, url, role)
    if role == "anonymous":
        assert response["Location"].startswith("/accounts/login/")
    elif response.status_code == 302:
        assert response["Location"].startswith("/perkumpulan/")
    if method == "post" and response.status_code != 302:
        assert snapshot() == before  # nothing written by a refused request


@pytest.mark.parametrize("url", [
    "/perkumpulan/CBR-DW-001/anggota/tambah/", "/anggota/{anggota}/peran/",
    "/anggota/{anggota}/akhiri/",
])
def test_changes_are_post_only(client, operator, data, url):
    client.force_login(operator)
    response = client.get(url.format(anggota=data["anggota"].pk))
    assert response.status_code == 405
