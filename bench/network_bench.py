"""Network benchmark: the `jaringan` figures of a kabupaten-sized network, and a village's picture.

Target (the network issue): the figures of a network of 30,000 groups and 100,000 links within
5 s on this machine, from a few queries; the picture of a village of 400 groups within 1 s. The
floor, measured in the same run: the same figures for that village alone, whose ratio to the big
network is reported.

    .venv/bin/python bench/network_bench.py [--groups 30000] [--links 100000] [--database-url URL]

A fresh database gets the groups spread over the 15 kelurahan of Kota Cimahi, outside partners
(one in ten links goes to one of 200 partners, half of them government offices), links drawn at
random within a village four times in five, and a chair for each group who also sits in a
second group one time in five (the overlap network). Each measure runs once to warm up and 3
times to time (median, wall clock, queries counted).
Exit status: 0 when the targets are met, 1 when not, 2 when a step fails.
"""

import argparse
import json
import random
import shutil
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from bench import harness  # noqa: E402
from registry.validators import nik_prefix  # noqa: E402

FIGURES_TARGET_S = 5.0
PICTURE_TARGET_S = 1.0
RUNS = 3
VILLAGE = "32.77.01.1002"  # Cibeureum


def seed(groups: int, links: int, village_groups: int) -> None:
    import datetime

    from django.db import transaction

    from members.models import Keanggotaan, PeranAnggota, Warga
    from network.models import Hubungan, JenisMitra, Mitra
    from registry.models import JenisPerkumpulan, Perkumpulan, Wilayah

    rng = random.Random(7)
    villages = sorted(Wilayah.objects.filter(kode__startswith=harness.CITY + ".", tingkat="desa")
                      .exclude(pk=VILLAGE).values_list("pk", flat=True))
    jenis = list(JenisPerkumpulan.objects.values_list("pk", flat=True))
    with transaction.atomic():
        rows = [Perkumpulan(kode=f"NET-{g:06d}", nama=f"Perkumpulan {g}", tahun_berdiri=2000,
                            jenis_id=rng.choice(jenis), desa_id=villages[g % len(villages)])
                for g in range(groups)]
        rows += [Perkumpulan(kode=f"CBR-{g:04d}", nama=f"Kelompok {g}", tahun_berdiri=2000,
                             jenis_id=rng.choice(jenis), desa_id=VILLAGE)
                 for g in range(village_groups)]
        Perkumpulan.objects.bulk_create(rows, batch_size=5_000)
        by_village: dict[str, list[int]] = {}
        for pk, desa in Perkumpulan.objects.values_list("pk", "desa_id"):
            by_village.setdefault(desa, []).append(pk)
        kinds = [JenisMitra.PEMERINTAH, JenisMitra.ORGANISASI_SOSIAL, JenisMitra.DUNIA_USAHA,
                 JenisMitra.LSM]
        Mitra.objects.bulk_create([
            Mitra(nama=f"Mitra {i}", jenis=kinds[0] if i % 2 else rng.choice(kinds[1:]),
                  wilayah_id=harness.CITY) for i in range(200)])
        partners = list(Mitra.objects.values_list("pk", flat=True))
        seen, made = set(), []
        everyone = [pk for pks in by_village.values() for pk in pks]

        def add(a, b=None, partner=None):
            key = (a, b, partner)
            if key not in seen and a != b:
                seen.add(key)
                made.append(Hubungan(perkumpulan_id=a, mitra_perkumpulan_id=b,
                                     mitra_luar_id=partner, bentuk="KOORDINASI"))

        # The village: about one link per group, as sparse as seed 004 found.
        local = by_village[VILLAGE]
        for _ in range(village_groups):
            add(rng.choice(local), rng.choice(local))
        while len(made) < links + village_groups:
            a = rng.choice(everyone)
            if rng.random() < 0.1:
                add(a, partner=rng.choice(partners))
            elif rng.random() < 0.8:
                add(a, rng.choice(by_village[villages[a % len(villages)]]))
            else:
                add(a, rng.choice(everyone))
        Hubungan.objects.bulk_create(made, batch_size=5_000)
        first = datetime.date(1960, 1, 1)
        people = []
        for i in range(len(everyone)):
            born = first + datetime.timedelta(days=i % 15_000)
            people.append(Warga(nik=f"{nik_prefix('327701', born, 'L')}{i // 15_000 + 1:04d}",
                                nama=f"Ketua {i}"))
        Warga.objects.bulk_create(people, batch_size=5_000)
        ids = list(Warga.objects.order_by("pk").values_list("pk", flat=True))
        memberships = [Keanggotaan(warga_id=w, perkumpulan_id=g, peran=PeranAnggota.KETUA)
                       for w, g in zip(ids, everyone, strict=True)]
        memberships += [Keanggotaan(warga_id=w, perkumpulan_id=rng.choice(everyone))
                        for w in ids[::5]]
        Keanggotaan.objects.bulk_create(memberships, batch_size=5_000, ignore_conflicts=True)


def step_run(groups: int, links: int, village_groups: int) -> dict:
    import django

    django.setup()
    from django.db import connection
    from django.test import Client

    from network import graph
    from registry.models import User, Wilayah

    seed(groups, links, village_groups)
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    city, village = Wilayah.objects.get(pk=harness.CITY), Wilayah.objects.get(pk=VILLAGE)
    results = {}

    def figures(area):
        return lambda: (graph.figures(graph.build(area)), graph.overlap(area))

    for name, area in (("village", village), ("city", city)):
        seconds, queries = harness.timed(figures(area), RUNS)
        network = graph.build(area)
        results[name] = {"s": seconds, "queries": len(queries),
                         "groups": len(graph.groups_of(network)),
                         "links": network.number_of_edges()}
    user = User.objects.create(username="bench-staf", peran="staf", wilayah_id=harness.CITY)
    client = Client()
    client.force_login(user)

    def page():
        response = client.get("/jaringan/", {"wilayah": VILLAGE})
        if response.status_code != 200 or response.content.count(b"<svg viewBox") != 2:
            raise harness.BenchFailure(f"the village page answered {response.status_code} "
                                       "without a picture")

    seconds, queries = harness.timed(page, RUNS)
    results["picture"] = {"s": seconds, "queries": len(queries)}
    return results


def measure(args, folder: Path) -> tuple[str, dict]:
    database = harness.Database(args.database_url, folder)
    try:
        harness.say(f"Setting up {database.label}: {args.groups:,} groups, {args.links:,} links …")
        env = harness.city_database(database)
        result = harness.child(env, "--step", "run", "--groups", str(args.groups), "--links",
                               str(args.links), "--village-groups", str(args.village_groups),
                               script=__file__)
        return database.label, result
    finally:
        database.drop()


def conduct(args) -> int:
    folder = Path(tempfile.mkdtemp(prefix="wksbm-network-bench-"))
    try:
        label, result = measure(args, folder)
    except harness.BenchFailure as exc:
        print(f"FAILED {exc}", file=sys.stderr)
        return 2
    finally:
        shutil.rmtree(folder, ignore_errors=True)
    village, city, picture = result["village"], result["city"], result["picture"]
    print()
    print(f"Database: {label.replace(str(folder), '<tmp>')}")
    print(f"Median of {RUNS} runs after a warm-up (s, queries)")
    harness.table(["measure", "groups", "edges", "s", "queries"], [
        ["figures + overlap: village (floor)", f"{village['groups']:,}",
         f"{village['links']:,}", f"{village['s']:.3f}", str(village["queries"])],
        ["figures + overlap: Kota Cimahi", f"{city['groups']:,}", f"{city['links']:,}",
         f"{city['s']:.3f}", str(city["queries"])],
        ["village page with both pictures", f"{village['groups']:,}", f"{village['links']:,}",
         f"{picture['s']:.3f}", str(picture["queries"])],
    ])
    print(f"ratio city / village: {city['s'] / village['s']:.1f}")
    missed = []
    if city["s"] > FIGURES_TARGET_S:
        missed.append(f"figures {city['s']:.2f} s > {FIGURES_TARGET_S} s")
    if picture["s"] > PICTURE_TARGET_S:
        missed.append(f"village page {picture['s']:.2f} s > {PICTURE_TARGET_S} s")
    if city["queries"] != village["queries"]:
        missed.append(f"queries grow {village['queries']} → {city['queries']}")
    return harness.verdict(missed, f"figures ≤ {FIGURES_TARGET_S:.0f} s, village page ≤ "
                           f"{PICTURE_TARGET_S:.0f} s, same queries")


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--groups", type=int, default=30_000)
    parser.add_argument("--links", type=int, default=100_000)
    parser.add_argument("--village-groups", type=int, default=400)
    harness.add_database_url(parser)
    parser.add_argument("--step", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.step == "run":
        print(harness.MARK + json.dumps(step_run(args.groups, args.links, args.village_groups)))
        return 0
    return conduct(args)


if __name__ == "__main__":
    sys.exit(main())
