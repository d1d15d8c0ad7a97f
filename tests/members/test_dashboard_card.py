"""The dashboard's count of current memberships: by area, following an ended membership, none
for observers."""

import datetime

import pytest

from members.models import Keanggotaan


def card(response):
    return [c for c in response.context["cards"] if c[2] == "/warga/"]


@pytest.mark.parametrize(("role", "expected"), [
    ("operator", 2), ("operator_lain", 1), ("staf", 3), ("staf_lain", 1), ("admin_user", 4),
])
def test_dashboard_counts_current_memberships_in_the_area(client, request, data, role,
                                                          expected):
    data["bdg_ketua"].selesai = datetime.date(2024, 1, 1)
    data["bdg_ketua"].save()
    Keanggotaan.objects.create(warga=data["dede"], perkumpulan=data["bdg"], peran="ANGGOTA")
    client.force_login(request.getfixturevalue(role))
    [(_label, value, url)] = card(client.get("/"))
    assert value == expected


def test_the_membership_card_follows_a_membership_ended_on_the_web(client, operator, data):
    client.force_login(operator)
    [(_label, before, _url)] = card(client.get("/"))
    membership = data["anggota"]
    response = client.post(f"/anggota/{membership.pk}/akhiri/", {"selesai": ""})
    assert response.status_code == 302
    [(_label, after, _url)] = card(client.get("/"))
    assert after == before - 1


def test_no_membership_card_for_observers(client, pengamat, data):
    client.force_login(pengamat)
    assert card(client.get("/")) == []
