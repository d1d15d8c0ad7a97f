"""The village officer's forms about members: add a member by NIK, change a member's role, end a
membership, and the people search.

The rules are the models' own: a form builds the rows it would write and asks `full_clean` and
the database constraints about them before writing, so the messages are the shared ones
(registry/validators.py) and a broken constraint is an error beside the field the user can change,
never a 500. A write that still meets a constraint (someone else saved in between) is rolled back
and told as an error too: an IntegrityError never leaves a form's `save`.
"""

import re

from django import forms
from django.core.exceptions import ValidationError
from django.core.validators import ProhibitNullCharactersValidator
from django.db import IntegrityError, models, transaction
from django.utils import formats
from django.utils.translation import gettext_lazy as _

from members.models import AnggotaKeluarga, Keanggotaan, Keluarga, PeranAnggota, Warga
from registry import access, validators
from registry.filters import area_label, has_sub_areas, sub_areas
from registry.forms import (
    Conflict,
    DateInput,
    ModelRulesForm,
    NikInput,
    OnceForm,
    SearchBox,
    VersionedForm,
    VersionedModelForm,
    today,
    village_in_area,
)
from registry.models import Perkumpulan, Wilayah

PICK_SHOWN = 8  # the people an ambiguous name lists


def person_label(person: Warga) -> str:
    """How a picker names a person: "Siti Aminah — 5 Agu 1980, RT 1/RW 2, Cibeureum
    (3277014508800001)": two people of one name differ by birth date or place, and the NIK is what
    is sent. Only for a user who may see full NIKs (`access.can_see_personal_data`)."""
    where = [formats.date_format(person.tanggal_lahir, "SHORT_DATE_FORMAT")
             if person.tanggal_lahir else "",
             "/".join(f"{k} {v}" for k, v in (("RT", person.rt), ("RW", person.rw)) if v),
             person.wilayah.nama if person.wilayah_id else ""]
    return f"{person.nama} — {', '.join(p for p in where if p) or '–'} ({person.nik})"


def found_people(user, text: str, limit: int) -> list[Warga]:
    """The registered people `user` sees whose name holds every word of `text`, or whose NIK
    begins with its digits (SearchForm's rules), by name; none for a user who may not see full
    NIKs, since a NIK is what picks a person."""
    if not access.can_see_personal_data(user):
        return []
    form = SearchForm({"q": text})
    if not form.is_valid() or not form.cleaned_data["q"]:
        return []
    people = form.search(Warga.objects.visible_to(user)).select_related("wilayah")
    return list(people.order_by("nama", "nik")[:limit])


def person_nik(user, text: str) -> str:
    """The NIK a person box names: the digits typed (spaces are no part of the number; a NIK's
    own checks follow), or the NIK of the one registered person `user` sees whose name holds the
    words typed; a ValidationError that says what was found otherwise — nobody, or the people it
    could mean, each with the NIK that picks them."""
    text = " ".join(str(text).split())
    ProhibitNullCharactersValidator()(text)  # PostgreSQL refuses NUL in a query's text
    labelled = re.fullmatch(r".*\(([0-9 ]+)\)", text)  # a picker's label: "… (3277…)"
    if labelled:
        text = labelled[1]
    if not text or re.search(r"[0-9]", text):  # a NIK, mistyped or not
        return "".join(text.split())
    found = found_people(user, text, PICK_SHOWN + 1)
    if len(found) == 1:
        return found[0].nik
    if not found:
        raise ValidationError(
            _("No registered person named “%(text)s” within your area: type their NIK (16 "
              "digits); a person not yet registered is registered with it.") % {"text": text},
            code="unknown")
    raise ValidationError(
        _("More than one person is named “%(text)s”: %(people)s%(more)s. Type the NIK of the one "
          "you mean.") % {
            "text": text, "people": "; ".join(person_label(p) for p in found[:PICK_SHOWN]),
            "more": "…" if len(found) > PICK_SHOWN else ""},
        code="ambiguous")


def visible_person(user, value: str) -> Warga:
    """The registered person a person box names (by NIK or name: `person_nik`) whom `user` may
    see, for a form that names a registered person (a forum leader, a Pokja member); a
    ValidationError otherwise — the NIK's own, or "unknown", which never tells a person outside
    the area from no person at all."""
    nik = person_nik(user, value)
    validators.validate_nik(nik)
    person = Warga.objects.visible_to(user).filter(nik=nik).first()
    if person is None:
        raise ValidationError(
            _("No person with this NIK within your area; add them to a group first."),
            code="unknown")
    return person


class PersonPicker(SearchBox, NikInput):
    """A person box: a NIK, or a registered person's name. With JavaScript the people whose name
    or NIK holds what is typed are offered as the user types (`SearchBox`: `members:warga_cari`),
    and a NIK chosen or typed fills the form's date of birth and sex where the box `fills` them
    (`NikInput`); without it, the form finds the person when sent (`person_nik`)."""

    search = "members:warga_cari"

    def __init__(self, attrs=None):
        super().__init__({"data-picker": "warga", "inputmode": "text", **(attrs or {})})


# A broken database constraint of Keanggotaan, told on the field the user can change. The error
# code is the constraint's name.
CONSTRAINT_ERRORS = {
    "one_current_membership": (
        "nik",
        _("This person is already a current member of this group."),
    ),
    "one_current_chair": (
        "peran",
        _(
            "This group already has a current chair: end the chair's membership or change "
            "their role first."
        ),
    ),
}

_DIGITS = re.compile(r"[0-9]+")


class MembersForm(ModelRulesForm):
    """A change to the members of a group."""

    constraint_errors = CONSTRAINT_ERRORS
    conflict_message = _(
        "Someone else changed these members meanwhile; nothing was saved. Please check and send "
        "the form again."
    )


class AddMemberForm(MembersForm):
    """Add a member to a group by NIK: a registered person (anywhere in the country — a NIK is
    unique) is linked as they are; anyone else is registered with the data typed."""

    nik = forms.CharField(
        label=_("NIK or name"),
        max_length=150,  # the model's validator tells a NIK's right length, with its own message
        help_text=_("16 digits, or the name of a person already registered (choose them from the "
                    "list). A registered person is linked; for a new one the date of birth and "
                    "sex are read from the NIK."),
        widget=PersonPicker,
    )
    nama = Warga._meta.get_field("nama").formfield(
        required=False, help_text=_("Needed only for a person not yet registered.")
    )
    jenis_kelamin = Warga._meta.get_field("jenis_kelamin").formfield()
    tanggal_lahir = Warga._meta.get_field("tanggal_lahir").formfield(widget=DateInput)
    pendidikan = Warga._meta.get_field("pendidikan").formfield()
    peran = Keanggotaan._meta.get_field("peran").formfield()
    mulai = Keanggotaan._meta.get_field("mulai").formfield(
        widget=DateInput, help_text=_("Leave empty if unknown.")
    )

    PERSON_FIELDS = ("nama", "jenis_kelamin", "tanggal_lahir", "pendidikan")

    def __init__(self, *args, group: Perkumpulan, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.group = group
        self.user = user
        self.person: Warga | None = None
        self.membership: Keanggotaan | None = None
        self.found = False
        self.warnings: list[str] = []
        self.fields["nik"].widget.fills(self, "tanggal_lahir", "jenis_kelamin")
        self.fields["nik"].widget.village(code=group.desa_id)

    def clean_nik(self) -> str:
        return person_nik(self.user, self.cleaned_data["nik"])

    def clean(self):
        data = super().clean()
        nik = data.get("nik")
        if not nik:
            return data
        self.person = Warga.objects.filter(nik=nik).first()
        self.found = self.person is not None
        if self.found and not self.known(self.person, data.get("nama")):
            self.person = None
            return data
        # What the typed values say against the NIK: told after the save, never refused.
        self.warnings = validators.nik_disagreements(
            nik, data.get("jenis_kelamin"), data.get("tanggal_lahir"), self.group.desa_id)
        if self.person is None:
            decoded = validators.nik_birth_date(nik)
            if decoded is not None:  # left empty: what the NIK says
                data["tanggal_lahir"] = data.get("tanggal_lahir") or decoded[0]
                data["jenis_kelamin"] = data.get("jenis_kelamin") or decoded[1]
            self.person = Warga(nik=nik, **{
                name: data.get(name) or (None if name == "tanggal_lahir" else "")
                for name in self.PERSON_FIELDS
            })
            self.check_rules(
                self.person, exclude=[n for n in self.PERSON_FIELDS if n in self._errors]
            )
        self.membership = Keanggotaan(
            warga=self.person,
            perkumpulan=self.group,
            peran=data.get("peran") or PeranAnggota.ANGGOTA,
            mulai=data.get("mulai"),
        )
        exclude = [name for name in ("peran", "mulai") if name in self._errors]
        if not self.found:
            exclude.append("warga")  # a new person has no membership yet
        self.check_rules(self.membership, exclude=exclude)
        return data

    def known(self, person: Warga, nama: str | None) -> bool:
        """Whether the user may link this registered person. One the user already sees is
        linked as registered; a stranger (registered elsewhere, in none of the user's groups)
        only once the name typed matches the registered one, so that a NIK alone reveals
        nothing of a stranger but that it is registered."""
        if Warga.objects.visible_to(self.user).filter(pk=person.pk).exists():
            return True
        if not nama:
            self.add_error("nama", _(
                "A person with this NIK is registered in another village. Type their name as "
                "registered to add them."))
            return False
        if validators.normalize_label(nama) != validators.normalize_label(person.nama):
            self.add_error("nama", _(
                "This name does not match the name registered with this NIK. Check the NIK and "
                "the name."))
            return False
        return True

    def save(self) -> Keanggotaan | None:
        """Write the person (if new) and the membership; None, with the form's errors set, if
        the database refused them."""
        try:
            with transaction.atomic():
                if not self.found:
                    self.person.save()
                self.membership.warga = self.person
                self.membership.save()
        except IntegrityError:
            self.conflict()
            return None
        return self.membership


class _MembershipForm(MembersForm):
    """A change to one current membership."""

    def __init__(self, *args, membership: Keanggotaan, **kwargs):
        super().__init__(*args, **kwargs)
        self.membership = membership

    def ended_copy(self, selesai) -> Keanggotaan:
        """The membership as it would be once ended on `selesai` (the instance shown on the
        page stays as it is)."""
        m = self.membership
        ended = Keanggotaan(
            pk=m.pk, warga_id=m.warga_id, perkumpulan_id=m.perkumpulan_id, peran=m.peran,
            mulai=m.mulai, selesai=selesai,
        )
        ended._state.adding = False
        return ended

    def check_date(self, name: str):
        """The date of the change: empty means today; never in the future."""
        if name in self._errors:
            return None
        day = self.cleaned_data.get(name) or today()
        try:
            validators.validate_not_future(day)
        except ValidationError as exc:
            self.add_error(name, exc)
            return None
        return day

    def clean(self):
        data = super().clean()
        if not self.membership.aktif:
            raise ValidationError(_("This membership has already ended."), code="ended")
        return data

    def end_current(self, selesai) -> None:
        """Inside the transaction: end the row if it is still current, else Conflict."""
        current = (
            Keanggotaan.objects.select_for_update()
            .filter(pk=self.membership.pk, selesai__isnull=True)
            .first()
        )
        if current is None:
            raise Conflict
        current.selesai = selesai
        current.save(update_fields=["selesai", "diubah"])

    def write(self) -> None:
        raise NotImplementedError

    def save(self) -> bool:
        try:
            with transaction.atomic():
                self.write()
        except (IntegrityError, Conflict):
            self.membership.refresh_from_db()
            self.conflict()
            return False
        return True


class ChangeRoleForm(_MembershipForm):
    """A new role is a new period: the current row ends and a new one starts the same day."""

    peran = Keanggotaan._meta.get_field("peran").formfield(label=_("New role"))
    tanggal = forms.DateField(
        label=_("Date of the change"),
        required=False,
        widget=DateInput,
        help_text=_("The old role ends and the new one starts on this day; empty means today."),
    )
    field_map = {"selesai": "tanggal", "mulai": "tanggal"}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["tanggal"].initial = today()
        # The new role is chosen: a form starting on "Member" demoted a chair who pressed Save.
        self.fields["peran"].choices = [("", "---------"), *PeranAnggota.choices]
        self.fields["peran"].initial = None
        self.new: Keanggotaan | None = None

    def clean(self):
        data = super().clean()
        day = self.check_date("tanggal")
        peran = data.get("peran")
        if day is None or not peran:
            return data
        if peran == self.membership.peran:
            self.add_error("peran", ValidationError(
                _("This is already the member's role."), code="same_role"
            ))
            return data
        self.check_rules(self.ended_copy(day))
        if self._errors:
            return data
        m = self.membership
        self.new = Keanggotaan(
            warga_id=m.warga_id, perkumpulan_id=m.perkumpulan_id, peran=peran, mulai=day
        )
        # The current row ends in the same transaction, so it does not count against the new one.
        self.check_rules(self.new, skip_constraints={"one_current_membership"})
        self.day = day
        return data

    def write(self) -> None:
        self.end_current(self.day)
        self.new.save()


class EndMembershipForm(_MembershipForm):
    selesai = Keanggotaan._meta.get_field("selesai").formfield(
        widget=DateInput, help_text=_("The last day of the membership; empty means today.")
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["selesai"].initial = today()

    def clean(self):
        data = super().clean()
        day = self.check_date("selesai")
        if day is not None:
            self.check_rules(self.ended_copy(day))
            self.day = day
        return data

    def write(self) -> None:
        self.end_current(self.day)


class WargaForm(VersionedModelForm):
    """A registered person's data, changed on the web by whoever may edit them (their village's
    officer, the staff of its area). The NIK is their key and stays; the village of residence is
    a village code within the user's area (empty: unknown). What the values say against the NIK
    is told after the save (`warnings`), never refused. A change is checked against the version
    the form was opened with (two officers editing one person: the second is told)."""

    desa = forms.CharField(
        label=_("Village of residence (code)"), max_length=20, required=False,
        help_text=_("The desa/kelurahan code, like 32.77.01.1002; empty if not known."))

    class Meta(VersionedModelForm.Meta):
        model = Warga
        fields = ["nama", "jenis_kelamin", "tanggal_lahir", "pendidikan", "rw", "rt", "alamat"]
        widgets = {"tanggal_lahir": DateInput}

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user
        self.warnings: list[str] = []
        self.fields["desa"].initial = self.instance.wilayah_id or ""
        for name in ("rw", "rt"):
            self.fields[name].widget.attrs["inputmode"] = "numeric"

    def clean_desa(self):
        kode = self.cleaned_data["desa"].strip()
        return village_in_area(self.user, kode) if kode else None

    def _post_clean(self):
        if "desa" in self.cleaned_data:
            self.instance.wilayah = self.cleaned_data["desa"]
        super()._post_clean()
        data = self.cleaned_data
        self.warnings = validators.nik_disagreements(
            self.instance.nik, data.get("jenis_kelamin"), data.get("tanggal_lahir"),
            self.instance.wilayah_id)


class SearchForm(forms.Form):
    q = forms.CharField(
        label=_("Name or NIK"),
        required=False,
        max_length=150,
        help_text=_("A name or part of it, or the NIK or its first digits."),
        widget=forms.TextInput(attrs={"type": "search", "autocomplete": "off"}),
    )

    wilayah = forms.ModelChoiceField(
        Wilayah.objects.none(), required=False, label=_("Area"), empty_label=_("All of my area"))

    def __init__(self, *args, request=None, **kwargs):
        super().__init__(*args, **kwargs)
        user = getattr(request, "user", None)
        if has_sub_areas(user):  # staff: a part of their area
            field = self.fields["wilayah"]
            field.queryset = sub_areas(request)
            field.label_from_instance = area_label
        else:
            del self.fields["wilayah"]

    def search(self, people: models.QuerySet) -> models.QuerySet:
        area = self.cleaned_data.get("wilayah")
        if area is not None:  # living there, or in a group there
            there = Keanggotaan.objects.filter(warga=models.OuterRef("pk")).filter(
                access.within(area, "perkumpulan__desa", any_level=True))
            people = people.filter(access.within(area, "wilayah") | models.Q(models.Exists(there)))
        q = self.cleaned_data.get("q") or ""
        compact = "".join(q.split())
        if not compact:
            return people
        if _DIGITS.fullmatch(compact):
            if len(compact) == validators.NIK_LENGTH:
                return people.filter(nik=compact)
            # A prefix as a range of 16-digit numbers: both databases read it from the NIK's
            # index (SQLite's LIKE does not, a 30 ms scan at 100,000 people).
            return people.filter(nik__gte=compact,
                                 nik__lte=compact.ljust(validators.NIK_LENGTH, "9"))
        for word in q.split():
            people = people.filter(nama__icontains=word)
        return people


# Households ------------------------------------------------------------------------------------
class KeluargaForm(OnceForm, VersionedForm, ModelRulesForm):
    """A household's card number and address; its village one the user may edit. A new household
    is recorded once however often its form is sent (OnceForm); a change is checked against the
    version it was opened with (VersionedForm: 409, what was typed kept)."""

    constraint_errors = {}
    no_kk = forms.CharField(
        label=_("KK number"), max_length=40,
        help_text=_("The 16 digits of the family card (Kartu Keluarga)."),
        widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "off"}),
    )
    desa = forms.CharField(
        label=_("Village code"), max_length=20,
        help_text=_("The desa/kelurahan code, like 32.77.01.1002."),
    )
    rw = Keluarga._meta.get_field("rw").formfield()
    rt = Keluarga._meta.get_field("rt").formfield()
    alamat = Keluarga._meta.get_field("alamat").formfield()

    def __init__(self, *args, user, instance: Keluarga | None = None, **kwargs):
        if instance is not None and "initial" not in kwargs:
            kwargs["initial"] = {"no_kk": instance.no_kk, "desa": instance.wilayah_id,
                                 "rw": instance.rw, "rt": instance.rt, "alamat": instance.alamat}
        super().__init__(*args, **kwargs)
        self.user = user
        self.instance = instance or Keluarga()
        if instance is None:
            self.send_once(user, "members:keluarga_new")
        else:
            self.track_version(instance)

    def clean_no_kk(self) -> str:
        return "".join(self.cleaned_data["no_kk"].split())

    def clean_desa(self):
        return village_in_area(self.user, self.cleaned_data["desa"])

    def clean(self):
        data = super().clean()
        k = self.instance
        fields = ("no_kk", "rw", "rt", "alamat")
        for name in fields:
            if name in data:
                setattr(k, name, data[name])
        if data.get("desa"):
            k.wilayah = data["desa"]
        failed = [n for n in fields if n in self._errors]
        self.check_rules(k, exclude=failed + (["wilayah"] if "desa" in self._errors else []))
        return data

    def save(self) -> Keluarga | None:
        """Write the household; None, with the form's errors set, if someone else saved it
        since the form was opened or the database refused it."""
        try:
            with transaction.atomic():
                self.claim_version()
                self.instance.save()
        except Conflict:
            self.version_conflict()
            return None
        except IntegrityError:
            self.conflict()
            return None
        return self.instance


class AddHouseholdMemberForm(OnceForm, forms.Form):
    """Add a registered person to a household by NIK: one in another household moves, their
    membership there ending the day before. Sent twice, it adds once."""

    nik = forms.CharField(
        label=_("NIK or name"), max_length=150,
        help_text=_("A person registered within your area (add them to a group first): their NIK, "
                    "or their name chosen from the list."),
        widget=PersonPicker,
    )
    hubungan = AnggotaKeluarga._meta.get_field("hubungan").formfield()
    mulai = forms.DateField(label=_("From"), widget=DateInput, initial=today,
                            validators=[validators.validate_not_future])

    def __init__(self, *args, keluarga: Keluarga, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.keluarga = keluarga
        self.user = user
        self.person: Warga | None = None
        self.send_once(user, f"members:anggota_keluarga_add:{keluarga.pk}")

    def clean_nik(self) -> str:
        nik = person_nik(self.user, self.cleaned_data["nik"])
        self.person = Warga.objects.visible_to(self.user).filter(nik=nik).first()
        if self.person is None:
            raise ValidationError(_("No person with this NIK is registered within your area."),
                                  code="unknown")
        return nik

    def save(self) -> AnggotaKeluarga | None:
        try:
            with transaction.atomic():
                return self.keluarga.tambah_anggota(
                    self.person, self.cleaned_data["hubungan"], self.cleaned_data["mulai"])
        except ValidationError as exc:
            self.add_error(None, exc)
        except IntegrityError:
            self.add_error(None, _("Someone else changed this household meanwhile; nothing was "
                                   "saved. Please check and send the form again."))
        return None


class EndHouseholdMemberForm(OnceForm, forms.Form):
    """End a person's membership of a household; sent twice, it ends once and the second
    sending lands on the household's page."""

    selesai = forms.DateField(label=_("Until"), widget=DateInput, initial=today,
                              validators=[validators.validate_not_future])

    def __init__(self, *args, member: AnggotaKeluarga, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.member = member
        self.send_once(user, f"members:anggota_keluarga_end:{member.pk}")

    def clean(self):
        data = super().clean()
        if not self.member.aktif:
            raise ValidationError(_("This membership has already ended."), code="ended")
        selesai = data.get("selesai")
        if selesai and self.member.mulai and selesai < self.member.mulai:
            self.add_error("selesai", _("A membership cannot end before it starts."))
        return data

    def save(self) -> bool:
        """End the membership if it is still current; False, with the form's error, if
        someone else ended it meanwhile."""
        with transaction.atomic():
            ended = (AnggotaKeluarga.objects.select_for_update()
                     .filter(pk=self.member.pk, selesai__isnull=True).first())
            if ended is None:
                self.add_error(None, ValidationError(_("This membership has already ended."),
                                                     code="ended"))
                return False
            ended.akhiri(self.cleaned_data["selesai"])
        return True
