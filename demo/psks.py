"""The demo village's social-welfare resources (PSKS): the kecamatan's TKSK, the village's PSM,
one LKS, and one training for group leaders (seed 004, IV.B: "memberikan pelatihan bagi pengurus
kelompok sosial") attended by the chairs of the village's Posyandu and Karang Taruna. The seed
gives no numbers for them: the people are of the demo's group boards, the rest made up. The
training is recent, so the 2006 recap (seed 004's tables) stays as it was. Kept as they are when
`load_demo` runs again."""

import datetime

from members.models import Keanggotaan, PeranAnggota, Warga
from psks.models import LKS, Pelatihan, PeranPSKS, PesertaPelatihan, PetugasPSKS, StatusLKS
from registry.models import Wilayah

TRAINING = {
    "topik": "Pengelolaan organisasi dan keuangan kelompok sosial",
    "tanggal_mulai": datetime.date(2025, 9, 15),
    "tanggal_selesai": datetime.date(2025, 9, 16),
    "penyelenggara": "Dinas Sosial Kota Cimahi",
}
TRAINED_TYPES = ("POSYANDU", "KT")


def add_psks(desa: str) -> None:
    village = Wilayah.objects.get(pk=desa)
    # Two treasurers of the village's groups (the demo's people are the boards) serve as the
    # kecamatan's TKSK and the village's PSM.
    helpers = list(Warga.objects.filter(keanggotaan__perkumpulan__desa=village,
                                        keanggotaan__peran=PeranAnggota.BENDAHARA)
                   .distinct().order_by("nik")[:2])
    if len(helpers) == 2:
        for person, peran, area in ((helpers[0], PeranPSKS.TKSK, village.kecamatan_id),
                                    (helpers[1], PeranPSKS.PSM, village.pk)):
            PetugasPSKS.objects.get_or_create(
                warga=person, peran=peran, wilayah_id=area, selesai=None,
                defaults={"mulai": datetime.date(2024, 1, 1)})
    LKS.objects.get_or_create(
        nama="Panti Sosial Asuhan Anak Harapan", wilayah=village,
        defaults={"status_hukum": StatusLKS.TERDAFTAR, "nomor_registrasi": "460/021-Dinsos",
                  "layanan": "anak terlantar, anak yatim piatu",
                  "alamat": "Jl. Cibeureum RW 03"})
    training, created = Pelatihan.objects.get_or_create(wilayah=village, **TRAINING)
    if created:
        chairs = (Keanggotaan.objects.filter(
            perkumpulan__desa=village, perkumpulan__jenis__kode__in=TRAINED_TYPES,
            peran=PeranAnggota.KETUA, selesai__isnull=True)
            .order_by("warga_id").values_list("warga_id", flat=True).distinct())
        for warga_id in chairs:  # a few dozen, each with its history row
            PesertaPelatihan.objects.create(pelatihan=training, warga_id=warga_id)
