"""The help recorded in PMKS cases (pmks.Bantuan) becomes distributions: of the village's ad-hoc
programme of its source and form, to the case's person (or, without a NIK, to the case), so
that one query gives everything a person has received. pmks then drops its table."""

from django.db import migrations

SOURCES = {
    "IURAN": "Iuran anggota", "ARISAN": "Arisan", "SIMPAN_PINJAM": "Simpan-pinjam",
    "DANA_KEMATIAN": "Dana kematian", "JIMPITAN": "Jimpitan beras",
    "SUMBANGAN": "Sumbangan masyarakat", "ZAKAT_INFAK": "Zakat/infak", "DANA_DESA": "Dana Desa",
    "PEMERINTAH": "Pemerintah (APBN/APBD)", "CSR": "Perusahaan (CSR)", "LAIN": "Lainnya",
}


def forward(apps, schema_editor):
    Bantuan = apps.get_model("pmks", "Bantuan")
    Program = apps.get_model("bantuan", "Program")
    Penerima = apps.get_model("bantuan", "Penerima")
    Penyaluran = apps.get_model("bantuan", "Penyaluran")
    programmes, recipients = {}, {}
    for help_ in (Bantuan.objects.select_related("kasus").order_by("tanggal", "pk")
                  .iterator(chunk_size=2000)):
        kasus = help_.kasus
        key = (kasus.desa_id, help_.sumber, help_.bentuk)
        program = programmes.get(key)
        if program is None:
            program = programmes[key] = Program.objects.create(
                ad_hoc=True, wilayah_id=kasus.desa_id,
                kode="PMKS-%s-%s-%s" % (kasus.desa_id.replace(".", ""), help_.sumber[:6],
                                        help_.bentuk[:4]), sumber=help_.sumber,
                bentuk=help_.bentuk, sasaran="WARGA", mulai=help_.tanggal,
                nama=f"Bantuan langsung PMKS: {SOURCES.get(help_.sumber, help_.sumber)}")
        target = ({"warga_id": kasus.warga_id} if kasus.warga_id else {"kasus_id": kasus.pk})
        rkey = (program.pk, *target.items())
        penerima = recipients.get(rkey)
        if penerima is None:
            penerima = recipients[rkey] = Penerima.objects.create(
                program=program, desa_id=kasus.desa_id, mulai=help_.tanggal,
                status="DITERIMA", diputuskan_oleh_id=help_.oleh_id, **target)
        penyaluran = Penyaluran.objects.create(
            penerima=penerima, tanggal=help_.tanggal, nilai=help_.nilai,
            perkumpulan_id=help_.perkumpulan_id, kasus_id=kasus.pk,
            keterangan=help_.keterangan, oleh_id=help_.oleh_id)
        # Keep when it was recorded (auto_now_add set it to now).
        Penyaluran.objects.filter(pk=penyaluran.pk).update(dicatat=help_.dicatat)


def backward(apps, schema_editor):
    """Every distribution naming a case becomes the case's help again (its programme's source
    and form, when it was recorded); the ad-hoc programmes go, so that forward can run again."""
    Bantuan = apps.get_model("pmks", "Bantuan")
    Program = apps.get_model("bantuan", "Program")
    Penyaluran = apps.get_model("bantuan", "Penyaluran")
    for record in (Penyaluran.objects.filter(kasus__isnull=False)
                   .select_related("penerima__program").order_by("tanggal", "pk")
                   .iterator(chunk_size=2000)):
        help_ = Bantuan.objects.create(
            kasus_id=record.kasus_id, tanggal=record.tanggal, oleh_id=record.oleh_id,
            bentuk=record.penerima.program.bentuk, sumber=record.penerima.program.sumber,
            nilai=record.nilai, perkumpulan_id=record.perkumpulan_id,
            keterangan=record.keterangan)
        Bantuan.objects.filter(pk=help_.pk).update(dicatat=record.dicatat)
    Program.objects.filter(ad_hoc=True).delete()


class Migration(migrations.Migration):
    dependencies = [("bantuan", "0001_initial"), ("pmks", "0010_bantuan_sumber_jenis_dana")]
    run_before = [("pmks", "0011_delete_bantuan")]

    operations = [migrations.RunPython(forward, backward)]
