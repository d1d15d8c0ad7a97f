from django.contrib import admin

from pmks.models import KasusPMKS, KategoriPMKS
from pmks.resources import KasusPMKSResource
from registry.admin import ReferensiAdmin, ScopedAdmin, ScopedImportExport, wilayah_filter

admin.site.register(KategoriPMKS, ReferensiAdmin)


@admin.register(KasusPMKS)
class KasusPMKSAdmin(ScopedImportExport, ScopedAdmin):
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
    readonly_fields = ["dibuat", "diubah"]
