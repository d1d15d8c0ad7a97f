"""Adding a member by NIK: a new person or one already registered, the shared NIK rule, errors
beside the fields, one chair, one current membership."""

import datetime

import pytest
from django.core.exceptions import NON_FIELD_ERRORS

from members.models import Keanggotaan, Warga
from tests.members.conftest import BUDI, DEDE, NEW_NIK, SITI, add, snapshot


def test_a_new_person_is_registered_and_added(client, operator, data):
    client.force_login(operator)
    response = add(client, tanggal_lahir="2001-06-25", pendidikan="SMA", mulai="2024-02-01")
    assert response.status_code == 302
    assert response["Location"] == "/perkumpulan/CBR-DW-001/?tambah=anggota#anggota"
    # Back on the group's page the form is open again, the NIK box ready for the next member.
    html = client.get(response["Location"]).content.decode()
    form = html[html.index("<details open>\n    <summary>Tambah anggota lewat NIK atau nama"):]
    assert 'id="anggota-nik"' in form.split("</form>")[0]
    assert "autofocus" in form[form.index('id="anggota-nik"') - 200:form.index('id="anggota-nik"')
                                + 200]
    rina = Warga.objects.get(nik=NEW_NIK)
    assert (rina.nama, rina.jenis_kelamin, rina.tanggal_lahir, rina.pendidikan) == (
        "Rina Marlina", "P", datetime.date(2001, 6, 25), "SMA")
    m = Keanggotaan.objects.get(warga=rina)
    assert (m.perkumpulan, m.peran, m.mulai, m.selesai) == (
        data["cbr"], "ANGGOTA", datetime.date(2024, 2, 1), None)


def test_spaces_in_the_nik_are_ignored(client, operator, data):
    client.force_login(operator)
    assert add(client, nik="3277 0125 0601 0005").status_code == 302
    assert Warga.objects.filter(nik=NEW_NIK).exists()


@pytest.mark.parametrize("nik", [SITI.replace("0001", "0009"), DEDE])
def test_a_strangers_nik_is_linked_when_the_name_typed_matches(client, operator, data, nik):
    """A person the operator does not see (DEDE lives and is a member in Bandung; the other is
    registered with no village and no group): found by NIK and linked as they are once the name
    typed matches the registered one (case and spaces aside) — the rest typed overwrites
    nothing, and no person is added."""
    if nik != DEDE:
        Warga.objects.create(nik=nik, nama="Terdaftar Saja")
    name = "  dede   RAHMAT " if nik == DEDE else "terdaftar saja"
    people = Warga.objects.count()
    before = Warga.objects.get(nik=nik)
    client.force_login(operator)
    response = add(client, nik=nik, nama=name, jenis_kelamin="L", pendidikan="PT")
    assert response.status_code == 302
    assert Warga.objects.count() == people
    after = Warga.objects.get(nik=nik)
    assert (after.nama, after.jenis_kelamin, after.pendidikan, after.wilayah_id) == (
        before.nama, before.jenis_kelamin, before.pendidikan, before.wilayah_id)
    assert Keanggotaan.objects.filter(warga=after, perkumpulan=data["cbr"],
                                      selesai__isnull=True).exists()


@pytest.mark.parametrize("typed", ["", "Another Name"])
def test_a_strangers_nik_reveals_nothing_but_that_it_is_registered(client, operator, data,
                                                                     typed):
    """The add form confirms that a NIK is registered, never whose it is: no name, birth date
    or village of a person the operator does not see, and nothing is written."""
    client.force_login(operator)
    before = snapshot()
    response = add(client, nik=DEDE, nama=typed)
    assert response.status_code == 400
    page = response.content.decode()
    assert response.context["form"].has_error("nama")
    assert "Dede" not in page and "Rahmat" not in page and "Sukarasa" not in page
    assert snapshot() == before


def test_a_person_the_operator_sees_needs_no_name(client, operator, data):
    """Budi lives in Cibeureum: his NIK alone links him, as registered."""
    Keanggotaan.objects.filter(warga=data["budi"]).delete()
    client.force_login(operator)
    response = add(client, nik=BUDI, nama="", jenis_kelamin="")
    assert response.status_code == 302
    assert Keanggotaan.objects.filter(warga=data["budi"], perkumpulan=data["cbr"]).exists()


@pytest.mark.parametrize(("nik", "code"), [
    ("12345", "nik_length"),
    ("32770141018a0001", "nik_not_digits"),
    ("0977014101800001", "nik_region"),
    ("3277013213800001", "nik_birth_date"),
    ("3277014101800000", "nik_sequence"),
    ("", "required"),
])
def test_a_bad_nik_is_refused_by_the_shared_rule(client, operator, data, nik, code):
    client.force_login(operator)
    before = snapshot()
    response = add(client, nik=nik)
    assert response.status_code == 400
    form = response.context["form"]
    assert form.has_error("nik", code), form.errors.as_data()
    assert snapshot() == before


def test_errors_are_beside_the_fields_and_the_input_is_kept(client, operator, data):
    client.force_login(operator)
    before = snapshot()
    response = add(client, nik="12345", nama="Rina Typed", tanggal_lahir="kemarin",
                   peran="RAJA")
    assert response.status_code == 400
    form = response.context["form"]
    assert form.has_error("nik", "nik_length")
    assert form.has_error("tanggal_lahir", "invalid")
    assert form.has_error("peran", "invalid_choice")
    html = response.content.decode()
    assert 'value="Rina Typed"' in html and 'value="12345"' in html
    assert 'aria-invalid="true"' in html
    assert 'id="anggota-nik_error"' in html
    assert snapshot() == before


def test_a_new_person_needs_a_name(client, operator, data):
    client.force_login(operator)
    before = snapshot()
    response = add(client, nama="")
    assert response.status_code == 400
    assert response.context["form"].has_error("nama", "blank")
    assert snapshot() == before


def test_a_second_chair_is_a_field_error(client, operator, data):
    client.force_login(operator)
    before = snapshot()
    response = add(client, peran="KETUA")
    assert response.status_code == 400
    assert response.context["form"].has_error("peran", "one_current_chair")
    assert snapshot() == before  # the new person is not registered either


def test_a_duplicate_current_membership_is_a_field_error(client, operator, data):
    client.force_login(operator)
    before = snapshot()
    response = add(client, nik=BUDI, peran="SEKRETARIS")
    assert response.status_code == 400
    assert response.context["form"].has_error("nik", "one_current_membership")
    assert snapshot() == before


def test_a_former_member_may_join_again(client, operator, data):
    data["anggota"].selesai = datetime.date(2023, 1, 1)
    data["anggota"].save()
    client.force_login(operator)
    assert add(client, nik=BUDI).status_code == 302
    assert Keanggotaan.objects.filter(warga=data["budi"], perkumpulan=data["cbr"]).count() == 2


def test_a_constraint_met_while_writing_is_an_error_not_a_500(client, operator, data,
                                                              monkeypatch):
    """If the chair is taken between the check and the write (the check is skipped here), the
    database refuses, everything is rolled back and the form says so."""
    from registry import forms

    monkeypatch.setattr(forms, "model_errors", lambda *args, **kwargs: {})
    client.force_login(operator)
    before = snapshot()
    response = add(client, peran="KETUA")
    assert response.status_code == 400
    assert response.context["form"].has_error(NON_FIELD_ERRORS, "conflict")
    assert snapshot() == before


def test_the_nik_fills_birth_and_sex_and_says_what_disagrees(client, operator, data):
    """A new person's empty date of birth and sex are read from the NIK; a typed value that
    differs, and a NIK issued in another kecamatan, are told after the save (never refused)."""
    client.force_login(operator)
    # NEW_NIK: born 25-06-2001, a man, issued in 32.77.01 — Cibeureum's kecamatan.
    response = add(client, jenis_kelamin="", tanggal_lahir="")
    assert response.status_code == 302
    rina = Warga.objects.get(nik=NEW_NIK)
    assert (rina.tanggal_lahir, rina.jenis_kelamin) == (datetime.date(2001, 6, 25), "L")
    page = client.get(response["Location"]).content.decode()
    assert "berbeda" not in page and "kecamatan" not in page.split('class="messages"')[1][:400]
    other = "3273016506010007"  # a woman born the same day (day + 40), issued in 32.73.01
    response = add(client, nik=other, nama="Rina Lain", jenis_kelamin="L",
                   tanggal_lahir="2001-06-26")
    assert response.status_code == 302
    page = client.get(response["Location"]).content.decode()
    messages = page.split('class="messages"')[1].split("</ul>")[0]
    assert "Tanggal lahir yang diketik berbeda dengan NIK (25 Jun 2001)" in messages
    assert "Jenis kelamin yang diketik berbeda dengan NIK (perempuan)" in messages
    assert "kecamatan 32.73.01" in messages
    person = Warga.objects.get(nik=other)
    assert (person.tanggal_lahir, person.jenis_kelamin) == (datetime.date(2001, 6, 26), "L")
