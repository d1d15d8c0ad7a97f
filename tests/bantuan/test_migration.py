"""The migration of the help recorded in PMKS cases (pmks.Bantuan) to distributions of each
village's ad-hoc programme (bantuan 0002, then pmks 0011 drops the table), forward and back, on
the test database with its historical models."""

import datetime

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.utils import timezone

from tests.conftest import CIBEUREUM, MELONG, make_user

D = datetime.date
BEFORE = [("pmks", "0010_bantuan_sumber_jenis_dana"), ("bantuan", None)]


def migrate(target):
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    if target is None:
        target = executor.loader.graph.leaf_nodes()
    executor.migrate(target)
    nodes = [node for node in target if node[1] is not None]  # ("bantuan", None): unapplied
    return MigrationExecutor(connection).loader.project_state(nodes).apps


def help_rows(apps) -> list[tuple]:
    return sorted(apps.get_model("pmks", "Bantuan").objects.values_list(
        "kasus_id", "tanggal", "sumber", "bentuk", "nilai", "perkumpulan_id", "keterangan",
        "oleh_id", "dicatat"))


# Transactional: schema changes cannot run inside a test's transaction.
@pytest.mark.django_db(transaction=True)
def test_help_given_becomes_distributions_and_comes_back(reference_data_reloaded):
    # The user is made here: a user fixture would be torn down (and the tables emptied) after
    # the reference data were loaded again.
    admin_user = make_user("admin_migrasi", "admin", None)
    try:
        old = migrate(BEFORE)
        Warga = old.get_model("members", "Warga")
        Kasus = old.get_model("pmks", "KasusPMKS")
        Bantuan = old.get_model("pmks", "Bantuan")
        fm = old.get_model("pmks", "KategoriPMKS").objects.get(kode="FM")
        group = old.get_model("registry", "Perkumpulan").objects.create(
            kode="CBR-DW-001", nama="Dasa Wisma Mawar", desa_id=CIBEUREUM, tahun_berdiri=2000,
            jenis=old.get_model("registry", "JenisPerkumpulan").objects.get(kode="DW"))
        siti = Warga.objects.create(nik="3277014101800001", nama="Siti", wilayah_id=CIBEUREUM)
        budi = Warga.objects.create(nik="3277011505750002", nama="Budi", wilayah_id=MELONG)
        k_siti = Kasus.objects.create(warga=siti, nama="Siti", desa_id=CIBEUREUM, kategori=fm)
        k_abah = Kasus.objects.create(nama="Abah", desa_id=CIBEUREUM, kategori=fm)  # no NIK
        k_budi = Kasus.objects.create(warga=budi, nama="Budi", desa_id=MELONG, kategori=fm)
        recorded = timezone.now() - datetime.timedelta(days=200)

        def give(kasus, tanggal, sumber="DANA_DESA", bentuk="UANG", **fields):
            row = Bantuan.objects.create(kasus=kasus, tanggal=tanggal, sumber=sumber,
                                         bentuk=bentuk, oleh_id=admin_user.pk, **fields)
            Bantuan.objects.filter(pk=row.pk).update(
                dicatat=recorded + datetime.timedelta(days=row.pk))

        give(k_siti, D(2025, 3, 1), nilai=100_000, perkumpulan=group, keterangan="Sembako")
        give(k_abah, D(2025, 2, 1), nilai=50_000)
        give(k_siti, D(2025, 6, 1), nilai=75_000)
        give(k_siti, D(2025, 4, 1), sumber="CSR", bentuk="BARANG", keterangan="Beras 10 kg")
        give(k_budi, D(2025, 5, 1), nilai=80_000)
        before = help_rows(old)
        assert len(before) == 5

        new = migrate(None)
        Program = new.get_model("bantuan", "Program")
        Penerima = new.get_model("bantuan", "Penerima")
        Penyaluran = new.get_model("bantuan", "Penyaluran")
        # One ad-hoc programme per village, source and form, starting at its earliest help.
        assert sorted(Program.objects.values_list(
            "kode", "ad_hoc", "wilayah_id", "sumber", "bentuk", "sasaran", "mulai", "selesai")
        ) == [
            ("PMKS-3277011001-DANA_D-UANG", True, MELONG, "DANA_DESA", "UANG", "WARGA",
             D(2025, 5, 1), None),
            ("PMKS-3277011002-CSR-BARA", True, CIBEUREUM, "CSR", "BARANG", "WARGA",
             D(2025, 4, 1), None),
            ("PMKS-3277011002-DANA_D-UANG", True, CIBEUREUM, "DANA_DESA", "UANG", "WARGA",
             D(2025, 2, 1), None),
        ]
        # Recipients: the registered person by warga, the person without a NIK by the case.
        assert sorted(Penerima.objects.values_list(
            "program__kode", "warga_id", "kasus_id", "desa_id", "mulai", "status",
            "diputuskan_oleh_id"), key=str) == sorted([
            ("PMKS-3277011001-DANA_D-UANG", budi.pk, None, MELONG, D(2025, 5, 1), "DITERIMA",
             admin_user.pk),
            ("PMKS-3277011002-CSR-BARA", siti.pk, None, CIBEUREUM, D(2025, 4, 1), "DITERIMA",
             admin_user.pk),
            ("PMKS-3277011002-DANA_D-UANG", siti.pk, None, CIBEUREUM, D(2025, 3, 1),
             "DITERIMA", admin_user.pk),
            ("PMKS-3277011002-DANA_D-UANG", None, k_abah.pk, CIBEUREUM, D(2025, 2, 1),
             "DITERIMA", admin_user.pk),
        ], key=str)
        # Each help row is a distribution with the same date, value, group, description, who
        # recorded it and when, naming its case.
        assert sorted(Penyaluran.objects.values_list(
            "kasus_id", "tanggal", "penerima__program__sumber", "penerima__program__bentuk",
            "nilai", "perkumpulan_id", "keterangan", "oleh_id", "dicatat")) == before
        assert Penyaluran.objects.filter(penerima__warga_id=siti.pk).count() == 3
        assert "pmks_bantuan" not in connection.introspection.table_names()

        # Backwards: the help rows come back as they were.
        back = migrate(BEFORE)
        assert help_rows(back) == before
    finally:
        migrate(None)
