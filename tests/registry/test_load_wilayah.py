"""load_wilayah: the official areas from fixtures/wilayah/*.csv (idn-area-data).

The session database already holds the areas of Kota Cimahi (32.77) and Kecamatan Sukasari
(32.73.01) with their ancestors: 26 rows (see tests/conftest.py). The full load runs twice, once
for the whole class TestFullLoad, inside a transaction rolled back when the class is done.
"""

import csv
import io
from pathlib import Path
from types import SimpleNamespace

import pytest
from django.conf import settings
from django.core.management import CommandError, call_command
from django.db import transaction
from django.utils import translation

# `wc -l fixtures/wilayah/*.csv` minus the header line of each file.
PROVINCES, KABUPATEN, KECAMATAN, DESA = 38, 514, 7285, 83762
TOTAL = PROVINCES + KABUPATEN + KECAMATAN + DESA  # 91,599
ALREADY_LOADED = 26  # 32, 32.77 and its 18 areas, 32.73, 32.73.01 and its 4 kelurahan
CSV_DIR = Path(settings.BASE_DIR) / "fixtures" / "wilayah"


def load(**options) -> str:
    out = io.StringIO()
    with translation.override("en"):
        call_command("load_wilayah", stdout=out, **options)
    return out.getvalue().strip()


def snapshot():
    from registry.models import Wilayah

    return list(
        Wilayah.objects.order_by("kode").values_list(
            "kode", "nama", "tingkat", "induk", "provinsi", "kabupaten", "kecamatan"
        )
    )


@pytest.fixture(scope="class")
def full_load(django_db_setup, django_db_blocker):
    """Load every area, then load again; undo both when the class is done."""
    from registry.models import Wilayah

    with django_db_blocker.unblock(), transaction.atomic():
        before = Wilayah.objects.count()
        first = load()
        after_first = snapshot()
        second = load()
        after_second = snapshot()
        yield SimpleNamespace(
            before=before, first=first, second=second,
            after_first=after_first, after_second=after_second,
        )
        transaction.set_rollback(True)


@pytest.mark.django_db
class TestFullLoad:
    def test_csv_files_hold_the_expected_numbers_of_areas(self):
        # The assertions below rely on these numbers: a new idn-area-data release changes them.
        for filename, expected in [
            ("provinces.csv", PROVINCES), ("regencies.csv", KABUPATEN),
            ("districts.csv", KECAMATAN), ("villages.csv", DESA),
        ]:
            with (CSV_DIR / filename).open(encoding="utf-8", newline="") as handle:
                assert sum(1 for _ in csv.DictReader(handle)) == expected, filename

    def test_full_load_creates_every_area_of_the_csv_files(self, full_load):
        from registry.models import Wilayah

        assert full_load.before == ALREADY_LOADED
        assert full_load.first == (
            f"Wilayah: {TOTAL - ALREADY_LOADED} created, 0 updated, {ALREADY_LOADED} unchanged."
        )
        counts = {
            tingkat: Wilayah.objects.filter(tingkat=tingkat).count()
            for tingkat in ("provinsi", "kabupaten", "kecamatan", "desa")
        }
        assert counts == {
            "provinsi": 38, "kabupaten": 514, "kecamatan": 7285, "desa": 83762,
        }
        assert Wilayah.objects.count() == 91599

    def test_second_run_changes_nothing(self, full_load):
        assert full_load.second == "Wilayah: 0 created, 0 updated, 91599 unchanged."
        assert full_load.after_second == full_load.after_first
        assert len(full_load.after_second) == 91599

    @pytest.mark.parametrize(
        ("kode", "nama"),
        [
            ("32", "Jawa Barat"),
            ("32.77", "Kota Cimahi"),
            ("32.77.01", "Cimahi Selatan"),
            ("32.77.01.1002", "Cibeureum"),
            ("34.04.14.2008", "Merdikorejo"),
            ("34.04.14", "Tempel"),
            ("34.04", "Kabupaten Sleman"),
            ("34.03", "Kabupaten Gunungkidul"),
            ("34", "Daerah Istimewa Yogyakarta"),
            ("16.10.05.2036", "Tanjung Pasir"),
            ("16.10.05", "Pemulutan"),
            ("16.10", "Kabupaten Ogan Ilir"),
            ("15.07.08.1001", "Kampung Laut"),
        ],
    )
    def test_seed_locations_exist_with_their_names(self, full_load, kode, nama):
        from registry.models import Wilayah

        assert Wilayah.objects.get(pk=kode).nama == nama

    def test_ancestors_are_stored_on_each_area(self, full_load):
        from registry.models import Wilayah

        rows = {
            w.kode: (w.tingkat, w.induk_id, w.provinsi_id, w.kabupaten_id, w.kecamatan_id)
            for w in Wilayah.objects.filter(
                kode__in=["32", "32.77", "32.77.01", "32.77.01.1002", "34.04.14.2008"]
            )
        }
        assert rows == {
            "32": ("provinsi", None, None, None, None),
            "32.77": ("kabupaten", "32", "32", None, None),
            "32.77.01": ("kecamatan", "32.77", "32", "32.77", None),
            "32.77.01.1002": ("desa", "32.77.01", "32", "32.77", "32.77.01"),
            "34.04.14.2008": ("desa", "34.04.14", "34", "34.04", "34.04.14"),
        }

    def test_every_desa_has_all_its_ancestors(self, full_load):
        from registry.models import Wilayah

        desa = Wilayah.objects.filter(tingkat="desa")
        assert desa.filter(induk__isnull=False, kecamatan__isnull=False,
                           kabupaten__isnull=False, provinsi__isnull=False).count() == 83762
        # Kabupaten Gunungkidul's desa, counted through the stored kabupaten.
        assert desa.filter(kabupaten="34.03").count() == 144

    def test_kelurahan_and_desa_are_told_apart(self, full_load):
        from registry.models import Wilayah

        cibeureum = Wilayah.objects.get(pk="32.77.01.1002")
        merdikorejo = Wilayah.objects.get(pk="34.04.14.2008")
        assert cibeureum.is_kelurahan is True
        assert cibeureum.tingkat_label == "kelurahan"
        assert merdikorejo.is_kelurahan is False
        assert merdikorejo.tingkat_label == "desa"


# ---------------------------------------------------------------------------------------------
# Small CSV copies in tmp_path


HEADERS = {
    "provinces.csv": "code,name",
    "regencies.csv": "code,province_code,name",
    "districts.csv": "code,regency_code,name",
    "villages.csv": "code,district_code,name",
}


def write_csvs(folder: Path, **lines: list[str]) -> Path:
    """Write the four files; `lines` maps a file's stem (provinces, regencies, …) to its rows."""
    for filename, header in HEADERS.items():
        rows = lines.get(filename.removesuffix(".csv"), [])
        (folder / filename).write_text("\n".join([header, *rows]) + "\n", encoding="utf-8")
    return folder


CIMAHI_ROWS = {
    "provinces": ["32,Jawa Barat"],
    "regencies": ["32.77,32,Kota Cimahi"],
    "districts": ["32.77.01,32.77,Cimahi Selatan"],
    "villages": ["32.77.01.1001,32.77.01,Melong", "32.77.01.1002,32.77.01,Cibeureum"],
}

# Gunungkidul: not in the session database, so a failed load that wrote anything shows.
GUNUNGKIDUL_ROWS = {
    "provinces": ["34,Daerah Istimewa Yogyakarta"],
    "regencies": ["34.03,34,Kabupaten Gunungkidul"],
    "districts": ["34.03.01,34.03,Wonosari", "34.03.02,34.03,Nglipar"],
    "villages": ["34.03.01.2001,34.03.01,Baleharjo", "34.03.01.2002,34.03.01,Wonosari"],
}


def test_renamed_area_is_updated(db, tmp_path):
    from registry.models import Wilayah

    rows = dict(CIMAHI_ROWS, villages=[
        "32.77.01.1001,32.77.01,Melong",
        "32.77.01.1002,32.77.01,Cibeureum Baru",
    ])
    output = load(dir=str(write_csvs(tmp_path, **rows)))
    assert output == "Wilayah: 0 created, 1 updated, 4 unchanged."
    assert Wilayah.objects.get(pk="32.77.01.1002").nama == "Cibeureum Baru"
    assert Wilayah.objects.get(pk="32.77.01.1001").nama == "Melong"
    # Nothing is deleted: the areas missing from the copy stay.
    assert Wilayah.objects.count() == ALREADY_LOADED


def test_new_areas_from_a_csv_copy_are_created_with_ancestors(db, tmp_path):
    from registry.models import Wilayah

    output = load(dir=str(write_csvs(tmp_path, **GUNUNGKIDUL_ROWS)))
    assert output == "Wilayah: 6 created, 0 updated, 0 unchanged."
    baleharjo = Wilayah.objects.get(pk="34.03.01.2001")
    assert (baleharjo.nama, baleharjo.tingkat, baleharjo.kabupaten.nama) == (
        "Baleharjo", "desa", "Kabupaten Gunungkidul"
    )


def bad(rows: dict, stem: str, line: str) -> dict:
    """Gunungkidul's rows with one more line at the end of one file."""
    return dict(rows, **{stem: [*rows[stem], line]})


@pytest.mark.parametrize(
    ("stem", "line", "file_line", "reason"),
    [
        # A malformed code in the last file: the error comes after three good files were read.
        ("villages", "34.03.01.200,34.03.01,Kepek", 4, "“34.03.01.200”"),
        ("villages", "3403012003,34.03.01,Kepek", 4, "“3403012003”"),
        ("regencies", "34.0,34,Kabupaten Bantul", 3, "“34.0”"),
        ("provinces", "3X,Bali", 3, "“3X”"),
        # A parent missing from the files.
        ("villages", "34.03.09.2001,34.03.09,Kepek", 4, "the parent of 34.03.09.2001 is unknown"),
        ("districts", "34.05.01,34.05,Kretek", 4, "the parent of 34.05.01 is unknown"),
        # A mistyped code: its parent column names a known kecamatan, but the code itself says
        # it lies in kecamatan 34.03.09, which no file has.
        ("villages", "34.03.09.2003,34.03.01,Kepek", 4, "34.03.09.2003"),
    ],
)
def test_bad_csv_line_is_refused_by_file_and_line_and_nothing_is_written(
    db, tmp_path, stem, line, file_line, reason
):
    from registry.models import Wilayah

    folder = write_csvs(tmp_path, **bad(GUNUNGKIDUL_ROWS, stem, line))
    before = snapshot()
    with pytest.raises(CommandError) as caught:
        load(dir=str(folder))
    message = str(caught.value)
    assert message.startswith(f"{folder / (stem + '.csv')}:{file_line}: "), message
    assert reason in message
    assert snapshot() == before
    assert not Wilayah.objects.filter(kode__startswith="34").exists()


def test_missing_csv_file_is_refused(db, tmp_path):
    write_csvs(tmp_path, **GUNUNGKIDUL_ROWS)
    (tmp_path / "villages.csv").unlink()
    with translation.override("en"), pytest.raises(CommandError) as caught:
        load(dir=str(tmp_path))
    assert str(caught.value).startswith(f"Cannot read {tmp_path / 'villages.csv'}")


# ---------------------------------------------------------------------------------------------
# --prefix


@pytest.mark.parametrize("prefix", ["34.03", "3403"])
def test_prefix_loads_the_area_its_ancestors_and_descendants_only(db, prefix):
    from registry.models import Wilayah

    output = load(prefix=prefix)
    # Gunungkidul: its province, itself, 18 kecamatan and 144 desa.
    assert output == "Wilayah: 164 created, 0 updated, 0 unchanged."
    loaded = Wilayah.objects.filter(provinsi="34") | Wilayah.objects.filter(pk="34")
    assert loaded.count() == 164
    assert set(loaded.exclude(kabupaten="34.03").values_list("kode", flat=True)) == {
        "34", "34.03"
    }
    assert loaded.filter(kabupaten="34.03", tingkat="kecamatan").count() == 18
    assert loaded.filter(kabupaten="34.03", tingkat="desa").count() == 144
    assert not Wilayah.objects.filter(pk__in=["34.04", "34.04.14.2008", "34.01"]).exists()
    assert Wilayah.objects.count() == ALREADY_LOADED + 164


def test_prefix_of_a_desa_loads_its_ancestors_only_above_it(db):
    from registry.models import Wilayah

    output = load(prefix="34.04.14.2008")
    assert output == "Wilayah: 4 created, 0 updated, 0 unchanged."
    assert list(
        Wilayah.objects.filter(kode__startswith="34").values_list("kode", "tingkat")
    ) == [
        ("34", "provinsi"), ("34.04", "kabupaten"), ("34.04.14", "kecamatan"),
        ("34.04.14.2008", "desa"),
    ]


def test_prefix_already_loaded_changes_nothing(db):
    before = snapshot()
    assert load(prefix="32.77") == "Wilayah: 0 created, 0 updated, 20 unchanged."
    assert snapshot() == before


@pytest.mark.parametrize(
    ("prefix", "message"),
    [
        ("99", "No area matches prefix '99'."),
        ("32.7", "“32.7” "),
    ],
)
def test_bad_prefix_is_refused(db, prefix, message):
    before = snapshot()
    with pytest.raises(CommandError) as caught:
        load(prefix=prefix)
    assert str(caught.value).startswith(message)
    assert snapshot() == before
