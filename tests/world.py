"""One of every kind of record in each of three villages, for the tests that walk every URL.

Cibeureum and Melong lie in Kota Cimahi (32.77), Sukarasa in Kota Bandung (32.73). Each village
has a group, a person living there who chairs it, a PMKS case of that person accompanied by the
group, a partner recorded at the village, a link from the group to it, an entry of the group's
own arisan fund, a WKSBM forum with the
group as member and the person as leader, a web import made by a user of that village, an
access-log entry of its case, a village profile of 2006, and a household (KK) headed by the
person, member of the group, and its PSKS: the person as its PSM, an LKS and a training the
person attended. Besides: a user group, Cibeureum's importer's API token, and
django-axes' three kinds of records.
"""

import datetime
from types import SimpleNamespace

from tests.conftest import CIBEUREUM, MELONG, SUKARASA

PLACES = {"cbr": CIBEUREUM, "mlg": MELONG, "skr": SUKARASA}
CODES = {"cbr": "CBR-DW-001", "mlg": "MLG-DW-001", "skr": "SKR-DW-001"}
NIKS = {"cbr": "3277014101800001", "mlg": "3277011505750002", "skr": "3273010202900003"}
KKS = {"cbr": "3277011505150001", "mlg": "3277010203160002", "skr": "3273010101100003"}


def build(make_perkumpulan, make_warga, importers: dict) -> SimpleNamespace:
    """`importers`: the user who uploaded each village's import, by place key."""

    from axes.models import AccessAttempt, AccessFailureLog, AccessLog
    from django.contrib.auth.models import Group
    from django.core.files.base import ContentFile

    from api.models import Token
    from bantuan.models import LaporanStimulan, Penerima, Penyaluran, Program
    from members.models import HubunganKeluarga, Keanggotaan, KeanggotaanKeluarga, Keluarga
    from network.models import (
        DanaPerkumpulan,
        Forum,
        Hubungan,
        Mitra,
        PengurusForum,
        PertemuanForum,
    )
    from pmks.models import KasusPMKS, KategoriPMKS, LogAkses, Tindakan
    from psks.models import LKS, Pelatihan, PesertaPelatihan, PetugasPSKS
    from registry.models import Impor, ProfilDesa, StatusImpor

    miskin = KategoriPMKS.objects.get(kode="FM")
    w = SimpleNamespace(place=PLACES, group={}, warga={}, anggota={}, kasus={}, mitra={},
                        hubungan={}, forum={}, pengurus={}, impor={}, log={}, profil={},
                        keluarga={}, anggota_keluarga={}, keanggotaan_keluarga={},
                        dana={}, petugas={}, lks={}, pelatihan={}, program={}, penerima={},
                        penyaluran={}, stimulan={}, laporan={}, pertemuan={})
    for key, desa in PLACES.items():
        group = make_perkumpulan(CODES[key], desa=desa, nama=f"Dasa Wisma {key}")
        person = make_warga(NIKS[key], nama=f"Warga {key}", wilayah_id=desa, alamat="Jl. Mawar 1")
        w.group[key], w.warga[key] = group, person
        w.anggota[key] = Keanggotaan.objects.create(warga=person, perkumpulan=group,
                                                    peran="KETUA")
        w.kasus[key] = KasusPMKS.objects.create(nama=f"Kasus {key}", desa_id=desa,
                                                kategori=miskin, warga=person, pendamping=group)
        w.mitra[key] = Mitra.objects.create(nama=f"Puskesmas {key}", jenis="PEMERINTAH",
                                            wilayah_id=desa)
        w.hubungan[key] = Hubungan.objects.create(perkumpulan=group, mitra_luar=w.mitra[key],
                                                  bentuk="RUJUKAN")
        w.dana[key] = DanaPerkumpulan.objects.create(
            perkumpulan=group, jenis="ARISAN", tanggal=datetime.date(2006, 12, 31),
            terkumpul=100_000)
        w.forum[key] = Forum.objects.create(desa_id=desa, nama=f"Forum {key}", mekanisme="TIM")
        w.forum[key].anggota.add(group)
        w.pertemuan[key] = PertemuanForum.objects.create(
            forum=w.forum[key], tanggal=datetime.date(2026, 3, 2), jenis="RUTIN", hadir=12)
        w.pengurus[key] = PengurusForum.objects.create(forum=w.forum[key], warga=person,
                                                       jabatan="Ketua")
        w.impor[key] = Impor.objects.create(
            pengguna=importers[key], wilayah_id=desa, nama_berkas=f"survei-{key}.xlsx",
            status=StatusImpor.DIPERIKSA, jumlah={}, kesalahan=[["perkumpulan", 2, "kode", "",
                                                                   "contoh"]])
        w.profil[key] = ProfilDesa.objects.create(desa_id=desa, tahun=2006, jumlah_rw=2,
                                                  jumlah_rt=9, jumlah_penduduk=1000)
        w.log[key] = LogAkses.catat(importers[key], Tindakan.LIHAT, group.desa,
                                    kasus=w.kasus[key])
        w.keluarga[key] = Keluarga.objects.create(no_kk=KKS[key], wilayah_id=desa)
        w.anggota_keluarga[key] = w.keluarga[key].tambah_anggota(
            person, HubunganKeluarga.KEPALA, datetime.date(2010, 1, 1))
        w.keanggotaan_keluarga[key] = KeanggotaanKeluarga.objects.create(
            keluarga=w.keluarga[key], perkumpulan=group)
        w.petugas[key] = PetugasPSKS.objects.create(warga=person, peran="PSM", wilayah_id=desa)
        w.lks[key] = LKS.objects.create(nama=f"Panti {key}", wilayah_id=desa)
        w.pelatihan[key] = Pelatihan.objects.create(
            topik=f"Pelatihan {key}", tanggal_mulai="2025-01-06", penyelenggara="Dinas Sosial",
            wilayah_id=desa)
        PesertaPelatihan.objects.create(pelatihan=w.pelatihan[key], warga=person)
        # Aid: a village's programme for people, its recipient and a distribution with a proof;
        # a stimulus for the village's group, with a report.
        w.program[key] = Program.objects.create(
            kode=f"BLT-{key}", nama=f"BLT {key}", sumber="DANA_DESA", bentuk="UANG",
            wilayah_id=desa, mulai=datetime.date(2025, 1, 1))
        w.penerima[key] = Penerima.objects.create(program=w.program[key], warga=person,
                                                  desa_id=desa, mulai=datetime.date(2025, 1, 1))
        w.penyaluran[key] = Penyaluran(penerima=w.penerima[key], tanggal=datetime.date(2025, 2, 1),
                                       nilai=300_000)
        # A PDF's first bytes: what the proof download checks nothing of, and serves.
        w.penyaluran[key].berkas_bukti.save(f"bukti-{key}.pdf", ContentFile(b"%PDF-1.4\n"))
        stimulus = Program.objects.create(
            kode=f"STIM-{key}", nama=f"Stimulan {key}", sumber="DANA_DESA", bentuk="STIMULAN",
            sasaran="PERKUMPULAN", wilayah_id=desa, mulai=datetime.date(2025, 1, 1))
        w.stimulan[key] = Penerima.objects.create(program=stimulus, perkumpulan=group,
                                                  desa_id=desa, mulai=datetime.date(2025, 1, 1))
        w.laporan[key] = LaporanStimulan(
            penerima=w.stimulan[key], tanggal=datetime.date(2025, 6, 1), kegiatan="Pelatihan")
        w.laporan[key].berkas_bukti.save(f"laporan-{key}.jpg", ContentFile(b"\xff\xd8\xff"))
    # Verification: a round of each city, each village's list submitted with its scanned minutes
    # (an item for each of its group, case and recipients).
    from registry.models import KopSurat, Wilayah
    from verifikasi.models import Putaran

    w.putaran, w.usulan, w.item, w.kop = {}, {}, {}, {}
    for key, desa in PLACES.items():
        district = desa[:5]
        if district not in w.putaran:
            w.putaran[district] = Putaran.objects.create(
                nama=f"Verifikasi {district}", wilayah_id=district,
                mulai=datetime.date(2026, 1, 1), selesai=datetime.date(2026, 12, 31),
                batas_usulan=datetime.date(2026, 6, 1), batas_verifikasi=datetime.date(2026, 7, 1),
                batas_persetujuan=datetime.date(2026, 8, 1))
        w.putaran[key] = w.putaran[district]
        usulan = w.putaran[key].usulan_desa(Wilayah.objects.get(pk=desa))
        usulan.musdes_tanggal, usulan.musdes_tempat, usulan.musdes_hadir = (
            datetime.date(2026, 5, 20), f"Balai {key}", 30)
        usulan.berita_acara.save(f"ba-{key}.pdf", ContentFile(b"%PDF-1.4\n"), save=False)
        usulan.ajukan(importers[key])
        w.usulan[key] = usulan
        w.item[key] = usulan.items.order_by("pk").first()
        w.kop[key] = KopSurat.objects.create(wilayah_id=desa, instansi=f"KELURAHAN {key}",
                                             penandatangan=f"Lurah {key}", jabatan="Lurah")
    # Social resilience: each village's Pokja (the person a member), an assessment round with a
    # respondent, an action plan with an activity, a named monitoring round.
    from ketahanan.models import (
        AnggotaPokja,
        KegiatanAksi,
        Penilaian,
        PokjaTansosmas,
        PutaranPantau,
        RencanaAksi,
        Responden,
    )

    w.pokja, w.anggota_pokja, w.penilaian, w.rencana, w.kegiatan, w.pantau = ({}, {}, {}, {},
                                                                            {}, {})
    for key, desa in PLACES.items():
        w.pokja[key] = PokjaTansosmas.objects.create(desa_id=desa, nama=f"Pokja {key}",
                                                     mulai=datetime.date(2026, 1, 1))
        w.anggota_pokja[key] = AnggotaPokja.objects.create(pokja=w.pokja[key],
                                                           warga=w.warga[key], jabatan="KETUA")
        w.penilaian[key] = Penilaian.objects.create(desa_id=desa, pokja=w.pokja[key],
                                                    tanggal=datetime.date(2026, 2, 1),
                                                    nama=f"Penilaian {key}")
        Responden.objects.create(penilaian=w.penilaian[key], nomor=1, nama=f"Responden {key}")
        w.rencana[key] = RencanaAksi.objects.create(
            desa_id=desa, nama=f"Rencana {key}", mulai=datetime.date(2026, 1, 1),
            selesai=datetime.date(2026, 12, 31))
        w.kegiatan[key] = KegiatanAksi.objects.create(
            rencana=w.rencana[key], nama=f"Kegiatan {key}", dimensi="partisipasi",
            mulai=datetime.date(2026, 2, 1), selesai=datetime.date(2026, 3, 1))
        w.pantau[key] = PutaranPantau.objects.create(wilayah_id=desa, nama=f"Pantau {key}",
                                                     tanggal=datetime.date(2026, 4, 1))
    w.user_group = Group.objects.create(name="uji")
    w.token, _key = Token.make(importers["cbr"], "skrip uji")
    w.attempt = AccessAttempt.objects.create(username="someone", ip_address="127.0.0.1",
                                             failures_since_start=1, get_data="", post_data="")
    w.access_log = AccessLog.objects.create(username="someone", ip_address="127.0.0.1")
    w.failure_log = AccessFailureLog.objects.create(username="someone", ip_address="127.0.0.1")
    return w
