import argparse
import time
from collections import deque
from concurrent.futures import ThreadPoolExecutor

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError
from django.db import DatabaseError, connection, connections, transaction
from django.db.models import ProtectedError
from django.utils.translation import gettext as _

from demo import writer
from demo.generator import (
    GROUPS_PER_BATCH,
    REASON,
    Generator,
    load_villages,
    villages_within,
)
from registry import audit, rekap, validators
from registry.models import JenisPerkumpulan, Wilayah

MAX_GROUPS_PER_VILLAGE = 5_000
MAX_MEMBERS_PER_GROUP = 100
MAX_VILLAGES_PER_BATCH = 2_000  # also the longest IN (…) list of a batch (SQLite's limit)


def whole_number(low: int, high: int):
    """An argparse type: a whole number from low to high, refused in Indonesian."""

    def parse(text: str) -> int:
        try:
            value = int(text)
        except ValueError:
            raise argparse.ArgumentTypeError(
                _("“%(value)s” is not a whole number.") % {"value": text}) from None
        if not low <= value <= high:
            raise argparse.ArgumentTypeError(
                _("%(value)d is outside %(low)d–%(high)d.")
                % {"value": value, "low": low, "high": high})
        return value

    return parse


def write_batch(generator, batch, reason):
    """A writer thread's work: one batch in one transaction, on the thread's own connection."""
    try:
        with transaction.atomic(), audit.changes(None, reason):
            written = writer.write(batch, generator.year, generator.spent)
            clock = time.perf_counter()
        generator.spent("commit", time.perf_counter() - clock)
        return written
    finally:
        connections.close_all()


class Command(BaseCommand):
    help = (
        "Generate synthetic but realistic demo data in N real villages (desa/kelurahan of the "
        "loaded areas within --wilayah, in code order): M groups each, drawn from seed 004's "
        "Cibeureum survey as demo/cibeureum.py holds it (type mix of Table 1, founding age, "
        "size, network and purpose per type, the chairs' education of Table 4), K members per "
        "group (a chair, then secretary, treasurer, vice chair, members; people with valid NIKs "
        "of the village's kecamatan, one in five of the non-chairs shared with another group), "
        "about 11 PMKS cases per 100 groups over every category and status, links (government-"
        "made groups to their office, a few between groups; about half the groups isolated) and "
        "a WKSBM forum per village; each kecamatan's BKB (linked from its villages' BKBs), "
        "TKSK, LKS and training of the Posyandu and Karang Taruna chairs, and a PSM per "
        "village, made once per kecamatan. Same --seed, same villages and year: same data. "
        "Villages that already hold groups, PMKS cases or a forum are refused unless --replace "
        "(which deletes their groups, cases, forum, PSKS and the residents nothing else refers "
        "to, through the ORM, "
        "with audit history). Written a batch of villages at a time, each batch in one "
        "transaction (at most 2,000 villages: SQLite's variable limit), with the importer's "
        "writer (COPY on PostgreSQL, executemany in chunks of 2,000 rows on SQLite), by writer "
        "threads on their own connections while the next batch is planned. Audit history is "
        "written as the importer writes it (one "
        "INSERT … SELECT per table and batch): measured at 100,000 groups it adds about 10 % "
        "to the writing time on SQLite and 40 % on PostgreSQL, far from doubling it, so it is "
        "kept. The stored recap counts are refreshed at the end. Measured on 2 cores shared with "
        "other work: 100,000 groups in 26–35 s on SQLite and 37–47 s on PostgreSQL, recap "
        "counts included; 1,000,000 on PostgreSQL in 7–9 minutes (4.9–5.6 writing, 2.4–3.3 "
        "statistics and recap counts)."
    )

    def add_arguments(self, parser):
        parser.add_argument("--villages", type=whole_number(1, 100_000), required=True,
                            help="Number of villages (N).")
        parser.add_argument("--groups-per-village", type=whole_number(1, MAX_GROUPS_PER_VILLAGE),
                            required=True, help="Groups per village (M).")
        parser.add_argument("--members-per-group", type=whole_number(1, MAX_MEMBERS_PER_GROUP),
                            default=3, help="Registered members per group (K, default 3: the "
                            "board). The declared number of members follows Table 3.")
        parser.add_argument("--wilayah", default="",
                            help="Province, kabupaten/kota or kecamatan code (default: all).")
        parser.add_argument("--seed", type=whole_number(0, 2**31), default=2006,
                            help="Random seed (default 2006).")
        parser.add_argument("--groups-per-batch", type=whole_number(1, 1_000_000),
                            default=GROUPS_PER_BATCH,
                            help="Groups per batch, one transaction of whole villages (default "
                            f"{GROUPS_PER_BATCH}).")
        parser.add_argument("--writers", type=whole_number(0, 8), default=None,
                            help="Threads writing batches while the next is planned, each on its "
                            "own connection (default 2 on PostgreSQL, 1 on SQLite; 0: none).")
        parser.add_argument("--replace", action="store_true",
                            help="Replace what the chosen villages already hold.")

    def handle(self, *args, **options):
        n, m, k = options["villages"], options["groups_per_village"], options["members_per_group"]
        seed, replace = options["seed"], options["replace"]
        self.verbosity = options["verbosity"]
        area = self._area(options["wilayah"])
        if not JenisPerkumpulan.objects.exists():
            raise CommandError(_("The reference lists are missing: run "
                                 "`python manage.py loaddata referensi` first."))
        codes = list(villages_within(area)[:n])
        where = area.kode if area else _("Indonesia")
        if not codes:
            raise CommandError(_("No desa/kelurahan is loaded within %(area)s: run "
                                 "`python manage.py load_wilayah` first.") % {"area": where})
        if len(codes) < n:
            raise CommandError(_("%(area)s holds only %(found)d desa/kelurahan, not %(wanted)d.")
                               % {"area": where, "found": len(codes), "wanted": n})
        taken = writer.occupied(codes)
        if taken and not replace:
            shown = ", ".join(taken[:5]) + (" …" if len(taken) > 5 else "")
            raise CommandError(
                _("%(count)d of the chosen villages already hold groups, PMKS cases or a forum "
                  "(%(codes)s); nothing was written. Add --replace to replace their data, or "
                  "choose other villages with --wilayah.") % {"count": len(taken), "codes": shown})
        generator = Generator(seed, m, k, validators.this_year())
        missing = generator.missing_reference()
        if missing:
            raise CommandError(_("The reference lists lack %(codes)s: run `python manage.py "
                                 "loaddata referensi` first.") % {"codes": ", ".join(missing)})
        villages_per_batch = max(1, min(MAX_VILLAGES_PER_BATCH, options["groups_per_batch"] // m))
        batches = [codes[i:i + villages_per_batch]
                   for i in range(0, len(codes), villages_per_batch)]
        self._say(_("Generating %(groups)d groups in %(villages)d villages (%(first)s … "
                    "%(last)s), %(batches)d batches, seed %(seed)d.")
                  % {"groups": n * m, "villages": n, "first": codes[0], "last": codes[-1],
                     "batches": len(batches), "seed": seed})
        writers = options["writers"]
        if writers is None:
            writers = 2 if connection.vendor == "postgresql" else 1
        if connection.in_atomic_block:
            writers = 0  # inside the caller's transaction: other connections would not see it
        self.batches, self.total = len(batches), 0
        taken = set(taken)
        started = time.perf_counter()
        first_group, first_case, done = 0, 0, 0
        reason = REASON.format(seed=seed)
        pending = deque()  # (number, part, future, started) of the batches being written
        pool = ThreadPoolExecutor(writers, "generate_demo") if writers else None
        try:
            for number, part in enumerate(batches, 1):
                clock = time.perf_counter()
                if pool is None or taken.intersection(part):
                    # In this thread: the replaced villages are emptied before the plan reads
                    # which NIKs are taken, all in the batch's transaction.
                    while pending:
                        self._finish(*pending.popleft())
                    try:
                        with transaction.atomic(), audit.changes(None, reason):
                            if taken.intersection(part):
                                writer.clear(part)
                            batch = self._plan(generator, part, done, first_group, first_case)
                            writer.add_offices(batch)
                            written = writer.write(batch, generator.year, generator.spent)
                    except (DatabaseError, ProtectedError, OverflowError) as exc:
                        raise self._failed(number, part, exc) from exc
                    self._report(number, part, written, time.perf_counter() - clock)
                else:
                    try:
                        batch = self._plan(generator, part, done, first_group, first_case)
                        with audit.changes(None, reason):  # (a kecamatan's BKB has history)
                            writer.add_offices(batch)
                    except (DatabaseError, OverflowError) as exc:
                        raise self._failed(number, part, exc) from exc
                    while len(pending) >= writers:
                        self._finish(*pending.popleft())
                    future = pool.submit(write_batch, generator, batch, reason)
                    pending.append((number, part, future, clock))
                first_group += m * len(part)
                first_case += len(batch.cases)
                done += len(part)
            while pending:
                self._finish(*pending.popleft())
        finally:
            if pool is not None:
                pool.shutdown(wait=True, cancel_futures=True)
        total = self.total
        writing = time.perf_counter() - started
        if self.verbosity > 1:
            self._say(_("Seconds per step: %(steps)s") % {"steps": ", ".join(
                f"{name} {seconds:.1f}" for name, seconds in generator.seconds.most_common())})
        clock = time.perf_counter()
        writer.analyze()
        rekap.refresh([*codes, *sorted({kode.rsplit(".", 1)[0] for kode in codes})])  # (+ BKB)
        refreshing = time.perf_counter() - clock
        self._say(_("Done: %(groups)d groups, %(rows)d rows (audit history included) in "
                    "%(seconds).1f s (%(rate)d rows/s); statistics and stored recap counts "
                    "in %(refresh).1f s.")
                  % {"groups": n * m, "rows": total, "seconds": writing,
                     "rate": total / max(writing, 1e-6), "refresh": refreshing})

    def _plan(self, generator, part, done, first_group, first_case):
        villages = load_villages(part)
        for village in villages:
            village.index += done
        return generator.plan(villages, first_group, first_case)

    def _finish(self, number, part, future, started) -> None:
        """Wait for a batch written by a writer thread; report it, or fail with its error."""
        try:
            written = future.result()
        except (DatabaseError, ProtectedError, OverflowError) as exc:
            raise self._failed(number, part, exc) from exc
        self._report(number, part, written, time.perf_counter() - started)

    def _failed(self, number, part, exc) -> CommandError:
        return CommandError(
            _("Batch %(number)d (%(first)s … %(last)s) failed and was not written: %(error)s. "
              "The batches written before it stay; run again with --replace to start over.")
            % {"number": number, "first": part[0], "last": part[-1], "error": exc})

    def _report(self, number, part, written, seconds) -> None:
        rows = sum(written.values())
        self.total += rows
        self._say(_("[%(number)d/%(batches)d] %(first)s … %(last)s: %(groups)d groups, "
                    "%(rows)d rows in %(seconds).1f s (%(rate)d rows/s)")
                  % {"number": number, "batches": self.batches, "first": part[0],
                     "last": part[-1], "groups": written["registry.Perkumpulan"], "rows": rows,
                     "seconds": seconds, "rate": rows / max(seconds, 1e-6)})

    def _area(self, value: str) -> Wilayah | None:
        if not value:
            return None
        try:
            kode = validators.normalize_kode_wilayah(value)
        except ValidationError as exc:
            raise CommandError(exc.messages[0]) from exc
        area = Wilayah.objects.filter(pk=kode).first()
        if area is None:
            raise CommandError(_("Area %(code)s is not loaded: run `python manage.py "
                                 "load_wilayah` first.") % {"code": kode})
        if area.tingkat == "desa":
            raise CommandError(_("--wilayah takes a province, kabupaten/kota or kecamatan, not "
                                 "the desa/kelurahan %(code)s.") % {"code": kode})
        return area

    def _say(self, text: str) -> None:
        if self.verbosity:
            self.stdout.write(text)
            self.stdout.flush()
