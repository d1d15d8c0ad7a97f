from django.contrib import admin

from pmks.models import KasusPMKS, KategoriPMKS
from registry.admin import ReferensiAdmin, ScopedAdmin, wilayah_filter

admin.site.register(KategoriPMKS, ReferensiAdmin)


@admin.register(KasusPMKS)
class KasusPMKSAdmin(ScopedAdmin):
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
