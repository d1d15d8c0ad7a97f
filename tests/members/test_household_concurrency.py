"""Two officers changing one household's family card: the second save is told that the household
changed meanwhile (409, what was typed kept, a link to the household's page), nothing is
written, and sending the form again afterwards saves (registry.forms.VersionedForm)."""

from django.test import Client

from members.models import Keluarga
from tests.conftest import CIBEUREUM
from tests.registry.test_concurrency import assert_told_of_conflict, opened

KK = "3277011505150001"


def test_the_second_of_two_edits_of_a_household_is_told_and_writes_nothing(operator, staf):
    k = Keluarga.objects.create(no_kk=KK, wilayah_id=CIBEUREUM, rw=3, rt=2, alamat="Jl. Mawar 5")
    url = f"/keluarga/{k.pk}/ubah/"
    first, second = Client(), Client()
    mine = opened(first, operator, url)
    theirs = opened(second, staf, url)
    assert mine["desa"] == CIBEUREUM and mine["alamat"] == "Jl. Mawar 5"
    assert first.post(url, {**mine, "alamat": "Jl. Melati 7"}).status_code == 302

    typed = {**theirs, "rw": "4", "alamat": "Jl. Anggrek 1"}
    response = second.post(url, typed)
    assert_told_of_conflict(response, {"rw": "4", "alamat": "Jl. Anggrek 1"},
                            f"/keluarga/{k.pk}/")
    k.refresh_from_db()
    assert (k.rw, k.alamat) == (3, "Jl. Melati 7")  # the first save stands

    # Sent again as shown (carrying the version it now holds), it saves over the first.
    again = {name: response.context["form"][name].value() or "" for name in typed}
    assert second.post(url, again).status_code == 302
    k.refresh_from_db()
    assert (k.rw, k.alamat) == (4, "Jl. Anggrek 1")


def test_an_edit_sent_twice_is_told_the_second_time(client, operator):
    """An edit carries no one-time token: its second sending finds a newer version, and says
    so, instead of writing again."""
    k = Keluarga.objects.create(no_kk=KK, wilayah_id=CIBEUREUM, alamat="Jl. Mawar 5")
    url = f"/keluarga/{k.pk}/ubah/"
    data = {**opened(client, operator, url), "alamat": "Jl. Melati 7"}
    assert client.post(url, data).status_code == 302
    assert client.post(url, data).status_code == 409
    assert Keluarga.objects.get().alamat == "Jl. Melati 7"
