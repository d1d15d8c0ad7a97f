"""The admin for Dinas Sosial staff: every page starts from the scoped querysets of access."""

from axes.admin import AccessAttemptAdmin
from axes.models import AccessAttempt
from django.conf import settings
from django.contrib import admin, messages
from django.contrib.admin.utils import unquote
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.http import Http404, HttpResponseRedirect
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext
from import_export.admin import ImportExportMixin
from simple_history.admin import SimpleHistoryAdmin

from registry import access, audit, validators
from registry.formats import CSV, XLSX, ShowsRefusals
from registry.forms import AdminFormfields, Conflict, VersionedForm
from registry.models import (
    JenisPerkumpulan,
    KopSurat,
    Perkumpulan,
    Pilihan,
    ProfilDesa,
    Tingkat,
    User,
    Wilayah,
)
from registry.resources import PerkumpulanResource

admin.site.site_header = _("WKSBM Registry")
admin.site.site_title = _("WKSBM Registry")
admin.site.index_title = _("Registry administration")


class ScopedPermissions:
    """Admin permissions from the user's role (registry.access), not from Django's per-model
    permission table, so that there is one answer to "who may do what"."""

    def has_view_permission(self, request, obj=None) -> bool:
        # The same rule as the web pages': observers open no people and no PMKS cases.
        return access.may_view(request.user, self.model)

    def has_module_permission(self, request) -> bool:
        return self.has_view_permission(request)

    def can_edit(self, user) -> bool:
        return access.can_edit(user)

    def has_add_permission(self, request, obj=None) -> bool:
        return self.can_edit(request.user) and self.has_view_permission(request)

    def has_change_permission(self, request, obj=None) -> bool:
        return self.can_edit(request.user) and self.has_view_permission(request)

    def has_delete_permission(self, request, obj=None) -> bool:
        return self.can_edit(request.user) and self.has_view_permission(request)

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        """Offer only the related rows the user may reach (their people, their groups); an area
        that places the record, only among those the user may write (access.may_write_area, as
        the queryset `Wilayah.objects.editable_by`)."""
        manager = db_field.remote_field.model._default_manager
        if "queryset" not in kwargs and db_field.remote_field.model is Wilayah:
            kwargs["queryset"] = manager.editable_by(request.user)
        elif "queryset" not in kwargs and hasattr(manager, "visible_to"):
            kwargs["queryset"] = manager.visible_to(request.user)
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def formfield_for_manytomany(self, db_field, request, **kwargs):
        manager = db_field.remote_field.model._default_manager
        if "queryset" not in kwargs and hasattr(manager, "visible_to"):
            kwargs["queryset"] = manager.visible_to(request.user)
        return super().formfield_for_manytomany(db_field, request, **kwargs)


class VersionedAdminForm(VersionedForm):
    """The admin's change form of a record with a version (`diubah`), checked as the web forms
    check theirs (registry.forms.VersionedForm): a save after someone else's is refused, with
    the form as typed. The version is claimed last, when everything else is valid, inside the
    admin's transaction; templates/admin/change_form.html renders the hidden field."""

    claimed = False

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.track_version(self.instance)

    def _post_clean(self):
        super()._post_clean()
        if self.errors:
            return
        try:
            self.claim_version()
            self.claimed = True
        except Conflict:
            self.version_conflict()


class ScopedAdmin(ScopedPermissions, admin.ModelAdmin):
    """A model admin whose every list, page and autocomplete is limited to the user's area, and
    whose change form of a versioned record refuses a save after someone else's."""

    list_per_page = 50
    # Counting every row of a national table on each page is slow: show the filtered count only.
    show_full_result_count = False

    def get_queryset(self, request):
        return super().get_queryset(request).visible_to(request.user)

    def get_fields(self, request, obj=None):
        """Not the fields the user may not read (access.hidden_fields: an observer and the
        minutes of a village meeting, which name who attended)."""
        hidden = access.hidden_fields(request.user, self.model)
        return [f for f in super().get_fields(request, obj) if f not in hidden]

    def _editable(self, request, obj) -> bool:
        """A record seen is not always a record owned (a person of another village, seen as a
        member of the user's group): it is changed where `editable_by` finds it."""
        return obj is None or self.model._default_manager.editable_by(request.user).filter(
            pk=obj.pk).exists()

    def has_change_permission(self, request, obj=None) -> bool:
        return super().has_change_permission(request, obj) and self._editable(request, obj)

    def has_delete_permission(self, request, obj=None) -> bool:
        return super().has_delete_permission(request, obj) and self._editable(request, obj)

    def get_form(self, request, obj=None, change=False, **kwargs):
        form = super().get_form(request, obj, change=change, **kwargs)
        if obj is None or not hasattr(obj, "diubah"):
            return form
        return type(form.__name__, (VersionedAdminForm, form), {})

    def render_change_form(self, request, context, add=False, change=False, form_url="", obj=None):
        """The form shown again (errors, or a conflict: 409). A version claimed by a form whose
        inlines then failed is given back: the admin's transaction is rolled back, so the next
        send is not taken for a conflict."""
        response = super().render_change_form(request, context, add, change, form_url, obj)
        form = context["adminform"].form
        if getattr(form, "claimed", False):
            transaction.set_rollback(True)
        if getattr(form, "conflicted", False):
            response.status_code = 409
        return response


class ScopedHistoryAdmin(SimpleHistoryAdmin):
    """The "History" button of an audited record (registry.audit): every version, who made it
    and each field's old and new value. Only for records the user sees (simple-history would
    otherwise show a record outside the area from its history), and read-only: reverting to an
    old version would skip the checks a change goes through.

    Put it before ScopedAdmin: `class XAdmin(ScopedImportExport, ScopedHistoryAdmin, ScopedAdmin)`.
    """

    def history_view(self, request, object_id, extra_context=None):
        if not self.has_view_permission(request):
            raise PermissionDenied  # as the record's own pages answer this role
        # get_object: None outside the area, and for an id of the wrong type ("abc").
        if self.get_object(request, unquote(object_id)) is None:
            raise Http404
        return super().history_view(request, object_id, extra_context)

    def history_form_view(self, request, object_id, version_id, extra_context=None):
        raise Http404  # no reverting

    def set_history_delta_changes(self, request, historical_records, foreign_keys_are_objs=True):
        """Each version's changed fields, as the record's own page shows them to this user: a
        field the user may not read (an observer: NIK, birth date, address) is masked or left
        out (registry.audit.shown_changes)."""
        previous = None
        for current in historical_records:
            if previous is not None:
                delta = previous.diff_against(current, foreign_keys_are_objs=False)
                previous.history_delta_changes = audit.shown_changes(
                    request.user, self.model, delta.changes)
            previous = current

    def revert_disabled(self, request, obj=None):
        return True


class ScopedInline(AdminFormfields, ScopedPermissions, admin.TabularInline):
    """A record's rows on its parent's admin page: a table, or, when a row has more fields than
    a table fits at 1280 px (an aid distribution's nine with its file), one block per row."""

    extra = 0
    TABLE_FIELDS = 6  # at most this many fields a row: a table

    @property
    def template(self) -> str:
        shown = self.fields or ()
        return ("admin/edit_inline/stacked.html" if len(shown) > self.TABLE_FIELDS
                else "admin/edit_inline/tabular.html")


class MissingUpload(Exception):
    """The file an import's confirmation names is not (or no longer) stored."""


class ScopedImportExport(ShowsRefusals, ImportExportMixin):
    """django-import-export's Import and Export buttons, on the same footing as the rest:

    - who may: Django's permission table does not hold our roles, so the permission code in
      settings (IMPORT_EXPORT_IMPORT_PERMISSION_CODE = "add", …_EXPORT_… = "view") names the
      admin's own has_<code>_permission() (ScopedPermissions): import for roles that may edit
      a model that is not hidden from them, export for whoever may view it;
    - what: the export queryset is the changelist's (get_export_queryset), which starts from
      get_queryset(), i.e. Model.objects.visible_to(user); the resource is made with the user,
      looks up existing rows in Model.objects.editable_by(user) only and refuses rows whose
      area lies outside the user's (registry.resources);
    - all or nothing: the confirmed import is rolled back if any row fails (the file is read
      again at that step and may meet different data than the preview did).

    Put it before ScopedAdmin: `class XAdmin(ScopedImportExport, ScopedAdmin)`.
    """

    # One sheet of a spreadsheet, or a CSV file: what staff work with; text is written as text
    # and hostile uploads are refused before they are read (registry.formats).
    formats = [CSV, XLSX]

    def _has_code_permission(self, request, setting: str, default: str) -> bool:
        code = getattr(settings, setting, None) or default
        return getattr(self, f"has_{code}_permission")(request)

    def has_import_permission(self, request) -> bool:
        return self._has_code_permission(request, "IMPORT_EXPORT_IMPORT_PERMISSION_CODE", "add")

    def has_export_permission(self, request) -> bool:
        return self._has_code_permission(request, "IMPORT_EXPORT_EXPORT_PERMISSION_CODE", "view")

    def get_resource_kwargs(self, request, *args, **kwargs):
        kwargs = super().get_resource_kwargs(request, *args, **kwargs)
        kwargs["user"] = request.user
        return kwargs

    def get_import_data_kwargs(self, **kwargs):
        kwargs = super().get_import_data_kwargs(**kwargs)
        kwargs["rollback_on_validation_errors"] = True
        return kwargs

    def get_valid_export_item_pks(self, request):
        # The library's default lists every row of the table.
        return self.get_queryset(request).values_list("pk", flat=True)

    def get_tmp_storage_class(self):
        """The stored upload of the first step; one that is gone (confirmed twice, cleaned up,
        or a name typed into the form) is MissingUpload rather than a 500."""
        storage = super().get_tmp_storage_class()

        class Stored(storage):
            def read(self):
                try:
                    return super().read()
                except OSError as exc:  # not there, or no possible file name
                    raise MissingUpload from exc

        return Stored

    def process_import(self, request, **kwargs):
        try:
            return super().process_import(request, **kwargs)
        except MissingUpload:
            messages.error(request, _("This import cannot be confirmed any more; upload it again."))
            app_label, model_name = self.get_model_info()
            return HttpResponseRedirect(
                reverse(f"admin:{app_label}_{model_name}_import", current_app=self.admin_site.name))

    def process_result(self, result, request):
        if result.has_errors() or result.has_validation_errors():
            failed = len(result.invalid_rows) + len(result.row_errors()) + len(result.base_errors)
            messages.error(
                request,
                ngettext(
                    "Nothing was imported: %(count)d row could not be imported. "
                    "Import the file again to see why.",
                    "Nothing was imported: %(count)d rows could not be imported. "
                    "Import the file again to see why.",
                    failed,
                )
                % {"count": failed},
            )
            app_label, model_name = self.get_model_info()
            url = reverse(
                f"admin:{app_label}_{model_name}_changelist", current_app=self.admin_site.name
            )
            return HttpResponseRedirect(url)
        return super().process_result(result, request)


def wilayah_filter(path: str, any_level: bool = False):
    """A list filter that drills down the area tree: it offers the sub-areas of the area chosen
    (or of the user's own area), so it stays short at every level."""

    class WilayahFilter(admin.SimpleListFilter):
        title = _("area")
        parameter_name = "wilayah"

        def _chosen(self, request):
            kode = self.value()
            return (
                Wilayah.objects.visible_to(request.user).filter(kode=kode).first() if kode else None
            )

        def lookups(self, request, model_admin):
            parent = self._chosen(request) or request.user.wilayah
            if parent is None:
                children = Wilayah.objects.filter(tingkat=Tingkat.PROVINSI)
            else:
                children = Wilayah.objects.filter(induk=parent)
            options = [(w.kode, str(w)) for w in children.only("kode", "nama")]
            chosen = self._chosen(request)
            if chosen is not None:
                options.insert(0, (chosen.kode, str(chosen)))
            return options

        def queryset(self, request, queryset):
            chosen = self._chosen(request)
            if chosen is None:
                return queryset
            return queryset.filter(access.within(chosen, path, any_level))

    return WilayahFilter


@admin.register(Wilayah)
class WilayahAdmin(ScopedAdmin):
    list_display = ["kode", "nama", "tingkat"]
    list_filter = ["tingkat"]
    search_fields = ["kode", "nama"]
    fields = ["kode", "nama", "tingkat", "induk"]
    readonly_fields = ["tingkat", "induk"]

    def can_edit(self, user) -> bool:
        # Official codes come from load_wilayah; only an administrator may correct one.
        return access.can_manage_users(user)


class ReferensiAdmin(ScopedPermissions, admin.ModelAdmin):
    """Reference lists: everyone reads them, Dinas Sosial staff extend them."""

    list_display = ["kode", "nama", "alias", "urutan"]
    search_fields = ["kode", "nama", "alias"]

    def can_edit(self, user) -> bool:
        return access.can_extend_lists(user)


admin.site.register(JenisPerkumpulan, ReferensiAdmin)


@admin.register(Pilihan)
class PilihanAdmin(ReferensiAdmin):
    list_display = ["daftar", "kode", "nama", "alias", "urutan"]
    list_filter = ["daftar"]


@admin.register(Perkumpulan)
class PerkumpulanAdmin(ScopedImportExport, ScopedHistoryAdmin, ScopedAdmin):
    resource_classes = [PerkumpulanResource]
    list_display = ["kode", "nama", "jenis", "desa", "rw", "tahun_berdiri", "sk_berlaku_sampai",
                    "aktif"]
    list_filter = [wilayah_filter("desa", any_level=True), "jenis", "aktif", "jaringan_kerja",
                   "prakarsa"]
    list_select_related = ["jenis", "desa"]
    search_fields = ["kode", "nama"]
    autocomplete_fields = [
        "desa",
        "syarat_keanggotaan",
        "sumber_dana",
        "nilai_solidaritas",
        "kegiatan",
    ]
    readonly_fields = ["dibuat", "diubah"]
    fieldsets = [
        (None, {"fields": ["kode", "nama", "jenis", "desa", "rw", "rt", "aktif"]}),
        (
            _("Identity and membership"),
            {
                "fields": [
                    "tahun_berdiri",
                    "tujuan",
                    "prakarsa",
                    "jumlah_anggota",
                    "syarat_keanggotaan",
                    "masa_kepengurusan",
                ]
            },
        ),
        (
            _("Resources, activities and values"),
            {
                "fields": [
                    "sumber_dana",
                    "kegiatan",
                    "nilai_solidaritas",
                    "jaringan_kerja",
                ]
            },
        ),
        (_("Decree (SK)"), {"fields": ["sk_nomor", "sk_tanggal", "sk_berlaku_sampai"]}),
        (_("Record"), {"fields": ["dibuat", "diubah"]}),
    ]
    # The members and network apps add their inlines (members, links) from their admin modules.
    inlines = []


@admin.register(KopSurat)
class KopSuratAdmin(ScopedAdmin):
    """An area's letterhead and signatory (also kept on the web: /kop-surat/<code>/)."""

    list_display = ["wilayah", "instansi", "penandatangan", "jabatan", "diubah"]
    list_select_related = ["wilayah"]
    search_fields = ["wilayah__kode", "wilayah__nama", "instansi", "penandatangan"]
    autocomplete_fields = ["wilayah"]
    readonly_fields = ["diubah"]
    fields = ["wilayah", "instansi", "alamat", "kota", "penandatangan", "jabatan", "nip",
              "diubah"]

    def get_readonly_fields(self, request, obj=None):
        # The area is the letterhead's key: chosen once.
        return [*self.readonly_fields, "wilayah"] if obj is not None else self.readonly_fields


@admin.register(ProfilDesa)
class ProfilDesaAdmin(ScopedHistoryAdmin, ScopedAdmin):
    """A village's own figures per year (also entered on the web and imported)."""

    list_display = ["desa", "tahun", "jumlah_rw", "jumlah_rt", "jumlah_kk", "jumlah_penduduk"]
    list_filter = [wilayah_filter("desa"), "tahun"]
    list_select_related = ["desa"]
    search_fields = ["desa__kode", "desa__nama"]
    autocomplete_fields = ["desa"]
    readonly_fields = ["dibuat", "diubah"]
    fieldsets = [
        (None, {"fields": ["desa", "tahun", "jumlah_rw", "jumlah_rt", "jumlah_kk"]}),
        (_("Residents"), {"fields": [
            "jumlah_penduduk", "penduduk_laki_laki", "penduduk_perempuan",
            *(name for name, *_rest in validators.AGE_BANDS)]}),
        (_("Livelihoods and source"), {"fields": ["mata_pencaharian", "sumber"]}),
        (_("Record"), {"fields": ["dibuat", "diubah"]}),
    ]


@admin.register(User)
class UserAdmin(DjangoUserAdmin):
    """Accounts: administrators only."""

    list_display = ["username", "first_name", "peran", "wilayah", "is_active", "last_login"]
    list_filter = ["peran", "is_active"]
    list_select_related = ["wilayah"]
    autocomplete_fields = ["wilayah"]
    fieldsets = [
        (None, {"fields": ["username", "password"]}),
        (_("Role and area"), {"fields": ["peran", "wilayah", "is_active"]}),
        (_("Personal info"), {"fields": ["first_name", "last_name", "email"]}),
        (_("Important dates"), {"fields": ["last_login", "date_joined"]}),
    ]
    add_fieldsets = [
        (None, {"fields": ["username", "password1", "password2", "peran", "wilayah"]}),
    ]

    def has_module_permission(self, request) -> bool:
        return access.can_manage_users(request.user)

    def has_view_permission(self, request, obj=None) -> bool:
        return access.can_manage_users(request.user)

    has_add_permission = has_change_permission = has_delete_permission = has_view_permission


admin.site.unregister(AccessAttempt)


@admin.register(AccessAttempt)
class LockoutAdmin(AccessAttemptAdmin):
    """Failed logins and locked accounts (django-axes): deleting an account's attempts unlocks
    it. Administrators see every attempt; Dinas Sosial staff those of the accounts within their
    area (whose officers call them when locked out), and may unlock those."""

    def get_queryset(self, request):
        attempts = super().get_queryset(request)
        if access.sees_everything(request.user):
            return attempts
        accounts = User.objects.filter(access.area_filter(request.user, "wilayah", any_level=True))
        return attempts.filter(username__in=accounts.values("username"))

    def get_actions(self, request):
        actions = super().get_actions(request)
        if not access.sees_everything(request.user):
            actions.pop("cleanup_expired_attempts", None)  # it cleans every area's attempts
        return actions

    def has_module_permission(self, request) -> bool:
        return access.can_unlock_accounts(request.user)

    def has_view_permission(self, request, obj=None) -> bool:
        return access.can_unlock_accounts(request.user)

    has_delete_permission = has_view_permission

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def response_delete(self, request, obj_display, obj_id):
        """Back to the list of attempts (Django goes to the admin's index when nothing may be
        changed)."""
        response = super().response_delete(request, obj_display, obj_id)
        if isinstance(response, HttpResponseRedirect):
            return HttpResponseRedirect(reverse("admin:axes_accessattempt_changelist"))
        return response
