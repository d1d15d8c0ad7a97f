"""Picking a group by its code or name (registry.forms.GroupPickField, GroupsPickField,
pick_group) and the search the pickers ask as the user types (registry:perkumpulan_cari)."""

import pytest
from django.core.exceptions import ValidationError
from django.test import Client

from registry.forms import GroupPickField, GroupsPickField, pick_group
from registry.models import Perkumpulan
from tests.conftest import CIBEUREUM, MELONG


@pytest.fixture
def anggrek(make_perkumpulan):
    """Three groups of one name, as seed 004's villages have them, and two others."""
    return [
        make_perkumpulan("CBR-DW-021", nama="Dasa Wisma Anggrek", rw=2),
        make_perkumpulan("CBR-DW-051", nama="Dasa Wisma Anggrek", rw=5),
        make_perkumpulan("MLG-DW-021", desa=MELONG, nama="Dasa Wisma Anggrek", rw=2),
        make_perkumpulan("CBR-KT-001", jenis="KT", nama="Karang Taruna Tunas Harapan"),
        make_perkumpulan("CBR-PSY-001", jenis="POSYANDU", nama="Posyandu Anggrek Putih", rw=2),
    ]


def picked(text, groups=None):
    return pick_group(groups or Perkumpulan.objects.all(), text).kode


def test_a_group_is_picked_by_its_code_its_name_or_a_part_of_either(anggrek):
    assert picked("cbr-dw-051") == "CBR-DW-051"
    assert picked("  Karang   Taruna Tunas Harapan ") == "CBR-KT-001"
    assert picked("tunas") == "CBR-KT-001"
    assert picked("anggrek putih") == "CBR-PSY-001"
    assert picked("PSY-0") == "CBR-PSY-001"
    # A label the picker offered, sent whole (pasted, or chosen where the browser sends it).
    assert picked("Dasa Wisma Anggrek — Dasa Wisma, RW 5, Cibeureum (CBR-DW-051)") == "CBR-DW-051"


def test_an_ambiguous_name_lists_the_groups_it_could_mean_with_their_codes(anggrek):
    with pytest.raises(ValidationError) as caught:
        picked("Dasa Wisma Anggrek")
    message = caught.value.messages[0]
    assert caught.value.error_list[0].code == "ambiguous"
    for label in ("Dasa Wisma Anggrek — Dasa Wisma, RW 2, Cibeureum (CBR-DW-021)",
                  "Dasa Wisma Anggrek — Dasa Wisma, RW 5, Cibeureum (CBR-DW-051)",
                  "Dasa Wisma Anggrek — Dasa Wisma, RW 2, Melong (MLG-DW-021)"):
        assert label in message
    # Within one village's groups the RW tells them apart; the code always picks.
    village = Perkumpulan.objects.filter(desa_id=CIBEUREUM)
    with pytest.raises(ValidationError) as caught:
        picked("anggrek", village)
    assert "MLG-DW-021" not in caught.value.messages[0]
    assert picked("MLG-DW-021") == "MLG-DW-021"


def test_a_nul_character_is_refused_before_any_query(anggrek):
    """PostgreSQL refuses NUL in a query's text: a text with one is told, never sent."""
    for text in ("\x00", "Mawar\x00"):
        with pytest.raises(ValidationError) as caught:
            picked(text)
        assert caught.value.error_list[0].code == "null_characters_not_allowed"
    with pytest.raises(ValidationError):
        GroupsPickField(queryset=Perkumpulan.objects.all()).clean(["CBR-DW-021", "\x00"])


def test_a_group_outside_the_choice_is_unknown_not_found(anggrek):
    village = Perkumpulan.objects.filter(desa_id=CIBEUREUM)
    for text in ("MLG-DW-021", "tidak ada"):
        with pytest.raises(ValidationError) as caught:
            picked(text, village)
        assert caught.value.error_list[0].code == "unknown"


def test_the_fields_clean_to_groups(anggrek):
    one = GroupPickField(queryset=Perkumpulan.objects.all(), required=False)
    assert one.clean("") is None and one.clean("tunas").kode == "CBR-KT-001"
    many = GroupsPickField(queryset=Perkumpulan.objects.filter(desa_id=CIBEUREUM))
    chosen = many.clean(["CBR-DW-021", "tunas", "cbr-dw-021", ""])
    assert [g.kode for g in chosen] == ["CBR-DW-021", "CBR-KT-001"]
    assert many.clean([]) == []
    with pytest.raises(ValidationError) as caught:
        many.clean(["CBR-DW-021", "MLG-DW-021", "anggrek"])
    assert [e.code for e in caught.value.error_list] == ["unknown", "ambiguous"]


def test_the_search_answers_the_users_own_groups_its_village_first(client, staf, operator,
                                                                   anggrek):
    def found(who, **query):
        client.force_login(who)
        response = client.get("/cari/perkumpulan/", query)
        assert response.status_code == 200 and response["Content-Type"] == "application/json"
        return [g["kode"] for g in response.json()["hasil"]]

    assert found(staf, q="anggrek") == ["CBR-DW-021", "CBR-DW-051", "MLG-DW-021", "CBR-PSY-001"]
    assert found(staf, q="anggrek", desa=MELONG)[0] == "MLG-DW-021"
    assert found(operator, q="anggrek") == ["CBR-DW-021", "CBR-DW-051", "CBR-PSY-001"]
    assert found(operator, q="a") == []  # two characters at least
    client.force_login(staf)
    assert client.get("/cari/perkumpulan/", {"q": "tunas\x00"}).status_code == 400
    first = client.get("/cari/perkumpulan/", {"q": "tunas"}).json()["hasil"][0]
    assert first == {"kode": "CBR-KT-001",
                     "label": "Karang Taruna Tunas Harapan — Pemuda/Karang Taruna, Cibeureum "
                     "(CBR-KT-001)"}
    assert Client().get("/cari/perkumpulan/", {"q": "tunas"}).status_code == 302  # to log in


def test_a_page_with_a_picker_loads_its_script_once_and_others_none(client, operator, anggrek):
    client.force_login(operator)
    html = client.get("/forum/").content.decode()  # two pickers: the forum's and none other
    assert html.count('id="id_anggota-pilihan"') == 1
    assert html.count("wksbm/forms.js") >= 1
    assert "<script" not in client.get("/perkumpulan/").content.decode()


def test_the_search_answers_twenty_at_most(client, staf, make_perkumpulan):
    for i in range(25):
        make_perkumpulan(f"CBR-DW-{i:03d}", nama=f"Dasa Wisma Mawar {i:02d}")
    client.force_login(staf)
    found = client.get("/cari/perkumpulan/", {"q": "mawar"}).json()["hasil"]
    assert [g["kode"] for g in found] == [f"CBR-DW-{i:03d}" for i in range(20)]
