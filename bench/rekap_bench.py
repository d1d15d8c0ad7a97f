"""Recap benchmark: the recap of a city with 100,000 groups against the same recap with 300.

The target (from the issue): `rekap.build(city, 2026)` for a city of 100,000 groups takes no more
than twice as long as for a city of 300 groups, with the same number of queries.

    .venv/bin/python bench/rekap_bench.py [--small 300] [--big 100000] [--database-url URL]

Run from the project root. Each size gets its own fresh database (a temporary SQLite file by
default, or the PostgreSQL database of --database-url, created before and dropped after each size;
its name must contain "bench"): migrate, loaddata referensi, load_wilayah --prefix 32.77. A child
process then fills it with `bulk_create` — the small city's groups all in one kelurahan
(32.77.01.1002), the big city's spread over the 15 kelurahan of Kota Cimahi; each group with a
Ketua (a Warga with a valid NIK), its membership requirements, sources of funds and solidarity
values — runs ANALYZE on PostgreSQL (as autovacuum would after a bulk load), computes the stored
recap counts of every village from scratch (timed: the cost of the first recap after a bulk load)
and times `rekap.build(Kota Cimahi, 2026)`: one warm-up, then the median of 5 runs. It also counts
the queries of one build and times each registered table function (registry.rekap.TABLES) on its
own, so a missed target names the table that grows.

Exit status: 0 when the ratio big/small is at most 2.0 and the query counts match, 1 when not,
2 when a step fails.
"""

import argparse
import json
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from bench import harness  # noqa: E402

TARGET_RATIO = 2.0
RUNS = 5
TABLE_RUNS = 3
SMALL_VILLAGE = "32.77.01.1002"


# The child: seed and time -------------------------------------------------------------------
def step_run(groups: int, one_village: bool, explain: bool) -> dict:
    import django

    django.setup()
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from registry import rekap
    from registry.models import Wilayah

    villages = [SMALL_VILLAGE] if one_village else sorted(
        Wilayah.objects.filter(kode__startswith=harness.CITY + ".", tingkat="desa")
        .values_list("kode", flat=True)
    )
    start = time.perf_counter()
    harness.seed(groups, villages)
    seed_seconds = time.perf_counter() - start
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
    area = Wilayah.objects.get(kode=harness.CITY)
    # bulk_create sends no signals: compute the stored counts of every village from scratch, as
    # the first recap after a bulk load would (`rekap --segarkan`).
    start = time.perf_counter()
    rekap.refresh_all()
    refresh_seconds = time.perf_counter() - start

    result = rekap.build(area, harness.TAHUN_ACUAN)  # warm-up
    times = []
    for _ in range(RUNS):
        start = time.perf_counter()
        rekap.build(area, harness.TAHUN_ACUAN)
        times.append(time.perf_counter() - start)
    with CaptureQueriesContext(connection) as captured:
        rekap.build(area, harness.TAHUN_ACUAN)

    # Each table on its own, on the same Rekap (its group count already known).
    base = rekap.Rekap(area, harness.TAHUN_ACUAN, result.jumlah_perkumpulan)
    tables, sql = {}, {}
    for nomor in sorted(rekap.TABLES):
        runs = []
        for _ in range(TABLE_RUNS):
            start = time.perf_counter()
            rekap.TABLES[nomor](base)
            runs.append(time.perf_counter() - start)
        tables[nomor] = statistics.median(runs) * 1000
        with CaptureQueriesContext(connection) as per_table:
            rekap.TABLES[nomor](base)
        sql[nomor] = [q["sql"] for q in per_table.captured_queries]
    plans = {}
    if explain:
        slowest = max(tables, key=tables.get)
        prefix = ("EXPLAIN (ANALYZE, BUFFERS) " if connection.vendor == "postgresql"
                  else "EXPLAIN QUERY PLAN ")
        with connection.cursor() as cursor:
            for text in sql[slowest]:
                cursor.execute(prefix + text)
                plans.setdefault(str(slowest), []).append(
                    (text, "\n".join(" | ".join(str(c) for c in row) for row in cursor.fetchall()))
                )
    return {
        "groups": groups,
        "active": result.jumlah_perkumpulan,
        "seed_seconds": seed_seconds,
        "refresh_seconds": refresh_seconds,
        "times_ms": [t * 1000 for t in times],
        "median_ms": statistics.median(times) * 1000,
        "queries": len(captured.captured_queries),
        "tables_ms": tables,
        "plans": plans,
    }


# The parent: one fresh database per size ------------------------------------------------------
def measure(args, folder: Path, groups: int, explain: bool) -> tuple[str, dict]:
    database = harness.Database(args.database_url, folder)
    try:
        harness.say(f"Setting up {database.label} for {groups:,} groups …")
        env = harness.city_database(database)
        argv = ["--step", "run", "--groups", str(groups),
                *(["--explain"] if explain else ["--one-village"])]
        result = harness.child(env, *argv, script=__file__)
        harness.say(f"  seeded in {result['seed_seconds']:.1f} s, stored counts computed in "
                    f"{result['refresh_seconds']:.2f} s; build median "
                    f"{result['median_ms']:.1f} ms, {result['queries']} queries")
        return database.label, result
    finally:
        database.drop()


def conduct(args) -> int:
    folder = Path(tempfile.mkdtemp(prefix="wksbm-rekap-bench-"))
    try:
        label, small = measure(args, folder, args.small, explain=False)
        _label, big = measure(args, folder, args.big, explain=True)
    except harness.BenchFailure as exc:
        print(f"FAILED {exc}", file=sys.stderr)
        return 2
    finally:
        shutil.rmtree(folder, ignore_errors=True)

    ratio = big["median_ms"] / small["median_ms"]
    print()
    print(f"Database: {label.split(' (')[0].replace(str(folder), '<tmp>')}"
          + (f" ({label.split(' (', 1)[1]}" if " (" in label else ""))
    print(f"rekap.build(Kota Cimahi {harness.CITY}, {harness.TAHUN_ACUAN}): warm-up, then "
          f"median of {RUNS} runs")
    header = ["groups", "active", "median ms", "queries", "ratio big/small", "counts computed s"]
    harness.table(header, [
        [f"{r['groups']:,}", f"{r['active']:,}", f"{r['median_ms']:.1f}", str(r["queries"]),
         f"{ratio:.2f}" if r is big else "", f"{r['refresh_seconds']:.2f}"]
        for r in (small, big)
    ])
    print()
    print(f"Per table (median of {TABLE_RUNS}, ms; Table 0 = none):")
    numbers = sorted(big["tables_ms"], key=int)
    harness.table(["groups", *[f"T{n}" for n in numbers]], [
        [f"{r['groups']:,}", *[f"{r['tables_ms'][n]:.1f}" for n in numbers]]
        for r in (small, big)
    ])
    missed = []
    if ratio > TARGET_RATIO:
        missed.append(f"the {big['groups']:,}-group recap takes {ratio:.2f}× the "
                      f"{small['groups']:,}-group recap (target ≤ {TARGET_RATIO}×)")
    if big["queries"] != small["queries"]:
        missed.append(f"query count grows: {small['queries']} → {big['queries']}")
    if missed and (args.explain or ratio > TARGET_RATIO):
        for nomor, plans in big["plans"].items():
            print(f"\nSlowest table at {big['groups']:,} groups: Table {nomor}")
            for text, plan in plans:
                print(f"\n{text}\n{plan}")
    return harness.verdict(missed, f"ratio {ratio:.2f} ≤ {TARGET_RATIO}, {big['queries']} "
                           "queries at both sizes")


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--small", type=int, default=300, help="groups of the small city (300)")
    parser.add_argument("--big", type=int, default=100_000, help="groups of the big city")
    harness.add_database_url(parser)
    parser.add_argument("--explain", action="store_true",
                        help="print the plan of the slowest table's queries even when passing")
    parser.add_argument("--step", help=argparse.SUPPRESS)
    parser.add_argument("--groups", type=int, help=argparse.SUPPRESS)
    parser.add_argument("--one-village", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.step == "run":
        print(harness.MARK + json.dumps(step_run(args.groups, args.one_village, args.explain)))
        return 0
    return conduct(args)


if __name__ == "__main__":
    sys.exit(main())
