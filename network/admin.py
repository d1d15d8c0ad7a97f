from django import forms
from django.contrib import admin
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from network.models import (
    DanaKomunitas,
    DanaPerkumpulan,
    Forum,
    Hubungan,
    Mitra,
    PengurusForum,
    PertemuanForum,
)
from network.resources import ForumResource, HubunganResource, MitraResource
from registry.admin import (
    PerkumpulanAdmin,
    ScopedAdmin,
    ScopedHistoryAdmin,
    ScopedImportExport,
    ScopedInline,
    wilayah_filter,
)


class HubunganInline(ScopedInline):
    """A group's working links, on the group's page."""

    model = Hubungan
    fk_name = "perkumpulan"
    fields = ["mitra_perkumpulan", "mitra_luar", "bentuk", "keterangan"]
    autocomplete_fields = ["mitra_perkumpulan", "mitra_luar"]
    verbose_name_plural = _("working links")

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("mitra_perkumpulan", "mitra_luar")


PerkumpulanAdmin.inlines.append(HubunganInline)


class DanaPerkumpulanInline(ScopedInline):
    """A group's own funds, on the group's page."""

    model = DanaPerkumpulan
    fields = ["jenis", "tanggal", "terkumpul", "dipakai", "saldo", "keterangan"]
    readonly_fields = ["saldo"]
    verbose_name_plural = _("the group's own funds")

    @admin.display(description=_("balance (Rp)"))
    def saldo(self, entry):
        return entry.saldo if entry.pk else ""


PerkumpulanAdmin.inlines.append(DanaPerkumpulanInline)


@admin.register(DanaPerkumpulan)
class DanaPerkumpulanAdmin(ScopedHistoryAdmin, ScopedAdmin):
    list_display = ["perkumpulan", "jenis", "tanggal", "terkumpul", "dipakai", "saldo"]
    list_filter = [wilayah_filter("perkumpulan__desa"), "jenis"]
    date_hierarchy = "tanggal"
    list_select_related = ["perkumpulan"]
    search_fields = ["perkumpulan__kode", "perkumpulan__nama"]
    autocomplete_fields = ["perkumpulan"]
    fields = ["perkumpulan", "jenis", "tanggal", "terkumpul", "dipakai", "keterangan"]

    @admin.display(description=_("balance (Rp)"))
    def saldo(self, entry):
        return entry.saldo


@admin.register(Mitra)
class MitraAdmin(ScopedImportExport, ScopedAdmin):
    resource_classes = [MitraResource]
    list_display = ["nama", "jenis", "wilayah"]
    list_filter = [wilayah_filter("wilayah", any_level=True), "jenis"]
    list_select_related = ["wilayah"]
    search_fields = ["nama"]
    autocomplete_fields = ["wilayah"]


@admin.register(Hubungan)
class HubunganAdmin(ScopedImportExport, ScopedHistoryAdmin, ScopedAdmin):
    resource_classes = [HubunganResource]
    list_display = ["perkumpulan", "mitra_perkumpulan", "mitra_luar", "bentuk"]
    list_filter = [wilayah_filter("perkumpulan__desa", any_level=True), "bentuk"]
    list_select_related = ["perkumpulan", "mitra_perkumpulan", "mitra_luar"]
    search_fields = [
        "perkumpulan__kode",
        "perkumpulan__nama",
        "mitra_perkumpulan__nama",
        "mitra_luar__nama",
    ]
    autocomplete_fields = ["perkumpulan", "mitra_perkumpulan", "mitra_luar"]


class PengurusForumInline(ScopedInline):
    model = PengurusForum
    fields = ["warga", "jabatan", "mulai", "selesai"]
    autocomplete_fields = ["warga"]


class PertemuanInline(ScopedInline):
    model = PertemuanForum
    extra = 0


class DanaInline(ScopedInline):
    model = DanaKomunitas
    extra = 0


class ForumAdminForm(forms.ModelForm):
    """A forum's member groups as the web's form takes them (`Forum.member_choices`): the active
    groups of the forum's own village; a group of another village is not a valid choice."""

    def clean(self):
        data = super().clean()
        desa, groups = data.get("desa"), data.get("anggota")
        field = self.fields.get("anggota")
        if desa is None or not groups or field is None:
            return data
        allowed = set(Forum.member_choices(desa).filter(pk__in=[g.pk for g in groups])
                      .values_list("pk", flat=True))
        for group in groups:
            if group.pk not in allowed:
                self.add_error("anggota", ValidationError(
                    field.error_messages["invalid_choice"], code="invalid_choice",
                    params={"value": group.pk}))
        return data


@admin.register(Forum)
class ForumAdmin(ScopedImportExport, ScopedAdmin):
    form = ForumAdminForm
    resource_classes = [ForumResource]
    list_display = ["nama", "desa", "tingkat", "tempat", "mekanisme", "tanggal_dibentuk"]
    list_filter = [wilayah_filter("desa"), "tingkat", "mekanisme"]
    list_select_related = ["desa"]
    search_fields = ["nama", "desa__nama"]
    autocomplete_fields = ["desa", "anggota"]
    fields = ["desa", "tingkat", "rw", "rt", "dukuh", "nama", "mekanisme", "tanggal_dibentuk",
              "anggota", "keterangan"]
    inlines = [PengurusForumInline, PertemuanInline, DanaInline]

    @admin.display(description=_("where"))
    def tempat(self, forum):
        return forum.tempat
