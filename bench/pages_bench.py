"""Page benchmark: the web app's pages for a city of 100,000 groups against the same city with 300
(and PMKS cases, 12 for every 100 groups as in seed 004).

Target (the web app issue: "pages stay fast at 100,000 groups"): every page answers within
200 ms (median server time through Django's test client, as Dinas Sosial staff of the city) at
100,000 groups, with the same number of queries as at 300 groups. Issue 22: at 100,000 groups the
group list, unfiltered and filtered by type on page 2, within 3x the login page's latency
(anonymous, the floor of any page) measured in the same run, median of 41 requests each.

    .venv/bin/python bench/pages_bench.py [--small 300] [--big 100000] [--database-url URL]

Each size gets a fresh database filled exactly as bench/rekap_bench.py fills it (`seed` of
bench/harness.py: groups spread over the 15 kelurahan of Kota Cimahi, each with a chair and its
lists), then the stored recap
counts are computed and each page is requested once to warm up and 5 times to time.
Exit status: 0 when every page meets the target, 1 when not, 2 when a step fails.
"""

import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from bench import harness  # noqa: E402

TARGET_MS = 200.0
LIST_TARGET = 3.0  # the group list / the login page, at the big size
RATIO_RUNS = 41
FLOOR = ("login page (floor)", "/accounts/login/")
LISTS = [
    ("group list", "/perkumpulan/"),
    ("list: type, page 2", "/perkumpulan/?jenis=DW&page=2"),
]
PAGES = [
    ("dashboard", "/"),
    ("group list", "/perkumpulan/"),
    ("list: type, sorted by year", "/perkumpulan/?jenis=DW&urut=-tahun"),
    ("list: name search", "/perkumpulan/?q=Perkumpulan+77"),
    ("list: page 100", "/perkumpulan/?page=100"),
    ("group page", "/perkumpulan/BENCH-000001/"),
    ("people: NIK prefix", "/warga/?q=3277010101"),
    ("recap of the city", "/rekap/?wilayah=32.77&tahun=2026"),
    ("PMKS cases", "/pmks/"),
    ("PMKS: open, no group", "/pmks/?status=TERIDENTIFIKASI&didampingi=false"),
    ("PMKS case page", "/pmks/{kasus}/"),
    ("PMKS: who is helped", "/pmks/cakupan/"),
]


def step_run(groups: int) -> dict:
    import django

    django.setup()
    from django.test import Client

    from registry.models import User

    first_case = harness.seeded_city(groups, cases=True)
    user = User.objects.create(username="bench-staf", peran="staf", wilayah_id=harness.CITY)
    client = Client()
    client.force_login(user)
    results = {}
    for name, url in PAGES:
        result, _queries = harness.time_page(client, url.format(kasus=first_case))
        results[name] = result
    ratios = harness.in_turn([(*FLOOR, Client()), *((name, url, client) for name, url in LISTS)],
                             RATIO_RUNS)
    return {"groups": groups, "pages": results, "ratios": ratios}


def conduct(args) -> int:
    label, small, big = harness.small_and_big(args, __file__, "wksbm-pages-bench-")
    print()
    print(f"Database: {label}")
    print(f"Median of {harness.PAGE_RUNS} requests as Dinas Sosial staff of Kota Cimahi "
          "(ms, queries)")
    rows, missed = [], []
    for name, _url in PAGES:
        s, b = small["pages"][name], big["pages"][name]
        rows.append([name, f"{s['ms']:.1f}", str(s["queries"]), f"{b['ms']:.1f}",
                     str(b["queries"]), f"{b['ms'] / s['ms']:.2f}"])
        if b["ms"] > TARGET_MS:
            missed.append(f"{name}: {b['ms']:.0f} ms at {args.big:,} groups (target ≤ "
                          f"{TARGET_MS:.0f} ms)")
        if b["queries"] != s["queries"]:
            missed.append(f"{name}: queries grow {s['queries']} → {b['queries']}")
    harness.table(["page", f"{args.small:,} ms", "queries", f"{args.big:,} ms", "queries", "ratio"],
                  rows)
    print()
    print(f"At {args.big:,} groups, median of {RATIO_RUNS} requests each, taken in turn "
          f"(target ≤ {LIST_TARGET:.0f}× the login page)")
    floor = big["ratios"][FLOOR[0]]
    rows = [[FLOOR[0], f"{floor:.1f}", "1.00"]]
    for name, _url in LISTS:
        ms = big["ratios"][name]
        rows.append([name, f"{ms:.1f}", f"{ms / floor:.2f}"])
        if ms / floor > LIST_TARGET:
            missed.append(f"{name}: {ms / floor:.2f}× the login page (target ≤ "
                          f"{LIST_TARGET:.0f}×)")
    harness.table(["page", "ms", "× login"], rows)
    return harness.verdict(missed, f"every page ≤ {TARGET_MS:.0f} ms at {args.big:,} groups, "
                           f"same queries; the lists ≤ {LIST_TARGET:.0f}× the login page")


if __name__ == "__main__":
    sys.exit(harness.city_main(None, __doc__.split("\n\n")[0], step_run, conduct))
