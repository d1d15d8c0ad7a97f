"""The aid app in the admin: programmes, recipients with their distributions, stimulus reports;
and the help given on a PMKS case's admin page (its distributions, read-only there: they are
recorded on the case's page or on the recipient)."""

from django.contrib import admin

from bantuan.models import LaporanStimulan, Penerima, Penyaluran, Program
from pmks.admin import KasusPMKSAdmin
from registry.admin import ScopedAdmin, ScopedHistoryAdmin, ScopedInline, wilayah_filter


@admin.register(Program)
class ProgramAdmin(ScopedHistoryAdmin, ScopedAdmin):
    list_display = ["nama", "bentuk", "sumber", "sasaran", "wilayah", "mulai", "selesai",
                    "kuota_per_desa"]
    list_filter = [wilayah_filter("wilayah", any_level=True), "bentuk", "sumber", "sasaran",
                   "ad_hoc"]
    date_hierarchy = "mulai"
    list_select_related = ["wilayah"]
    search_fields = ["kode", "nama"]
    autocomplete_fields = ["wilayah"]
    fields = ["kode", "nama", "sumber", "bentuk", "sasaran", "wilayah", "mulai", "selesai",
              "syarat", "kuota_per_desa", "batas_laporan_hari", "ad_hoc"]


class PenyaluranInline(ScopedInline):
    model = Penyaluran
    fields = ["tanggal", "nilai", "jumlah", "satuan", "penyalur", "nomor_bukti", "berkas_bukti",
              "keterangan", "oleh"]
    readonly_fields = ["oleh"]


class LaporanInline(ScopedInline):
    model = LaporanStimulan
    fields = ["tanggal", "kegiatan", "terpakai", "sisa", "bukti", "berkas_bukti", "oleh"]
    readonly_fields = ["oleh"]


@admin.register(Penerima)
class PenerimaAdmin(ScopedHistoryAdmin, ScopedAdmin):
    list_display = ["__str__", "desa", "status", "mulai", "selesai"]
    list_filter = [wilayah_filter("desa", any_level=True), "status", "program__bentuk"]
    list_select_related = ["program", "desa", "warga", "keluarga", "perkumpulan", "kasus"]
    search_fields = ["program__nama", "warga__nama", "=warga__nik", "perkumpulan__nama",
                     "=keluarga__no_kk"]
    autocomplete_fields = ["program", "warga", "keluarga", "perkumpulan", "kasus", "desa"]
    fields = ["program", "warga", "keluarga", "perkumpulan", "kasus", "desa", "mulai", "selesai",
              "status", "alasan_berhenti", "alasan_ganda", "diputuskan_oleh"]
    readonly_fields = ["diputuskan_oleh"]
    inlines = [PenyaluranInline, LaporanInline]

    def save_model(self, request, obj, form, change):
        if "status" in form.changed_data or not change:
            obj.diputuskan_oleh = request.user
        super().save_model(request, obj, form, change)

    def save_formset(self, request, form, formset, change):
        for record in formset.save(commit=False):
            if record.pk is None:
                record.oleh = request.user
            record.save()
        for record in formset.deleted_objects:
            record.delete()


@admin.register(Penyaluran)
class PenyaluranAdmin(ScopedHistoryAdmin, ScopedAdmin):
    """Every distribution of the area, to look one up; recorded on the recipient's page."""

    list_display = ["tanggal", "penerima", "nilai", "jumlah", "satuan", "nomor_bukti"]
    list_filter = [wilayah_filter("desa", any_level=True), "program__bentuk"]
    date_hierarchy = "tanggal"
    list_select_related = ["penerima__program", "penerima__warga", "penerima__keluarga",
                           "penerima__perkumpulan", "penerima__kasus"]
    search_fields = ["penerima__program__nama", "nomor_bukti"]
    autocomplete_fields = ["penerima", "perkumpulan", "kasus"]
    fields = ["penerima", "tanggal", "nilai", "jumlah", "satuan", "penyalur", "nomor_bukti",
              "berkas_bukti", "perkumpulan", "kasus", "keterangan", "oleh"]
    readonly_fields = ["oleh"]

    def save_model(self, request, obj, form, change):
        if not change:
            obj.oleh = request.user
        super().save_model(request, obj, form, change)


@admin.register(LaporanStimulan)
class LaporanStimulanAdmin(ScopedHistoryAdmin, ScopedAdmin):
    """The groups' reports of their stimulus, to follow them up across the area."""

    list_display = ["tanggal", "penerima", "terpakai", "sisa"]
    list_filter = [wilayah_filter("penerima__desa", any_level=True)]
    date_hierarchy = "tanggal"
    list_select_related = ["penerima__program", "penerima__perkumpulan"]
    search_fields = ["penerima__perkumpulan__nama", "penerima__program__nama"]
    autocomplete_fields = ["penerima"]
    fields = ["penerima", "tanggal", "kegiatan", "terpakai", "sisa", "bukti", "berkas_bukti",
              "oleh"]
    readonly_fields = ["oleh"]

    def save_model(self, request, obj, form, change):
        if not change:
            obj.oleh = request.user
        super().save_model(request, obj, form, change)


class KasusPenyaluranInline(ScopedInline):
    """The help given on a case (distributions naming it): recorded on the case's page."""

    model = Penyaluran
    fk_name = "kasus"
    verbose_name_plural = Penyaluran._meta.verbose_name_plural
    fields = readonly_fields = ["tanggal", "penerima", "nilai", "jumlah", "perkumpulan",
                                "keterangan", "oleh"]

    def has_add_permission(self, request, obj=None) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False


KasusPMKSAdmin.inlines = [*KasusPMKSAdmin.inlines, KasusPenyaluranInline]
