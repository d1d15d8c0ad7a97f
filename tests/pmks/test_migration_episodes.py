"""The migrations of repeat cases and the older list (pmks 0008, 0009) on a database with cases
of before: every case is kept as it was, open or closed, and the new constraint holds. Run in a
child process on a SQLite file of its own (the test database keeps its schema)."""

import json
import os
import subprocess
import sys

from django.conf import settings

SCRIPT = r"""
import json
from django.db import connection, IntegrityError, transaction
from django.db.migrations.executor import MigrationExecutor

def at(target):
    executor = MigrationExecutor(connection)
    executor.migrate(target)
    executor.loader.build_graph()
    return executor.loader.project_state(target).apps

everything = MigrationExecutor(connection).loader.graph.leaf_nodes()
apps = at([("pmks", "0007_history_fewer_indexes")])
Wilayah = apps.get_model("registry", "Wilayah")
Warga = apps.get_model("members", "Warga")
Kategori = apps.get_model("pmks", "KategoriPMKS")
Kasus = apps.get_model("pmks", "KasusPMKS")
prov = Wilayah.objects.create(kode="32", nama="Jawa Barat", tingkat="provinsi")
kab = Wilayah.objects.create(kode="32.77", nama="Kota Cimahi", tingkat="kabupaten", induk=prov)
kec = Wilayah.objects.create(kode="32.77.01", nama="Cimahi Selatan", tingkat="kecamatan",
                             induk=kab)
desa = Wilayah.objects.create(kode="32.77.01.1002", nama="Cibeureum", tingkat="desa", induk=kec)
fm = Kategori.objects.create(kode="FM", nama="Fakir Miskin", alias="Miskin", urutan=24)
prse = Kategori.objects.create(kode="PRSE", nama="Perempuan Rawan Sosial Ekonomi", urutan=23)
siti = Warga.objects.create(nik="3277014101800001", nama="Siti", wilayah=desa)
budi = Warga.objects.create(nik="3277011505750002", nama="Budi", wilayah=desa)
Kasus.objects.create(warga=siti, nama="Siti", desa=desa, kategori=fm, status="SELESAI")
Kasus.objects.create(warga=budi, nama="Budi", desa=desa, kategori=fm, status="DITANGANI")
Kasus.objects.create(warga=siti, nama="Siti", desa=desa, kategori=prse, status="MENOLAK")
Kasus.objects.create(nama="Abah", desa=desa, kategori=fm, status="TERIDENTIFIKASI")

apps = at(everything)
Kasus = apps.get_model("pmks", "KasusPMKS")
Kategori = apps.get_model("pmks", "KategoriPMKS")
result = {
    "cases": sorted([c.nama, c.kategori.kode, c.status, c.kasus_sebelumnya_id]
                    for c in Kasus.objects.all()),
    "prse": Kategori.objects.get(kode="PRSE").alias,
    "older": sorted(Kategori.objects.filter(daftar_lama=True).values_list("kode", flat=True)),
}


def refused(**fields):
    try:
        with transaction.atomic():
            Kasus.objects.create(desa_id="32.77.01.1002", **fields)
    except IntegrityError:
        return True
    return False

# Siti's Fakir Miskin case is closed: a new one may open; Budi's is open: a second is refused,
# a closed one (history) is not.
fm = Kategori.objects.get(kode="FM")
Warga = apps.get_model("members", "Warga")
siti, budi = Warga.objects.get(nama="Siti"), Warga.objects.get(nama="Budi")
result["siti_new_episode"] = not refused(warga=siti, nama="Siti", kategori=fm)
result["budi_second_open"] = refused(warga=budi, nama="Budi", kategori=fm)
result["budi_closed_history"] = not refused(warga=budi, nama="Budi", kategori=fm,
                                            status="SELESAI")
print("RESULT" + json.dumps(result))
"""


def run(database) -> dict:
    env = {**os.environ, "DATABASE_URL": f"sqlite:///{database}",
           "DJANGO_SETTINGS_MODULE": "wksbm_site.settings"}
    env.setdefault("DJANGO_SECRET_KEY", "tests-only-not-secret")
    done = subprocess.run(
        [sys.executable, str(settings.BASE_DIR / "manage.py"), "shell", "-c", SCRIPT],
        cwd=settings.BASE_DIR, env=env, capture_output=True, text=True, timeout=300,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    line = next(x for x in done.stdout.splitlines() if x.startswith("RESULT"))
    return json.loads(line[len("RESULT"):])


def test_existing_cases_are_kept_and_the_open_case_constraint_holds(tmp_path):
    result = run(tmp_path / "db.sqlite3")
    assert result["cases"] == [
        ["Abah", "FM", "TERIDENTIFIKASI", None],
        ["Budi", "FM", "DITANGANI", None],
        ["Siti", "FM", "SELESAI", None],
        ["Siti", "PRSE", "MENOLAK", None],
    ]
    # The older list: aliases added to an officer's own, categories of their own.
    assert result["prse"] == "Wanita Rawan Sosial Ekonomi; WRSE"
    assert result["older"] == ["KBRTLH", "KMM", "KR", "MDRB"]
    assert result["siti_new_episode"] and result["budi_second_open"]
    assert result["budi_closed_history"]
