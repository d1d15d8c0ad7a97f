"""Shared fixtures: the reference lists and a few real areas in the test database, and one user of
each role — an operator of Cibeureum, an operator of its neighbour Melong, the kecamatan workers of
Cimahi Selatan (theirs) and Cimahi Tengah, Dinas Sosial staff of Kota Cimahi and of Kota Bandung,
an observer of Kota Cimahi and a national administrator."""

import os

import pytest
from django.conf import settings as django_settings
from django.core.management import call_command
from django.utils import timezone, translation

PASSWORD = "Rahasia-Uji-2026"
CIBEUREUM = "32.77.01.1002"
MELONG = "32.77.01.1001"
SUKARASA = "32.73.01.1001"  # Kota Bandung
# The registry's day (Asia/Jakarta), asked when used: a run may pass its midnight, and the
# machine's own date (UTC) is a day behind between 17:00 and 24:00.
today = timezone.localdate


def pytest_configure(config):
    # Settings refuse to start without a secret key unless in debug; tests need neither.
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "wksbm_site.settings")
    os.environ.setdefault("DJANGO_SECRET_KEY", "tests-only-not-secret")
    import django

    django.setup()


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup, django_db_blocker):
    with django_db_blocker.unblock():
        load_reference_data()


def load_reference_data() -> None:
    """Reference lists and the areas of Kota Cimahi and Kecamatan Sukasari (Kota Bandung)."""
    call_command("loaddata", "referensi", verbosity=0)
    with open(os.devnull, "w") as devnull:
        for prefix in ("32.77", "32.73.01"):
            call_command("load_wilayah", prefix=prefix, stdout=devnull)


@pytest.fixture(scope="module")
def reference_data_reloaded(django_db_blocker):
    """A transactional test empties every table when it ends: what the session loaded once is
    loaded again for whatever runs after it (at the end of the module: after the test's own
    teardown has emptied the tables)."""
    yield
    with django_db_blocker.unblock():
        load_reference_data()


@pytest.fixture(autouse=True)
def fast_password_hashing(settings, tmp_path_factory):
    # Every user fixture hashes a password; the default hasher takes half a second each time.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    # Uploaded proofs of aid go to the session's temporary folder, never the project's var/.
    settings.MEDIA_ROOT = tmp_path_factory.getbasetemp() / "media"


@pytest.fixture(autouse=True)
def default_language():
    """Each test starts in the site's language, whatever the one before left active: a page
    requested with the English cookie leaves English active in the thread (the middleware sets
    it per request, as a server's worker does), and `translation.override` ends by switching
    translation off, so a later test read English messages or Indonesian by its order."""
    translation.activate(django_settings.LANGUAGE_CODE)
    yield
    translation.activate(django_settings.LANGUAGE_CODE)


def make_user(username: str, peran: str, kode: str | None):
    from registry.models import User, Wilayah

    wilayah = Wilayah.objects.get(pk=kode) if kode else None
    user = User(username=username, peran=peran, wilayah=wilayah)
    user.set_password(PASSWORD)
    user.full_clean(exclude=["password"])
    user.save()
    return user


@pytest.fixture
def operator(db):
    return make_user("operator_cibeureum", "operator", CIBEUREUM)


@pytest.fixture
def operator_lain(db):
    return make_user("operator_melong", "operator", MELONG)


@pytest.fixture
def staf(db):
    return make_user("staf_cimahi", "staf", "32.77")


@pytest.fixture
def kecamatan(db):
    """The TKSK of Kecamatan Cimahi Selatan (Cibeureum's and Melong's kecamatan)."""
    return make_user("tksk_cimahi_selatan", "kecamatan", "32.77.01")


@pytest.fixture
def kecamatan_lain(db):
    return make_user("tksk_cimahi_tengah", "kecamatan", "32.77.02")


@pytest.fixture
def staf_lain(db):
    return make_user("staf_bandung", "staf", "32.73")


@pytest.fixture
def pengamat(db):
    return make_user("pengamat_cimahi", "pengamat", "32.77")


@pytest.fixture
def admin_user(db):
    return make_user("admin_nasional", "admin", None)


@pytest.fixture
def make_perkumpulan(db):
    """Make a group: make_perkumpulan("CBR-DW-001", desa=CIBEUREUM, jenis="DW", ...)."""
    from registry.models import JenisPerkumpulan, Perkumpulan

    def make(kode: str, desa: str = CIBEUREUM, jenis: str = "DW", **fields):
        fields.setdefault("nama", f"Kelompok {kode}")
        fields.setdefault("tahun_berdiri", 2000)
        group = Perkumpulan(
            kode=kode, desa_id=desa, jenis=JenisPerkumpulan.objects.get(kode=jenis), **fields
        )
        group.full_clean()
        group.save()
        return group

    return make


@pytest.fixture
def make_warga(db):
    """Make a person: make_warga("3277014101800001", nama="Siti", wilayah_id=CIBEUREUM)."""
    from members.models import Warga

    def make(nik: str, **fields):
        fields.setdefault("nama", f"Warga {nik[-4:]}")
        person = Warga(nik=nik, **fields)
        person.full_clean()
        person.save()
        return person

    return make
