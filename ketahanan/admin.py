"""Admin of the social-resilience records, each limited to the user's area (registry.admin):
the Pokja and their members, the statements (reference data staff extend), the assessment rounds
and their respondents (people's opinions: not for observers), the action plans and their
activities, the monitoring rounds."""

from django.contrib import admin

from ketahanan.models import (
    AnggotaPokja,
    KegiatanAksi,
    Penilaian,
    Pernyataan,
    PokjaTansosmas,
    PutaranPantau,
    RencanaAksi,
    Responden,
)
from registry import access
from registry.admin import (
    ScopedAdmin,
    ScopedHistoryAdmin,
    ScopedInline,
    ScopedPermissions,
    wilayah_filter,
)


class AnggotaPokjaInline(ScopedInline):
    model = AnggotaPokja
    fields = ["warga", "jabatan", "unsur", "mulai", "selesai"]
    autocomplete_fields = ["warga"]


@admin.register(PokjaTansosmas)
class PokjaTansosmasAdmin(ScopedHistoryAdmin, ScopedAdmin):
    list_display = ["nama", "desa", "mulai", "selesai", "sk_nomor"]
    list_filter = [wilayah_filter("desa")]
    search_fields = ["nama", "sk_nomor", "desa__nama"]
    autocomplete_fields = ["desa"]
    fields = ["desa", "nama", "sk_nomor", "mulai", "selesai", "keterangan"]
    inlines = [AnggotaPokjaInline]

    def get_inlines(self, request, obj):
        # Members are people: an observer reads the body, not who sits in it.
        if not access.can_see_personal_data(request.user):
            return []
        return super().get_inlines(request, obj)


@admin.register(Pernyataan)
class PernyataanAdmin(ScopedPermissions, admin.ModelAdmin):
    """Reference data: everyone reads the statements, staff extend them."""

    list_display = ["kode", "dimensi", "teks", "urutan", "aktif"]
    list_filter = ["dimensi", "aktif"]
    search_fields = ["kode", "teks"]

    def can_edit(self, user) -> bool:
        return access.can_extend_lists(user)

    def has_delete_permission(self, request, obj=None) -> bool:
        # A statement scored once stays (its scores point at it): retire it with "in use".
        return False


class RespondenInline(ScopedInline):
    model = Responden
    fields = ["nomor", "nama", "unsur"]


@admin.register(Penilaian)
class PenilaianAdmin(ScopedHistoryAdmin, ScopedAdmin):
    list_display = ["nama", "desa", "tanggal", "pokja"]
    list_filter = [wilayah_filter("desa")]
    search_fields = ["nama", "desa__nama"]
    autocomplete_fields = ["desa"]
    fields = ["desa", "tanggal", "nama", "pokja", "pelaksana", "catatan"]
    inlines = [RespondenInline]

    # A round names its respondents and the Pokja members who ran it: observers see the round
    # (as on the web: its means, no names), without them.
    def get_inlines(self, request, obj=None):
        return self.inlines if access.may_view(request.user, Responden) else []

    def get_fields(self, request, obj=None):
        if access.may_view(request.user, Responden):
            return self.fields
        return [f for f in self.fields if f != "pelaksana"]


class KegiatanAksiInline(ScopedInline):
    model = KegiatanAksi
    fields = ["nama", "dimensi", "indikator", "anggaran", "mulai", "selesai", "status",
              "tanggal_selesai"]


@admin.register(RencanaAksi)
class RencanaAksiAdmin(ScopedHistoryAdmin, ScopedAdmin):
    list_display = ["nama", "desa", "mulai", "selesai", "pokja"]
    list_filter = [wilayah_filter("desa")]
    search_fields = ["nama", "desa__nama"]
    autocomplete_fields = ["desa"]
    fields = ["desa", "nama", "pokja", "mulai", "selesai", "catatan"]
    inlines = [KegiatanAksiInline]


@admin.register(PutaranPantau)
class PutaranPantauAdmin(ScopedAdmin):
    list_display = ["nama", "wilayah", "tanggal", "dibuat_oleh"]
    list_filter = [wilayah_filter("wilayah", any_level=True)]
    search_fields = ["nama", "wilayah__nama"]
    autocomplete_fields = ["wilayah"]
    fields = ["wilayah", "nama", "tanggal"]

    def save_model(self, request, obj, form, change):
        if not change and obj.dibuat_oleh_id is None:
            obj.dibuat_oleh = request.user
        super().save_model(request, obj, form, change)
