from django.contrib import admin

from pmks.models import (
    KasusPMKS,
    KategoriPMKS,
    LogAkses,
    RiwayatStatus,
    Rujukan,
    Tindakan,
)
from pmks.resources import KasusPMKSResource
from registry import access
from registry.admin import (
    ReferensiAdmin,
    ScopedAdmin,
    ScopedHistoryAdmin,
    ScopedImportExport,
    ScopedInline,
    wilayah_filter,
)


@admin.register(KategoriPMKS)
class KategoriPMKSAdmin(ReferensiAdmin):
    list_display = [*ReferensiAdmin.list_display, "daftar_lama"]
    list_filter = ["daftar_lama"]
    filter_horizontal = ["jenis_penolong"]


class RiwayatInline(ScopedInline):
    """The status history is written by status changes, never edited."""

    model = RiwayatStatus
    fields = readonly_fields = ["tanggal", "status", "catatan", "oleh", "dicatat"]

    def has_add_permission(self, request, obj=None) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False


class RujukanInline(ScopedInline):
    model = Rujukan
    fields = ["tanggal", "tujuan", "lembaga", "hasil", "oleh"]
    readonly_fields = ["oleh"]


@admin.register(KasusPMKS)
class KasusPMKSAdmin(ScopedImportExport, ScopedHistoryAdmin, ScopedAdmin):
    resource_classes = [KasusPMKSResource]
    list_display = [
        "nama",
        "kategori",
        "desa",
        "rw",
        "status",
        "pendamping",
        "tanggal_identifikasi",
    ]
    list_filter = [wilayah_filter("desa"), "status", "kategori"]
    list_select_related = ["kategori", "desa", "pendamping"]
    search_fields = ["nama", "=warga__nik"]
    autocomplete_fields = ["warga", "desa", "pendamping"]
    # Set when the case is recorded: the person's latest closed case of the category.
    readonly_fields = ["kasus_sebelumnya", "dibuat", "diubah"]
    # The aid app adds the help given (its distributions) from its AppConfig.ready().
    inlines = [RiwayatInline, RujukanInline]

    def get_object(self, request, object_id, from_field=None):
        """A case opened in the admin — its change page, its history, its delete confirmation —
        is a view of its personal data: logged as the web's case page is."""
        kasus = super().get_object(request, object_id, from_field)
        if kasus is not None:
            LogAkses.catat(request.user, Tindakan.LIHAT, kasus.desa, kasus=kasus,
                           keterangan="admin")
        return kasus

    def get_data_for_export(self, request, queryset, **kwargs):
        """The admin's Export of cases (full NIKs) is logged as the web's export is."""
        data = super().get_data_for_export(request, queryset, **kwargs)
        LogAkses.catat(request.user, Tindakan.EKSPOR, request.user.wilayah,
                       keterangan=f"{len(data)} baris; admin")
        return data

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        if not change:
            obj.catat_status(request.user, tanggal=obj.tanggal_identifikasi)
        elif "status" in form.changed_data:
            obj.catat_status(request.user)

    def save_formset(self, request, form, formset, change):
        for record in formset.save(commit=False):
            if record.oleh_id is None:
                record.oleh = request.user
            record.save()
        for gone in formset.deleted_objects:
            gone.delete()


@admin.register(LogAkses)
class LogAksesAdmin(admin.ModelAdmin):
    """Read-only: who viewed which case page or exported cases, for staff of the area."""

    list_display = ["waktu", "pengguna", "tindakan", "kasus", "wilayah", "keterangan"]
    list_filter = ["tindakan"]
    list_select_related = ["pengguna", "kasus", "wilayah"]
    search_fields = ["pengguna__username"]
    show_full_result_count = False

    def get_queryset(self, request):
        return super().get_queryset(request).visible_to(request.user)

    def has_module_permission(self, request) -> bool:
        return access.can_read_access_logs(request.user)

    def has_view_permission(self, request, obj=None) -> bool:
        return access.can_read_access_logs(request.user)

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False
