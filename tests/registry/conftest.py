"""The registry tests' groups: two in Cibeureum (a Dasa Wisma and a Karang Taruna), one in Melong,
one in Kota Bandung."""

import pytest

from tests.conftest import MELONG, SUKARASA


@pytest.fixture
def groups(make_perkumpulan):
    return {
        "cbr": make_perkumpulan("CBR-DW-001", nama="Dasa Wisma Mawar", rw=3, tahun_berdiri=1999),
        "cbr2": make_perkumpulan("CBR-KT-001", jenis="KT", nama="Karang Taruna Tunas",
                                 tahun_berdiri=2015, jaringan_kerja="PEMERINTAH"),
        "mlg": make_perkumpulan("MLG-DW-001", desa=MELONG, nama="Dasa Wisma Melati"),
        "bdg": make_perkumpulan("BDG-DW-001", desa=SUKARASA, nama="Dasa Wisma Bandung"),
    }
