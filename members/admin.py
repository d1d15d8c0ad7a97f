from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from members.models import AnggotaKeluarga, Keanggotaan, KeanggotaanKeluarga, Keluarga, Warga
from members.resources import KeanggotaanResource, KeluargaResource, WargaResource
from registry import access
from registry.admin import (
    PerkumpulanAdmin,
    ScopedAdmin,
    ScopedHistoryAdmin,
    ScopedImportExport,
    ScopedInline,
    wilayah_filter,
)

PERSONAL_FIELDS = ["nik", "tanggal_lahir", "alamat", "rw", "rt"]


class KeanggotaanInline(ScopedInline):
    """A group's members and board, on the group's page."""

    model = Keanggotaan
    fields = ["warga", "peran", "mulai", "selesai"]
    autocomplete_fields = ["warga"]
    verbose_name_plural = _("members and board")

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("warga")


class KeanggotaanWargaInline(KeanggotaanInline):
    """A person's groups, on the person's page."""

    fields = ["perkumpulan", "peran", "mulai", "selesai"]
    autocomplete_fields = ["perkumpulan"]
    verbose_name_plural = _("groups")

    def get_queryset(self, request):
        return (
            super()
            .get_queryset(request)
            .select_related("perkumpulan")
            .visible_to(request.user)
        )


PerkumpulanAdmin.inlines.append(KeanggotaanInline)


@admin.register(Warga)
class WargaAdmin(ScopedImportExport, ScopedHistoryAdmin, ScopedAdmin):
    resource_classes = [WargaResource]
    list_display = ["nama", "nik_tersamar", "jenis_kelamin", "wilayah", "rw", "rt"]
    list_filter = [wilayah_filter("wilayah"), "jenis_kelamin", "pendidikan"]
    list_select_related = ["wilayah"]
    autocomplete_fields = ["wilayah"]
    readonly_fields = ["nik_tersamar", "dibuat", "diubah"]
    inlines = [KeanggotaanWargaInline]
    search_fields = ["=nik", "nama"]  # narrowed for observers in get_search_fields

    @admin.display(description=_("NIK"))
    def nik_tersamar(self, obj: Warga) -> str:
        return obj.nik_tersamar

    def get_search_fields(self, request):
        # Observers may not confirm a NIK by searching for it.
        if access.can_see_personal_data(request.user):
            return ["=nik", "nama"]
        return ["nama"]

    def get_fields(self, request, obj=None):
        fields = [
            "nik",
            "nama",
            "jenis_kelamin",
            "tanggal_lahir",
            "pendidikan",
            "wilayah",
            "rw",
            "rt",
            "alamat",
        ]
        if access.can_see_personal_data(request.user):
            return fields + ["dibuat", "diubah"]
        return ["nik_tersamar"] + [f for f in fields if f not in PERSONAL_FIELDS]


@admin.register(Keanggotaan)
class KeanggotaanAdmin(ScopedImportExport, ScopedHistoryAdmin, ScopedAdmin):
    resource_classes = [KeanggotaanResource]
    list_display = ["warga", "perkumpulan", "peran", "mulai", "selesai"]
    list_filter = [wilayah_filter("perkumpulan__desa", any_level=True), "peran"]
    list_select_related = ["warga", "perkumpulan"]
    search_fields = ["warga__nama", "perkumpulan__kode", "perkumpulan__nama"]
    autocomplete_fields = ["warga", "perkumpulan"]


class AnggotaKeluargaInline(ScopedInline):
    """A household's members, on the household's page."""

    model = AnggotaKeluarga
    fields = ["warga", "hubungan", "mulai", "selesai"]
    autocomplete_fields = ["warga"]
    verbose_name_plural = _("household members")

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("warga")


@admin.register(Keluarga)
class KeluargaAdmin(ScopedImportExport, ScopedHistoryAdmin, ScopedAdmin):
    resource_classes = [KeluargaResource]
    list_display = ["no_kk_tersamar", "kepala", "wilayah", "rw", "rt"]
    list_filter = [wilayah_filter("wilayah")]
    list_select_related = ["wilayah", "kepala"]
    autocomplete_fields = ["wilayah", "kepala"]
    fields = ["no_kk", "wilayah", "rw", "rt", "alamat", "kepala", "dibuat", "diubah"]
    readonly_fields = ["dibuat", "diubah"]
    inlines = [AnggotaKeluargaInline]
    search_fields = ["=no_kk", "kepala__nama"]

    @admin.display(description=_("KK number"))
    def no_kk_tersamar(self, obj: Keluarga) -> str:
        return obj.no_kk_tersamar


@admin.register(KeanggotaanKeluarga)
class KeanggotaanKeluargaAdmin(ScopedHistoryAdmin, ScopedAdmin):
    """Households' memberships of groups (kept off the group's page in the admin: its forms
    stay as they were; the web's group page lists them)."""

    list_display = ["keluarga", "perkumpulan", "mulai", "selesai"]
    list_filter = [wilayah_filter("perkumpulan__desa")]
    list_select_related = ["keluarga__kepala", "perkumpulan"]
    search_fields = ["perkumpulan__kode", "perkumpulan__nama", "keluarga__kepala__nama"]
    autocomplete_fields = ["keluarga", "perkumpulan"]
