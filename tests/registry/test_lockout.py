"""Login lockouts (django-axes): too many wrong passwords lock the account for a while, whatever
the address; the locked user sees the login page and why; an administrator, or Dinas Sosial
staff of the account's area, can unlock."""

import logging
from datetime import timedelta
from types import SimpleNamespace

import pytest
from axes.models import AccessAttempt, AccessLog
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError

from tests.conftest import PASSWORD

LOCKED = "Akun ini dikunci selama 15 menit"
WRONG = "Salah-Sandi-2026"


def login(client, user, password, **extra):
    return client.post("/accounts/login/", {"username": user.username, "password": password},
                       **extra)


def fail(client, user, times, **extra):
    """Post `times` wrong passwords: the login page again, until the limit's one locks."""
    from django.conf import settings

    for attempt in range(1, times + 1):
        response = login(client, user, WRONG, **extra)
        assert response.status_code == (200 if attempt < settings.AXES_FAILURE_LIMIT else 429)
    return response


def test_too_many_wrong_passwords_lock_the_account(client, operator, settings):
    assert settings.AXES_FAILURE_LIMIT == 5
    fail(client, operator, 4)
    response = login(client, operator, WRONG)
    assert response.status_code == 429
    page = response.content.decode()
    assert LOCKED in page
    assert "hubungi admin Dinas Sosial" in page
    # The normal login page, in the site's look, the username kept.
    assert '<form method="post" action="/accounts/login/"' in page
    assert 'href="/static/wksbm/site.css"' in page
    assert f'value="{operator.username}"' in page
    # Even the right password is refused now, from any address.
    response = login(client, operator, PASSWORD, REMOTE_ADDR="10.9.8.7")
    assert response.status_code == 429 and LOCKED in response.content.decode()
    assert "_auth_user_id" not in client.session
    # The login page itself still opens.
    assert client.get("/accounts/login/").status_code == 200


def test_another_account_is_not_locked(client, operator, operator_lain):
    fail(client, operator, 5)
    assert login(client, operator_lain, PASSWORD).status_code == 302


def test_the_lock_ends_after_the_cool_off(client, operator):
    fail(client, operator, 5)
    assert login(client, operator, PASSWORD).status_code == 429
    # Sixteen minutes later (the attempt's clock turned back rather than the test's forward).
    AccessAttempt.objects.filter(username=operator.username).update(
        attempt_time=AccessAttempt.objects.get().attempt_time - timedelta(minutes=16)
    )
    response = login(client, operator, PASSWORD)
    assert response.status_code == 302 and response["Location"] == "/"


def test_the_lock_holds_within_the_cool_off(client, operator):
    fail(client, operator, 5)
    AccessAttempt.objects.update(
        attempt_time=AccessAttempt.objects.get().attempt_time - timedelta(minutes=14)
    )
    assert login(client, operator, PASSWORD).status_code == 429


def test_the_minutes_follow_the_setting(client, operator, settings):
    settings.AXES_COOLOFF_TIME = timedelta(minutes=1)
    settings.AXES_FAILURE_LIMIT = 2
    fail(client, operator, 1)
    response = login(client, operator, WRONG)
    assert response.status_code == 429
    assert "Akun ini dikunci selama 1 menit" in response.content.decode()


def test_in_english_too(client, operator):
    client.cookies["django_language"] = "en"
    fail(client, operator, 4)
    response = login(client, operator, WRONG)
    assert response.status_code == 429
    assert "This account is locked for 15 minutes" in response.content.decode()


def test_an_administrator_unlocks_in_the_admin(client, operator, admin_user):
    fail(client, operator, 5)
    attempt = AccessAttempt.objects.get(username=operator.username)
    assert attempt.failures_since_start == 5

    admin = client.__class__()
    admin.force_login(admin_user)
    listing = admin.get("/admin/axes/accessattempt/")
    assert listing.status_code == 200 and operator.username in listing.content.decode()
    url = f"/admin/axes/accessattempt/{attempt.pk}/delete/"
    assert admin.get(url).status_code == 200
    response = admin.post(url, {"post": "yes"})
    assert response.status_code == 302
    assert not AccessAttempt.objects.exists()

    assert login(client, operator, PASSWORD).status_code == 302


def test_dinas_sosial_staff_unlock_their_areas_accounts(client, operator, staf):
    """The Cibeureum officer calls Dinas Sosial Kota Cimahi: its staff unlock the account."""
    fail(client, operator, 5)
    fail(client.__class__(), SimpleNamespace(username="tidak-ada"), 2)  # no such account
    attempt = AccessAttempt.objects.get(username=operator.username)
    clerk = client.__class__()
    clerk.force_login(staf)
    listing = clerk.get("/admin/axes/accessattempt/").content.decode()
    assert operator.username in listing and "tidak-ada" not in listing
    assert "cleanup_expired_attempts" not in listing  # cleaning every area's is not theirs
    response = clerk.post(f"/admin/axes/accessattempt/{attempt.pk}/delete/", {"post": "yes"})
    assert response.status_code == 302 and response["Location"] == "/admin/axes/accessattempt/"
    assert not AccessAttempt.objects.filter(username=operator.username).exists()
    assert AccessAttempt.objects.filter(username="tidak-ada").exists()
    assert login(client, operator, PASSWORD).status_code == 302


@pytest.mark.parametrize("role", ["staf_lain", "operator_lain", "pengamat"])
def test_other_roles_cannot_unlock(client, operator, role, request):
    """Staff of another city, operators and observers: no unlocking (staff of Bandung do not
    even see the Cimahi account's attempts)."""
    fail(client, operator, 5)
    attempt = AccessAttempt.objects.get()
    other = client.__class__()
    other.force_login(request.getfixturevalue(role))
    listing = other.get("/admin/axes/accessattempt/")
    if role == "staf_lain":
        assert listing.status_code == 200
        assert operator.username not in listing.content.decode()
        assert other.post(f"/admin/axes/accessattempt/{attempt.pk}/delete/",
                          {"post": "yes"}).status_code == 302  # "does not exist"
    else:
        assert listing.status_code == 403
        assert other.post(f"/admin/axes/accessattempt/{attempt.pk}/delete/",
                          {"post": "yes"}).status_code == 403
    assert AccessAttempt.objects.filter(pk=attempt.pk).exists()


def test_a_successful_login_resets_the_count(client, operator):
    fail(client, operator, 4)
    assert login(client, operator, PASSWORD).status_code == 302
    client.post("/accounts/logout/")
    assert not AccessAttempt.objects.filter(username=operator.username).exists()
    # Four more wrong passwords do not lock: the count started again.
    fail(client, operator, 4)
    assert login(client, operator, PASSWORD).status_code == 302


def test_neither_the_logs_nor_the_records_keep_a_password(client, operator, caplog):
    caplog.set_level(logging.DEBUG)
    fail(client, operator, 5)
    login(client, operator, PASSWORD)
    client.post("/accounts/login/", {"username": operator.username, "password": PASSWORD},
                REMOTE_ADDR="10.1.2.3")
    AccessAttempt.objects.all().delete()
    assert login(client, operator, PASSWORD).status_code == 302

    logged = "\n".join(record.getMessage() for record in caplog.records)
    assert "AXES: Locking out" in logged  # the logger was heard
    assert WRONG not in logged and PASSWORD not in logged
    assert operator.username not in logged  # axes masks the username and address too
    stored = " ".join(
        f"{log.username} {log.user_agent} {log.path_info}" for log in AccessLog.objects.all()
    )
    assert PASSWORD not in stored and WRONG not in stored


def test_a_record_masks_the_password(client, operator):
    fail(client, operator, 2)
    attempt = AccessAttempt.objects.get()
    assert WRONG not in attempt.post_data and "password=****" in attempt.post_data
    assert attempt.ip_address == "127.0.0.1"


def test_behind_the_tls_proxy_the_forwarded_address_is_recorded(client, operator, settings):
    settings.WKSBM_HTTPS = True
    login(client, operator, WRONG, HTTP_X_FORWARDED_FOR="1.1.1.1, 36.85.10.20",
          REMOTE_ADDR="10.0.0.2")
    assert AccessAttempt.objects.get().ip_address == "36.85.10.20"


def test_a_login_without_a_request_is_refused(operator):
    # Every authentication goes through django-axes, which needs the request.
    from axes.exceptions import AxesBackendRequestParameterRequired
    from django.contrib.auth import authenticate

    with pytest.raises(AxesBackendRequestParameterRequired):
        authenticate(username=operator.username, password=PASSWORD)


@pytest.mark.parametrize("weak", ["rahasia", "12345678", "password123", "operator_cibeureum1"])
def test_a_weak_password_is_refused(weak, operator, admin_user, client):
    with pytest.raises(ValidationError):
        validate_password(weak, operator)
    # The admin's password forms use the same validators.
    client.force_login(admin_user)
    response = client.post(f"/admin/registry/user/{operator.pk}/password/",
                           {"password1": weak, "password2": weak})
    assert response.status_code == 200 and response.context["form"].errors["password2"]
    operator.refresh_from_db()
    assert operator.check_password(PASSWORD)
