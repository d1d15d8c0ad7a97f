import pytest
from django.core.cache import cache

from tests import world as world_module


@pytest.fixture(autouse=True)
def fresh_throttle_counts():
    """The rate limits count in the cache: each test starts with none used."""
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def users(operator, operator_lain, kecamatan, staf, staf_lain, pengamat, admin_user):
    return {"operator": operator, "operator_lain": operator_lain, "kecamatan": kecamatan,
            "staf": staf, "staf_lain": staf_lain, "pengamat": pengamat, "admin": admin_user}


@pytest.fixture
def w(users, make_perkumpulan, make_warga):
    built = world_module.build(make_perkumpulan, make_warga, {
        "cbr": users["operator"], "mlg": users["operator_lain"], "skr": users["staf_lain"]})
    built.users = users
    return built
