"""Adding a participant to a training by NIK: a bad NIK, an unknown one, a stranger's without
their name, a person listed twice — each told beside the field with a 400 and nothing
written; a good one is listed with the groups they lead."""

import pytest

from psks.models import PesertaPelatihan
from tests.conftest import MELONG
from tests.psks.conftest import nik


def add(client, training, **data):
    return client.post(f"/psks/pelatihan/{training.pk}/peserta/tambah/", data)


@pytest.mark.parametrize(("value", "field", "code"), [
    ("12345", "nik", None),                    # not 16 digits: the shared validator's message
    ("3277019913800001", "nik", None),         # no such birth date
    (nik(99), "nik", "unknown_nik"),           # valid, but nobody registered has it
    ("", "nik", "required"),
])
def test_a_bad_nik_is_told_and_nothing_is_written(world, client, operator, value, field, code):
    training = world["administrasi"]
    client.force_login(operator)
    response = add(client, training, nik=value)
    assert response.status_code == 400
    form = response.context["form"]
    assert form.has_error(field, code) if code else form.has_error(field)
    assert form.errors[field][0] in response.content.decode()
    assert training.peserta.count() == 1


def test_a_person_listed_twice_is_told(world, client, operator):
    client.force_login(operator)
    response = add(client, world["administrasi"], nik=world["people"]["Ani"].nik)
    assert response.status_code == 400
    assert response.context["form"].has_error("nik", "peserta_pelatihan_unik")
    assert world["administrasi"].peserta.count() == 1


def test_a_stranger_is_added_only_with_the_registered_name(
    world, client, operator, make_warga
):
    stranger = make_warga(nik(77), nama="Rina Marlina", wilayah_id="32.77.02.1001")
    training = world["administrasi"]
    client.force_login(operator)
    response = add(client, training, nik=stranger.nik)
    assert response.status_code == 400 and response.context["form"].has_error("nama", "name_needed")
    assert "Rina" not in response.content.decode()
    response = add(client, training, nik=stranger.nik, nama="Rina")
    assert response.status_code == 400 and response.context["form"].has_error(
        "nama", "name_mismatch")
    assert add(client, training, nik=stranger.nik, nama="rina  marlina").status_code == 302
    assert training.peserta.count() == 2


def test_a_participant_is_listed_with_the_groups_they_lead(
    world, client, operator, django_assert_max_num_queries
):
    training = world["administrasi"]
    client.force_login(operator)
    response = add(client, training, nik=world["people"]["Budi"].nik.replace("0180", "0180 "))
    assert response.status_code == 302 and response["Location"].endswith("#peserta")
    assert PesertaPelatihan.objects.filter(pelatihan=training).count() == 2
    with django_assert_max_num_queries(12):
        response = client.get(f"/psks/pelatihan/{training.pk}/")
    leads = {r["peserta"].warga.nama: [m.perkumpulan.kode for m in r["leads"]]
             for r in response.context["rows"]}
    assert leads == {"Ani": ["CBR-DW-002", "CBR-DW-001"], "Budi": ["CBR-DW-001", "CBR-PY-001"]}


def test_melongs_operator_may_not_add_to_cibeureums_training(world, client, operator_lain):
    client.force_login(operator_lain)
    response = add(client, world["administrasi"], nik=world["people"]["Fajar"].nik)
    assert response.status_code == 404
    assert world["administrasi"].peserta.count() == 1
    assert world["people"]["Fajar"].wilayah_id == MELONG
