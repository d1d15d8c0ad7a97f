"""The PSKS forms sent twice write once (registry.forms.OnceForm): a participant, a worker, a
training; and an area's page asked for a malformed area code says what to write."""

from psks.models import Pelatihan, PetugasPSKS
from tests.conftest import CIBEUREUM
from tests.test_double_submit import rendered, told_once


def test_a_participant_sent_twice_is_listed_once(world, client, operator):
    training = world["administrasi"]
    client.force_login(operator)
    page = f"/psks/pelatihan/{training.pk}/"
    action = f"/psks/pelatihan/{training.pk}/peserta/tambah/"
    data = {**rendered(client, page, action), "nik": world["people"]["Cici"].nik}
    first = client.post(action, data)
    second = client.post(action, data)
    assert first.status_code == second.status_code == 302 and second.url == first.url
    assert told_once(second) and training.peserta.count() == 2


def test_a_worker_and_a_training_sent_twice_are_recorded_once(world, client, operator):
    client.force_login(operator)
    url = f"/psks/petugas/baru/?wilayah={CIBEUREUM}"
    data = {**rendered(client, url), "nik": world["people"]["Cici"].nik, "peran": "PENDAMPING",
            "wilayah": CIBEUREUM}
    first, second = client.post(url, data), client.post(url, data)
    assert first.status_code == second.status_code == 302 and told_once(second)
    assert PetugasPSKS.objects.filter(peran="PENDAMPING").count() == 1
    url = "/psks/pelatihan/baru/"
    data = {**rendered(client, url), "topik": "Pelatihan kader", "tanggal_mulai": "2025-10-01",
            "penyelenggara": "Kelurahan", "wilayah": CIBEUREUM}
    first, second = client.post(url, data), client.post(url, data)
    assert first.url == second.url and told_once(second)
    assert Pelatihan.objects.filter(topik="Pelatihan kader").count() == 1


def test_a_malformed_area_code_is_told(world, client, staf):
    client.force_login(staf)
    response = client.get("/psks/", {"wilayah": "abc"})
    assert response.status_code == 400 and "?wilayah=" in response.content.decode()
    assert client.get("/psks/", {"wilayah": "32.73"}).status_code == 404  # Bandung: not theirs
