"""The social-resilience indicators (the contract: docs/ketahanan-sosial.md)."""

from ketahanan.models import Dimensi, Indikator

# Each dimension's indicators, in the contract's order.
DIMENSI: dict[str, tuple[str, ...]] = {
    Dimensi.PERLINDUNGAN: (Indikator.PMKS_DIDAMPINGI, Indikator.PMKS_DIBANTU_12_BULAN,
                           Indikator.KATEGORI_TANPA_PENOLONG),
    Dimensi.PARTISIPASI: (Indikator.PERKUMPULAN_BERJEJARING, Indikator.WARGA_DEWASA_ANGGOTA,
                          Indikator.PERKUMPULAN_PER_1000_WARGA),
    Dimensi.PENGENDALIAN_KONFLIK: (Indikator.KORBAN_KEKERASAN_DIDAMPINGI,
                                   Indikator.FORUM_AKTIF),
    Dimensi.KEARIFAN_LOKAL: (Indikator.NILAI_GOTONG_ROYONG, Indikator.PRAKARSA_MASYARAKAT,
                             Indikator.DANA_KOMUNITAS_AKTIF),
}
