"""Past-recap benchmark: a city's recap as the registry stood at a moment, from the audit history.

The targets (issue 21): a village's recap as of a past moment within 1 s, a city of 100,000
groups within 10 s on PostgreSQL — the first asking, which computes the counts from the history
(`registry.lampau`); later askings read the counts it stored.

    .venv/bin/python bench/lampau_bench.py [--groups 100000] [--database-url URL] [--explain]

Run from the project root. A fresh database (a temporary SQLite file by default, or the
PostgreSQL database of --database-url, created before and dropped after; its name must contain
"bench"): migrate, loaddata referensi, load_wilayah --prefix 32.77. A child process then fills it
with the seeded city of the recap benchmark (`harness.seed`: groups over the 15 kelurahan of
Kota Cimahi, each with a chair and its lists; `harness.seed_cases`: PMKS cases) and one working
link per group to the next, and writes their history rows ("+", as an import does through
`registry.audit`). It notes a moment T, then changes the registry after it: deletes 1% of the
groups (queryset delete: the history's own signals write the deletions of the groups and what
cascades), ends 5% of the memberships and adds 1% more groups (bulk, with `audit.record`), and
deletes 10% of the links. Timed, each a median of several runs:

- (a) a village's recap as of T, first asking (the computed counts forgotten before each run),
- (b) the city's recap as of T, first asking (likewise),
- (c) the city's recap as of T asked again (its stored counts),
- the floor: the live recap of the same city (`rekap.build` on the stored counts), measured in
  the same run; each figure is printed as a ratio to it, beside its absolute target.

Correctness is checked in the run: the past recaps count exactly the active groups counted at T
(city and village), and the live recap the groups counted after the changes.

Exit status: 0 when (a) ≤ 1 s and (b) ≤ 10 s, 1 when a target is missed, 2 when a step fails or
a count is wrong.
"""

import argparse
import datetime
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

VILLAGE_TARGET_S = 1.0
CITY_TARGET_S = 10.0
VILLAGE_RUNS = 5
CITY_RUNS = 3
STORED_RUNS = 5
FLOOR_RUNS = 5
DELETE_SHARE = 0.01
END_SHARE = 0.05
ADD_SHARE = 0.01
UNLINK_SHARE = 0.10


# The child: seed, change, time ----------------------------------------------------------------
def _write_history() -> dict[str, int]:
    """History rows ("+") for every record the bulk seed wrote without them."""
    from members.models import Keanggotaan, Warga
    from network.models import Hubungan
    from pmks.models import KasusPMKS
    from registry import audit
    from registry.models import Perkumpulan

    written = {}
    for model in (Perkumpulan, Warga, Keanggotaan, Hubungan, KasusPMKS):
        pks = list(model.objects.order_by("pk").values_list("pk", flat=True))
        audit.record(model, pks, "+")
        written[model.__name__] = model.history.model.objects.count()
        if written[model.__name__] < len(pks):
            raise harness.BenchFailure(f"{model.__name__}: {written[model.__name__]} history "
                                       f"rows for {len(pks)} records")
    return written


def _link_groups() -> int:
    from network.models import BentukHubungan, Hubungan
    from registry.models import Perkumpulan

    ids = list(Perkumpulan.objects.order_by("pk").values_list("pk", flat=True))
    forms = BentukHubungan.values
    Hubungan.objects.bulk_create(
        [Hubungan(perkumpulan_id=a, mitra_perkumpulan_id=b, bentuk=forms[i % len(forms)])
         for i, (a, b) in enumerate(zip(ids, ids[1:], strict=False)) if i % 3],
        batch_size=5_000)
    return Hubungan.objects.count()


def _change(groups: int, villages: list[str]) -> dict:
    """The registry's changes after T, through the paths the app's bulk writes use."""
    import random

    from django.db import transaction

    from members.models import Keanggotaan
    from network.models import Hubungan
    from registry import audit
    from registry.models import Perkumpulan

    rng = random.Random(21)
    done = {}
    ids = list(Perkumpulan.objects.order_by("pk").values_list("pk", flat=True))
    doomed = rng.sample(ids, int(len(ids) * DELETE_SHARE))
    start = time.perf_counter()
    with transaction.atomic():
        # Signals on: simple-history writes the "-" rows of the groups and what cascades.
        Perkumpulan.objects.filter(pk__in=doomed).delete()
    done["deleted_groups"] = len(doomed)
    done["delete_seconds"] = time.perf_counter() - start

    members = list(Keanggotaan.objects.filter(selesai__isnull=True).order_by("pk")
                   .values_list("pk", flat=True))
    ended = rng.sample(members, int(len(members) * END_SHARE))
    with transaction.atomic():
        for part in range(0, len(ended), 900):
            Keanggotaan.objects.filter(pk__in=ended[part:part + 900]).update(
                selesai=datetime.date(2026, 11, 30))
        audit.record(Keanggotaan, ended, "~")
    done["ended_memberships"] = len(ended)

    template = Perkumpulan.objects.order_by("pk").first()
    before = Perkumpulan.objects.order_by("-pk").values_list("pk", flat=True).first()
    added = int(groups * ADD_SHARE)
    with transaction.atomic():
        Perkumpulan.objects.bulk_create([
            Perkumpulan(kode=f"BARU-{g + 1:06d}", nama=f"Perkumpulan baru {g + 1}",
                        jenis_id=template.jenis_id, desa_id=villages[g % len(villages)],
                        tahun_berdiri=2026, jumlah_anggota=10, aktif=True)
            for g in range(added)], batch_size=5_000)
        new = list(Perkumpulan.objects.filter(pk__gt=before).values_list("pk", flat=True))
        audit.record(Perkumpulan, new, "+")
    done["added_groups"] = len(new)

    links = list(Hubungan.objects.order_by("pk").values_list("pk", flat=True))
    cut = rng.sample(links, int(len(links) * UNLINK_SHARE))
    start = time.perf_counter()
    with transaction.atomic():
        for part in range(0, len(cut), 900):
            Hubungan.objects.filter(pk__in=cut[part:part + 900]).delete()
    done["removed_links"] = len(cut)
    done["unlink_seconds"] = time.perf_counter() - start
    return done


def _active(prefix: str) -> int:
    from registry.models import Perkumpulan

    return Perkumpulan.objects.filter(aktif=True, desa__kode__startswith=prefix).count()


def _timed_fresh(work, runs: int, forget: bool) -> tuple[list[float], list[dict], object]:
    """`work` timed `runs` times (the past counts forgotten before each when `forget`), then
    once more, fresh likewise, with its queries captured."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from registry.models import LampauSiap

    times = []
    for _ in range(runs):
        if forget:
            LampauSiap.objects.all().delete()
        start = time.perf_counter()
        work()
        times.append(time.perf_counter() - start)
    if forget:
        LampauSiap.objects.all().delete()
    with CaptureQueriesContext(connection) as captured:
        result = work()
    return times, captured.captured_queries, result


def _plans(queries: list[dict], top: int = 4) -> list[tuple[str, float, str]]:
    """EXPLAIN of the slowest captured queries: (sql, seconds, plan)."""
    from django.db import connection

    prefix = ("EXPLAIN (ANALYZE, BUFFERS) " if connection.vendor == "postgresql"
              else "EXPLAIN QUERY PLAN ")
    slowest = sorted(queries, key=lambda q: -float(q["time"]))[:top]
    found = []
    with connection.cursor() as cursor:
        for q in slowest:
            if not q["sql"].lstrip().upper().startswith("SELECT"):
                found.append((q["sql"][:300], float(q["time"]), "(not a SELECT)"))
                continue
            cursor.execute(prefix + q["sql"])
            found.append((q["sql"], float(q["time"]), "\n".join(
                " | ".join(str(c) for c in row) for row in cursor.fetchall())))
    return found


def step_run(groups: int, explain: bool, sensitive: bool = True) -> dict:
    import django

    django.setup()
    from django.db import connection
    from django.utils import timezone

    from registry import lampau, rekap
    from registry.models import Wilayah

    villages = sorted(Wilayah.objects.filter(kode__startswith=harness.CITY + ".", tingkat="desa")
                      .values_list("kode", flat=True))
    start = time.perf_counter()
    harness.seed(groups, villages)
    harness.seed_cases(groups)
    links = _link_groups()
    history = _write_history()
    seed_seconds = time.perf_counter() - start
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")

    city = Wilayah.objects.get(kode=harness.CITY)
    village = Wilayah.objects.get(kode=villages[0])
    at_t = {"city": _active(harness.CITY + "."), "village": _active(village.pk)}
    time.sleep(0.05)
    moment = timezone.now()
    time.sleep(0.05)

    changes = _change(groups, villages)
    changes["links_before"] = links
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
    now_active = _active(harness.CITY + ".")
    start = time.perf_counter()
    rekap.refresh_all()
    refresh_seconds = time.perf_counter() - start

    year = harness.TAHUN_ACUAN

    def past(area):
        return rekap.build(area, year, sensitive=sensitive,
                           sumber=lampau.SumberLampau(area=area, pada=moment))

    live = rekap.build(city, year, sensitive)  # warm-up
    floor_times, floor_q, live = _timed_fresh(lambda: rekap.build(city, year, sensitive),
                                                 FLOOR_RUNS, False)
    village_times, village_q, village_past = _timed_fresh(lambda: past(village), VILLAGE_RUNS,
                                                          True)
    city_times, city_q, city_past = _timed_fresh(lambda: past(city), CITY_RUNS, True)
    past(city)  # stored from here on
    stored_times, stored_q, _stored = _timed_fresh(lambda: past(city), STORED_RUNS, False)

    plans = {}
    if explain:
        from registry.models import LampauSiap

        LampauSiap.objects.all().delete()
        plans["city"] = _plans(city_q)
    return {
        "groups": groups,
        "moment": moment.isoformat(),
        "history_rows": history,
        "changes": changes,
        "seed_seconds": seed_seconds,
        "refresh_seconds": refresh_seconds,
        "active_at_t": at_t,
        "active_now": now_active,
        "counted": {"city_past": city_past.jumlah_perkumpulan,
                    "village_past": village_past.jumlah_perkumpulan,
                    "city_live": live.jumlah_perkumpulan,
                    "city_past_tables": len(city_past.tabel),
                    "city_past_left_out": city_past.tidak_termasuk},
        "floor": {"times": floor_times, "queries": len(floor_q)},
        "village": {"times": village_times, "queries": len(village_q)},
        "city": {"times": city_times, "queries": len(city_q),
                 "slowest": sorted(((float(q["time"]), q["sql"][:160]) for q in city_q),
                                   reverse=True)[:6]},
        "stored": {"times": stored_times, "queries": len(stored_q)},
        "plans": plans,
    }


# The parent ------------------------------------------------------------------------------------
def conduct(args) -> int:
    folder = Path(tempfile.mkdtemp(prefix="wksbm-lampau-bench-"))
    database = None
    try:
        database = harness.Database(args.database_url, folder)
        harness.say(f"Setting up {database.label} for {args.groups:,} groups …")
        env = harness.city_database(database)
        argv = ["--step", "run", "--groups", str(args.groups),
                *(["--explain"] if args.explain else []),
                *(["--no-pmks"] if args.no_pmks else [])]
        r = harness.child(env, *argv, script=__file__)
        label = database.label.replace(str(folder), "<tmp>")
    except harness.BenchFailure as exc:
        print(f"FAILED {exc}", file=sys.stderr)
        return 2
    finally:
        if database:
            database.drop()
        shutil.rmtree(folder, ignore_errors=True)

    def median(key):
        return statistics.median(r[key]["times"])

    floor = median("floor")
    print()
    print(f"Database: {label}" + (" — PMKS tables left out (--no-pmks)" if args.no_pmks else ""))
    c = r["changes"]
    print(f"{r['groups']:,} groups seeded with their chairs, lists, {c['links_before']:,} links "
          f"and PMKS cases in {r['seed_seconds']:.1f} s, history "
          + ", ".join(f"{k} {v:,}" for k, v in r["history_rows"].items()))
    print(f"After T: {c['deleted_groups']:,} groups deleted ({c['delete_seconds']:.1f} s), "
          f"{c['ended_memberships']:,} memberships ended, {c['added_groups']:,} groups added, "
          f"{c['removed_links']:,} links removed ({c['unlink_seconds']:.1f} s); stored counts "
          f"recomputed in {r['refresh_seconds']:.1f} s")
    print()
    rows = []
    missed = []
    for key, label_, runs, target in (
            ("village", "(a) village as of T, first asking", VILLAGE_RUNS, VILLAGE_TARGET_S),
            ("city", "(b) city as of T, first asking", CITY_RUNS, CITY_TARGET_S),
            ("stored", "(c) city as of T, asked again", STORED_RUNS, None),
            ("floor", "floor: live recap of the city", FLOOR_RUNS, None)):
        m = median(key)
        verdict = ""
        if target is not None:
            verdict = "PASS" if m <= target else "FAIL"
            if m > target:
                missed.append(f"{label_}: {m:.2f} s > {target:.0f} s")
        rows.append([label_, str(runs), f"{m * 1000:,.0f}", str(r[key]["queries"]),
                     f"{m / floor:.1f}", f"≤ {target:.0f} s" if target else "", verdict])
    harness.table(["recap", "runs", "median ms", "queries", "× floor", "target", ""], rows)

    wrong = []
    n = r["counted"]
    print()
    print(f"Active groups at T: city {r['active_at_t']['city']:,}, village "
          f"{r['active_at_t']['village']:,}; now {r['active_now']:,}. Counted: city as of T "
          f"{n['city_past']:,}, village as of T {n['village_past']:,}, live {n['city_live']:,}; "
          f"{n['city_past_tables']} tables as of T (left out: {n['city_past_left_out']})")
    if n["city_past"] != r["active_at_t"]["city"]:
        wrong.append(f"the city's recap as of T counts {n['city_past']:,} groups, "
                     f"{r['active_at_t']['city']:,} were active then")
    if n["village_past"] != r["active_at_t"]["village"]:
        wrong.append(f"the village's recap as of T counts {n['village_past']:,} groups, "
                     f"{r['active_at_t']['village']:,} were active then")
    if n["city_live"] != r["active_now"]:
        wrong.append(f"the live recap counts {n['city_live']:,}, {r['active_now']:,} are active")
    if missed or args.explain:
        print("\nSlowest queries of (b):")
        for seconds, text in r["city"]["slowest"]:
            print(f"  {seconds * 1000:8.0f} ms  {text}")
        for text, seconds, plan in r["plans"].get("city", []):
            print(f"\n{seconds * 1000:.0f} ms: {text[:700]}\n{plan}")
    return harness.verdict(missed, f"(a) {median('village'):.2f} s ≤ {VILLAGE_TARGET_S:.0f} s, "
                           f"(b) {median('city'):.2f} s ≤ {CITY_TARGET_S:.0f} s", wrong)


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--groups", type=int, default=100_000, help="groups of the city")
    harness.add_database_url(parser)
    parser.add_argument("--explain", action="store_true",
                        help="print the plans of (b)'s slowest queries even when passing")
    parser.add_argument("--no-pmks", action="store_true",
                        help="leave the PMKS tables (10-11) out of every recap timed")
    parser.add_argument("--step", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.step == "run":
        print(harness.MARK + json.dumps(step_run(args.groups, args.explain, not args.no_pmks)))
        return 0
    return conduct(args)


if __name__ == "__main__":
    sys.exit(main())
