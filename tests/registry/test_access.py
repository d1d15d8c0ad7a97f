"""Who sees what: Model.objects.visible_to(user) / editable_by(user) for every scoped model.

The world: a group, a forum, a PMKS case and partners in each of Cibeureum and Melong (both Kota
Cimahi) and Sukarasa (Kota Bandung); people living in each, one of them living in Bandung but a
member of a Cibeureum group; partners recorded at the kabupaten and province levels too.
"""

from types import SimpleNamespace

import pytest
from django.contrib.auth.models import AnonymousUser

from tests.conftest import CIBEUREUM, MELONG, SUKARASA

pytestmark = pytest.mark.django_db


@pytest.fixture
def world(make_perkumpulan, make_warga):
    from members.models import Keanggotaan
    from network.models import Forum, Hubungan, Mitra, PengurusForum
    from pmks.models import KasusPMKS, KategoriPMKS

    groups = {
        "cbr": make_perkumpulan("CBR-DW-001", desa=CIBEUREUM, nama="Dasa Wisma Mawar"),
        "mlg": make_perkumpulan("MLG-PSY-001", desa=MELONG, jenis="POSYANDU",
                                nama="Posyandu Melati"),
        "skr": make_perkumpulan("SKR-KT-001", desa=SUKARASA, jenis="KT",
                                nama="Karang Taruna Sukarasa"),
    }
    people = {
        "cbr": make_warga("3277014101800001", nama="Euis Rahmawati", wilayah_id=CIBEUREUM),
        "mlg": make_warga("3277011505750002", nama="Asep Saepudin", wilayah_id=MELONG),
        "skr": make_warga("3273010202900003", nama="Dadang Hermawan", wilayah_id=SUKARASA),
        # Lives in Bandung, is a member of a Cibeureum group.
        "bdg_in_cbr": make_warga("3273014303850004", nama="Neng Kurniasih", wilayah_id=SUKARASA),
        # Lives outside the registered villages, member of a Melong group.
        "luar_in_mlg": make_warga("3277016208700005", nama="Iyah Suryati"),
    }
    members = {
        "cbr": Keanggotaan.objects.create(warga=people["cbr"], perkumpulan=groups["cbr"],
                                          peran="KETUA"),
        "bdg_in_cbr": Keanggotaan.objects.create(warga=people["bdg_in_cbr"],
                                                 perkumpulan=groups["cbr"]),
        "mlg": Keanggotaan.objects.create(warga=people["mlg"], perkumpulan=groups["mlg"]),
        "luar_in_mlg": Keanggotaan.objects.create(warga=people["luar_in_mlg"],
                                                  perkumpulan=groups["mlg"]),
        "skr": Keanggotaan.objects.create(warga=people["skr"], perkumpulan=groups["skr"]),
    }
    miskin = KategoriPMKS.objects.get(kode="FM")
    cases = {
        key: KasusPMKS.objects.create(nama=f"Kasus {key}", desa_id=desa, kategori=miskin)
        for key, desa in [("cbr", CIBEUREUM), ("mlg", MELONG), ("skr", SUKARASA)]
    }
    partners = {
        key: Mitra.objects.create(nama=f"Mitra {key}", jenis="ORSOS", wilayah_id=kode)
        for key, kode in [
            ("cbr", CIBEUREUM), ("mlg", MELONG), ("skr", SUKARASA),
            ("cimahi", "32.77"),  # Dinas Sosial Kota Cimahi
            ("cimahi_selatan", "32.77.01"),  # the kecamatan office
            ("bandung", "32.73"),
            ("jabar", "32"),  # Dinas Sosial of the province
        ]
    }
    links = {
        "cbr": Hubungan.objects.create(perkumpulan=groups["cbr"], mitra_luar=partners["cimahi"],
                                       bentuk="KOORDINASI"),
        # Melong's link to a Cibeureum group is Melong's row.
        "mlg": Hubungan.objects.create(perkumpulan=groups["mlg"],
                                       mitra_perkumpulan=groups["cbr"], bentuk="RUJUKAN"),
        "skr": Hubungan.objects.create(perkumpulan=groups["skr"], mitra_luar=partners["skr"]),
    }
    forums = {
        key: Forum.objects.create(desa_id=desa, nama=f"WKSBM {key}", mekanisme="TIM")
        for key, desa in [("cbr", CIBEUREUM), ("mlg", MELONG), ("skr", SUKARASA)]
    }
    forums["cbr"].anggota.add(groups["cbr"])
    leaders = {
        key: PengurusForum.objects.create(forum=forums[key], warga=people[key], jabatan="Ketua")
        for key in ("cbr", "mlg", "skr")
    }
    return SimpleNamespace(
        Perkumpulan=groups, Warga=people, Keanggotaan=members, KasusPMKS=cases, Mitra=partners,
        Hubungan=links, Forum=forums, PengurusForum=leaders,
    )


def model(name):
    from members.models import Keanggotaan, Warga
    from network.models import Forum, Hubungan, Mitra, PengurusForum
    from pmks.models import KasusPMKS
    from registry.models import Perkumpulan

    return {
        "Perkumpulan": Perkumpulan, "Warga": Warga, "Keanggotaan": Keanggotaan,
        "KasusPMKS": KasusPMKS, "Mitra": Mitra, "Hubungan": Hubungan, "Forum": Forum,
        "PengurusForum": PengurusForum,
    }[name]


ALL = {
    "Perkumpulan": ["cbr", "mlg", "skr"],
    "Warga": ["cbr", "mlg", "skr", "bdg_in_cbr", "luar_in_mlg"],
    "Keanggotaan": ["cbr", "bdg_in_cbr", "mlg", "luar_in_mlg", "skr"],
    "KasusPMKS": ["cbr", "mlg", "skr"],
    "Mitra": ["cbr", "mlg", "skr", "cimahi", "cimahi_selatan", "bandung", "jabar"],
    "Hubungan": ["cbr", "mlg", "skr"],
    "Forum": ["cbr", "mlg", "skr"],
    "PengurusForum": ["cbr", "mlg", "skr"],
}

CIMAHI = {
    "Perkumpulan": ["cbr", "mlg"],
    "Warga": ["cbr", "mlg", "bdg_in_cbr", "luar_in_mlg"],
    "Keanggotaan": ["cbr", "bdg_in_cbr", "mlg", "luar_in_mlg"],
    "KasusPMKS": ["cbr", "mlg"],
    # Within Kota Cimahi, plus the province above it.
    "Mitra": ["cbr", "mlg", "cimahi", "cimahi_selatan", "jabar"],
    "Hubungan": ["cbr", "mlg"],
    "Forum": ["cbr", "mlg"],
    "PengurusForum": ["cbr", "mlg"],
}

# What each role sees, by model: the keys of the world's rows.
EXPECTED = {
    "operator": {
        "Perkumpulan": ["cbr"],
        "Warga": ["cbr", "bdg_in_cbr"],  # the Bandung resident is a member of a Cibeureum group
        "Keanggotaan": ["cbr", "bdg_in_cbr"],
        "KasusPMKS": ["cbr"],
        # Cibeureum's own, and those recorded at the kecamatan, kabupaten and province above it.
        "Mitra": ["cbr", "cimahi", "cimahi_selatan", "jabar"],
        "Hubungan": ["cbr"],
        "Forum": ["cbr"],
        "PengurusForum": ["cbr"],
    },
    "operator_lain": {
        "Perkumpulan": ["mlg"],
        "Warga": ["mlg", "luar_in_mlg"],
        "Keanggotaan": ["mlg", "luar_in_mlg"],
        "KasusPMKS": ["mlg"],
        "Mitra": ["mlg", "cimahi", "cimahi_selatan", "jabar"],
        "Hubungan": ["mlg"],
        "Forum": ["mlg"],
        "PengurusForum": ["mlg"],
    },
    "staf": CIMAHI,
    "staf_lain": {
        "Perkumpulan": ["skr"],
        "Warga": ["skr", "bdg_in_cbr"],  # she lives in Sukarasa
        "Keanggotaan": ["skr"],
        "KasusPMKS": ["skr"],
        "Mitra": ["skr", "bandung", "jabar"],
        "Hubungan": ["skr"],
        "Forum": ["skr"],
        "PengurusForum": ["skr"],
    },
    # Observers never see PMKS cases, nor people (every page of a person is personal data).
    "pengamat": dict(CIMAHI, KasusPMKS=[], Warga=[]),
    "admin_user": ALL,
}

MODELS = list(ALL)
ROLES = list(EXPECTED)


def keys(world, name, queryset) -> list[str]:
    """The world's keys of the rows in `queryset`, sorted; a row listed twice shows twice."""
    by_pk = {row.pk: key for key, row in getattr(world, name).items()}
    return sorted(by_pk[pk] for pk in queryset.values_list("pk", flat=True))


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("name", MODELS)
def test_visible_to(request, world, role, name):
    user = request.getfixturevalue(role)
    visible = model(name).objects.visible_to(user)
    assert keys(world, name, visible) == sorted(EXPECTED[role][name])


# A person is changed where they live (one with no residence, where their groups are): the
# Bandung resident seen as a member of a Cibeureum group is not Cibeureum's to change.
EDITABLE_PEOPLE = {
    "operator": ["cbr"],
    "operator_lain": ["mlg", "luar_in_mlg"],
    "staf": ["cbr", "mlg", "luar_in_mlg"],
    "staf_lain": ["skr", "bdg_in_cbr"],
    "admin_user": ALL["Warga"],
}
# A partner is changed (renamed, moved, deleted) within its own area only: those recorded above
# a user's area are seen, to link groups to, but are not theirs to change.
EDITABLE_PARTNERS = {
    "operator": ["cbr"],
    "operator_lain": ["mlg"],
    "staf": ["cbr", "mlg", "cimahi", "cimahi_selatan"],
    "staf_lain": ["skr", "bandung"],
    "admin_user": ALL["Mitra"],
}


@pytest.mark.parametrize("role", ["operator", "operator_lain", "staf", "staf_lain", "admin_user"])
@pytest.mark.parametrize("name", MODELS)
def test_editable_by_follows_the_records_own_area(request, world, role, name):
    user = request.getfixturevalue(role)
    editable = model(name).objects.editable_by(user)
    expected = {"Warga": EDITABLE_PEOPLE, "Mitra": EDITABLE_PARTNERS}.get(name, EXPECTED)[role]
    expected = expected[name] if isinstance(expected, dict) else expected
    assert keys(world, name, editable) == sorted(expected)


@pytest.mark.parametrize("name", [*MODELS, "Wilayah", "User"])
def test_observer_edits_nothing(world, pengamat, name):
    from registry.models import User, Wilayah

    manager = {"Wilayah": Wilayah, "User": User}.get(name) or model(name)
    assert manager.objects.editable_by(pengamat).count() == 0


def test_operator_never_sees_a_neighbour_village_row(world, operator):
    """The same fact as the table, said plainly for the row an operator is most likely to spot."""
    from registry.models import Perkumpulan

    kode = set(Perkumpulan.objects.visible_to(operator).values_list("kode", flat=True))
    assert kode == {"CBR-DW-001"}
    assert "MLG-PSY-001" not in kode


def inactive(user):
    user.is_active = False
    user.save()
    return user


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("name", [*MODELS, "Wilayah", "User"])
def test_inactive_user_sees_nothing(request, world, role, name):
    from registry.models import User, Wilayah

    user = inactive(request.getfixturevalue(role))
    manager = {"Wilayah": Wilayah, "User": User}.get(name) or model(name)
    assert manager.objects.visible_to(user).count() == 0
    assert manager.objects.editable_by(user).count() == 0


@pytest.mark.parametrize("name", [*MODELS, "Wilayah", "User"])
def test_anonymous_user_sees_nothing(world, name):
    from registry.models import User, Wilayah

    manager = {"Wilayah": Wilayah, "User": User}.get(name) or model(name)
    assert manager.objects.visible_to(AnonymousUser()).count() == 0
    assert manager.objects.editable_by(AnonymousUser()).count() == 0


def test_member_living_elsewhere_is_visible_once_even_with_two_memberships(
    world, operator, make_perkumpulan
):
    from members.models import Keanggotaan, Warga

    second = make_perkumpulan("CBR-PGJ-001", jenis="PENGAJIAN", nama="Majelis Taklim Al-Ikhlas")
    Keanggotaan.objects.create(warga=world.Warga["bdg_in_cbr"], perkumpulan=second)
    names = list(Warga.objects.visible_to(operator).values_list("nama", flat=True))
    assert sorted(names) == ["Euis Rahmawati", "Neng Kurniasih"]


def test_partner_at_kabupaten_reaches_its_villages_only(world, operator, operator_lain):
    from network.models import Mitra

    for user in (operator, operator_lain):
        visible = set(Mitra.objects.visible_to(user).values_list("nama", flat=True))
        assert "Mitra cimahi" in visible
        assert "Mitra bandung" not in visible


# ---------------------------------------------------------------------------------------------
# Areas and accounts


def test_operator_sees_only_their_desa(operator):
    from registry.models import Wilayah

    assert list(Wilayah.objects.visible_to(operator).values_list("kode", flat=True)) == [CIBEUREUM]


def test_staff_sees_their_kabupaten_and_everything_in_it(staf, staf_lain, pengamat):
    from registry.models import Wilayah

    cimahi = Wilayah.objects.visible_to(staf)
    # Kota Cimahi itself, its 3 kecamatan and 15 kelurahan; not the province above it.
    assert cimahi.count() == 19
    assert {w.tingkat for w in cimahi} == {"kabupaten", "kecamatan", "desa"}
    assert cimahi.filter(kode__in=[CIBEUREUM, MELONG, "32.77", "32.77.01"]).count() == 4
    assert not cimahi.filter(kode__in=["32", "32.73", SUKARASA]).exists()
    # Kota Bandung's staff: the kabupaten and the one kecamatan loaded with its 4 kelurahan.
    bandung = Wilayah.objects.visible_to(staf_lain)
    assert bandung.count() == 6
    assert not bandung.filter(kode__startswith="32.77").exists()
    assert list(Wilayah.objects.visible_to(pengamat)) == list(cimahi)


def test_admin_sees_every_area(admin_user):
    from registry.models import Wilayah

    assert Wilayah.objects.visible_to(admin_user).count() == Wilayah.objects.count() == 26


def test_only_an_administrator_sees_accounts(operator, staf, pengamat, admin_user):
    from registry.models import User

    assert User.objects.visible_to(admin_user).count() == 4
    for user in (operator, staf, pengamat):
        assert User.objects.visible_to(user).count() == 0
        assert User.objects.editable_by(user).count() == 0



@pytest.mark.parametrize("role", [*ROLES, "pengamat", "admin of an area", "operator without area"])
@pytest.mark.parametrize("active", [True, False])
def test_may_write_area_and_editable_areas_agree(request, role, active):
    """`access.may_write_area` and `Wilayah.objects.editable_by` are one rule said twice (for one
    area, and as a queryset): for every role they agree on every area of the tree, from the
    province down to the villages."""
    from registry import access
    from registry.models import User, Wilayah
    from tests.conftest import make_user

    if role == "admin of an area":
        user = make_user("admin_cimahi", "admin", "32.77")
    elif role == "operator without area":  # refused by the model's checks; the rule holds anyway
        user = User.objects.create(username="operator_tanpa_wilayah", peran="operator")
    else:
        user = request.getfixturevalue(role)
    if not active:
        user = inactive(user)
    areas = list(Wilayah.objects.all())
    assert {a.tingkat for a in areas} == {"provinsi", "kabupaten", "kecamatan", "desa"}
    editable = set(Wilayah.objects.editable_by(user).values_list("pk", flat=True))
    assert {a.pk for a in areas if access.may_write_area(user, a)} == editable
