"""Verification rounds in the admin. A round is opened and changed by Dinas Sosial of its
district (`access.may_run_rounds`), as on the web; the villages' lists, their items and steps
are read here — every step is taken on the web pages, through the models' methods (ajukan,
verifikasi, setujui…), which the admin would skip."""

from django.contrib import admin
from django.core.exceptions import PermissionDenied

from registry import access
from registry.admin import ScopedAdmin, ScopedInline, wilayah_filter
from verifikasi.forms import may_open_rounds
from verifikasi.models import ItemUsulan, Langkah, Putaran, UsulanDesa


@admin.register(Putaran)
class PutaranAdmin(ScopedAdmin):
    list_display = ["nama", "wilayah", "mulai", "selesai", "batas_usulan", "batas_verifikasi",
                    "batas_persetujuan"]
    list_filter = [wilayah_filter("wilayah", any_level=True)]
    date_hierarchy = "mulai"
    list_select_related = ["wilayah"]
    search_fields = ["nama"]
    fields = ["nama", "wilayah", "mulai", "selesai", "cakup_perkumpulan", "cakup_pmks",
              "cakup_penerima", "batas_usulan", "batas_verifikasi", "batas_persetujuan",
              "catatan", "dibuat_oleh"]
    readonly_fields = ["dibuat_oleh"]

    def has_add_permission(self, request, obj=None) -> bool:
        return may_open_rounds(request.user)

    def has_change_permission(self, request, obj=None) -> bool:
        if obj is None:
            return may_open_rounds(request.user)
        return access.may_run_rounds(request.user, obj.wilayah) and \
            super().has_change_permission(request, obj)

    def has_delete_permission(self, request, obj=None) -> bool:
        # A round is never deleted: its villages' lists and their steps hang on it.
        return False

    def get_readonly_fields(self, request, obj=None):
        # The villages' lists belong to the district: it is set when the round is opened.
        return [*self.readonly_fields, "wilayah"] if obj is not None else self.readonly_fields

    def save_model(self, request, obj, form, change):
        if not access.may_run_rounds(request.user, obj.wilayah):
            raise PermissionDenied
        if not change:
            obj.dibuat_oleh = request.user
        super().save_model(request, obj, form, change)


class ReadOnlyInline(ScopedInline):
    def has_add_permission(self, request, obj=None) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False


class ItemUsulanInline(ReadOnlyInline):
    model = ItemUsulan
    fields = readonly_fields = ["jenis", "label", "perubahan", "status", "alasan", "diperiksa",
                                "diperiksa_oleh"]


class LangkahInline(ReadOnlyInline):
    model = Langkah
    fields = readonly_fields = ["waktu", "aksi", "item", "oleh", "catatan"]


@admin.register(UsulanDesa)
class UsulanDesaAdmin(ScopedAdmin):
    """A village's list, to look it up: its stage, meeting record, dates and notes, items and
    steps. Read only: the steps are taken on the web pages."""

    list_display = ["putaran", "desa", "tahap", "diajukan", "diverifikasi", "disetujui"]
    list_filter = [wilayah_filter("desa"), "tahap"]
    list_select_related = ["putaran", "desa"]
    search_fields = ["desa__nama", "=desa__kode", "putaran__nama"]
    fields = readonly_fields = [
        "putaran", "desa", "tahap", "musdes_tanggal", "musdes_tempat", "musdes_hadir",
        "berita_acara", "diajukan", "diajukan_oleh", "catatan_desa", "diverifikasi",
        "diverifikasi_oleh", "catatan_verifikasi", "disetujui", "disetujui_oleh",
        "catatan_persetujuan"]

    def get_inlines(self, request, obj):
        # The items name PMKS cases and aid recipients: for the roles that see PMKS.
        if access.may_view(request.user, ItemUsulan):
            return [ItemUsulanInline, LangkahInline]
        return []

    def has_add_permission(self, request, obj=None) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False
