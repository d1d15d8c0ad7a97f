"""The board and members on a group's page: role order, masked NIKs for observers, the add form for
editors, and its cost whatever the group's size."""

import datetime

import pytest

from members.models import Keanggotaan
from tests.members.conftest import ASEP, BUDI, SITI, grow, panel, queries


def test_panel_lists_board_members_and_history(client, operator, data):
    Keanggotaan.objects.create(warga=data["asep"], perkumpulan=data["cbr"], peran="SEKRETARIS",
                               mulai=datetime.date(2015, 1, 1), selesai=datetime.date(2019, 12, 31))
    client.force_login(operator)
    p = panel(client.get("/perkumpulan/CBR-DW-001/"))
    assert [(m.warga.nik, m.peran) for m in p["board"]] == [(SITI, "KETUA")]
    assert [m.warga.nik for m in p["members"]] == [BUDI]
    assert [(m.warga.nik, m.peran) for m in p["ended"]] == [(ASEP, "SEKRETARIS")]
    assert p["can_edit"] and p["personal"] and p["form"] is not None


def test_board_in_role_order(client, staf, data, make_warga):
    for nik, peran in [("3277010101900011", "BENDAHARA"), ("3277010101900012", "WAKIL"),
                       ("3277010101900013", "SEKRETARIS")]:
        Keanggotaan.objects.create(warga=make_warga(nik), perkumpulan=data["cbr"], peran=peran)
    client.force_login(staf)
    p = panel(client.get("/perkumpulan/CBR-DW-001/"))
    assert [m.peran for m in p["board"]] == ["KETUA", "WAKIL", "SEKRETARIS", "BENDAHARA"]


def test_observer_sees_masked_nik_and_no_form(client, pengamat, data):
    client.force_login(pengamat)
    response = client.get("/perkumpulan/CBR-DW-001/")
    html = response.content.decode()
    p = panel(response)
    assert not p["can_edit"] and p["form"] is None and not p["personal"]
    assert SITI not in html and BUDI not in html
    assert data["siti"].nik_tersamar in html
    assert 'href="/warga/' not in html  # no links to the people pages
    assert "/anggota/tambah/" not in html


def test_editor_sees_full_nik_and_the_form(client, operator, data):
    client.force_login(operator)
    html = client.get("/perkumpulan/CBR-DW-001/").content.decode()
    assert SITI in html
    assert 'for="anggota-nik"' in html and 'id="anggota-nik"' in html  # labels tied to inputs
    assert f'href="/anggota/{data["anggota"].pk}/"' in html


@pytest.mark.parametrize("role", ["operator", "staf", "pengamat"])
def test_group_page_costs_the_same_for_3_or_30_members(client, request, data, make_warga,
                                                       django_assert_max_num_queries, role):
    client.force_login(request.getfixturevalue(role))
    grow(data, make_warga, 3)
    few = queries(client, "/perkumpulan/CBR-DW-001/")
    for i in range(27):
        person = make_warga(f"3277010101{80 + i % 10:02d}{i + 500:04d}", nama=f"Lain {i:02d}")
        Keanggotaan.objects.create(warga=person, perkumpulan=data["cbr"])
    assert len(panel(client.get("/perkumpulan/CBR-DW-001/"))["members"]) == 31
    with django_assert_max_num_queries(few):
        client.get("/perkumpulan/CBR-DW-001/")
    assert few <= 28  # 20; 4 for the group's funds (network: panel, history); 1 for the
    # trained-leaders panel (psks); 3 for the aid panel (bantuan)
