"""The site's own pages: logging in and out, the error pages in Indonesian with the menu."""


def test_login_and_logout_pages(client, operator):
    from tests.conftest import PASSWORD

    response = client.get("/accounts/login/")
    assert response.status_code == 200 and 'lang="id"' in response.content.decode()
    response = client.post("/accounts/login/", {"username": operator.username,
                                                "password": "salah"})
    assert response.status_code == 200 and response.context["form"].errors
    response = client.post("/accounts/login/", {"username": operator.username,
                                                "password": PASSWORD})
    assert response.status_code == 302 and response["Location"] == "/"
    assert client.post("/accounts/logout/").status_code == 302
    assert client.get("/").status_code == 302


def test_error_pages_speak_indonesian_and_keep_the_menu(client, operator, pengamat, settings):
    from django.template.loader import render_to_string

    settings.DEBUG = False
    client.force_login(operator)
    response = client.get("/perkumpulan/TIDAK-ADA/")
    assert response.status_code == 404
    html = response.content.decode()
    assert "Tidak ditemukan" in html and 'aria-label="Menu utama"' in html
    client.force_login(pengamat)
    response = client.get("/pmks/")
    assert response.status_code == 403
    assert "Tidak diizinkan" in response.content.decode()
    assert "Terjadi kesalahan" in render_to_string("500.html")


def test_a_wrong_password_is_said_once_in_plain_indonesian(client, operator):
    """Django's Indonesian catalogue doubled the field's name ("nama pengguna nama pengguna"):
    the site's login and the admin's say it in their own words."""
    for url in ("/accounts/login/", "/admin/login/"):
        response = client.post(url, {"username": operator.username, "password": "salah"})
        html = response.content.decode()
        assert response.status_code == 200
        assert "Nama pengguna atau sandi salah." in html, url
        assert "nama pengguna nama pengguna" not in html.lower(), url
