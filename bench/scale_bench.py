"""Scale benchmark: the registry at three sizes — one village, one city, one province — on one
database, from data made by `manage.py generate_demo`.

Target (the scaling issue): every page and recap within 200 ms of server time at the province
size (about 1,000,000 groups) on PostgreSQL, with the same number of queries at every size; or
docs/benchmarks.md ("Scale") says which page does not and why.

    .venv/bin/python bench/scale_bench.py [--database-url URL] [--sizes village,city,province]
        [--explain] [--keep | --reuse]

Run from the project root. Each size gets a fresh database (a temporary SQLite file, or the
PostgreSQL database of --database-url, whose name must contain "bench"; dropped at the end):
migrate, the reference lists, the areas of Jawa Barat (province 32), then `generate_demo`
(timed: groups and rows per second) —

    village   1 village of Kota Cimahi × 300 groups (seed 004's Cibeureum had 307);
    city      the 15 kelurahan of Kota Cimahi × 334 groups (about 5,000);
    province  every village of Jawa Barat, as many groups each as make 1,000,000.

— then `ANALYZE` (as after an import, or autovacuum's pass), the stored recap counts, and the
pages, requested through Django's test client as Dinas Sosial staff of the province (who see
every level): once to warm up, then the median of 5 (server time, templates included) and the
queries of one request. Last, `import_survey` of a workbook of 300 groups and 3,000 memberships
into one village (wall time of the command). With --explain, on PostgreSQL, the slowest query of
each page over 50 ms at the largest size is shown with EXPLAIN (ANALYZE, BUFFERS).

The province takes some 17 minutes to generate. With one size and a PostgreSQL URL, --keep leaves
the generated database in place, and --reuse measures its pages again after a code change:
migrated, its waiting villages' counts computed (`rekap --segarkan-basi`, as the cron does after
an upgrade), no generation and no import.

Exit status: 0 when every page meets the target at the largest size measured with the same
queries at every size, 1 when not, 2 when a step fails.
"""

import argparse
import json
import math
import os
import shutil
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from bench import harness  # noqa: E402

TARGET_MS = 200.0
EXPLAIN_OVER_MS = 50.0
PROVINCE = "32"  # Jawa Barat
PROVINCE_GROUPS = 1_000_000
SIZES = {
    "village": {"wilayah": harness.CITY, "villages": 1, "per_village": 300},
    "city": {"wilayah": harness.CITY, "villages": 15, "per_village": 334},
    "province": {"wilayah": PROVINCE, "villages": None, "per_village": None},
}
# Page name, URL; {desa}, {kecamatan}, {grup}, {nik} are filled from the generated data.
PAGES = [
    ("dashboard", "/"),
    ("group list", "/perkumpulan/"),
    ("list: type, sorted by year", "/perkumpulan/?jenis=DW&urut=-tahun"),
    ("list: name search", "/perkumpulan/?q=Posyandu+Mawar"),
    ("list: page 100", "/perkumpulan/?page=100"),
    ("group page", "/perkumpulan/{grup}/"),
    ("people: NIK prefix", "/warga/?q={nik}"),
    ("recap: village", "/rekap/?wilayah={desa}&tahun=2026"),
    ("recap: kecamatan", "/rekap/?wilayah={kecamatan}&tahun=2026"),
    ("recap: city", f"/rekap/?wilayah={harness.CITY}&tahun=2026"),
    ("recap: province", f"/rekap/?wilayah={PROVINCE}&tahun=2026"),
    ("network: village", "/jaringan/?wilayah={desa}"),
    ("PMKS cases", "/pmks/"),
]


# Child steps (Django loaded) ------------------------------------------------------------------
def step_generate(size: str) -> dict:
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection

    from registry import rekap
    from registry.models import Perkumpulan, Wilayah

    plan = dict(SIZES[size])
    if plan["villages"] is None:
        plan["villages"] = Wilayah.objects.filter(provinsi=PROVINCE, tingkat="desa").count()
        plan["per_village"] = math.ceil(PROVINCE_GROUPS / plan["villages"])
    start = time.perf_counter()
    call_command("generate_demo", villages=plan["villages"],
                 groups_per_village=plan["per_village"], wilayah=plan["wilayah"], verbosity=0)
    generated = time.perf_counter() - start
    start = time.perf_counter()
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    rekap.refresh_all()
    return {"size": size, "villages": plan["villages"], "per_village": plan["per_village"],
            "groups": Perkumpulan.objects.count(), "rows": table_rows(),
            "generate_seconds": generated, "analyze_refresh_seconds": time.perf_counter() - start}


def table_rows() -> int:
    """Rows in the registry's own tables (history included), for rows/s."""
    from django.apps import apps

    return sum(model._base_manager.count() for app in ("registry", "members", "pmks", "network")
               for model in apps.get_app_config(app).get_models())


def step_pages(explain: bool) -> dict:
    import django

    django.setup()
    from django.db import connection
    from django.test import Client

    from members.models import Warga
    from registry.models import Perkumpulan, User

    # A group with every part of its page filled (a link, a PMKS case it accompanies), so that
    # its queries are comparable from size to size.
    group = (Perkumpulan.objects.filter(desa__kabupaten=harness.CITY, hubungan__isnull=False,
                                        kasus_pmks__isnull=False)
             .order_by("kode").first())
    person = Warga.objects.filter(wilayah=group.desa_id).order_by("nik").first()
    values = {"desa": group.desa_id, "kecamatan": group.desa.kecamatan_id,
              "grup": group.kode, "nik": person.nik[:10]}
    user, _ = User.objects.get_or_create(username="bench-staf-provinsi",
                                         defaults={"peran": "staf", "wilayah_id": PROVINCE})
    client = Client()
    client.force_login(user)
    results = {}
    for name, url in PAGES:
        url = url.format(**values)
        result, queries = harness.time_page(client, url)
        result["url"] = url
        if explain and connection.vendor == "postgresql" and result["ms"] > EXPLAIN_OVER_MS:
            slowest = max(queries, key=lambda q: float(q["time"]))
            with connection.cursor() as cursor:
                cursor.execute("EXPLAIN (ANALYZE, BUFFERS) " + slowest["sql"])
                result["plan"] = [row[0] for row in cursor.fetchall()]
            result["slowest_ms"] = float(slowest["time"]) * 1000
        results[name] = result
    return {"pages": results, "groups": Perkumpulan.objects.count()}


# The conductor --------------------------------------------------------------------------------
def measure(args, folder: Path, size: str) -> tuple[str, dict]:
    database = harness.Database(args.database_url, folder)
    if args.reuse:
        return database.label, measure_again(database, size)
    try:
        harness.say(f"{size}: setting up {database.label} …")
        env = harness.city_database(database)
        harness.manage(env, "load_wilayah", "--prefix", PROVINCE)
        made = harness.child(env, "--step", "generate", "--size", size, script=__file__)
        harness.say(f"  generated {made['groups']:,} groups ({made['villages']:,} villages × "
                    f"{made['per_village']}) in {made['generate_seconds']:.1f} s, "
                    f"{made['rows'] / made['generate_seconds']:,.0f} rows/s; ANALYZE and stored "
                    f"counts {made['analyze_refresh_seconds']:.1f} s")
        pages = harness.child(env, "--step", "pages", *(["--explain"] if args.explain else []),
                              script=__file__)
        workbook = folder / "impor.xlsx"
        harness.child(env, "--step", "make", "--file", str(workbook), "--index", "0", "--rows",
                      "3000", script=str(ROOT / "bench" / "load_bench.py"))
        assert harness.IMPORT_AREA.startswith(PROVINCE)
        start = time.perf_counter()
        harness.manage(env, "import_survey", str(workbook))
        made["import_seconds"] = time.perf_counter() - start
        harness.say(f"  pages timed; import of 300 groups {made['import_seconds']:.1f} s")
        return database.label, {**made, **pages}
    finally:
        if args.keep:
            harness.say(f"  kept {database.url} (--reuse measures it again)")
        else:
            database.drop()


def measure_again(database: "harness.Database", size: str) -> dict:
    """The pages of a database an earlier run kept (--keep): migrated to this code, its waiting
    villages' stored counts computed (as the cron does after an upgrade), no generation and no
    import (the data stays as generated)."""
    env = harness.bench_env(database, DJANGO_ALLOWED_HOSTS="testserver")
    harness.say(f"{size}: measuring the kept {database.label} again …")
    harness.manage(env, "migrate", "--no-input", "-v0")
    start = time.perf_counter()
    harness.manage(env, "rekap", "--wilayah", PROVINCE, "--segarkan-basi", "--output",
                   os.devnull)
    harness.say(f"  waiting villages' counts computed in {time.perf_counter() - start:.1f} s")
    pages = harness.child(env, "--step", "pages", script=__file__)
    return pages


def conduct(args) -> int:
    folder = Path(tempfile.mkdtemp(prefix="wksbm-scale-bench-"))
    results = {}
    label = ""
    try:
        for size in args.sizes:
            label, results[size] = measure(args, folder, size)
    except harness.BenchFailure as exc:
        print(f"FAILED {exc}", file=sys.stderr)
        return 2
    finally:
        shutil.rmtree(folder, ignore_errors=True)
    return report(args, label.replace(str(folder), "<tmp>"), results)


def report(args, label: str, results: dict) -> int:
    sizes = list(results)
    print()
    print(f"Database: {label}")
    print(f"Median of {harness.PAGE_RUNS} requests as Dinas Sosial staff of the province, "
          "ms (queries)")
    def figure(size: str, text) -> str:
        return text(results[size]) if "generate_seconds" in results[size] else "– (kept)"

    rows = [["groups", *(f"{results[s]['groups']:,}" for s in sizes)],
            ["generate_demo s (rows/s)", *(figure(s, lambda r: (
                f"{r['generate_seconds']:.1f} ({r['rows'] / r['generate_seconds']:,.0f})"))
                for s in sizes)],
            ["import of 300 groups s", *(figure(s, lambda r: f"{r['import_seconds']:.1f}")
                                         for s in sizes)]]
    missed = []
    largest = sizes[-1]
    for name, _url in PAGES:
        cells = [f"{results[s]['pages'][name]['ms']:.1f} ({results[s]['pages'][name]['queries']})"
                 for s in sizes]
        rows.append([name, *cells])
        page = results[largest]["pages"][name]
        if page["ms"] > TARGET_MS:
            missed.append(f"{name}: {page['ms']:.0f} ms at {largest} size")
        counts = {results[s]["pages"][name]["queries"] for s in sizes}
        if len(counts) > 1:
            missed.append(f"{name}: queries differ by size {sorted(counts)}")
    harness.table(["", *sizes], rows)
    for name, _url in PAGES:
        page = results[largest]["pages"][name]
        if "plan" in page:
            print(f"\n{name} ({page['url']}): slowest query {page['slowest_ms']:.1f} ms")
            print("\n".join("    " + line for line in page["plan"]))
    return harness.verdict(missed, f"every page ≤ {TARGET_MS:.0f} ms at the {largest} size, "
                           "same queries")


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    harness.add_database_url(parser)
    parser.add_argument("--sizes", default=",".join(SIZES),
                        help="comma-separated, of " + ", ".join(SIZES))
    parser.add_argument("--explain", action="store_true",
                        help="PostgreSQL: EXPLAIN ANALYZE the slowest query of slow pages")
    parser.add_argument("--keep", action="store_true",
                        help="PostgreSQL: keep the generated database (one size) for --reuse")
    parser.add_argument("--reuse", action="store_true",
                        help="PostgreSQL: measure the pages of a database kept by --keep again "
                        "(after a code change), without generating it")
    parser.add_argument("--step", help=argparse.SUPPRESS)
    parser.add_argument("--size", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.step == "generate":
        print(harness.MARK + json.dumps(step_generate(args.size)))
        return 0
    if args.step == "pages":
        print(harness.MARK + json.dumps(step_pages(args.explain)))
        return 0
    args.sizes = [s.strip() for s in args.sizes.split(",") if s.strip()]
    if (args.keep or args.reuse) and (len(args.sizes) != 1 or not args.database_url):
        parser.error("--keep and --reuse take one size and a PostgreSQL --database-url")
    unknown = [s for s in args.sizes if s not in SIZES]
    if unknown:
        parser.error(f"unknown sizes {unknown}; choose from {', '.join(SIZES)}")
    return conduct(args)


if __name__ == "__main__":
    sys.exit(main())
