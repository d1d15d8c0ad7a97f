"""create_user: accounts with a role and an area, the password from WKSBM_PASSWORD."""

import io

import pytest
from django.core.management import CommandError, call_command
from django.http import HttpRequest
from django.utils import translation

from tests.conftest import CIBEUREUM

pytestmark = pytest.mark.django_db


PASSWORD = "Gotong-Royong-2026!"


@pytest.fixture(autouse=True)
def password(monkeypatch):
    monkeypatch.setenv("WKSBM_PASSWORD", PASSWORD)


def create(username: str, **options) -> str:
    out = io.StringIO()
    with translation.override("en"):
        call_command("create_user", username, stdout=out, **options)
    return out.getvalue().strip()


def get(username: str):
    from registry.models import User

    return User.objects.select_related("wilayah").get(username=username)


@pytest.mark.parametrize(
    ("role", "wilayah", "output"),
    [
        ("operator", CIBEUREUM, "Created Village operator 'budi' in 32.77.01.1002 Cibeureum."),
        ("kecamatan", "32.77.01",
         "Created Kecamatan worker (camat's office, TKSK) 'budi' in 32.77.01 Cimahi Selatan."),
        ("staf", "32.77", "Created Dinas Sosial staff 'budi' in 32.77 Kota Cimahi."),
        ("staf", "32", "Created Dinas Sosial staff 'budi' in 32 Jawa Barat."),
        ("pengamat", "32.77.01", "Created Observer 'budi' in 32.77.01 Cimahi Selatan."),
        ("pengamat", CIBEUREUM, "Created Observer 'budi' in 32.77.01.1002 Cibeureum."),
        ("admin", "32.77", "Created Administrator 'budi' in 32.77 Kota Cimahi."),
    ],
)
def test_each_role_is_created_in_its_area(role, wilayah, output):
    from django.utils import translation

    with translation.override("en"):
        assert create("budi", role=role, wilayah=wilayah) == output
    user = get("budi")
    assert (user.peran, user.wilayah_id) == (role, wilayah)
    assert user.is_active and user.is_staff  # every role works in the admin
    assert user.is_superuser is (role == "admin")
    assert user.check_password(PASSWORD)


def test_admin_without_area_is_for_the_whole_country():
    create("nasional", role="admin")
    user = get("nasional")
    assert (user.peran, user.wilayah_id, user.is_superuser, user.is_staff) == (
        "admin", None, True, True
    )


def test_name_and_email_are_kept():
    create("siti", role="operator", wilayah=CIBEUREUM, name="Siti Aminah",
           email="siti@example.org")
    user = get("siti")
    assert (user.first_name, user.email) == ("Siti Aminah", "siti@example.org")


def test_plain_area_code_is_accepted():
    create("budi", role="operator", wilayah="3277011002")
    assert get("budi").wilayah_id == CIBEUREUM


@pytest.mark.parametrize(
    ("role", "wilayah", "mentions"),
    [
        ("operator", "32.77", ""),  # an operator works in a desa, not a kabupaten
        ("operator", "32.77.01", ""),
        ("operator", "", ""),  # nor nowhere
        ("staf", CIBEUREUM, ""),  # staff work in a kabupaten/kota or a province
        ("staf", "32.77.01", ""),
        ("kecamatan", CIBEUREUM, ""),  # a kecamatan worker works in one kecamatan
        ("kecamatan", "32.77", ""),
        ("kecamatan", "", ""),
        ("staf", "", ""),
        ("pengamat", "", ""),
        ("operator", "32.77.99.2001", "32.77.99.2001"),  # not a loaded area
        ("staf", "34.03", "34.03"),  # a real kabupaten, not loaded in this database
        ("operator", "32.7", "32.7"),  # not an area code
        ("operator", "cibeureum", "cibeureum"),
    ],
)
def test_wrong_area_for_the_role_is_refused(role, wilayah, mentions):
    from registry.models import User

    with pytest.raises(CommandError) as caught:
        create("budi", role=role, wilayah=wilayah)
    assert mentions in str(caught.value)
    assert not User.objects.filter(username="budi").exists()


def test_wrong_level_message_names_the_levels():
    from django.utils import translation

    with translation.override("en"), pytest.raises(CommandError) as caught:
        create("budi", role="operator", wilayah="32.77")
    assert str(caught.value) == (
        "The role Village operator works in: Village (desa/kelurahan); not in a Regency/City."
    )


def test_unknown_area_message_says_how_to_load_it():
    with pytest.raises(CommandError) as caught:
        create("budi", role="staf", wilayah="34.03")
    assert str(caught.value) == (
        "Area 34.03 is not loaded; run `python manage.py load_wilayah` first."
    )


def test_unknown_role_is_refused():
    with pytest.raises(CommandError) as caught:
        create("budi", role="lurah", wilayah=CIBEUREUM)
    assert "lurah" in str(caught.value)


def test_existing_username_is_refused_and_left_unchanged(operator):
    with pytest.raises(CommandError) as caught:
        create("operator_cibeureum", role="admin")
    assert str(caught.value) == "User 'operator_cibeureum' already exists."
    user = get("operator_cibeureum")
    assert (user.peran, user.wilayah_id, user.is_superuser) == ("operator", CIBEUREUM, False)
    assert not user.check_password(PASSWORD)


@pytest.mark.parametrize(
    "weak",
    [
        "12345678",  # common and numeric
        "Rahasia",  # too short
        "password123",  # common
        "budihartono1",  # like the username
        "98765432109876",  # numeric only
    ],
)
def test_weak_password_is_refused(monkeypatch, weak):
    from registry.models import User

    monkeypatch.setenv("WKSBM_PASSWORD", weak)
    with pytest.raises(CommandError) as caught:
        create("budihartono", role="operator", wilayah=CIBEUREUM)
    assert str(caught.value).startswith("Password refused: ")
    assert not User.objects.filter(username="budihartono").exists()


def test_created_user_can_log_in(client):
    create("budi", role="operator", wilayah=CIBEUREUM)
    # django-axes checks every authentication against a request: the client's login() has none.
    request = HttpRequest()
    assert client.login(request=request, username="budi", password=PASSWORD) is True
    assert client.login(request=request, username="budi", password="Salah-Sandi-2026") is False
    response = client.get("/admin/")
    assert response.status_code == 200
    assert response.context["user"].username == "budi"
