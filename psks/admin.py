from django.contrib import admin

from psks.models import LKS, Pelatihan, PesertaPelatihan, PetugasPSKS
from registry.admin import ScopedAdmin, ScopedHistoryAdmin, ScopedInline, wilayah_filter


@admin.register(PetugasPSKS)
class PetugasPSKSAdmin(ScopedHistoryAdmin, ScopedAdmin):
    list_display = ["warga", "peran", "wilayah", "mulai", "selesai"]
    list_filter = [wilayah_filter("wilayah", any_level=True), "peran"]
    list_select_related = ["warga", "wilayah"]
    search_fields = ["warga__nama"]
    autocomplete_fields = ["warga", "wilayah"]
    fields = ["warga", "peran", "wilayah", "mulai", "selesai", "keterangan"]


@admin.register(LKS)
class LKSAdmin(ScopedHistoryAdmin, ScopedAdmin):
    list_display = ["nama", "wilayah", "status_hukum", "nomor_registrasi", "aktif"]
    list_filter = [wilayah_filter("wilayah", any_level=True), "status_hukum", "aktif"]
    list_select_related = ["wilayah"]
    search_fields = ["nama", "nomor_registrasi"]
    autocomplete_fields = ["wilayah"]
    fields = ["nama", "wilayah", "status_hukum", "nomor_registrasi", "layanan", "alamat", "aktif"]


class PesertaInline(ScopedInline):
    """The participants of a training, on the training's page."""

    model = PesertaPelatihan
    fields = ["warga"]
    autocomplete_fields = ["warga"]

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("warga")


@admin.register(Pelatihan)
class PelatihanAdmin(ScopedHistoryAdmin, ScopedAdmin):
    list_display = ["topik", "tanggal_mulai", "penyelenggara", "wilayah"]
    list_filter = [wilayah_filter("wilayah", any_level=True)]
    date_hierarchy = "tanggal_mulai"
    list_select_related = ["wilayah"]
    search_fields = ["topik", "penyelenggara"]
    autocomplete_fields = ["wilayah"]
    fields = ["topik", "tanggal_mulai", "tanggal_selesai", "penyelenggara", "wilayah",
              "keterangan"]
    inlines = [PesertaInline]
