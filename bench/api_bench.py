"""API benchmark: a page of the JSON API's group list against the web app's group list, in the
same run, for a city of 100,000 groups.

Target (issue 24): at 100,000 groups, GET /api/v1/perkumpulan/?page=2 (100 groups, with a
token) answers within 2x the web group list's page 2 (/perkumpulan/?page=2, 50 groups, logged
in), both as Dinas Sosial staff of the city: the median of 41 requests each, taken in turn so
that a busy moment of the machine falls on both; and the API's queries do not grow from a
small city to a large one.

    .venv/bin/python bench/api_bench.py [--small 300] [--big 100000] [--database-url URL]

Each size gets a fresh database filled as bench/pages_bench.py fills it (`seed` of
bench/harness.py). Exit status: 0 when the target is met, 1 when not, 2 when a step fails.
"""

import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from bench import harness  # noqa: E402

TARGET = 2.0  # the API's page / the web list's page, at the big size
RATIO_RUNS = 41
WEB = ("web group list, page 2", "/perkumpulan/?page=2")
API = ("API group list, page 2", "/api/v1/perkumpulan/?page=2")


def step_run(groups: int) -> dict:
    import django

    django.setup()
    from django.test import Client

    from api.models import Token
    from registry.models import User

    harness.seeded_city(groups)
    user = User.objects.create(username="bench-staf", peran="staf", wilayah_id=harness.CITY)
    web = Client()
    web.force_login(user)
    _token, key = Token.make(user, "bench")
    api = Client(HTTP_AUTHORIZATION=f"Token {key}")
    pages = {}
    for (name, url), client in ((WEB, web), (API, api)):
        pages[name], _queries = harness.time_page(client, url)
    ratio = harness.in_turn([(*WEB, web), (*API, api)], RATIO_RUNS)
    return {"groups": groups, "pages": pages, "ratio": ratio}


def conduct(args) -> int:
    label, small, big = harness.small_and_big(  # the benchmark is no abuse: no rate limit
        args, __file__, "wksbm-api-bench-", WKSBM_API_RATE_USER="1000000/hour")
    print()
    print(f"Database: {label}")
    print(f"Median of {harness.PAGE_RUNS} requests as Dinas Sosial staff of Kota Cimahi "
          "(ms, queries)")
    rows, missed = [], []
    for name, _url in (WEB, API):
        s, b = small["pages"][name], big["pages"][name]
        rows.append([name, f"{s['ms']:.1f}", str(s["queries"]), f"{b['ms']:.1f}",
                     str(b["queries"])])
    if big["pages"][API[0]]["queries"] != small["pages"][API[0]]["queries"]:
        missed.append(f"{API[0]}: queries grow {small['pages'][API[0]]['queries']} → "
                      f"{big['pages'][API[0]]['queries']}")
    harness.table(["page", f"{args.small:,} ms", "queries", f"{args.big:,} ms", "queries"],
                  rows)
    print()
    web_ms, api_ms = big["ratio"][WEB[0]], big["ratio"][API[0]]
    ratio = api_ms / web_ms
    print(f"At {args.big:,} groups, median of {RATIO_RUNS} requests each, taken in turn "
          f"(target ≤ {TARGET:.0f}× the web list)")
    harness.table(["page", "ms", "× web list"],
                  [[WEB[0], f"{web_ms:.1f}", "1.00"], [API[0], f"{api_ms:.1f}", f"{ratio:.2f}"]])
    if ratio > TARGET:
        missed.append(f"{API[0]}: {ratio:.2f}× the web list (target ≤ {TARGET:.0f}×)")
    return harness.verdict(missed, f"the API's page 2 ≤ {TARGET:.0f}× the web list's at "
                           f"{args.big:,} groups, same queries")


if __name__ == "__main__":
    sys.exit(harness.city_main(None, __doc__.split("\n\n")[0], step_run, conduct))
