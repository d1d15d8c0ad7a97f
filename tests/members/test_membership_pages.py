"""A membership's page: changing a role (one row ends, another starts), ending a membership, and
what they cost."""

import datetime

import pytest
from django.core.exceptions import NON_FIELD_ERRORS
from django.utils import timezone

from members.models import Keanggotaan
from tests.members.conftest import BUDI, SITI, add, panel, snapshot


def test_a_role_change_ends_one_row_and_starts_another(client, operator, data):
    client.force_login(operator)
    response = client.post(f"/anggota/{data['anggota'].pk}/peran/", {"peran": "BENDAHARA"})
    assert response.status_code == 302
    today = timezone.localdate()
    rows = list(Keanggotaan.objects.filter(warga=data["budi"], perkumpulan=data["cbr"])
                .order_by("pk").values_list("peran", "mulai", "selesai"))
    assert rows == [("ANGGOTA", datetime.date(2020, 1, 1), today), ("BENDAHARA", today, None)]


def test_a_chair_hands_over(client, operator, data):
    """The chair becomes a member, then the member becomes chair: both terms stay on record."""
    client.force_login(operator)
    assert client.post(f"/anggota/{data['ketua'].pk}/peran/",
                       {"peran": "ANGGOTA", "tanggal": "2024-06-30"}).status_code == 302
    assert client.post(f"/anggota/{data['anggota'].pk}/peran/",
                       {"peran": "KETUA", "tanggal": "2024-06-30"}).status_code == 302
    chairs = Keanggotaan.objects.filter(perkumpulan=data["cbr"], peran="KETUA").order_by("pk")
    assert list(chairs.values_list("warga__nik", "mulai", "selesai")) == [
        (SITI, datetime.date(2020, 1, 1), datetime.date(2024, 6, 30)),
        (BUDI, datetime.date(2024, 6, 30), None),
    ]
    p = panel(client.get("/perkumpulan/CBR-DW-001/"))
    assert [(m.warga.nik, m.peran) for m in p["board"]] == [(BUDI, "KETUA")]
    assert [m.warga.nik for m in p["members"]] == [SITI]
    assert {(m.warga.nik, m.peran) for m in p["ended"]} == {(SITI, "KETUA"), (BUDI, "ANGGOTA")}


@pytest.mark.parametrize(("posted", "field", "code"), [
    ({"peran": "KETUA"}, "peran", "one_current_chair"),
    ({"peran": "ANGGOTA"}, "peran", "same_role"),
    ({"peran": "RAJA"}, "peran", "invalid_choice"),
    ({"peran": "SEKRETARIS", "tanggal": "2019-12-31"}, "tanggal", None),  # before it started
    ({"peran": "SEKRETARIS", "tanggal": "2099-01-01"}, "tanggal", "future"),
    ({"peran": "SEKRETARIS", "tanggal": "31-31-2024"}, "tanggal", "invalid"),
])
def test_a_refused_role_change_changes_nothing(client, operator, data, posted, field, code):
    client.force_login(operator)
    before = snapshot()
    response = client.post(f"/anggota/{data['anggota'].pk}/peran/", posted)
    assert response.status_code == 400
    form = response.context["role_form"]
    assert form.has_error(field, code), form.errors.as_data()
    assert response.context["end_form"].errors == {}
    assert snapshot() == before


def test_a_refused_write_rolls_the_role_change_back(client, operator, data, monkeypatch):
    """The current row is ended before the new one is written; if the database refuses the new
    one (a chair appeared in between: the check is skipped here), the end is rolled back too."""
    from registry import forms

    monkeypatch.setattr(forms, "model_errors", lambda *args, **kwargs: {})
    client.force_login(operator)
    before = snapshot()
    response = client.post(f"/anggota/{data['anggota'].pk}/peran/", {"peran": "KETUA"})
    assert response.status_code == 400
    assert response.context["role_form"].has_error(NON_FIELD_ERRORS, "conflict")
    assert snapshot() == before


def test_a_membership_ends_today_by_default(client, operator, data):
    client.force_login(operator)
    response = client.post(f"/anggota/{data['anggota'].pk}/akhiri/")
    assert response.status_code == 302
    data["anggota"].refresh_from_db()
    assert data["anggota"].selesai == timezone.localdate()
    assert data["anggota"].peran == "ANGGOTA"


def test_a_membership_ends_on_a_given_day(client, operator, data):
    client.force_login(operator)
    response = client.post(f"/anggota/{data['ketua'].pk}/akhiri/", {"selesai": "2023-03-31"})
    assert response.status_code == 302
    data["ketua"].refresh_from_db()
    assert data["ketua"].selesai == datetime.date(2023, 3, 31)
    # the group may now have another chair
    assert client.post(f"/anggota/{data['anggota'].pk}/peran/",
                       {"peran": "KETUA"}).status_code == 302


@pytest.mark.parametrize(("posted", "code"), [
    ({"selesai": "2019-12-31"}, "ends_early"),  # before it started: the model's rule
    ({"selesai": "2099-01-01"}, "future"),
    ({"selesai": "abc"}, "invalid"),
])
def test_a_refused_end_changes_nothing(client, operator, data, posted, code):
    client.force_login(operator)
    before = snapshot()
    response = client.post(f"/anggota/{data['anggota'].pk}/akhiri/", posted)
    assert response.status_code == 400
    assert response.context["end_form"].has_error("selesai", code)
    assert snapshot() == before


@pytest.mark.parametrize("action", [("akhiri", {}), ("peran", {"peran": "BENDAHARA"})])
def test_an_ended_membership_is_not_changed_again(client, operator, data, action):
    client.force_login(operator)
    url = f"/anggota/{data['anggota'].pk}/akhiri/"
    assert client.post(url, {"selesai": "2024-01-31"}).status_code == 302
    before = snapshot()
    response = client.post(f"/anggota/{data['anggota'].pk}/{action[0]}/", action[1])
    assert response.status_code == 400
    assert snapshot() == before
    # the page of an ended membership has no forms
    response = client.get(f"/anggota/{data['anggota'].pk}/")
    assert response.status_code == 200 and response.context["role_form"] is None


def test_an_end_by_someone_else_meanwhile_is_told(client, operator, data):
    """The form was checked against a current membership; it ended before the write."""
    from members.forms import EndMembershipForm

    form = EndMembershipForm({"selesai": ""}, membership=data["anggota"])
    assert form.is_valid()
    Keanggotaan.objects.filter(pk=data["anggota"].pk).update(selesai=datetime.date(2024, 1, 1))
    assert form.save() is False
    assert form.has_error(NON_FIELD_ERRORS, "ended")
    data["anggota"].refresh_from_db()
    assert data["anggota"].selesai == datetime.date(2024, 1, 1)


def test_membership_page_and_writes_cost_few_queries(client, operator, data,
                                                     django_assert_max_num_queries):
    client.force_login(operator)
    with django_assert_max_num_queries(8):
        client.get(f"/anggota/{data['anggota'].pk}/")
    # The write, and then its village's recap counts computed again once (as many queries
    # whatever the village's size: tests/registry/test_rekap_store.py; 5 of them the aid
    # store's).
    with django_assert_max_num_queries(30 + 15 + 5):
        add(client)
