import datetime
import re
import secrets
from collections.abc import Callable

from django import forms
from django.contrib import messages
from django.contrib.admin.widgets import AutocompleteSelect, AutocompleteSelectMultiple
from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.core.validators import ProhibitNullCharactersValidator
from django.db import IntegrityError, models, transaction
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.templatetags.static import static
from django.urls import reverse
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.utils.html import escape
from django.utils.safestring import mark_safe
from django.utils.translation import gettext_lazy as _

from registry import validators
from registry.access import Peran
from registry.models import FormulirTerkirim, Perkumpulan, ProfilDesa, Wilayah
from registry.workbook import MAX_FILE_BYTES


def today():
    return timezone.localdate()


class DateInput(forms.DateInput):
    """The browser's date picker; its value is always YYYY-MM-DD, whatever the language."""

    input_type = "date"

    def __init__(self, attrs=None):
        super().__init__(attrs, format="%Y-%m-%d")


def model_errors(
    instance: models.Model, exclude=(), skip_constraints=(), constraint_errors=None
) -> dict[str, list[ValidationError]]:
    """Everything `full_clean` finds wrong with an unsaved row, the database constraints
    included, by field. `constraint_errors` maps a constraint's name to the field the user can
    change and the message to show there (coded by the constraint's name)."""
    errors: dict[str, list[ValidationError]] = {}
    try:
        instance.full_clean(exclude=list(exclude), validate_constraints=False)
    except ValidationError as exc:
        for field, field_errors in exc.error_dict.items():
            errors.setdefault(field, []).extend(field_errors)
    failed = set(exclude) | set(errors)
    for constraint in instance._meta.constraints:
        if constraint.name in skip_constraints:
            continue
        try:
            constraint.validate(type(instance), instance, exclude=failed)
        except ValidationError as exc:
            field, message = (constraint_errors or {}).get(constraint.name,
                                                           (NON_FIELD_ERRORS, None))
            error = ValidationError(message, code=constraint.name) if message else exc
            errors.setdefault(field, []).append(error)
    return errors


class Conflict(Exception):
    """The row changed between the check and the write: roll back and tell the user."""


class ModelRulesForm(forms.Form):
    """A form whose rules are those of the rows it writes: it builds them unsaved and asks
    `check_rules` (the models' validation and database constraints) before writing."""

    # Model field → form field, where their names differ.
    field_map: dict[str, str] = {}
    # Constraint name → (form field, message); see `model_errors`.
    constraint_errors: dict[str, tuple[str, str]] = {}
    conflict_message = _(
        "Someone else changed this data meanwhile; nothing was saved. Please check and send the "
        "form again."
    )

    def check_rules(self, instance: models.Model, exclude=(), skip_constraints=()) -> None:
        self.add_model_errors(
            model_errors(instance, exclude, skip_constraints, self.constraint_errors)
        )

    def add_model_errors(self, errors: dict[str, list[ValidationError]]) -> None:
        for name, field_errors in errors.items():
            target = self.field_map.get(name, name)
            for error in field_errors:
                self.add_error(target if target in self.fields else None, error)

    def conflict(self) -> None:
        """Validate again against what is now in the database; if that finds nothing, say
        that someone else changed the data meanwhile."""
        self.full_clean()
        if not self._errors:
            self.add_error(None, ValidationError(self.conflict_message, code="conflict"))


VERSION_FIELD = "versi"


def version_of(changed) -> str:
    """The version a form carries: the row's `diubah` (auto_now) timestamp, to the microsecond."""
    return changed.isoformat() if changed else ""


class VersionedForm:
    """Optimistic concurrency for a form that edits an existing row (one with
    `diubah = DateTimeField(auto_now=True)`): two officers who open the same record and both save
    must not silently overwrite each other.

    The form carries the row's `diubah` as it was loaded, in a hidden field. `claim_version()`,
    called first inside the transaction that writes, takes the row with a conditional
    `UPDATE … SET diubah = now WHERE pk = … AND diubah = <loaded value>`: the database locks the
    row, so of two simultaneous saves one waits for the other and then finds a newer `diubah`
    (PostgreSQL re-reads the row; SQLite's IMMEDIATE transactions write one at a time). No row
    claimed means someone else saved in between: `Conflict`, nothing written. The form then keeps
    everything the user typed, says so (`version_conflict`; `http_status` gives 409) and carries
    the row's new version, so that sending it again — after looking at the other change — saves.

    A POST without the hidden field (a page opened before this existed, a script) is not
    checked: the last save wins, as before.
    """

    version_message = _(
        "Someone else saved this record after you opened the form; nothing was saved. What you "
        "typed is kept below: open the current data to see the other change, then send the form "
        "again to save yours over it."
    )
    conflicted = False
    tracked: models.Model | None = None

    def track_version(self, instance: models.Model | None) -> None:
        """Carry `instance`'s version in the form (nothing for a row not yet saved)."""
        if instance is None or instance.pk is None or instance._state.adding:
            return
        self.tracked = instance
        self.fields[VERSION_FIELD] = forms.CharField(
            required=False, widget=forms.HiddenInput, initial=version_of(instance.diubah)
        )

    def sent_version(self):
        """The version the form was loaded with: a datetime, None if not sent, "" if garbled."""
        sent = (self.data.get(self.add_prefix(VERSION_FIELD)) or "").strip()
        if not sent:
            return None
        try:
            return parse_datetime(sent) or ""
        except ValueError:
            return ""

    def claim_version(self) -> None:
        """Inside the writing transaction: lock the tracked row if it is still the version the
        form was loaded with, else raise Conflict."""
        if self.tracked is None or not self.is_bound:
            return
        sent = self.sent_version()
        if sent is None:
            return
        rows = type(self.tracked)._base_manager.filter(pk=self.tracked.pk)
        if sent == "" or not rows.filter(diubah=sent).update(diubah=timezone.now()):
            raise Conflict

    def version_conflict(self) -> None:
        """Tell the user that someone else saved meanwhile; the form keeps what they typed and
        now carries the row's current version."""
        self.conflicted = True
        self.add_error(None, ValidationError(self.version_message, code="conflict"))
        if self.tracked is None:
            return
        current = (
            type(self.tracked)._base_manager.filter(pk=self.tracked.pk)
            .values_list("diubah", flat=True).first()
        )
        data = self.data.copy()
        data[self.add_prefix(VERSION_FIELD)] = version_of(current)
        self.data = data

    @property
    def http_status(self) -> int:
        """The HTTP status of the page showing the form: 409 after a conflict, 400 with
        errors, else 200."""
        if self.conflicted:
            return 409
        return 400 if self.is_bound and self.errors else 200


TOKEN_FIELD = "sekali"
TOKEN_PATTERN = re.compile(r"[A-Za-z0-9_-]{20,64}")


class TokenField(forms.Field):
    """The one-time token of a form (OnceForm): hidden, and never an error — anything that is
    not a token is no token."""

    widget = forms.HiddenInput

    def __init__(self, **kwargs):
        super().__init__(required=False, **kwargs)

    def to_python(self, value) -> str:
        return token_of(value)

    def validate(self, value) -> None:
        pass

    def run_validators(self, value) -> None:
        pass


def token_of(value) -> str:
    value = value.strip() if isinstance(value, str) else ""
    return value if TOKEN_PATTERN.fullmatch(value) else ""


class AlreadySent(Exception):
    """The form's token was taken by another sending of the same form meanwhile."""


class OnceForm:
    """A form that writes once however many times it is sent: a double click on Save, a request
    the browser repeats, the back button and Save again.

    The form carries a one-time token in a hidden field, new each time the page shows it blank
    (made here, nothing stored: showing a page costs no query). The first successful save stores
    the token (FormulirTerkirim, unique) in the same transaction as what the form writes, before
    writing it; a second sending of the same token writes nothing and goes to the first one's
    result with a message saying so:

    - sent after the first was saved: the token is found first, nothing is validated again;
    - sent at the same moment: both may pass validation, but the token's INSERT lets one through
      (PostgreSQL makes the second wait on the unique index until the first commits, SQLite's
      IMMEDIATE transactions write one at a time); the second is refused and rolled back.

    A form whose save fails (errors, a conflict) stores no token: corrected, it is sent again
    with the same token and saves. A POST without the field (a page opened before this existed,
    a script) is not checked, as VersionedForm does with its version.

    Use: `send_once(user, name)` in the form's __init__ (`name` tells this form from every other,
    e.g. "pmks:bantuan:12"); in the view, `form.save_once(request, save, fallback)`.
    """

    once_message = _(
        "This form had already been sent: it was carried out once, not a second time. To record "
        "another entry, fill in the form again."
    )
    KEPT = datetime.timedelta(days=7)  # a token is remembered this long
    once_user = None
    once_name = ""

    def send_once(self, user, name: str) -> None:
        self.once_user, self.once_name = user, name
        self.fields[TOKEN_FIELD] = TokenField(initial=secrets.token_urlsafe(24))

    def sent_token(self) -> str:
        """The token the form was sent with; "" if none (or not a token)."""
        if not self.once_name or not self.is_bound:
            return ""
        return token_of(self.data.get(self.add_prefix(TOKEN_FIELD)))

    def sent_before(self) -> str | None:
        """Where the result of an earlier sending of this very form is: its address; "" if the
        token was used, but not by this user for this form (then the caller's own page); None if
        the token is new."""
        token = self.sent_token()
        if not token:
            return None
        row = (FormulirTerkirim.objects.filter(token=token)
               .values_list("pengguna_id", "formulir", "hasil").first())
        if row is None:
            return None
        user, name, url = row
        return url if (user == self.once_user.pk and name == self.once_name) else ""

    def _claim(self) -> FormulirTerkirim | None:
        """Inside the writing transaction: store the token, or raise AlreadySent."""
        token = self.sent_token()
        if not token:
            return None
        try:
            with transaction.atomic():
                return FormulirTerkirim.objects.create(
                    token=token, pengguna=self.once_user, formulir=self.once_name)
        except IntegrityError as exc:
            raise AlreadySent from exc

    def answered_before(self, request: HttpRequest, fallback: str) -> HttpResponse | None:
        """The redirect to an earlier sending's result if this form was sent before, with a
        message saying so; else None."""
        url = self.sent_before()
        if url is None:
            return None
        messages.info(request, self.once_message)
        return redirect(url or fallback)

    def save_once(self, request: HttpRequest, save: Callable[[], str | None],
                  fallback: str) -> HttpResponse | None:
        """Validate and save the form once: `save()` writes (and adds its message) and returns
        the address of the result, or None when it could not write (the form's errors say
        why). Answers the redirect to the result — this sending's, or the earlier one's — or
        None: show the form with its errors. `fallback`: the page to go to when the token was
        used by someone else or for another form (only a forged token is)."""
        again = self.answered_before(request, fallback)
        if again is not None:
            return again
        if not self.is_valid():
            return None
        try:
            with transaction.atomic():
                claimed = self._claim()
                url = save()
                if url is None or self.errors:
                    transaction.set_rollback(True)
                    return None
                if claimed is not None:
                    claimed.hasil = url[:500]
                    claimed.save(update_fields=["hasil"])
        except AlreadySent:
            messages.info(request, self.once_message)
            return redirect(self.sent_before() or fallback)
        if claimed is not None:  # outside the transaction: no one waits on these rows
            FormulirTerkirim.objects.filter(waktu__lt=timezone.now() - self.KEPT).delete()
        return redirect(url)


class ConfirmForm(OnceForm, forms.Form):
    """The button of a page that asks before deleting or ending something: nothing but the
    one-time token, so that a second click does not act on something already gone."""

    def __init__(self, *args, user, name: str, **kwargs):
        super().__init__(*args, **kwargs)
        self.send_once(user, name)


def usable_key(field: models.Field, value) -> bool:
    """Whether `value` can be looked up as a key of `field` at all: of its type, within the
    range the database stores (a 20-digit id overflows SQLite's integers) and without NUL
    (PostgreSQL refuses it in text)."""
    if "\x00" in str(value):
        return False
    try:
        field.clean(value, None)
    except ValidationError:
        return False
    return True


class ModelMultipleChoiceField(forms.ModelMultipleChoiceField):
    """Django's, telling a key that cannot be looked up as an invalid choice: Django itself
    sends a list of keys to the database as they came, and an id of 20 digits overflows there
    (a 500 instead of the field's error)."""

    def _check_values(self, value):
        opts = self.queryset.model._meta
        key = opts.get_field(self.to_field_name) if self.to_field_name else opts.pk
        for pk in value or ():
            if not usable_key(key, pk):
                raise ValidationError(self.error_messages["invalid_pk_value"],
                                      code="invalid_pk_value", params={"pk": pk})
        return super()._check_values(value)


class SafeAutocompleteMixin:
    """The admin's autocomplete shows the chosen options again when a form comes back with
    errors: it looks them up as they were sent, and a key that is no key ("abc", 20 digits)
    failed there with a 500."""

    def optgroups(self, name, value, attr=None):
        opts = self.field.remote_field.model._meta
        key = opts.get_field(getattr(self.field.remote_field, "field_name", opts.pk.attname))
        return super().optgroups(name, [v for v in value if usable_key(key, v)], attr)


class SafeAutocompleteSelect(SafeAutocompleteMixin, AutocompleteSelect):
    pass


class SafeAutocompleteSelectMultiple(SafeAutocompleteMixin, AutocompleteSelectMultiple):
    pass


class AdminFormfields:
    """For a model admin or an inline: its related-record fields answer keys that are no keys
    with the field's error (the admin site gives it to every model admin; ScopedInline has it)."""

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if "widget" not in kwargs and db_field.name in self.get_autocomplete_fields(request):
            kwargs["widget"] = SafeAutocompleteSelect(db_field, self.admin_site,
                                                      using=kwargs.get("using"))
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def formfield_for_manytomany(self, db_field, request, **kwargs):
        if "widget" not in kwargs and db_field.name in self.get_autocomplete_fields(request):
            kwargs["widget"] = SafeAutocompleteSelectMultiple(db_field, self.admin_site,
                                                              using=kwargs.get("using"))
        kwargs.setdefault("form_class", ModelMultipleChoiceField)
        return super().formfield_for_manytomany(db_field, request, **kwargs)


def formfield(db_field: models.Field, **kwargs):
    """A model form's field for `db_field`; many-to-many ones check their keys first."""
    if isinstance(db_field, models.ManyToManyField):
        kwargs.setdefault("form_class", ModelMultipleChoiceField)
    return db_field.formfield(**kwargs)


class VersionedModelForm(VersionedForm, forms.ModelForm):
    """A model form whose edits of an existing row are checked against its version (see
    VersionedForm). `save()` returns None, with the form's error set, if the row changed since
    the form was loaded, or if another row took its place meanwhile (a unique value: a second
    "new" record of something there is one of)."""

    class Meta:
        # Subclasses' Meta inherit it: `class Meta(VersionedModelForm.Meta)`.
        formfield_callback = formfield

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.track_version(self.instance)

    def save(self, commit=True):
        try:
            with transaction.atomic():
                self.claim_version()
                return super().save()
        except (Conflict, IntegrityError):
            self.version_conflict()
            return None


# Picking a group ------------------------------------------------------------------------------
PICK_SHOWN = 8  # the groups an ambiguous name lists


def group_label(nama: str, jenis: str, rw, desa: str, kode: str) -> str:
    """How a picker names a group: "Dasa Wisma Anggrek — Dasa Wisma, RW 2, Cibeureum (CBR-DW-01)":
    three groups of one name differ by type, RW or village, and the code is what is sent."""
    where = ", ".join(str(part) for part in (jenis, f"RW {rw}" if rw else "", desa) if part)
    return f"{nama} — {where} ({kode})"


def group_labels(groups: models.QuerySet) -> list[tuple[str, str]]:
    """(code, label) of the groups, read as tuples."""
    return [(kode, group_label(nama, jenis, rw, desa, kode)) for kode, nama, jenis, rw, desa in
            groups.values_list("kode", "nama", "jenis__nama", "rw", "desa__nama")]


def pick_group(groups: models.QuerySet, text: str) -> Perkumpulan:
    """The one group among `groups` that `text` names: its code, or its name (whole, else a part
    of it, or of its code); a ValidationError that says what was found otherwise — nothing, or
    the groups it could mean, each with the code that picks it."""
    text = " ".join(text.split())
    ProhibitNullCharactersValidator()(text)  # PostgreSQL refuses NUL in a query's text
    named = re.fullmatch(r".*\(([^()]+)\)", text)  # a picker's label: "… (CBR-DW-021)"
    if named and (found := groups.filter(kode__iexact=named[1]).first()):
        return found
    for lookup in ({"kode__iexact": text}, {"nama__iexact": text}):
        found = list(groups.filter(**lookup)[:2])
        if len(found) == 1:
            return found[0]
        if found:
            break
    like = groups.filter(models.Q(nama__icontains=text) | models.Q(kode__icontains=text))
    found = list(like.select_related("jenis", "desa").order_by("nama", "kode")[:PICK_SHOWN + 1])
    if len(found) == 1:
        return found[0]
    if not found:
        raise ValidationError(
            _("No group named or coded “%(text)s” within your area.") % {"text": text},
            code="unknown")
    shown = [group_label(g.nama, g.jenis.nama, g.rw, g.desa.nama if g.desa_id else None, g.kode)
             for g in found[:PICK_SHOWN]]
    raise ValidationError(
        _("More than one group matches “%(text)s”: %(groups)s%(more)s. Type the code of "
          "the one you mean.") % {
            "text": text, "groups": "; ".join(shown),
            "more": "…" if len(found) > PICK_SHOWN else ""},
        code="ambiguous")


FORMS_SCRIPT = "wksbm/forms.js"


def with_script(html: str) -> str:
    """A widget's HTML and the forms' script (static/wksbm/forms.js: pickers and NIK boxes), which
    wires every such box of the page once however many boxes bring it."""
    return mark_safe(  # noqa: S308 — the widget's own HTML; the script's path from static()
        f'{html}<script src="{escape(static(FORMS_SCRIPT))}" defer></script>')


def with_list(box: str, attrs: dict) -> str:
    """A picker's box and the list its search fills (a datalist named by the box's `list`)."""
    return with_script(f'{box}<datalist id="{escape(attrs["list"])}"></datalist>')


class NikInput(forms.TextInput):
    """A NIK box that fills the form's date of birth and sex from the NIK as it is typed, where
    they are empty, says beside them when they differ, and beside itself when the NIK was issued
    outside the form's village (static/wksbm/forms.js). `fills(form, born, sex)` names the two
    fields; `village(code=…)` or `village(field=…)` the village (fixed, or a box of the form)."""

    def __init__(self, attrs=None):
        super().__init__({"inputmode": "numeric", "autocomplete": "off", "data-nik": "1",
                          "data-lain-wilayah": _("This NIK was issued in kecamatan %s, outside "
                                                 "this village's: allowed, but check it."),
                          **(attrs or {})})

    def fills(self, form, born: str, sex: str) -> None:
        self.attrs.update({
            "data-lahir": form[born].auto_id, "data-kelamin": form[sex].auto_id,
            "data-lain-lahir": _("Differs from the date of birth in the NIK."),
            "data-lain-kelamin": _("Differs from the sex in the NIK."),
        })

    def village(self, code: str | None = None, field=None) -> None:
        if code:
            self.attrs["data-wilayah"] = code
        if field is not None:
            self.attrs["data-wilayah-dari"] = field.auto_id

    def render(self, name, value, attrs=None, renderer=None):
        return with_script(super().render(name, value, attrs, renderer))


class SearchBox(forms.TextInput):
    """A text box whose list offers, as the user types, what its search page (`search`, a URL
    name answering the box's text) finds (static/wksbm/forms.js fills the list)."""

    search = ""

    def render(self, name, value, attrs=None, renderer=None):
        attrs = {**(attrs or {}), "list": f"{(attrs or {}).get('id', name)}-pilihan",
                 "data-cari": reverse(self.search)}
        return with_list(forms.TextInput.render(self, name, value, attrs, renderer), attrs)


class GroupPicker(SearchBox):
    """A text box for a group's code or name. With JavaScript the groups whose name or code holds
    what is typed are offered as the user types (`SearchBox`: `registry:perkumpulan_cari`);
    without it, the form finds the group when sent (`pick_group`) and names the candidates when
    the text is not enough."""

    search = "registry:perkumpulan_cari"

    def __init__(self, attrs=None):
        super().__init__({"autocomplete": "off", "data-picker": "perkumpulan", **(attrs or {})})


class GroupPickField(forms.CharField):
    """A group of `queryset` picked by its code or name (`GroupPicker`, `pick_group`); cleaned to
    the group, or None when left empty and not required."""

    widget = GroupPicker

    def __init__(self, *, queryset: models.QuerySet | None = None, **kwargs):
        kwargs.setdefault("max_length", 200)
        super().__init__(**kwargs)
        self.queryset = queryset if queryset is not None else Perkumpulan.objects.none()

    def prepare_value(self, value):
        return value.kode if isinstance(value, Perkumpulan) else value  # a group shown: its code

    def clean(self, value):
        text = super().clean(value)
        return pick_group(self.queryset, text) if text else None


class GroupsPicker(GroupPicker):
    """Several groups: those chosen as ticked boxes (untick to leave one out), and a box to add
    one more by its code or name (with JavaScript, each one chosen from the list joins the ticked
    boxes at once: static/wksbm/forms.js). Every box sends under the field's name."""

    allow_multiple_selected = True

    def value_from_datadict(self, data, files, name):
        return data.getlist(name) if hasattr(data, "getlist") else data.get(name)

    def value_omitted_from_data(self, data, files, name):
        return False  # no box ticked is a choice: none

    def render(self, name, value, attrs=None, renderer=None):
        ticked = "".join(
            f'<label class="picked"><input type="checkbox" name="{escape(name)}" '
            f'value="{escape(kode)}" checked> {escape(label)}</label>'
            for kode, label in (value or ()))
        box = super().render(name, "", {**(attrs or {}), "data-many": "1"}, renderer)
        return mark_safe(  # noqa: S308 — every value escaped above
            f'<span class="picked-list" id="{escape((attrs or {}).get("id", name))}-dipilih">'
            f'{ticked}</span>{box}')


class GroupsPickField(forms.Field):
    """Groups of `queryset` picked by their codes or names (`GroupsPicker`, `pick_group` for each);
    cleaned to a list of groups, each once."""

    widget = GroupsPicker

    def __init__(self, *, queryset: models.QuerySet | None = None, **kwargs):
        kwargs.setdefault("required", False)
        super().__init__(**kwargs)
        self.queryset = queryset if queryset is not None else Perkumpulan.objects.none()

    def prepare_value(self, value) -> list[tuple[str, str]]:
        """(code, label) of the groups shown ticked: the chosen groups (one query), or the texts
        sent back with a form that has errors."""
        items = [v for v in (value or ()) if v not in (None, "")]
        groups = [v.pk if isinstance(v, Perkumpulan) else v for v in items
                  if isinstance(v, (Perkumpulan, int))]
        found = dict(group_labels(Perkumpulan.objects.filter(pk__in=groups).order_by("nama"))
                     ) if groups else {}
        return [*found.items(), *((v, v) for v in items if isinstance(v, str))]

    def to_python(self, value) -> list[str]:
        texts = value if isinstance(value, list | tuple) else [value or ""]
        return [" ".join(str(text).split()) for text in texts if str(text).strip()]

    def validate(self, value):
        if self.required and not value:
            raise ValidationError(self.error_messages["required"], code="required")

    def clean(self, value):
        texts = self.to_python(value)
        self.validate(texts)
        chosen, errors = {}, []
        for text in texts:
            try:
                group = pick_group(self.queryset, text)
            except ValidationError as exc:
                errors.extend(exc.error_list)
                continue
            chosen.setdefault(group.pk, group)
        if errors:
            raise ValidationError(errors)
        return list(chosen.values())

    def has_changed(self, initial, data):
        before = {g.kode if isinstance(g, Perkumpulan) else str(g) for g in initial or ()}
        return before != set(self.to_python(data))


def village_in_area(user, value: str, any_level: bool = False) -> Wilayah:
    """The desa/kelurahan of code `value` that `user` may edit, or a ValidationError; with
    `any_level`, a kecamatan, kabupaten/kota or province too (a group above the village)."""
    try:
        kode = validators.normalize_kode_wilayah(value)
    except ValidationError as exc:
        raise ValidationError(exc.messages[0], code="kode") from exc
    areas = Wilayah.objects.editable_by(user)
    area = (areas if any_level else areas.desa()).filter(pk=kode).first()
    if area is None:
        message = (_("%(kode)s is not an area within your area.") if any_level
                   else _("%(kode)s is not a desa/kelurahan within your area."))
        raise ValidationError(message % {"kode": kode}, code="outside_area")
    return area


# The files the survey import reads: a workbook (registry.workbook.open_workbook), or a form
# export as CSV, alone or zipped (a registered layout of registry.workbook: the odk app).
SURVEY_SUFFIXES = (".xlsx", ".ods", ".xls", ".csv", ".zip")


class UploadForm(forms.Form):
    berkas = forms.FileField(
        label=_("Survey workbook (.xlsx, .ods or .xls) or form export (.csv, .zip)"),
        help_text=_("The survey form filled in: sheets perkumpulan, anggota, pmks, jaringan; "
                    "or what KoboToolbox or ODK Central exports of the survey's XLSForm."),
        widget=forms.ClearableFileInput(attrs={"accept": ",".join(SURVEY_SUFFIXES)}),
        error_messages={"required": _("Choose the workbook file (.xlsx, .ods or .xls) or form "
                                      "export (.csv, .zip) to import.")},
    )

    def clean_berkas(self):
        upload = self.cleaned_data["berkas"]
        if not upload.name.lower().endswith(SURVEY_SUFFIXES):
            raise ValidationError(
                _("“%(name)s” is not a workbook (.xlsx, .ods or .xls) or a form export (.csv, "
                  ".zip); save it as Excel (.xlsx) or OpenDocument (.ods)."),
                code="extension", params={"name": upload.name},
            )
        if upload.size > MAX_FILE_BYTES:
            raise ValidationError(
                _("The file is larger than %(limit)d MB."),
                code="too_big", params={"limit": MAX_FILE_BYTES // (1024 * 1024)},
            )
        return upload


class PerkumpulanForm(OnceForm, VersionedModelForm):
    """A group's data. The village is the operator's own; staff type the area's code: a village,
    or a kecamatan, kabupaten/kota or province for a group organised above the village. A new
    group is recorded once however often its form is sent (OnceForm); a change is checked
    against the version it was opened with (VersionedForm)."""

    desa_kode = forms.CharField(
        label=_("Area code"), max_length=13,
        help_text=_("The desa/kelurahan code, e.g. 32.77.01.1002; for a group organised above "
                    "the village, its kecamatan, kabupaten/kota or province code (32.77.01)."),
    )

    class Meta(VersionedModelForm.Meta):
        model = Perkumpulan
        fields = [
            "kode", "nama", "jenis", "rw", "rt", "tahun_berdiri", "tujuan", "jumlah_anggota",
            "masa_kepengurusan", "jaringan_kerja", "prakarsa", "syarat_keanggotaan",
            "sumber_dana", "nilai_solidaritas", "kegiatan", "aktif",
            "sk_nomor", "sk_tanggal", "sk_berlaku_sampai",
        ]
        widgets = {
            **{name: forms.CheckboxSelectMultiple
               for name in ("syarat_keanggotaan", "sumber_dana", "nilai_solidaritas", "kegiatan")},
            "sk_tanggal": DateInput, "sk_berlaku_sampai": DateInput,
        }

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user
        if self.instance.pk:
            # A group's code is its stable key in workbooks and links: set once.
            self.fields["kode"].disabled = True
            self.fields["desa_kode"].initial = self.instance.desa_id
        else:
            self.send_once(user, "registry:perkumpulan_new")
        if user.peran == Peran.OPERATOR:
            del self.fields["desa_kode"]
        for name in ("tahun_berdiri", "rw", "rt", "jumlah_anggota", "masa_kepengurusan"):
            self.fields[name].widget.attrs["inputmode"] = "numeric"

    def clean_desa_kode(self):
        return village_in_area(self.user, self.cleaned_data["desa_kode"], any_level=True)

    def _post_clean(self):
        # The village must be on the instance before the model's own validation runs.
        if self.user.peran == Peran.OPERATOR:
            self.instance.desa = self.user.wilayah
        elif isinstance(self.cleaned_data.get("desa_kode"), Wilayah):
            self.instance.desa = self.cleaned_data["desa_kode"]
        super()._post_clean()
        group = self.instance
        if self.has_error("kode", "unique") and group.desa_id and group.jenis_id:
            self.suggested_code = Perkumpulan.suggest_code(group.desa_id, group.jenis)
            self.add_error("kode", ValidationError(
                _("The next free code for this area and type is %(kode)s."),
                code="suggested", params={"kode": self.suggested_code}))


class ProfilDesaForm(OnceForm, VersionedModelForm):
    """A village's figures for one year. The village is fixed by the page (the officer's own, or
    one within the staff's area); a year holds one profile (a second one for the same year is
    told beside the year). A new profile is recorded once however often its form is sent; a
    change is checked against the version it was opened with."""

    duplicate_message = _("%(desa)s already has a profile for %(tahun)d: edit that one.")

    class Meta(VersionedModelForm.Meta):
        model = ProfilDesa
        fields = ["tahun", *ProfilDesa.FIGURES, "mata_pencaharian", "sumber"]

    def __init__(self, *args, user, desa: Wilayah, **kwargs):
        super().__init__(*args, **kwargs)
        self.user, self.desa = user, desa
        if not self.instance.pk:
            self.send_once(user, f"registry:profil_new:{desa.pk}")
            self.fields["tahun"].initial = today().year
        for name in ("tahun", *ProfilDesa.FIGURES):
            self.fields[name].widget.attrs["inputmode"] = "numeric"

    def _post_clean(self):
        self.instance.desa = self.desa
        super()._post_clean()
        tahun = self.cleaned_data.get("tahun")
        if tahun is not None and "tahun" not in self.errors:
            taken = ProfilDesa.objects.filter(desa=self.desa, tahun=tahun)
            if self.instance.pk:
                taken = taken.exclude(pk=self.instance.pk)
            if taken.exists():
                self.add_error("tahun", ValidationError(
                    self.duplicate_message % {"desa": self.desa.nama, "tahun": tahun},
                    code="profil_desa_tahun_unique"))
