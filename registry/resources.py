"""django-import-export resources: the admin's single-table import and export, scoped to the user.

Every resource is made with the user who imports or exports (the admin passes it through
`get_resource_kwargs`, see registry.admin.ScopedImportExport) and then:

- exports only what `Model.objects.visible_to(user)` holds (the admin's export queryset is its
  changelist's, which starts there), with the NIK masked and personal columns left out for users
  who may not see personal data (text that a spreadsheet would run as a formula is made inert
  by the admin's formats, registry.formats);
- imports only into `Model.objects.editable_by(user)`: the instance loader finds existing rows
  there only (so a row of another village cannot be updated by its key), a row whose area lies
  outside the user's area is refused, and so is a key that belongs to a row the user may not
  change, or that appears twice in one file;
- converts each cell the survey workbook also reads with the same converter as the workbook's
  sheet (registry.workbook's `to_*`, `matcher` and `multi`, and the sheets' own: `to_name`,
  `to_kode_perkumpulan`, the lists' matchers), the others with registry.workbook's converters
  by their type, and runs the models' validators (`clean_model_instances`), so the rules are the
  same wherever data comes in;
- looks foreign keys up once per file (the values of the whole column in a few queries), never
  once per row.
"""

from collections.abc import Callable
from types import SimpleNamespace
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import models
from django.utils import translation
from django.utils.encoding import force_str
from django.utils.text import capfirst
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from import_export import exceptions, resources, widgets
from import_export.fields import Field
from import_export.instance_loaders import BaseInstanceLoader

from registry import access, sheets, validators, workbook
from registry.models import Daftar, JenisPerkumpulan, Perkumpulan, Pilihan, Wilayah
from registry.workbook import perkumpulan


def blank(value) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def unescape(value):
    """Our CSV exports (and workbooks exported before text cells) put an apostrophe before text a
    spreadsheet would run as a formula (registry.sheets.csv_text)."""
    if isinstance(value, str):
        value = value.strip()
        if len(value) > 1 and value[0] == "'" and value[1] in sheets.FORMULA_START:
            return value[1:]
    return value


def to_area_code(value) -> str:
    return validators.normalize_kode_wilayah(workbook.to_text(value))


# Widgets -----------------------------------------------------------------------------------------
class ConvertWidget(widgets.Widget):
    """A cell read by one of the survey importer's converters (they raise ValidationError with a
    message that says what would be right); a blank cell gives `empty`."""

    def __init__(self, convert=workbook.to_text, empty=None):
        super().__init__(coerce_to_string=True)
        self.converter = convert
        self.empty = empty

    def convert(self, value):
        return self.converter(value)

    def clean(self, value, row=None, **kwargs):
        value = unescape(value)
        if blank(value):
            return self.empty
        return self.convert(value)

    def render(self, value, obj=None, **kwargs):
        if value is None:
            return ""
        if kwargs.get("force_native_type") and isinstance(value, int | float):
            return value
        if hasattr(value, "isoformat"):
            return value.isoformat()
        return force_str(value)


class BooleanWidget(ConvertWidget):
    def __init__(self):
        super().__init__(workbook.to_bool)

    def render(self, value, obj=None, **kwargs):
        if value is None:
            return ""
        return "1" if value else "0"


class ChoiceWidget(ConvertWidget):
    """A value of a field's choices, by code or by its Indonesian or English label, any case;
    exported as the code."""

    def __init__(self, choices, label):
        super().__init__(empty="")
        self.choices = list(choices)
        self.label = label
        self._match = None

    def convert(self, value):
        if self._match is None:
            with translation.override("id"):
                names = [str(label) for _value, label in self.choices]
            lookup = workbook.choice_lookup(SimpleNamespace(choices=self.choices))
            self._match = workbook.matcher(lookup, self.label, names)
        return self._match(value)


class ScopedWidgetMixin:
    """A widget that knows the resource it serves (and so the user), set by the resource."""

    resource = None

    def bind(self, resource) -> None:
        self.resource = resource

    @property
    def user(self):
        return self.resource.user if self.resource is not None else None


class KeyWidget(ScopedWidgetMixin, widgets.ForeignKeyWidget):
    """A foreign key written as a key of the related row (a code, a NIK, an id).

    Looked up among the rows the user may reach (`scope`: "all", "visible" or "editable"), for
    the whole column at once when the resource primes it, and cached: no query per row. A key
    that exists beyond the user's reach is reported as such, not as unknown."""

    def __init__(self, model, field, label, scope="visible", convert=workbook.to_text,
                 mask=False):
        super().__init__(model, field=field)
        self.label = label
        self.scope = scope
        self.convert = convert
        self.mask = mask
        self.found: dict[str, models.Model] = {}
        self.outside: set[str] = set()
        self.unknown: set[str] = set()

    def queryset(self):
        manager = self.model._default_manager
        if self.scope == "editable":
            return manager.editable_by(self.user)
        if self.scope == "visible":
            return manager.visible_to(self.user)
        return manager.all()

    def key(self, value) -> str:
        return str(self.convert(unescape(value)))

    def prime(self, values) -> None:
        keys = set()
        for value in values:
            if blank(value):
                continue
            try:
                keys.add(self.key(value))
            except (ValidationError, ValueError):
                continue  # reported on its row
        self.load(keys)

    def load(self, keys) -> None:
        keys = [k for k in keys if k not in self.found and k not in self.outside]
        keys = [k for k in keys if k not in self.unknown]
        for part in workbook.chunks(sorted(keys)):
            for obj in self.queryset().filter(**{f"{self.field}__in": part}):
                self.found[str(getattr(obj, self.field))] = obj
        missing = [k for k in keys if k not in self.found]
        if self.scope != "all":
            for part in workbook.chunks(missing):
                found = self.model._default_manager.filter(**{f"{self.field}__in": part})
                self.outside.update(str(v) for v in found.values_list(self.field, flat=True))
        self.unknown.update(k for k in missing if k not in self.outside)

    def clean(self, value, row=None, **kwargs):
        if blank(value):
            return None
        key = self.key(value)
        if key not in self.found and key not in self.outside and key not in self.unknown:
            self.load([key])
        if key in self.found:
            return self.found[key]
        if key in self.outside:
            raise ValidationError(
                _("%(what)s %(key)s is outside your area.")
                % {"what": capfirst(self.label), "key": key},
                code="outside_area",
            )
        raise ValidationError(
            _("There is no %(what)s %(key)s.") % {"what": self.label, "key": key},
            code="unknown_key",
        )

    def render(self, value, obj=None, **kwargs):
        if value is None:
            return ""
        key = str(getattr(value, self.field))
        if self.mask and not access.can_see_personal_data(self.user):
            return validators.mask_nik(key)
        return key


class ReferenceWidget(widgets.ForeignKeyWidget):
    """A value of a reference list (Referensi: group types, list values, PMKS categories), by
    code, name or alias in any case, as the survey importer matches it; exported by
    `render_field` (the code, or the name in the multi-valued lists)."""

    def __init__(self, model, label, render_field="kode", **filters):
        super().__init__(model, field=render_field)
        self.label = label
        self.filters = filters
        self._convert = None

    def convert(self, value):
        if self._convert is None:
            entries = list(self.model._default_manager.filter(**self.filters))
            self._convert = workbook.matcher(
                self.model.lookup(entries), self.label, [e.nama for e in entries]
            )
        return self._convert(value)

    def clean(self, value, row=None, **kwargs):
        value = unescape(value)
        if blank(value):
            return None
        return self.convert(value)

    def render(self, value, obj=None, **kwargs):
        return "" if value is None else str(getattr(value, self.field))


class ListWidget(ScopedWidgetMixin, widgets.ManyToManyWidget):
    """A many-to-many field as one cell, values separated by “;” (“,” is accepted too), each
    read by `item` (a ReferenceWidget or a KeyWidget)."""

    def __init__(self, item):
        super().__init__(model=item.model, separator="; ", field=item.field)
        self.item = item

    def bind(self, resource) -> None:
        super().bind(resource)
        if isinstance(self.item, ScopedWidgetMixin):
            self.item.bind(resource)

    def prime(self, values) -> None:
        if hasattr(self.item, "prime"):
            parts = []
            for value in values:
                if not blank(value):
                    parts.extend(validators.split_multi(workbook.to_text(unescape(value))))
            self.item.prime(parts)

    def clean(self, value, row=None, **kwargs):
        value = unescape(value)
        if blank(value):
            return []
        return workbook.multi(self.item.clean)(value)

    def render(self, value, obj=None, **kwargs):
        if value is None:
            return ""
        return self.separator.join(self.item.render(item) for item in value.all())


def area_widget(label=None) -> KeyWidget:
    """An area (desa/kelurahan or larger) by its code, dotted or plain; any existing area is found
    here, whether the row may lie in it is the resource's scope check."""
    return KeyWidget(Wilayah, "kode", label or gettext_lazy("area"), scope="all",
                     convert=to_area_code)


def group_widget(scope="visible") -> KeyWidget:
    """A group by its code, read as the workbook's sheets read one."""
    return KeyWidget(Perkumpulan, "kode", gettext_lazy("group"), scope=scope,
                     convert=workbook.to_kode_perkumpulan)


# Instance loader ---------------------------------------------------------------------------------
class ScopedInstanceLoader(BaseInstanceLoader):
    """Finds the rows a file updates among those the user may change, for the whole file in a
    few queries (chunked: SQLite refuses more than 32,766 variables), and notes the keys that
    exist outside the user's reach so that the resource can say so."""

    def __init__(self, resource, dataset=None):
        super().__init__(resource, dataset)
        self.found: dict[str, models.Model] = {}
        self.outside: set[str] = set()
        keys = set()
        if dataset is not None and dataset.headers:
            for values in dataset:
                key = resource.key_of(dict(zip(dataset.headers, values, strict=False)))
                if key is not None:
                    keys.add(key)
        lookup = resource.key_lookup
        queryset = resource.get_queryset().filter(**resource.key_filter)
        many = resource.many_to_many_attributes()
        if many:
            # The preview compares each row's lists with the stored ones: fetch them here.
            queryset = queryset.prefetch_related(*many)
        for part in workbook.chunks(sorted(keys)):
            for obj in queryset.filter(**{f"{lookup}__in": part}):
                self.found[resource.key_value(obj)] = obj
        missing = sorted(keys - set(self.found))
        manager = resource._meta.model._default_manager
        for part in workbook.chunks(missing):
            rows = (manager.filter(**resource.key_filter, **{f"{lookup}__in": part})
                    .values_list(lookup, flat=True))
            self.outside.update(str(v) for v in rows)

    def get_instance(self, row):
        key = self.resource.key_of(row)
        return None if key is None else self.found.get(key)


# Resources ---------------------------------------------------------------------------------------
class ScopedResource(resources.ModelResource):
    """The base of every resource: made with the user, scoped both ways (see the module doc)."""

    #: The model field (a ForeignKey to Wilayah) that places a row; an imported row must lie
    #: within the user's area, unless it is an existing row whose area the file leaves as it is.
    #: None where the row is placed through a scoped key (a membership through its group).
    scope_area: str | None = None
    #: The lookup of the import key on the model ("pk" for an id column).
    key_lookup = "pk"
    #: The rows the key tells apart, where it names only some of the model's rows (a village's
    #: code keys its village-level forum, not the forums of its RWs).
    key_filter: dict[str, Any] = {}
    #: Export columns left out for users who may not see personal data.
    personal_fields: tuple[str, ...] = ()
    #: The columns the survey workbook's sheet reads too, each with the sheet's converter: the
    #: same cell gives the same value and the same error in either import.
    sheet_converters: dict[str, Callable[[Any], Any]] = {}
    #: Applied to the export queryset, so that related values cost no query per row.
    export_select_related: tuple[str, ...] = ()
    export_prefetch_related: tuple[str, ...] = ()

    class Meta:
        clean_model_instances = True
        skip_unchanged = True
        report_skipped = True
        instance_loader_class = ScopedInstanceLoader

    def __init__(self, user=None, **kwargs):
        super().__init__(**kwargs)
        self.user = user
        self._seen: dict[str, int] = {}
        self._refused = False
        self._loader = None
        self._state: dict = {}
        for field in self.fields.values():
            if hasattr(field.widget, "bind"):
                field.widget.bind(self)

    # Fields made from model fields use the survey workbook's converters (its sheet's, where the
    # sheet reads the column: `sheet_converters`; else registry.workbook's, by the field's type).
    @classmethod
    def field_from_django_field(cls, field_name, django_field, readonly):
        widget = cls.widget_for(django_field, cls.sheet_converters.get(field_name))
        if widget is None:
            return super().field_from_django_field(field_name, django_field, readonly)
        return Field(
            attribute=field_name,
            column_name=field_name,
            widget=widget,
            readonly=readonly,
            default=django_field.default,
        )

    @classmethod
    def widget_for(cls, django_field, convert=None):
        if django_field.is_relation:
            return None  # declared on each resource, looked up by key and cached
        if convert is not None:
            text = isinstance(django_field, models.CharField | models.TextField)
            return ConvertWidget(convert, empty="" if text else None)
        if django_field.choices:
            return ChoiceWidget(django_field.choices, django_field.verbose_name)
        if isinstance(django_field, models.BooleanField):
            return BooleanWidget()
        if isinstance(django_field, models.DateTimeField):
            return None
        if isinstance(django_field, models.DateField):
            return ConvertWidget(workbook.to_date)
        if isinstance(django_field, models.IntegerField | models.AutoField):
            return ConvertWidget(workbook.to_int)
        if isinstance(django_field, models.CharField | models.TextField):
            return ConvertWidget(workbook.to_text, empty="")
        return None

    # Keys --------------------------------------------------------------------------------------
    def key_field(self) -> Field:
        return self.fields[self.get_import_id_fields()[0]]

    def key_of(self, row) -> str | None:
        """The row's import key as text, or None when it has none (or an unreadable one, which
        is reported when the row is imported)."""
        field = self.key_field()
        if field.column_name not in row:
            return None
        try:
            value = field.clean(row)
        except (ValidationError, ValueError):
            return None
        if isinstance(value, models.Model):
            value = value.pk
        if value in (None, "") or "\x00" in str(value):  # PostgreSQL refuses NUL in a lookup
            return None
        return str(value)

    def many_to_many_attributes(self) -> list[str]:
        return [
            f.attribute
            for f in self.get_import_fields()
            if isinstance(f.widget, widgets.ManyToManyWidget) and not f.readonly
        ]

    def key_value(self, obj) -> str:
        if self.key_lookup == "pk":
            return str(obj.pk)
        return str(getattr(obj, obj._meta.get_field(self.key_lookup).attname))

    # Scope -------------------------------------------------------------------------------------
    def get_queryset(self):
        """The rows an import may update (the instance loader looks here)."""
        return self._meta.model._default_manager.editable_by(self.user)

    def before_import(self, dataset, **kwargs):
        user = kwargs.get("user")
        if self.user is None:
            self.user = user
        elif user is not None and user.pk != self.user.pk:
            raise PermissionDenied(_("The import was started for another user."))
        self._seen = {}
        self._refused = not self.may_import()
        if self._refused:
            raise PermissionDenied(
                _("Your role may not import %(what)s.")
                % {"what": self._meta.model._meta.verbose_name_plural}
            )
        headers = [h for h in (dataset.headers or []) if h is not None]
        for field in self.fields.values():
            if hasattr(field.widget, "prime") and field.column_name in headers:
                field.widget.prime(dataset[field.column_name])

    def _check_import_id_fields(self, headers):
        """The library's check that the file has the key columns, told in the site's words
        (its own message is formatted before it is translated, so it stayed in English)."""
        missing = [self.fields[name].column_name for name in self.get_import_id_fields()
                   if name in self.fields and self.fields[name].column_name not in (headers or ())]
        if missing:
            raise exceptions.FieldError(
                _("The file has no column %(columns)s, which says which record each row is: "
                  "add it, with this name, to the first row.") % {"columns": ", ".join(missing)})
        super()._check_import_id_fields(headers)

    def may_import(self) -> bool:
        sensitive = getattr(self._meta.model, "scope_sensitive", False)
        return access.can_edit(self.user) and not (sensitive and not access.can_see_pmks(self.user))

    def before_import_row(self, row, **kwargs):
        """Refuse every row of a refused import (the library goes on after before_import fails),
        and a key twice in one file, which would silently overwrite the first row."""
        if self._refused:
            raise ValidationError(_("Your role may not import this data."), code="refused")
        key = self.key_of(row)
        number = kwargs.get("row_number")
        if key is not None:
            first = self._seen.setdefault(key, number)
            if first != number:
                raise ValidationError({
                    self.get_import_id_fields()[0]: _(
                        "%(key)s appears more than once in the file (first on line %(line)s); "
                        "each row must have its own key."
                    ) % {"key": key, "line": first + 1}  # the sheet's row: its header is row 1
                })

    def get_or_init_instance(self, instance_loader, row):
        self._loader = instance_loader
        return super().get_or_init_instance(instance_loader, row)

    def after_init_instance(self, instance, new, row, **kwargs):
        area = getattr(instance, f"{self.scope_area}_id") if self.scope_area else None
        self._state = {"new": new, "area": area}

    def import_instance(self, instance, row, **kwargs):
        """Set the row's values on the instance, collecting every cell's error (many-to-many
        cells are checked now and saved after the instance), then check the scope."""
        errors = {}
        for field in self.get_import_fields():
            if field.readonly or not field.attribute or field.column_name not in row:
                continue
            try:
                if isinstance(field.widget, widgets.ManyToManyWidget):
                    field.clean(row)
                else:
                    self.import_field(field, instance, row, **kwargs)
            except ValidationError as exc:
                errors[field.attribute] = exc
            except ValueError as exc:
                errors[field.attribute] = ValidationError(force_str(exc), code="invalid")
        self.check_scope(instance, row, errors)
        if errors:
            raise ValidationError(errors)

    def check_scope(self, instance, row, errors) -> None:
        new = self._state.get("new", True)
        key = self.key_of(row)
        key_name = self.key_field().attribute
        if new and key is not None and key_name not in errors:
            if self._loader is not None and key in self._loader.outside:
                errors[key_name] = ValidationError(
                    _("%(key)s belongs to a %(what)s outside your area; you may not change it.")
                    % {"key": key, "what": self._meta.model._meta.verbose_name},
                    code="key_outside_area",
                )
            elif self.key_lookup == "pk":
                errors[key_name] = ValidationError(
                    _("There is no %(what)s %(key)s; leave the column empty to add a new one.")
                    % {"key": key, "what": self._meta.model._meta.verbose_name},
                    code="unknown_id",
                )
        if self.scope_area is None or self.scope_area in errors:
            return
        area_id = getattr(instance, f"{self.scope_area}_id")
        if not new and area_id == self._state.get("area"):
            return  # an existing row the user may change, left where it is
        area = getattr(instance, self.scope_area) if area_id else None
        if area is None:
            if not access.may_write_area(self.user, None):
                errors[self.scope_area] = ValidationError(
                    _("A value is required: the row must lie within your area."),
                    code="no_area",
                )
        elif not access.may_write_area(self.user, area):
            errors[self.scope_area] = ValidationError(
                _("%(area)s is outside your area; you may not import data for it.")
                % {"area": area},
                code="outside_area",
            )

    def save_m2m(self, instance, row, **kwargs):
        """Save the lists (a new row has none yet: add, without reading the stored ones), and
        keep what was saved as the instance's prefetched lists, so that the preview's diff does
        not read them back row by row."""
        if (self._is_dry_run(kwargs) and not self._is_using_transactions(kwargs)) or (
            self._meta.use_bulk
        ):
            return
        new = self._state.get("new", True)
        for field in self.get_import_fields():
            if not isinstance(field.widget, widgets.ManyToManyWidget) or field.readonly:
                continue
            manager = getattr(instance, field.attribute)
            if field.column_name in row:
                values = list(field.clean(row))
                if new and values:
                    manager.add(*values)
                elif not new:
                    manager.set(values)
            elif new:
                values = []
            else:
                continue  # left as it is (and prefetched by the instance loader)
            stored = manager.get_queryset()
            stored._result_cache = values
            stored._prefetch_done = True
            instance.__dict__.setdefault("_prefetched_objects_cache", {})[
                manager.prefetch_cache_name
            ] = stored

    # Export ------------------------------------------------------------------------------------
    def export(self, queryset=None, **kwargs):
        if queryset is None:
            queryset = self._meta.model._default_manager.visible_to(self.user)
        return super().export(queryset=queryset, **kwargs)

    def filter_export(self, queryset, **kwargs):
        queryset = queryset.filter(**self.key_filter)
        if self.export_select_related:
            queryset = queryset.select_related(*self.export_select_related)
        if self.export_prefetch_related:
            queryset = queryset.prefetch_related(*self.export_prefetch_related)
        return queryset

    def get_export_fields(self, selected_fields=None):
        fields = super().get_export_fields(selected_fields)
        if self.personal_fields and not access.can_see_personal_data(self.user):
            fields = [f for f in fields if f.column_name not in self.personal_fields]
        return fields

    def export_field(self, field, instance, **kwargs):
        value = super().export_field(field, instance, **kwargs)
        # An empty cell stays empty in either format. Formulas: the admin's formats write text as
        # text (registry.formats).
        if value is None:
            return ""
        return value


def _pilihan_list(name: str, daftar: Daftar) -> Field:
    """A many-to-many column of list values, written as names separated by ';'."""
    return Field(
        attribute=name,
        column_name=name,
        widget=ListWidget(ReferenceWidget(Pilihan, daftar.label, "nama", daftar=daftar)),
    )


class PerkumpulanResource(ScopedResource):
    """Groups, keyed by their code; type and purpose by code, village by area code, the
    multi-valued lists by the names of their values."""

    jenis = Field(
        attribute="jenis",
        column_name="jenis",
        widget=ReferenceWidget(JenisPerkumpulan, gettext_lazy("group type")),
    )
    # A village, or a larger area for a group organised above the village.
    desa = Field(attribute="desa", column_name="desa", widget=area_widget())
    tujuan = Field(
        attribute="tujuan",
        column_name="tujuan",
        widget=ReferenceWidget(Pilihan, Daftar.TUJUAN.label, daftar=Daftar.TUJUAN),
    )
    syarat_keanggotaan = _pilihan_list("syarat_keanggotaan", Daftar.SYARAT)
    sumber_dana = _pilihan_list("sumber_dana", Daftar.SUMBER_DANA)
    nilai_solidaritas = _pilihan_list("nilai_solidaritas", Daftar.NILAI)
    kegiatan = _pilihan_list("kegiatan", Daftar.KEGIATAN)

    # As the perkumpulan sheet reads them (PerkumpulanSheet.parse); the lists are
    # matched by ReferenceWidget, with the sheet's matcher over the same rows.
    sheet_converters = {
        "kode": workbook.to_kode_perkumpulan,
        "nama": workbook.to_name,
        "rw": workbook.to_rw_rt,
        "rt": workbook.to_rw_rt,
        "tahun_berdiri": workbook.to_year,
        "masa_kepengurusan": perkumpulan.to_term,
        "jaringan_kerja": perkumpulan.JARINGAN_KERJA,
        "prakarsa": perkumpulan.PRAKARSA,
    }
    scope_area = "desa"
    key_lookup = "kode"
    export_select_related = ("jenis", "desa", "tujuan")
    export_prefetch_related = ("syarat_keanggotaan", "sumber_dana", "nilai_solidaritas",
                               "kegiatan")

    class Meta:
        model = Perkumpulan
        name = gettext_lazy("community groups")
        import_id_fields = ["kode"]
        fields = [
            "kode",
            "nama",
            "jenis",
            "desa",
            "rw",
            "rt",
            "tahun_berdiri",
            "tujuan",
            "jumlah_anggota",
            "syarat_keanggotaan",
            "masa_kepengurusan",
            "sumber_dana",
            "jaringan_kerja",
            "nilai_solidaritas",
            "kegiatan",
            "prakarsa",
            "aktif",
        ]
        export_order = fields
