"""The people search and a person's page: within the user's area, current groups, paging, and
their cost whatever the number of people."""

import datetime

import pytest

from members.models import Keanggotaan
from tests.conftest import CIBEUREUM, MELONG
from tests.members.conftest import ASEP, BUDI, DEDE, SITI, grow, queries


def found(response) -> list[str]:
    return [w.nik for w in response.context["page"].object_list]


@pytest.mark.parametrize(("role", "q", "expected"), [
    ("operator", "", [BUDI, SITI]),
    ("operator", SITI, [SITI]),
    ("operator", "327701", [BUDI, SITI]),
    ("operator", "3277 0141", [SITI]),
    ("operator", "siti", [SITI]),
    ("operator", "aminah SITI", [SITI]),
    ("operator", "santoso siti", []),
    ("operator", DEDE, []),  # outside the area
    ("operator", "dede", []),
    ("staf", "", [ASEP, BUDI, SITI]),
    ("staf", "3277011", [ASEP]),
    ("staf_lain", "", [DEDE]),
    ("staf_lain", "siti", []),
    ("admin_user", "3277", [ASEP, BUDI, SITI]),
])
def test_people_search_within_the_area(client, request, data, role, q, expected):
    client.force_login(request.getfixturevalue(role))
    response = client.get("/warga/", {"q": q})
    assert response.status_code == 200
    assert found(response) == expected


def test_a_member_from_elsewhere_is_within_reach_of_the_group(client, operator, data):
    """Dede lives in Bandung; once a member of a Cibeureum group, Cibeureum's operator finds
    them, with the Cibeureum group only."""
    Keanggotaan.objects.create(warga=data["dede"], perkumpulan=data["cbr"])
    client.force_login(operator)
    response = client.get("/warga/", {"q": "dede"})
    assert found(response) == [DEDE]
    [person] = response.context["page"].object_list
    assert [m.perkumpulan.kode for m in person.kini] == ["CBR-DW-001"]
    response = client.get(f"/warga/{data['dede'].pk}/")
    assert response.status_code == 200
    assert [m.perkumpulan.kode for m in response.context["memberships"]] == ["CBR-DW-001"]
    assert "BDG-DW-001" not in response.content.decode()


def test_the_village_column_says_where_people_live_or_their_groups_are(client, staf, data):
    """A survey lists people by their groups, not where they live: a person without a recorded
    residence shows the villages of their current groups, said so."""
    from members.models import Warga

    Warga.objects.filter(pk=data["budi"].pk).update(wilayah=None)
    Keanggotaan.objects.create(warga=data["budi"], perkumpulan=data["mlg"])
    client.force_login(staf)
    html = client.get("/warga/", {"q": "santoso"}).content.decode()
    assert "Cibeureum, Melong <small class=\"muted\">(menurut perkumpulannya)</small>" in html
    html = client.get("/warga/", {"q": "siti"}).content.decode()
    assert ">Cibeureum</td>" in html and "menurut perkumpulannya" not in html


def test_people_show_current_groups_only(client, staf, data):
    data["anggota"].selesai = datetime.date(2023, 1, 1)
    data["anggota"].save()
    Keanggotaan.objects.create(warga=data["budi"], perkumpulan=data["mlg"], peran="BENDAHARA")
    client.force_login(staf)
    response = client.get("/warga/", {"q": BUDI})
    [budi] = response.context["page"].object_list
    assert [(m.perkumpulan.kode, m.peran) for m in budi.kini] == [("MLG-DW-001", "BENDAHARA")]


def test_a_person_page_lists_current_then_past_memberships(client, operator, data):
    client.force_login(operator)
    client.post(f"/anggota/{data['anggota'].pk}/peran/", {"peran": "SEKRETARIS"})
    response = client.get(f"/warga/{data['budi'].pk}/")
    assert response.status_code == 200
    assert [(m.peran, m.aktif) for m in response.context["memberships"]] == [
        ("SEKRETARIS", True), ("ANGGOTA", False)]
    assert BUDI in response.content.decode()


@pytest.mark.parametrize("query", [{"page": "abc"}, {"page": "-1"}, {"page": "99999"},
                                   {"q": "x" * 151}, {"q": "siti", "page": "2.5"}])
def test_any_query_gives_a_page(client, staf, data, query):
    client.force_login(staf)
    response = client.get("/warga/", query)
    assert response.status_code in (200, 400)
    assert response.status_code == (400 if "q" in query and len(query["q"]) > 150 else 200)


def test_pages_keep_the_search(client, staf, data, make_warga):
    for i in range(55):
        p = make_warga(f"327701010190{i + 1:04d}", nama=f"Nunung {i:02d}")
        Keanggotaan.objects.create(warga=p, perkumpulan=data["mlg"])
    client.force_login(staf)
    response = client.get("/warga/", {"q": "nunung"})
    assert response.context["page"].paginator.count == 55
    assert 'href="?q=nunung&amp;page=2"' in response.content.decode()
    assert len(found(client.get("/warga/", {"q": "nunung", "page": "2"}))) == 5


@pytest.mark.parametrize("url", ["/warga/", "/warga/?q=3277", "/warga/{budi}/"])
def test_people_pages_cost_the_same_for_3_or_30_people(client, staf, data, make_warga,
                                                       make_perkumpulan,
                                                       django_assert_max_num_queries, url):
    url = url.format(budi=data["budi"].pk)
    client.force_login(staf)
    grow(data, make_warga, 3)
    few = queries(client, url)
    for i in range(27):
        person = make_warga(f"3277010101{80 + i % 10:02d}{i + 500:04d}", nama=f"Lain {i:02d}")
        group = make_perkumpulan(f"CBR-X-{i:02d}")
        Keanggotaan.objects.create(warga=person, perkumpulan=data["cbr"])
        Keanggotaan.objects.create(warga=person, perkumpulan=group)
        Keanggotaan.objects.create(warga=data["budi"], perkumpulan=group, peran="KETUA")
    with django_assert_max_num_queries(few):
        response = client.get(url)
    assert response.status_code == 200
    assert few <= 12


def test_staff_narrow_the_people_search_to_a_village_of_their_area(client, staf, operator, data):
    """A person is in a part of the area when they live there or belong to a group there."""
    client.force_login(staf)
    assert found(client.get("/warga/", {"wilayah": MELONG})) == [ASEP]
    assert found(client.get("/warga/", {"wilayah": CIBEUREUM})) == [BUDI, SITI]
    Keanggotaan.objects.create(warga=data["asep"], perkumpulan=data["cbr"])
    assert found(client.get("/warga/", {"wilayah": CIBEUREUM, "q": "asep"})) == [ASEP]
    assert client.get("/warga/", {"wilayah": "32.73.01"}).status_code == 400
    client.force_login(operator)
    assert "wilayah" not in client.get("/warga/").context["form"].fields
