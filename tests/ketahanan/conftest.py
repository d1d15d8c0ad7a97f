"""The village whose indicators are worked out by hand (tests/ketahanan/test_indikator.py)."""

import pytest


@pytest.fixture
def village(make_perkumpulan, make_warga):
    from tests.ketahanan.test_indikator import make_village

    return make_village(make_perkumpulan, make_warga)
