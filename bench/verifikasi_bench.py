"""Verification round benchmark (issue 20): a round's progress page for a district of 300
villages.

Target (issue 20, "Done when"): GET /verifikasi/<pk>/ — every village of the district with its
list's stage, dates, item counts and lateness, the totals and the bars per kecamatan — within
200 ms on PostgreSQL (median server time through Django's test client, as the district's Dinas
Sosial staff), with the same number of queries at 30 villages as at 300.

    .venv/bin/python bench/verifikasi_bench.py [--database-url URL] [--runs 5] [--keep]

Run from the project root. A fresh database (a temporary SQLite file, or the PostgreSQL database
of --database-url, whose name must contain "bench"; dropped at the end unless --keep): migrate,
the reference lists, Kota Cimahi's areas; then in a fresh process —

build  two synthetic districts of province 32 (Wilayah rows): one of 30 villages (2 kecamatan),
       one of 300 (20 kecamatan of 15 villages). In each, last year's round with every village's
       list approved, and this year's round whose villages stand by turns in every stage: no list
       yet, a list not submitted, submitted, verified, approved (this year's deadlines: the
       submission deadline passed, so the villages not yet submitted are late). Each list holds
       20 items (groups, PMKS cases, aid recipients) with their values as proposed and as
       submitted, every fifth changed since; a submitted list's items by turns awaiting,
       accepted, returned with a reason; a verified or approved list's all accepted. Written
       with bulk_create (the steps' methods are measured by the tests, not here), then ANALYZE;
pages  the login page (anonymous: the floor, what any page of the site costs) and this year's
       progress page of each district as its staff, each requested once to warm up and --runs
       times timed (median), the queries of one more counted.

Exit status: 0 when the target is met, 1 when not, 2 when a step fails or is wrong.
"""

import argparse
import datetime
import json
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from bench import harness  # noqa: E402

TARGET_MS = 200.0
PROVINCE = "32"
DISTRICTS = {30: "32.96", 300: "32.95"}  # villages: the synthetic district's code
PER_KECAMATAN = 15
ITEMS = 20
JENIS = ["PERKUMPULAN", "PMKS", "PENERIMA"]


def build_district(kode: str, villages: int) -> None:
    from registry.models import Tingkat, Wilayah

    rows = [Wilayah(kode=kode, nama=f"Kabupaten Bench {kode}", tingkat=Tingkat.KABUPATEN,
                    induk_id=PROVINCE, provinsi_id=PROVINCE)]
    for k in range((villages + PER_KECAMATAN - 1) // PER_KECAMATAN):
        kec = f"{kode}.{k + 1:02d}"
        rows.append(Wilayah(kode=kec, nama=f"Kecamatan Bench {kec}", tingkat=Tingkat.KECAMATAN,
                            induk_id=kode, provinsi_id=PROVINCE, kabupaten_id=kode))
        rows.extend(Wilayah(kode=f"{kec}.{2001 + i}", nama=f"Desa Bench {kec}.{i + 1}",
                            tingkat=Tingkat.DESA, induk_id=kec, provinsi_id=PROVINCE,
                            kabupaten_id=kode, kecamatan_id=kec)
                    for i in range(min(PER_KECAMATAN, villages - PER_KECAMATAN * k)))
    Wilayah.objects.bulk_create(rows, batch_size=1000)


def item_values(n: int) -> dict:
    return {"nama": f"Kelompok {n}", "rw": str(n % 12 + 1), "rt": str(n % 7 + 1),
            "tahun_berdiri": str(1990 + n % 30), "aktif": "Ya"}


def build_round(kode: str, staff, year: int, approved_all: bool):
    """A round of the district with its lists and items; returns it."""
    from django.utils import timezone

    from verifikasi.models import ItemUsulan, Putaran, StatusItem, Tahap, UsulanDesa

    today = timezone.localdate()
    if approved_all:
        mulai, batas = datetime.date(year, 1, 1), datetime.date(year, 11, 30)
        deadlines = (batas, batas, batas)
    else:
        mulai = datetime.date(year, 1, 1)
        deadlines = (today - datetime.timedelta(3), today + datetime.timedelta(10),
                     today + datetime.timedelta(20))
    putaran = Putaran.objects.create(
        nama=f"Verifikasi {year} {kode}", wilayah_id=kode, mulai=mulai,
        selesai=datetime.date(year, 12, 31), batas_usulan=deadlines[0],
        batas_verifikasi=deadlines[1], batas_persetujuan=deadlines[2], dibuat_oleh=staff)
    now = timezone.now()
    stages = [None, Tahap.BELUM, Tahap.DIAJUKAN, Tahap.DIVERIFIKASI, Tahap.DISETUJUI]
    lists = []
    for i, desa in enumerate(putaran.desa().values_list("kode", flat=True)):
        tahap = Tahap.DISETUJUI if approved_all else stages[i % len(stages)]
        if tahap is None:
            continue
        step = {} if tahap == Tahap.BELUM else {
            "diajukan": now - datetime.timedelta(days=5), "diajukan_oleh": staff,
            "musdes_tanggal": today - datetime.timedelta(days=6),
            "musdes_tempat": "Balai Desa", "musdes_hadir": 40}
        if tahap in (Tahap.DIVERIFIKASI, Tahap.DISETUJUI):
            step.update(diverifikasi=now - datetime.timedelta(days=3), diverifikasi_oleh=staff)
        if tahap == Tahap.DISETUJUI:
            step.update(disetujui=now - datetime.timedelta(days=1), disetujui_oleh=staff)
        lists.append(UsulanDesa(putaran=putaran, desa_id=desa, tahap=tahap, **step))
    UsulanDesa.objects.bulk_create(lists, batch_size=1000)
    statuses = [StatusItem.DIAJUKAN, StatusItem.DITERIMA, StatusItem.DIKEMBALIKAN]
    items = []
    for u in UsulanDesa.objects.filter(putaran=putaran).order_by("pk"):
        for j in range(ITEMS):
            n = u.pk * ITEMS + j
            awal = item_values(n)
            data = {**awal, "rw": str(n % 12 + 2)} if j % 5 == 0 else awal
            if u.tahap == Tahap.DIAJUKAN:
                status = statuses[j % 3]
            elif u.tahap == Tahap.BELUM:
                continue
            else:
                status = StatusItem.DITERIMA
            items.append(ItemUsulan(
                usulan=u, jenis=JENIS[j % 3], kunci=f"{JENIS[j % 3]}:{n}", objek_id=n,
                label=f"Bench {n}", perubahan="BARU", data_awal=awal, data=data, status=status,
                alasan="Data belum lengkap" if status == StatusItem.DIKEMBALIKAN else ""))
    ItemUsulan.objects.bulk_create(items, batch_size=2000)
    return putaran


def step_run(runs: int) -> dict:
    import django

    django.setup()
    from django.db import connection
    from django.test import Client
    from django.utils import timezone

    from registry.models import User
    from verifikasi.models import ItemUsulan, UsulanDesa

    harness.PAGE_RUNS = runs
    year = timezone.localdate().year
    rounds = {}
    for villages, kode in DISTRICTS.items():
        harness.say(f"Building a district of {villages} villages …")
        build_district(kode, villages)
        staff = User.objects.create(username=f"bench-staf-{kode}", peran="staf", wilayah_id=kode)
        build_round(kode, staff, year - 1, approved_all=True)
        rounds[villages] = (build_round(kode, staff, year, approved_all=False), staff)
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    result = {"lists": UsulanDesa.objects.count(), "items": ItemUsulan.objects.count(),
              "pages": {}}
    floor, _queries = harness.time_page(Client(), "/accounts/login/")
    result["floor"] = floor
    for villages, (putaran, staff) in rounds.items():
        client = Client()
        client.force_login(staff)
        page, _queries = harness.time_page(client, f"/verifikasi/{putaran.pk}/")
        response = client.get(f"/verifikasi/{putaran.pk}/")
        page["villages_shown"] = response.content.count(b' data-tahap="')
        result["pages"][villages] = page
    return result


def work(args, folder: Path, database: harness.Database) -> int:
    harness.say(f"Setting up {database.label} …")
    env = harness.city_database(database)
    result = harness.child(env, "--step", "run", "--runs", str(args.runs), script=__file__)
    print()
    print(f"Database: {database.label.replace(str(folder), '<tmp>')}")
    print(f"{result['lists']:,} village lists, {result['items']:,} items (two rounds a "
          "district); median of {0} requests (ms, queries)".format(args.runs))
    floor = result["floor"]
    rows = [["login page (floor)", f"{floor['ms']:.1f}", str(floor["queries"]), "1.00"]]
    wrong, missed = [], []
    pages = {int(k): v for k, v in result["pages"].items()}
    for villages, page in sorted(pages.items()):
        rows.append([f"progress, {villages} villages", f"{page['ms']:.1f}",
                     str(page["queries"]), f"{page['ms'] / floor['ms']:.2f}"])
        if page["villages_shown"] != villages:
            wrong.append(f"{villages} villages: the page showed {page['villages_shown']}")
    harness.table(["page", "ms", "queries", "× floor"], rows)
    big, small = pages[max(pages)], pages[min(pages)]
    if big["ms"] > TARGET_MS:
        missed.append(f"progress of {max(pages)} villages: {big['ms']:.0f} ms "
                      f"(target ≤ {TARGET_MS:.0f} ms)")
    if big["queries"] != small["queries"]:
        missed.append(f"queries grow {small['queries']} → {big['queries']}")
    return harness.verdict(missed, f"progress of {max(pages)} villages ≤ {TARGET_MS:.0f} ms, "
                           "same queries at both sizes", wrong)


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    harness.add_database_url(parser)
    parser.add_argument("--runs", type=int, default=harness.PAGE_RUNS)
    parser.add_argument("--keep", action="store_true", help="keep the database and folder")
    parser.add_argument("--step", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.step == "run":
        print(harness.MARK + json.dumps(step_run(args.runs)))
        return 0
    return harness.in_fresh_database(args, "wksbm-verif-bench-", work)


if __name__ == "__main__":
    sys.exit(main())
