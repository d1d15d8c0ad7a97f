import csv
from pathlib import Path

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.utils.translation import gettext as _

from registry.management.output import cannot_read
from registry.models import TINGKAT_BY_PARTS, Wilayah
from registry.validators import normalize_kode_wilayah, validate_kode_wilayah

# File, then the column holding the parent's code, from the top level down.
FILES = [
    ("provinces.csv", None),
    ("regencies.csv", "province_code"),
    ("districts.csv", "regency_code"),
    ("villages.csv", "district_code"),
]
BATCH = 2000


class Command(BaseCommand):
    help = (
        "Load the official areas (province, kabupaten/kota, kecamatan, desa/kelurahan) from "
        "the CSV files in fixtures/wilayah/ (idn-area-data, ODbL). Safe to re-run: new areas "
        "are added, renamed ones updated, nothing is deleted. --prefix limits the load to one "
        "area, what lies within it and its ancestors."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--dir",
            default=str(Path(settings.BASE_DIR) / "fixtures" / "wilayah"),
            help="Folder holding provinces.csv, regencies.csv, districts.csv, villages.csv.",
        )
        parser.add_argument("--prefix", default="", help="Only this area code and within it.")

    def handle(self, *args, **options):
        folder = Path(options["dir"])
        try:
            prefix = normalize_kode_wilayah(options["prefix"]) if options["prefix"] else ""
        except ValidationError as exc:
            raise CommandError(exc.messages[0]) from exc
        rows = self._read(folder, prefix)
        if not rows:
            raise CommandError(_("No area matches prefix %(prefix)r.") % {"prefix": prefix})
        existing = {w.kode: w.nama for w in Wilayah.objects.only("kode", "nama")}
        new, renamed = [], []
        for kode, nama in rows:
            if kode not in existing:
                new.append(
                    Wilayah(
                        kode=kode,
                        nama=nama,
                        tingkat=TINGKAT_BY_PARTS[kode.count(".") + 1],
                        **Wilayah.ancestor_codes(kode),
                    )
                )
            elif existing[kode] != nama:
                renamed.append(Wilayah(kode=kode, nama=nama))
        with transaction.atomic():
            Wilayah.objects.bulk_create(new, batch_size=BATCH)
            Wilayah.objects.bulk_update(renamed, ["nama"], batch_size=BATCH)
        unchanged = len(rows) - len(new) - len(renamed)
        self.stdout.write(
            _("Wilayah: %(created)d created, %(updated)d updated, %(unchanged)d unchanged.")
            % {"created": len(new), "updated": len(renamed), "unchanged": unchanged}
        )

    def _read(self, folder: Path, prefix: str) -> list[tuple[str, str]]:
        """Read all four files in level order, checking every code and its parent."""
        rows: list[tuple[str, str]] = []
        known: set[str] = set()
        for filename, parent_column in FILES:
            path = folder / filename
            try:
                self._read_file(path, parent_column, prefix, known, rows)
            except (OSError, UnicodeDecodeError) as exc:  # a folder, no permission, not UTF-8
                raise cannot_read(path, exc) from exc
        return rows

    def _read_file(self, path: Path, parent_column: str | None, prefix: str, known: set[str],
                   rows: list[tuple[str, str]]) -> None:
        """One file's areas within the prefix, added to `rows` (their codes to `known`)."""
        with path.open(newline="", encoding="utf-8") as handle:
            for line, record in enumerate(csv.DictReader(handle), start=2):
                kode, nama = (record.get("code") or "").strip(), (record.get("name") or "")
                try:
                    validate_kode_wilayah(kode)
                except ValidationError as exc:
                    raise CommandError(f"{path}:{line}: {exc.messages[0]}") from exc
                if prefix and not _in_scope(kode, prefix):
                    continue
                parent = record.get(parent_column) if parent_column else None
                if parent_column and parent not in known:
                    raise CommandError(_("%(path)s:%(line)d: the parent of %(kode)s is unknown.")
                                       % {"path": path, "line": line, "kode": kode})
                if parent_column and Wilayah.ancestor_codes(kode)["induk_id"] != parent:
                    raise CommandError(
                        _("%(path)s:%(line)d: %(kode)s cannot lie within %(parent)s.")
                        % {"path": path, "line": line, "kode": kode, "parent": parent})
                known.add(kode)
                rows.append((kode, nama.strip()))


def _in_scope(kode: str, prefix: str) -> bool:
    """The area itself, an area within it, or one of its ancestors."""
    return kode == prefix or kode.startswith(prefix + ".") or prefix.startswith(kode + ".")
