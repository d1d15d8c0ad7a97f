"""A hardened deployment: `check --deploy` is clean with the production environment, and every
page sends the security headers, the Content-Security-Policy among them."""

import os
import subprocess
import sys

import pytest
from django.test import override_settings

from wksbm_site.middleware import CONTENT_SECURITY_POLICY
from wksbm_site.settings import BASE_DIR

POLICY = (
    "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; "
    "object-src 'none'; base-uri 'self'; form-action 'self'; frame-ancestors 'none'"
)
PRODUCTION = {
    "DJANGO_DEBUG": "False",
    "DJANGO_SECRET_KEY": "Gk3xq9Vw-2mLr8TzPa7nYc4Hs6Ud1Jb5Qe0Wf-Xo8Ki3Rv7Nt2Lp9Ms4Dy6Ah1Zg5Bc0",
    "DJANGO_ALLOWED_HOSTS": "wksbm.cimahikota.go.id",
    "DJANGO_HTTPS": "True",
    "DATABASE_URL": "sqlite:///:memory:",
}


def manage(*args, **env) -> subprocess.CompletedProcess:
    clean = {k: v for k, v in os.environ.items() if not k.startswith("DJANGO_")}
    clean.update(env, DJANGO_SETTINGS_MODULE="wksbm_site.settings")
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=BASE_DIR, env=clean, capture_output=True, text=True, timeout=120,
    )


def test_the_deploy_check_passes_in_production():
    result = manage("check", "--deploy", "--fail-level", "WARNING", **PRODUCTION)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def test_the_deploy_check_fails_without_https():
    # The same check is not a rubber stamp: plain HTTP leaves it with warnings.
    result = manage("check", "--deploy", "--fail-level", "WARNING",
                    **{**PRODUCTION, "DJANGO_HTTPS": "False"})
    assert result.returncode != 0
    assert "security.W004" in result.stderr and "security.W012" in result.stderr


def test_the_https_settings_follow_the_environment():
    code = (
        "from django.conf import settings as s; "
        "print(s.SECURE_SSL_REDIRECT, s.SESSION_COOKIE_SECURE, s.CSRF_COOKIE_SECURE, "
        "s.SECURE_HSTS_SECONDS, s.SECURE_HSTS_INCLUDE_SUBDOMAINS, s.SECURE_HSTS_PRELOAD, "
        "s.SECURE_PROXY_SSL_HEADER, s.AXES_FAILURE_LIMIT, s.AXES_COOLOFF_TIME)"
    )
    https = manage("shell", "-v", "0", "-c", code, **PRODUCTION, DJANGO_LOGIN_FAILURES="3",
                   DJANGO_LOCKOUT_MINUTES="30")
    assert https.returncode == 0, https.stderr
    assert https.stdout.split(None, 7)[:7] == [
        "True", "True", "True", "31536000", "True", "True", "('HTTP_X_FORWARDED_PROTO',",
    ]
    assert https.stdout.strip().endswith("'https') 3 0:30:00")
    # `make run`'s way: no DJANGO_HTTPS, plain HTTP keeps working and the defaults hold.
    plain = manage("shell", "-v", "0", "-c", code,
                   **{k: v for k, v in PRODUCTION.items() if k != "DJANGO_HTTPS"})
    assert plain.returncode == 0, plain.stderr
    assert plain.stdout.split() == ["False", "False", "False", "0", "False", "False", "None",
                                    "5", "0:15:00"]


@pytest.mark.parametrize("value", ["0", "-2", "five"])
def test_a_lockout_setting_must_be_a_positive_number(value):
    result = manage("check", **PRODUCTION, DJANGO_LOCKOUT_MINUTES=value)
    assert result.returncode != 0
    assert "DJANGO_LOCKOUT_MINUTES must be a whole number of at least 1" in result.stderr


def assert_security_headers(response):
    assert response["Content-Security-Policy"] == POLICY
    assert response["X-Frame-Options"] == "DENY"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Referrer-Policy"] == "same-origin"


def test_the_policy_is_the_documented_one():
    assert CONTENT_SECURITY_POLICY == POLICY


@pytest.mark.django_db
@pytest.mark.parametrize(
    "path, status",
    [("/accounts/login/", 200), ("/", 302), ("/tidak-ada/", 404), ("/admin/login/", 200)],
)
def test_anonymous_pages_send_the_headers(client, path, status):
    response = client.get(path)
    assert response.status_code == status
    assert_security_headers(response)


@pytest.mark.parametrize(
    "path", ["/", "/perkumpulan/", "/admin/", "/admin/registry/perkumpulan/", "/tidak-ada/"]
)
def test_pages_of_a_logged_in_user_send_the_headers(client, admin_user, path):
    client.force_login(admin_user)
    response = client.get(path)
    assert response.status_code == (404 if path == "/tidak-ada/" else 200)
    assert_security_headers(response)


@pytest.mark.django_db
def test_a_server_error_page_sends_the_headers(client, settings):
    from django.urls import path

    def broken(request):
        raise RuntimeError("boom")

    client.raise_request_exception = False
    with override_settings(ROOT_URLCONF=type("Urls", (), {"urlpatterns": [path("x/", broken)]})):
        response = client.get("/x/")
    assert response.status_code == 500
    assert_security_headers(response)
    body = response.content.decode()
    assert "style=" not in body and "<script" not in body
    assert "/static/wksbm/error.css" in body


@pytest.mark.django_db
def test_debug_error_pages_keep_their_inline_css(client, settings):
    # Django's own debug 404 is inline CSS: no policy with DEBUG on, the policy without.
    settings.DEBUG = True
    assert "Content-Security-Policy" not in client.get("/tidak-ada/")
    assert client.get("/accounts/login/")["Content-Security-Policy"] == POLICY


def test_the_session_cookie_is_http_only(client, operator):
    from tests.conftest import PASSWORD

    response = client.post("/accounts/login/", {"username": operator.username,
                                                "password": PASSWORD})
    assert response.status_code == 302
    cookie = response.cookies["sessionid"]
    assert cookie["httponly"] is True
    assert not cookie["secure"]  # plain HTTP, as `make run` serves


@override_settings(
    SESSION_COOKIE_SECURE=True, CSRF_COOKIE_SECURE=True, SECURE_SSL_REDIRECT=True,
    SECURE_HSTS_SECONDS=31_536_000, SECURE_HSTS_INCLUDE_SUBDOMAINS=True, SECURE_HSTS_PRELOAD=True,
    SECURE_PROXY_SSL_HEADER=("HTTP_X_FORWARDED_PROTO", "https"),
)
def test_behind_the_tls_proxy(client, operator):
    from tests.conftest import PASSWORD

    # Plain HTTP is sent to https; what the proxy forwards as https is served, with HSTS.
    response = client.get("/accounts/login/")
    assert response.status_code == 301
    assert response["Location"] == "https://testserver/accounts/login/"
    response = client.get("/accounts/login/", headers={"x-forwarded-proto": "https"})
    assert response.status_code == 200
    assert response["Strict-Transport-Security"] == "max-age=31536000; includeSubDomains; preload"
    assert response.cookies["csrftoken"]["secure"] is True
    response = client.post(
        "/accounts/login/", {"username": operator.username, "password": PASSWORD},
        headers={"x-forwarded-proto": "https"},
    )
    assert response.status_code == 302
    assert response.cookies["sessionid"]["secure"] is True
    assert response.cookies["sessionid"]["httponly"] is True
