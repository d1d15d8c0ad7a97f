"""The network pages' groups: a Dasa Wisma, a Karang Taruna and a Posyandu in Cibeureum, a Dasa
Wisma in Melong; and adding a link from a group's page."""

import pytest

from tests.conftest import MELONG


@pytest.fixture
def groups(make_perkumpulan):
    return {
        "dw": make_perkumpulan("CBR-DW-001", nama="Dasa Wisma Mawar"),
        "kt": make_perkumpulan("CBR-KT-001", jenis="KT", nama="Karang Taruna"),
        "py": make_perkumpulan("CBR-PY-001", jenis="POSYANDU", nama="Posyandu Melati"),
        "mlg": make_perkumpulan("MLG-DW-001", desa=MELONG, nama="Dasa Wisma Melong"),
    }


def add_link(client, kode, **data):
    data.setdefault("bentuk", "KOORDINASI")
    return client.post(f"/perkumpulan/{kode}/hubungan/tambah/", data)
