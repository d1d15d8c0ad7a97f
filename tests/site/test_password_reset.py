"""The password reset tells the truth about its mail: without a mail server (DJANGO_EMAIL_HOST)
it is not offered and its pages say to ask the administrator (404); with one, the link arrives
and sets a new password; a mail the server refuses is told to the user (503), never reported as
sent. The mail settings come from the environment, and a half-configured server refuses to
start."""

import logging
import os
import re
import smtplib
import subprocess
import sys

import pytest
from django.core import mail
from django.core.mail.backends.base import BaseEmailBackend

from tests.conftest import PASSWORD
from wksbm_site.settings import BASE_DIR

pytestmark = pytest.mark.django_db
ADDRESS = "operator@cimahikota.go.id"
SENT = "Kami telah mengirimi Anda surel berisi petunjuk"  # Django's "We’ve emailed you…", in id


class RefusingBackend(BaseEmailBackend):
    """A mail server that is there but refuses the mail."""

    def send_messages(self, email_messages):
        raise smtplib.SMTPRecipientsRefused({ADDRESS: (550, b"mailbox unavailable")})


@pytest.fixture
def mail_server(settings):
    settings.WKSBM_MAIL = True
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    settings.DEFAULT_FROM_EMAIL = "wksbm@cimahikota.go.id"
    return settings


@pytest.fixture
def account(operator):
    operator.email = ADDRESS
    operator.save()
    return operator


def test_without_mail_the_reset_is_not_offered(client, account, settings):
    assert settings.WKSBM_MAIL is False  # no DJANGO_EMAIL_HOST in the tests' environment
    login = client.get("/accounts/login/").content.decode()
    assert "/accounts/password_reset/" not in login
    assert "Minta admin Anda membuatkan kata sandi baru" in login  # Indonesian by default
    for url in ("/accounts/password_reset/", "/accounts/password_reset/done/"):
        response = client.get(url)
        assert response.status_code == 404, url
        assert "Registri ini tidak mengirim surel" in response.content.decode()
    response = client.post("/accounts/password_reset/", {"email": ADDRESS})
    assert response.status_code == 404
    assert SENT not in response.content.decode()
    assert mail.outbox == []


def test_without_mail_nothing_pretends_to_send(settings):
    """The backend the settings choose without a server fails, rather than drop the mail."""
    from django.core.exceptions import ImproperlyConfigured

    settings.EMAIL_BACKEND = "wksbm_site.accounts.NoMailBackend"
    with pytest.raises(ImproperlyConfigured):
        mail.send_mail("Uji", "isi", "a@example.org", [ADDRESS])


def test_with_mail_the_link_arrives_and_sets_a_new_password(client, account, mail_server):
    login = client.get("/accounts/login/").content.decode()
    assert 'href="/accounts/password_reset/"' in login
    assert client.get("/accounts/password_reset/").status_code == 200
    response = client.post("/accounts/password_reset/", {"email": ADDRESS.upper()})
    assert response.status_code == 302 and response.url == "/accounts/password_reset/done/"
    assert SENT in client.get(response.url).content.decode()
    [message] = mail.outbox
    assert message.to == [ADDRESS] and message.from_email == "wksbm@cimahikota.go.id"
    link = re.search(r"http://testserver(/accounts/reset/\S+/)", message.body).group(1)
    assert account.username in message.body
    page = client.get(link, follow=True)
    assert page.status_code == 200 and page.context["validlink"]
    new = "Sandi-Baru-Cimahi-2026"
    done = client.post(page.redirect_chain[-1][0], {"new_password1": new, "new_password2": new})
    assert done.status_code == 302 and done.url == "/accounts/reset/done/"
    assert client.get(done.url).status_code == 200
    account.refresh_from_db()
    assert account.check_password(new) and not account.check_password(PASSWORD)


def test_an_unknown_address_is_not_revealed(client, account, mail_server):
    response = client.post("/accounts/password_reset/", {"email": "siapa@example.org"})
    assert response.status_code == 302 and response.url == "/accounts/password_reset/done/"
    assert mail.outbox == []


def test_a_mail_the_server_refuses_is_told_not_reported_sent(client, account, mail_server,
                                                             caplog):
    mail_server.EMAIL_BACKEND = "tests.site.test_password_reset.RefusingBackend"
    with caplog.at_level(logging.ERROR, logger="wksbm_site.accounts"):
        response = client.post("/accounts/password_reset/", {"email": ADDRESS})
    assert response.status_code == 503
    html = response.content.decode()
    assert SENT not in html
    assert response.context["form"].has_error("__all__", "unsent")
    assert "Surel tidak dapat dikirim" in html
    assert response.context["form"]["email"].value() == ADDRESS  # typed, kept
    assert "could not be sent" in caplog.text


def manage(*args: str, **env) -> subprocess.CompletedProcess:
    clean = {k: v for k, v in os.environ.items() if not k.startswith("DJANGO_")}
    clean.update(env, DJANGO_SETTINGS_MODULE="wksbm_site.settings", DJANGO_SECRET_KEY="x" * 50,
                 DATABASE_URL="sqlite:///:memory:")
    return subprocess.run([sys.executable, "manage.py", *args], cwd=BASE_DIR, env=clean,
                          capture_output=True, text=True, timeout=120)


def manage_shell(code: str, **env) -> subprocess.CompletedProcess:
    return manage("shell", "-v", "0", "-c", code, **env)


def test_the_mail_settings_come_from_the_environment():
    code = ("from django.conf import settings as s; print(s.WKSBM_MAIL, s.EMAIL_BACKEND, "
            "s.EMAIL_HOST, s.EMAIL_PORT, s.EMAIL_HOST_USER, s.EMAIL_HOST_PASSWORD, "
            "s.EMAIL_USE_TLS, s.EMAIL_USE_SSL, s.DEFAULT_FROM_EMAIL, s.EMAIL_TIMEOUT, sep='|')")
    result = manage_shell(code, DJANGO_EMAIL_HOST="smtp.cimahikota.go.id",
                          DJANGO_EMAIL_PORT="465", DJANGO_EMAIL_SECURITY="ssl",
                          DJANGO_EMAIL_USER="wksbm", DJANGO_EMAIL_PASSWORD="rahasia",
                          DJANGO_EMAIL_FROM="wksbm@cimahikota.go.id")
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip().split("|") == [
        "True", "django.core.mail.backends.smtp.EmailBackend", "smtp.cimahikota.go.id", "465",
        "wksbm", "rahasia", "False", "True", "wksbm@cimahikota.go.id", "20"]
    # The defaults: STARTTLS on port 587, no login.
    result = manage_shell(code, DJANGO_EMAIL_HOST="smtp.cimahikota.go.id",
                          DJANGO_EMAIL_FROM="wksbm@cimahikota.go.id")
    assert result.stdout.strip().split("|")[3:8] == ["587", "", "", "True", "False"]
    # No server: no mail, and nothing pretends to send it.
    result = manage_shell("from django.conf import settings as s; print(s.WKSBM_MAIL, "
                          "s.EMAIL_BACKEND)")
    assert result.stdout.split() == ["False", "wksbm_site.accounts.NoMailBackend"]


@pytest.mark.parametrize(("env", "said"), [
    ({"DJANGO_EMAIL_HOST": "smtp.example.org"}, "Set DJANGO_EMAIL_FROM"),
    ({"DJANGO_EMAIL_HOST": "smtp.example.org", "DJANGO_EMAIL_FROM": "a@example.org",
      "DJANGO_EMAIL_SECURITY": "tls"}, "DJANGO_EMAIL_SECURITY must be"),
    ({"DJANGO_EMAIL_HOST": "smtp.example.org", "DJANGO_EMAIL_FROM": "a@example.org",
      "DJANGO_EMAIL_PORT": "dua lima"}, "DJANGO_EMAIL_PORT must be"),
])
def test_a_half_configured_mail_server_refuses_to_start(env, said):
    result = manage("check", **env)
    assert result.returncode != 0
    assert said in result.stderr
