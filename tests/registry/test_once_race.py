"""Two sendings of one form at the same moment, for real: two threads, two database connections.
The first stores the form's token and writes, and holds its transaction open; the second finds no
earlier sending (the first has not committed), passes validation and reaches the token's INSERT,
where PostgreSQL's unique index makes it wait for the first — then refuses it. One row written;
the second is answered with the first one's page. (SQLite runs one writing transaction at a time,
IMMEDIATE, so the second never overlaps the first there; tests/test_double_submit.py covers the
same refusal with both sendings checked before either writes.)"""

import threading
import time

import pytest
from django import forms
from django.contrib.auth.models import Group
from django.contrib.messages.storage.cookie import CookieStorage
from django.db import connection, connections
from django.test import RequestFactory

from registry.forms import TOKEN_FIELD, OnceForm
from registry.models import FormulirTerkirim, User

pytestmark = pytest.mark.django_db
TOKEN = "balapan-" + "x" * 24


class Note(OnceForm, forms.Form):
    text = forms.CharField()


def in_thread(target) -> threading.Thread:
    """Run `target` on a connection of its own (committing, outside the test's transaction)."""

    def run():
        try:
            target()
        finally:
            connections.close_all()

    thread = threading.Thread(target=run)
    thread.start()
    return thread


def test_two_sendings_at_the_same_moment_write_once():
    if connection.vendor != "postgresql":
        pytest.skip("PostgreSQL only: SQLite's writing transactions never overlap")
    in_thread(lambda: User.objects.create(username="balapan", peran="admin")).join()
    wrote, release = threading.Event(), threading.Event()
    answers = {}

    def send(name: str, hold: bool):
        user = User.objects.get(username="balapan")
        form = Note({"text": name, TOKEN_FIELD: TOKEN})
        form.send_once(user, "uji:balapan")
        request = RequestFactory().post("/")
        request.user, request._messages = user, CookieStorage(request)

        def save() -> str:
            Group.objects.create(name=f"balapan-{name}")
            if hold:
                wrote.set()
                release.wait(20)
            return f"/hasil/{name}/"

        response = form.save_once(request, save, "/cadangan/")
        answers[name] = (response.status_code, response.url, [str(m) for m in request._messages])

    try:
        first = in_thread(lambda: send("pertama", hold=True))
        assert wrote.wait(20)
        second = in_thread(lambda: send("kedua", hold=False))
        time.sleep(1)
        assert second.is_alive()  # waiting on the token's unique index
        release.set()
        first.join(20)
        second.join(20)
        assert answers["pertama"] == (302, "/hasil/pertama/", [])
        assert answers["kedua"] == (302, "/hasil/pertama/", [str(OnceForm.once_message)])

        def written():
            answers["groups"] = list(Group.objects.filter(name__startswith="balapan-")
                                     .values_list("name", flat=True))

        in_thread(written).join()
        assert answers["groups"] == ["balapan-pertama"]
    finally:
        release.set()

        def clean():
            Group.objects.filter(name__startswith="balapan-").delete()
            FormulirTerkirim.objects.filter(token=TOKEN).delete()
            User.objects.filter(username="balapan").delete()

        in_thread(clean).join()
