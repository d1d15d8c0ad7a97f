"""Who may open which group page: every page for every role; 404 outside the user's area."""

import pytest

ROLES = ["anonymous", "operator", "operator_lain", "staf", "staf_lain", "pengamat", "admin_user"]


def login(client, request, role):
    if role != "anonymous":
        client.force_login(request.getfixturevalue(role))
    return client


# URL × role → status. 302 = sent to the login page; 404 = outside the user's area.
MATRIX = {
    "/": dict(anonymous=302, operator=200, operator_lain=200, staf=200, staf_lain=200,
              pengamat=200, admin_user=200),
    "/perkumpulan/": dict(anonymous=302, operator=200, operator_lain=200, staf=200,
                          staf_lain=200, pengamat=200, admin_user=200),
    "/perkumpulan/unduh.xlsx": dict(anonymous=302, operator=200, operator_lain=200, staf=200,
                                    staf_lain=200, pengamat=200, admin_user=200),
    "/perkumpulan/CBR-DW-001/": dict(anonymous=302, operator=200, operator_lain=404, staf=200,
                                     staf_lain=404, pengamat=200, admin_user=200),
    "/perkumpulan/CBR-DW-001/ubah/": dict(anonymous=302, operator=200, operator_lain=404,
                                          staf=200, staf_lain=404, pengamat=403,
                                          admin_user=200),
    "/perkumpulan/baru/": dict(anonymous=302, operator=200, operator_lain=200, staf=200,
                               staf_lain=200, pengamat=403, admin_user=200),
    "/perkumpulan/TIDAK-ADA/": dict(anonymous=302, operator=404, operator_lain=404, staf=404,
                                    staf_lain=404, pengamat=404, admin_user=404),
}


@pytest.mark.parametrize(("url", "role"), [(u, r) for u in MATRIX for r in ROLES])
def test_permission_matrix(client, request, groups, url, role):
    response = login(client, request, role).get(url)
    assert response.status_code == MATRIX[url][role], (url, role)
    if response.status_code == 302:
        assert response["Location"].startswith("/accounts/login/")
