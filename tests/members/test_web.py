"""The village officer's member pages: who may open and change what, the add-by-NIK form and its
errors, role changes and ended memberships kept as history, the people search, the dashboard card,
the query counts."""

import datetime

import pytest
from django.core.exceptions import NON_FIELD_ERRORS
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from members.models import Keanggotaan, Warga
from tests.conftest import CIBEUREUM, MELONG, SUKARASA

SITI = "3277014101800001"  # a woman born 1 January 1980 (day + 40), Cibeureum
BUDI = "3277010203750002"  # a man born 2 March 1975, Cibeureum
ASEP = "3277011212850003"  # Melong
DEDE = "3273011505900004"  # Kota Bandung
NEW_NIK = "3277012506010005"  # nobody yet


@pytest.fixture
def data(make_perkumpulan, make_warga):
    cbr = make_perkumpulan("CBR-DW-001", nama="Dasa Wisma Mawar")
    mlg = make_perkumpulan("MLG-DW-001", desa=MELONG, nama="Dasa Wisma Melati")
    bdg = make_perkumpulan("BDG-DW-001", desa=SUKARASA, nama="Dasa Wisma Bandung")
    siti = make_warga(SITI, nama="Siti Aminah", wilayah_id=CIBEUREUM, pendidikan="SMA")
    budi = make_warga(BUDI, nama="Budi Santoso", wilayah_id=CIBEUREUM)
    asep = make_warga(ASEP, nama="Asep Sunandar", wilayah_id=MELONG)
    dede = make_warga(DEDE, nama="Dede Rahmat", wilayah_id=SUKARASA)
    start = datetime.date(2020, 1, 1)
    return {
        "cbr": cbr, "mlg": mlg, "bdg": bdg,
        "siti": siti, "budi": budi, "asep": asep, "dede": dede,
        "ketua": Keanggotaan.objects.create(warga=siti, perkumpulan=cbr, peran="KETUA",
                                            mulai=start),
        "anggota": Keanggotaan.objects.create(warga=budi, perkumpulan=cbr, mulai=start),
        "mlg_ketua": Keanggotaan.objects.create(warga=asep, perkumpulan=mlg, peran="KETUA"),
        "bdg_ketua": Keanggotaan.objects.create(warga=dede, perkumpulan=bdg, peran="KETUA"),
    }


ROLES = ["anonymous", "operator", "operator_lain", "staf", "staf_lain", "pengamat", "admin_user"]


def login(client, request, role):
    if role != "anonymous":
        client.force_login(request.getfixturevalue(role))
    return client


def statuses(anonymous=302, operator=200, operator_lain=404, staf=200, staf_lain=404,
             pengamat=403, admin_user=200):
    return dict(anonymous=anonymous, operator=operator, operator_lain=operator_lain, staf=staf,
                staf_lain=staf_lain, pengamat=pengamat, admin_user=admin_user)


ADD = {"nik": NEW_NIK, "nama": "Rina Marlina", "jenis_kelamin": "P", "peran": "ANGGOTA"}

# (method, URL, posted data) → status by role. {name} is the pk of a fixture row. 302 for an
# anonymous user is the login page; 302 after a POST is the group's page (saved).
MATRIX = [
    ("get", "/warga/", None, statuses(operator_lain=200, staf_lain=200)),
    ("get", "/warga/?q=siti&page=abc", None, statuses(operator_lain=200, staf_lain=200)),
    ("get", "/warga/{siti}/", None, statuses()),
    ("get", "/warga/{dede}/", None, statuses(operator=404, staf=404, staf_lain=200)),
    ("get", "/warga/999999/", None, statuses(operator=404, staf=404, admin_user=404)),
    ("get", "/perkumpulan/CBR-DW-001/", None, statuses(pengamat=200)),
    ("get", "/anggota/{anggota}/", None, statuses()),
    ("get", "/anggota/{bdg_ketua}/", None, statuses(operator=404, staf=404, staf_lain=200)),
    ("post", "/perkumpulan/CBR-DW-001/anggota/tambah/", ADD,
     statuses(operator=302, staf=302, admin_user=302)),
    ("post", "/perkumpulan/BDG-DW-001/anggota/tambah/", ADD,
     statuses(operator=404, staf=404, staf_lain=302, admin_user=302)),
    ("post", "/anggota/{anggota}/peran/", {"peran": "BENDAHARA"},
     statuses(operator=302, staf=302, admin_user=302)),
    ("post", "/anggota/{anggota}/akhiri/", {}, statuses(operator=302, staf=302, admin_user=302)),
    ("post", "/anggota/{mlg_ketua}/akhiri/", {},
     statuses(operator=404, operator_lain=302, staf=302, admin_user=302)),
]


def snapshot():
    return (
        list(Warga.objects.order_by("pk").values_list()),
        list(Keanggotaan.objects.order_by("pk").values_list()),
    )


@pytest.mark.parametrize(
    ("method", "url", "posted", "expected", "role"),
    [(m, u, p, e, r) for m, u, p, e in MATRIX for r in ROLES],
    ids=[f"{m}-{u}-{r}" for m, u, _p, _e in MATRIX for r in ROLES],
)
def test_permission_matrix(client, request, data, method, url, posted, expected, role):
    url = url.format(**{name: row.pk for name, row in data.items()})
    before = snapshot()
    response = getattr(login(client, request, role), method)(url, posted)
    assert response.status_code == expected[role], (method, url, role)
    if role == "anonymous":
        assert response["Location"].startswith("/accounts/login/")
    elif response.status_code == 302:
        assert response["Location"].startswith("/perkumpulan/")
    if method == "post" and response.status_code != 302:
        assert snapshot() == before  # nothing written by a refused request


@pytest.mark.parametrize("url", [
    "/perkumpulan/CBR-DW-001/anggota/tambah/", "/anggota/{anggota}/peran/",
    "/anggota/{anggota}/akhiri/",
])
def test_changes_are_post_only(client, operator, data, url):
    client.force_login(operator)
    response = client.get(url.format(anggota=data["anggota"].pk))
    assert response.status_code == 405


# The panel on a group's page -------------------------------------------------------------------
def panel(response) -> dict:
    [found] = [p["context"] for p in response.context["panels"]
               if p["template"] == "members/panel_anggota.html"]
    return found


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


# Adding a member by NIK ------------------------------------------------------------------------
def add(client, kode="CBR-DW-001", **changes):
    posted = {**ADD, **changes}
    return client.post(f"/perkumpulan/{kode}/anggota/tambah/",
                        {k: v for k, v in posted.items() if v is not None})


def test_a_new_person_is_registered_and_added(client, operator, data):
    client.force_login(operator)
    response = add(client, tanggal_lahir="2001-06-25", pendidikan="SMA", mulai="2024-02-01")
    assert response.status_code == 302
    assert response["Location"] == "/perkumpulan/CBR-DW-001/#anggota"
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


# Changing a role, ending a membership ----------------------------------------------------------
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
    ({"peran": "SEKRETARIS", "tanggal": "2999-01-01"}, "tanggal", "future"),
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
    ({"selesai": "2999-01-01"}, "future"),
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


# People ----------------------------------------------------------------------------------------
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


# The dashboard card ----------------------------------------------------------------------------
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


# Query counts ----------------------------------------------------------------------------------
def queries(client, url) -> int:
    with CaptureQueriesContext(connection) as captured:
        assert client.get(url).status_code == 200
    return len(captured)


def grow(data, make_warga, n):
    """n people, each a current member of both Cimahi groups, every other one with an ended
    earlier role in Cibeureum."""
    for i in range(n):
        person = make_warga(f"3277010101{70 + i % 20:02d}{i + 100:04d}", nama=f"Orang {i:02d}")
        for group in (data["cbr"], data["mlg"]):
            Keanggotaan.objects.create(warga=person, perkumpulan=group,
                                       mulai=datetime.date(2022, 1, 1))
        if i % 2:
            Keanggotaan.objects.create(warga=person, perkumpulan=data["cbr"], peran="BENDAHARA",
                                       mulai=datetime.date(2020, 1, 1),
                                       selesai=datetime.date(2021, 12, 31))


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
    assert few <= 20


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


def test_membership_page_and_writes_cost_few_queries(client, operator, data,
                                                     django_assert_max_num_queries):
    client.force_login(operator)
    with django_assert_max_num_queries(8):
        client.get(f"/anggota/{data['anggota'].pk}/")
    with django_assert_max_num_queries(30):
        add(client)
