"""The case form tells nothing of a registered person the user may not see (they live in another
village and are in none of its groups): typing their NIK shows neither their name nor anything
else of them — not in the form, its errors or its message. The form says a person with this NIK
is registered and asks for their name as registered, and takes the person only when the name
typed is theirs (any case, any spacing)."""

import datetime

import pytest

from members.models import Keanggotaan, Warga
from pmks.models import KasusPMKS, KategoriPMKS
from tests.conftest import CIBEUREUM, MELONG, SUKARASA

pytestmark = pytest.mark.django_db

HIDDEN_NIK = "3277011505750002"  # lives in Melong
NAME = "Ujang Sukmana Rahasia"
SECRETS = [NAME, "Sukmana", "Jl. Kenari Rahasia 9", "1975", "15-05-1975", "15/05/1975",
           "Mei 1975", "Melong"]


@pytest.fixture
def hidden(make_warga, make_perkumpulan):
    person = make_warga(HIDDEN_NIK, nama=NAME, wilayah_id=MELONG, rw=4, rt=2,
                        alamat="Jl. Kenari Rahasia 9", tanggal_lahir=datetime.date(1975, 5, 15),
                        jenis_kelamin="L")
    group = make_perkumpulan("MLG-DW-001", desa=MELONG, nama="Dasa Wisma Melong")
    Keanggotaan.objects.create(warga=person, perkumpulan=group)
    return person


def categories():
    return list(KategoriPMKS.objects.order_by("urutan", "nama")[:2])


def new_case(client, **data):
    data.setdefault("kategori", categories()[0].pk)
    return client.post("/pmks/baru/", data)


def shown(response) -> str:
    """Everything the user gets: the page, and the messages it carries to the next page."""
    from django.contrib.messages import get_messages

    messages = " ".join(str(m) for m in get_messages(response.wsgi_request))
    return response.content.decode() + messages


def assert_nothing_of_them(response):
    text = shown(response)
    for secret in SECRETS:
        assert secret not in text, secret


def test_the_person_is_not_visible_to_the_operator(operator, hidden):
    assert not Warga.objects.visible_to(operator).filter(pk=hidden.pk).exists()


def test_a_nik_alone_asks_for_the_name_and_shows_none(client, operator, hidden):
    client.force_login(operator)
    before = (KasusPMKS.objects.count(), Warga.objects.count())
    response = new_case(client, nik=HIDDEN_NIK)
    assert response.status_code == 400
    form = response.context["form"]
    assert form.has_error("nama", "registered_name"), form.errors.as_data()
    assert form["nama"].value() in ("", None)
    assert_nothing_of_them(response)
    assert (KasusPMKS.objects.count(), Warga.objects.count()) == before


def test_a_wrong_name_is_refused_and_the_right_one_not_told(client, operator, hidden):
    client.force_login(operator)
    response = new_case(client, nik=HIDDEN_NIK, nama="Ujang")
    assert response.status_code == 400
    assert response.context["form"].has_error("nama", "registered_name_mismatch")
    assert_nothing_of_them(response)
    assert not KasusPMKS.objects.exists()


def test_the_name_as_registered_is_taken_in_any_case_and_spacing(client, operator, hidden):
    client.force_login(operator)
    response = new_case(client, nik=f" {HIDDEN_NIK[:8]} {HIDDEN_NIK[8:]} ",
                        nama="  ujang   SUKMANA rahasia ", alamat="Kp. Babakan")
    assert response.status_code == 302
    case = KasusPMKS.objects.get()
    assert (case.warga, case.nama, case.desa_id, case.alamat) == (
        hidden, "ujang   SUKMANA rahasia", CIBEUREUM, "Kp. Babakan")
    assert Warga.objects.count() == 1
    # The case's page shows the case as typed, nothing of the person's own record.
    page = client.get(f"/pmks/{case.pk}/")
    text = page.content.decode()
    assert HIDDEN_NIK in text
    for secret in SECRETS:
        assert secret not in text, secret


def test_their_case_elsewhere_is_not_told_to_someone_without_their_name(
        client, operator, hidden):
    first = categories()[0]
    KasusPMKS.objects.create(nama=NAME, warga=hidden, desa_id=MELONG, kategori=first,
                             alamat="Jl. Kenari Rahasia 9")
    client.force_login(operator)
    response = new_case(client, nik=HIDDEN_NIK, nama="Asep", kategori=first.pk)
    form = response.context["form"]
    assert response.status_code == 400
    assert form.has_error("nama", "registered_name_mismatch")
    assert not form.has_error("kategori"), form.errors.as_data()  # nothing said of the case
    assert_nothing_of_them(response)
    # With their name: refused, without pointing at a case the user cannot open.
    response = new_case(client, nik=HIDDEN_NIK, nama=NAME.upper(), kategori=first.pk)
    form = response.context["form"]
    assert form.has_error("kategori", "pmks_person_category_open_unique")
    from pmks.forms import CONSTRAINT_ERRORS, HIDDEN_PERSON_ERRORS

    told = form.errors["kategori"]
    assert told == [str(HIDDEN_PERSON_ERRORS["pmks_person_category_open_unique"][1])]
    assert str(CONSTRAINT_ERRORS["pmks_person_category_open_unique"][1]) not in told
    assert KasusPMKS.objects.count() == 1


def test_staff_of_another_city_are_asked_the_same(client, staf_lain, hidden):
    client.force_login(staf_lain)
    response = new_case(client, nik=HIDDEN_NIK, desa_kode=SUKARASA)
    assert response.status_code == 400
    assert response.context["form"].has_error("nama", "registered_name")
    assert_nothing_of_them(response)


def test_a_person_within_reach_is_still_found_by_nik(client, operator, make_warga):
    """Living in the operator's village: their name is used when none is typed."""
    person = make_warga("3277014101800001", nama="Mak Icih", wilayah_id=CIBEUREUM)
    client.force_login(operator)
    assert new_case(client, nik=person.nik).status_code == 302
    assert KasusPMKS.objects.get().nama == "Mak Icih"


def test_a_member_of_the_users_groups_is_within_reach(client, operator, hidden,
                                                      make_perkumpulan):
    """Living in Melong but a member of a Cibeureum group: within the operator's reach."""
    group = make_perkumpulan("CBR-DW-001", nama="Dasa Wisma Mawar")
    Keanggotaan.objects.create(warga=hidden, perkumpulan=group)
    client.force_login(operator)
    assert new_case(client, nik=HIDDEN_NIK).status_code == 302
    assert KasusPMKS.objects.get().nama == NAME
