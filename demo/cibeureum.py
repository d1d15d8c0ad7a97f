"""Seed 004's survey of Kelurahan Cibeureum (32.77.01.1002, Kecamatan Cimahi Selatan, Kota
Cimahi) in 2006, as data: 307 community groups of 17 types. Constants only; read by
`demo.generator` (synthetic villages, `generate_demo`) and by `fixtures/build_demo.py` (the demo
workbook fixtures/cibeureum_2006.xlsx, `load_demo`).

- `TYPES`: per type, Table 1 (founding age), Table 3 (size), Table 5 (working network), and
  whether the government initiated the type's groups.
- `PURPOSES`: Table 2 (purposes), given out by type.
- `CHAIR_EDUCATION`: Table 4 (education of each group's chair).
- `BOARD_TERMS`, `REQUIREMENTS`, `GOTONG_ROYONG`, `MUSIBAH`: board terms, membership
  requirements and solidarity values, from the survey's text.
- `PMKS`: the PMKS cases by category; `GOVERNMENT_PARTNER`: the office each type of
  government-made group reports to.
- The names (groups, people) and the demo's few choices the survey leaves open are made up.
"""

DESA = "32.77.01.1002"
TAHUN_ACUAN = 2006

# type: (Table 1 <10 years, >=10 years), (Table 3 <=10, 11-20, >20 members),
#       (Table 5 social organisations, government), initiated by government?
TYPES = {
    "DW": ((16, 88), (15, 78, 11), (89, 15), False),
    "POSYANDU": ((3, 17), (0, 4, 16), (0, 20), True),
    "BKB": ((0, 4), (0, 1, 3), (0, 4), True),
    "KUBE": ((0, 1), (1, 0, 0), (0, 1), True),
    "KT": ((10, 8), (0, 5, 13), (0, 18), False),
    "KWT": ((2, 0), (1, 1, 0), (0, 2), True),
    "PHBI": ((1, 0), (0, 0, 1), (1, 0), False),
    "PENGAJIAN": ((3, 15), (0, 1, 17), (18, 0), False),
    "KPW": ((6, 70), (0, 4, 72), (76, 0), False),
    "BKL": ((0, 3), (0, 1, 2), (0, 3), True),
    "BKR": ((0, 3), (0, 0, 3), (0, 3), True),
    "LPM": ((0, 1), (1, 0, 0), (0, 1), True),
    "PETA": ((2, 9), (0, 3, 8), (0, 11), False),
    "R1KS": ((0, 18), (0, 0, 18), (0, 18), True),
    "R1SUB": ((0, 18), (0, 0, 18), (0, 18), True),
    "UP2KS": ((0, 3), (0, 0, 3), (0, 3), True),
    "UP2K": ((0, 6), (0, 0, 6), (0, 6), False),
}
NAMES = {
    "DW": "Dasa Wisma",
    "POSYANDU": "Posyandu",
    "BKB": "BKB",
    "KUBE": "KUBE",
    "KT": "Karang Taruna",
    "KWT": "KWT",
    "PHBI": "PHBI",
    "PENGAJIAN": "Majelis Taklim",
    "KPW": "Paguyuban Warga",
    "BKL": "BKL",
    "BKR": "BKR",
    "LPM": "LPM",
    "PETA": "Peta Keluarga",
    "R1KS": "R/1/KS",
    "R1SUB": "R/1/SUB",
    "UP2KS": "UP2KS",
    "UP2K": "UP2K",
}
FLOWERS = ["Melati", "Mawar", "Anggrek", "Kenanga", "Dahlia", "Flamboyan", "Cempaka", "Teratai"]

# Table 2 (purposes, 307 in all), given out by type: each type's groups take these purposes in
# this order. The counts add up to the published column: Kesejahteraan Anak 26, Ibu dan Anak 41,
# Lanjut Usia 3, Peningkatan Penghasilan 87, Integrasi 91, Bantuan Sosial 10, Pengajian 18,
# Iman dan Taqwa 18, Keterampilan 11, Pelayanan Kesehatan 2.
PURPOSES = {
    "KPW": [("INTEGRASI", 76)],
    "PENGAJIAN": [("PENGAJIAN", 18)],
    "PHBI": [("IMTAQ", 1)],
    "POSYANDU": [("IBU_ANAK", 20)],
    "BKB": [("ANAK", 4)],
    "BKL": [("LANSIA", 3)],
    "BKR": [("ANAK", 3)],
    "KUBE": [("PENGHASILAN", 1)],
    "KWT": [("PENGHASILAN", 2)],
    "UP2KS": [("PENGHASILAN", 3)],
    "UP2K": [("PENGHASILAN", 6)],
    "KT": [("KETERAMPILAN", 11), ("BANSOS", 7)],
    "LPM": [("INTEGRASI", 1)],
    "PETA": [("IBU_ANAK", 11)],
    "R1KS": [("ANAK", 18)],
    "R1SUB": [("ANAK", 1), ("IBU_ANAK", 10), ("KESEHATAN", 2), ("BANSOS", 3), ("INTEGRASI", 2)],
    "DW": [("PENGHASILAN", 75), ("INTEGRASI", 12), ("IMTAQ", 17)],
}
# Table 4: education of each group's chair.
CHAIR_EDUCATION = [("TS", 4), ("SD", 33), ("SMP", 92), ("SMA", 166), ("PT", 12)]
# From the text: board terms (<=5 years 268, 6-10 years 24, >10 years 15), membership
# requirements (domicile 272, 10 of them also descent; skills 13, education 15, descent alone 7:
# descent 17 in all), solidarity values (gotong royong 292, helping members hit by misfortune
# 260).
BOARD_TERMS = [((1, 5), 268), ((6, 10), 24), ((11, 20), 15)]
REQUIREMENTS = [(("DOMISILI", "KETURUNAN"), 10), (("DOMISILI",), 262), (("KETERAMPILAN",), 13),
                (("PENDIDIKAN",), 15), (("KETURUNAN",), 7)]
GOTONG_ROYONG = [(True, 292), (False, 15)]
MUSIBAH = [(True, 260), (False, 47)]
GOVERNMENT_PARTNER = {
    "POSYANDU": "Puskesmas Cibeureum",
    "BKB": "PLKB Kecamatan Cimahi Selatan",
    "BKL": "PLKB Kecamatan Cimahi Selatan",
    "BKR": "PLKB Kecamatan Cimahi Selatan",
    "R1KS": "PLKB Kecamatan Cimahi Selatan",
    "R1SUB": "PLKB Kecamatan Cimahi Selatan",
    "UP2KS": "PLKB Kecamatan Cimahi Selatan",
    "KUBE": "Dinas Sosial Kota Cimahi",
    "KT": "Kantor Kelurahan Cibeureum",
    "LPM": "Kantor Kelurahan Cibeureum",
    "KWT": "Dinas Pertanian Kota Cimahi",
    "PETA": "Kantor Kelurahan Cibeureum",
    "UP2K": "Kantor Kelurahan Cibeureum",
    "DW": "Kantor Kelurahan Cibeureum",
}
# The PMKS cases by category (35).
PMKS = [
    ("FM", 12),
    ("LUT", 6),
    ("PD", 5),
    ("AT", 3),
    ("PRSE", 4),
    ("ADK", 2),
    ("KTK", 1),
    ("PEMULUNG", 2),
]

# Made up: the types whose members are mostly men (the others are mostly women), the share of
# PMKS cases accompanied by a group, and the people's names.
MOSTLY_MEN = ("KT", "KPW", "LPM", "PHBI")
ACCOMPANIED = 0.5
WOMEN = ["Siti", "Dewi", "Euis", "Neneng", "Yanti", "Rina", "Tati", "Iis", "Enok", "Lilis", "Eti",
         "Nining", "Imas", "Cucu"]
MEN = ["Asep", "Dadang", "Ujang", "Cecep", "Agus", "Budi", "Wawan", "Deden", "Ade", "Dedi", "Yayat"]
GIVEN = WOMEN + MEN
FAMILY = [
    "Suryani",
    "Rahayu",
    "Hidayat",
    "Sutisna",
    "Permana",
    "Kurniasih",
    "Nurhayati",
    "Setiawan",
    "Saepudin",
    "Komariah",
    "Gunawan",
    "Rohayati",
    "Mulyana",
    "Sumarni",
]

# The village's own figures (section III.A): RW, RT, households and residents; the survey gives
# no split by sex or age band, and names the livelihoods without ranking them (none is the
# majority). Its land use is left out: its unit (km²) cannot be right for a kelurahan.
PROFILE = {
    "tahun": 2006,
    "jumlah_rw": 23,
    "jumlah_rt": 170,
    "jumlah_kk": 11_571,
    "jumlah_penduduk": 39_652,
    "mata_pencaharian": (
        "buruh/pegawai swasta; pegawai negeri; pengrajin; penjahit; petani; peternak; "
        "usaha warungan (dagang); sopir; dokter; montir; pertukangan kayu dan batu; "
        "pengemudi becak; TNI/Polri; pengusaha; lain-lain"
    ),
    "sumber": "Monografi Kelurahan Cibeureum 2006 (seed 004, III.A)",
}
