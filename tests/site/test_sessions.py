"""Sessions (wksbm_site/sessions.py: Django's database sessions, read with plain SQL): a live
session signs its user in, an expired, deleted or unknown one does not, and what is stored in one
request is read in the next."""

import datetime

from django.contrib.sessions.models import Session
from django.utils import timezone


def test_a_live_session_signs_in_and_an_expired_one_does_not(client, operator):
    client.force_login(operator)
    assert client.get("/perkumpulan/").status_code == 200
    key = client.cookies["sessionid"].value
    Session.objects.filter(session_key=key).update(
        expire_date=timezone.now() - datetime.timedelta(seconds=1))
    response = client.get("/perkumpulan/")
    assert response.status_code == 302 and response.url.startswith("/accounts/login/")


def test_a_deleted_or_unknown_session_signs_nobody_in(client, operator):
    client.force_login(operator)
    Session.objects.all().delete()
    assert client.get("/perkumpulan/").status_code == 302
    client.cookies["sessionid"] = "x" * 32
    assert client.get("/perkumpulan/").status_code == 302
    client.cookies["sessionid"] = "short"  # not even a key Django would make
    assert client.get("/perkumpulan/").status_code == 302


def test_what_a_request_stores_the_next_reads(client, operator):
    client.force_login(operator)
    session = client.session
    session["catatan"] = "kelompok baru"
    session.save()
    assert client.session["catatan"] == "kelompok baru"
    assert client.get("/perkumpulan/").wsgi_request.session["catatan"] == "kelompok baru"
