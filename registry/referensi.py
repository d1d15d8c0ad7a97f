"""The reference lists a registry needs from its first day — the 17 group types, the lists of
choices (purposes, sources of funds, requirements, values, activities) and the PMKS categories —
from the project's own fixtures/referensi.json. The migrations create the rows that are missing
(registry 0017, pmks 0013), so that a registry set up with `migrate` alone checks its rows against
real lists; `loaddata referensi` afterwards finds them by their natural keys and changes nothing
else. Rows staff have edited are never overwritten."""

import json
from pathlib import Path

FIXTURE = Path(__file__).resolve().parent.parent / "fixtures" / "referensi.json"


def create_missing(apps, labels: set[str]) -> int:
    """Create the fixture's rows of the models `labels` ("registry.jenisperkumpulan", …) that are
    not there yet, by their natural keys, with the given (historical) `apps`; the number made."""
    made = 0
    for row in json.loads(FIXTURE.read_text(encoding="utf-8")):
        if row["model"] not in labels:
            continue
        model = apps.get_model(row["model"])
        fields = dict(row["fields"])
        helpers = fields.pop("jenis_penolong", None)
        key = {name: fields[name] for name in ("daftar", "kode") if name in fields}
        found, created = model.objects.get_or_create(**key, defaults=fields)
        if created and helpers:
            types = apps.get_model("registry", "JenisPerkumpulan")
            found.jenis_penolong.set(types.objects.filter(kode__in=[k for (k,) in helpers]))
        made += created
    return made
