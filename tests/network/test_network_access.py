"""Who may add a link and open or change a village forum: every role, a refused POST writing
nothing."""

import pytest

from network.models import Forum, Hubungan

ROLES = ["anonymous", "operator", "operator_lain", "staf", "staf_lain", "pengamat", "admin_user"]
# (method, url) → status per role, in ROLES order.
MATRIX = [
    ("post", "/perkumpulan/CBR-DW-001/hubungan/tambah/", [302, 302, 404, 302, 404, 403, 302]),
    ("get", "/perkumpulan/CBR-DW-001/hubungan/tambah/", [302, 405, 405, 405, 405, 405, 405]),
    ("get", "/forum/?desa=32.77.01.1002", [302, 200, 404, 200, 404, 200, 200]),
    ("get", "/forum/", [302, 200, 200, 200, 200, 200, 200]),  # above a village: choose one
    ("post", "/forum/?desa=32.77.01.1002", [302, 302, 404, 302, 404, 403, 302]),
]


@pytest.mark.parametrize(("method", "url", "role", "expected"), [
    (m, u, r, s) for m, u, statuses in MATRIX for r, s in zip(ROLES, statuses, strict=True)
])
def test_permission_matrix(client, request, groups, method, url, role, expected):
    if role != "anonymous":
        client.force_login(request.getfixturevalue(role))
    data = {"mitra_perkumpulan": groups["kt"].pk, "bentuk": "KOORDINASI",
            "nama": "Forum WKSBM Cibeureum", "mekanisme": "TIM"}
    response = getattr(client, method)(url, data if method == "post" else None)
    assert response.status_code == expected, (method, url, role)
    if expected == 302 and role == "anonymous":
        assert response["Location"].startswith("/accounts/login/")
    if role in ("operator_lain", "staf_lain", "pengamat") and method == "post":
        assert not Hubungan.objects.exists() and not Forum.objects.exists()
