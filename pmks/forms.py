"""Forms of PMKS cases: a case (new or changed), a status change, a referral, help given.

The rules are the models' own (registry.forms.ModelRulesForm and model forms): a form builds the
rows it would write and validates them before writing, so the messages are the shared ones and a
broken constraint is an error beside the field the user can change, never a 500.
"""

import copy

from django import forms
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from members.forms import PersonPicker, person_nik
from members.models import Warga
from pmks.models import KasusPMKS, RiwayatStatus, Rujukan, StatusKasus
from registry import validators
from registry.access import Peran
from registry.forms import (
    Conflict,
    DateInput,
    GroupPickField,
    ModelRulesForm,
    OnceForm,
    VersionedForm,
    today,
    village_in_area,
)
from registry.models import Perkumpulan

OPEN_CASE = "pmks_person_category_open_unique"

CONSTRAINT_ERRORS = {
    # A closed case is history: a new one (a relapse, a second disaster) may be recorded.
    OPEN_CASE: (
        "kategori",
        _("This person already has an open case of this category; open that case and carry on "
          "there, or close it before recording a new one."),
    ),
    "pmks_name_category_unique": (
        "kategori",
        _("A case of this category is already kept under this name in this village; open that "
          "case instead."),
    ),
}


# A registered person the user may not see: their case of a category already kept, told
# without saying anything of that case.
HIDDEN_PERSON_ERRORS = {
    **CONSTRAINT_ERRORS,
    OPEN_CASE: (
        "kategori",
        _("A case of this category cannot be recorded for this NIK here; ask the Dinas Sosial "
          "staff."),
    ),
}


def case_field(name: str, **kwargs) -> forms.Field:
    return KasusPMKS._meta.get_field(name).formfield(**kwargs)


def same_name(typed: str, registered: str) -> bool:
    """Names compared as people type them: any case, any spacing."""
    return " ".join(typed.split()).casefold() == " ".join(registered.split()).casefold()


class KasusForm(OnceForm, VersionedForm, ModelRulesForm):
    """A case: the person by NIK (a registered person is found, anyone else registered with the
    name and address typed) or, without a NIK, by name and address; its village (an operator's
    own; staff type the code), category, dates, accompanying group (by code) and notes. A new
    case starts its status history as identified.

    A registered person the user may not see (`Warga.objects.visible_to`: they live elsewhere and
    are in none of the user's groups) is never shown: not their name, nor anything else of
    them, in the form, its errors or its message. The form says that the NIK is registered and
    asks for the name as registered; it takes the person only when the name typed is theirs
    (any case, any spacing), and then keeps the name as typed.

    A registered person has one open case per category: the form refuses a second beside it
    (`open_case` is that case, linked beside the error when the user may see it) and takes a new
    one when the earlier case is closed; the new case links to it (`kasus_sebelumnya`)."""

    constraint_errors = CONSTRAINT_ERRORS
    field_map = {"warga": "nik", "desa": "desa_kode", "pendamping": "pendamping_kode"}
    CASE_FIELDS = ("rw", "rt", "alamat", "kategori", "tanggal_identifikasi", "respon", "catatan")

    nik = forms.CharField(
        label=_("NIK or name"), required=False, max_length=150,
        help_text=_("16 digits, if the person has one, or the name of a person already registered "
                    "(choose them from the list). Empty: the case is kept by name and address."),
        widget=PersonPicker,
    )
    nama = case_field("nama", required=False,
                      help_text=_("May stay empty for a registered person of your area: their name "
                                "is used."))
    desa_kode = forms.CharField(
        label=_("Village code"), max_length=13,
        help_text=_("The desa/kelurahan code, e.g. 32.77.01.1002."),
    )
    rw = case_field("rw")
    rt = case_field("rt")
    alamat = case_field("alamat")
    kategori = case_field("kategori")
    tanggal_identifikasi = case_field("tanggal_identifikasi", widget=DateInput)
    pendamping_kode = GroupPickField(
        label=_("Accompanying group (name or code)"), required=False,
        help_text=_("The group that accompanies the person: type a part of its name or its code, "
                    "then choose it from the list; empty if none does yet."),
    )
    respon = case_field("respon")
    catatan = case_field("catatan")

    def __init__(self, *args, user, kasus: KasusPMKS | None = None, **kwargs):
        if kasus is not None:
            kwargs.setdefault("initial", {
                **{name: getattr(kasus, name) for name in ("nama", *self.CASE_FIELDS)},
                "kategori": kasus.kategori_id,
                "nik": kasus.warga.nik if kasus.warga_id else "",
                "desa_kode": kasus.desa_id,
                "pendamping_kode": kasus.pendamping.kode if kasus.pendamping_id else "",
            })
        super().__init__(*args, **kwargs)
        self.user = user
        # A copy: the case shown on the page stays as it is while the form checks the changes.
        self.case = copy.copy(kasus) if kasus else KasusPMKS(status=StatusKasus.TERIDENTIFIKASI)
        self.person: Warga | None = None
        self.new_person = False
        self.open_case: KasusPMKS | None = None
        operator = user.peran == Peran.OPERATOR
        if operator:
            del self.fields["desa_kode"]
            self.fields["nik"].widget.village(code=user.wilayah_id)
        else:
            self.fields["nik"].widget.village(field=self["desa_kode"])
        self.warnings: list[str] = []
        for name in ("rw", "rt"):
            self.fields[name].widget.attrs["inputmode"] = "numeric"
        # The accompanying group: any the user sees, those of the case's village offered first.
        self.fields["pendamping_kode"].queryset = Perkumpulan.objects.visible_to(user)
        village = kasus.desa_id if kasus else (user.wilayah_id if operator else None)
        if village:
            self.fields["pendamping_kode"].widget.attrs["data-desa"] = village
        # Two officers editing one case: the second save is told, not silently lost.
        self.track_version(kasus)
        if kasus is None:  # a new case is recorded once, however often the form is sent
            self.send_once(user, "pmks:kasus_new")

    def clean_nik(self) -> str:
        return person_nik(self.user, self.cleaned_data["nik"])

    def clean_desa_kode(self):
        return village_in_area(self.user, self.cleaned_data["desa_kode"])

    def failed(self, *names: str) -> list[str]:
        """The model fields among `names` whose form field already has an error."""
        return [n for n in names if self.field_map.get(n, n) in self._errors]

    def clean(self):
        data = super().clean()
        desa = self.user.wilayah if "desa_kode" not in self.fields else data.get("desa_kode")
        nama = data.get("nama") or ""
        nik = data.get("nik")
        self.person, self.new_person = None, False
        hidden = unconfirmed = False
        if nik:
            self.person = Warga.objects.filter(nik=nik).first()
        if self.person is not None:
            hidden = not Warga.objects.visible_to(self.user).filter(pk=self.person.pk).exists()
            if not hidden:
                nama = nama or self.person.nama
            elif "nama" not in self._errors:
                unconfirmed = not same_name(nama, self.person.nama)
                if not nama:
                    self.add_error("nama", ValidationError(
                        _("A person with this NIK is registered: type their name as "
                          "registered."), code="registered_name"))
                elif unconfirmed:
                    self.add_error("nama", ValidationError(
                        _("This is not the name registered with this NIK: type the name as "
                          "registered."), code="registered_name_mismatch"))
            else:
                unconfirmed = True
        self.constraint_errors = HIDDEN_PERSON_ERRORS if hidden else CONSTRAINT_ERRORS
        if not nama and "nama" not in self._errors:
            self.add_error("nama", ValidationError(_("Type the person's name."), code="required"))
        if nik and self.person is None:
            # Someone not yet registered: registered with the name and address typed, and the
            # date of birth and sex the NIK holds; a NIK issued outside the village is told.
            self.new_person = True
            born, sex = validators.nik_birth_date(nik) or (None, "")
            self.person = Warga(nik=nik, nama=nama, wilayah=desa, rw=data.get("rw"),
                                rt=data.get("rt"), alamat=data.get("alamat") or "",
                                tanggal_lahir=born, jenis_kelamin=sex)
            self.warnings = validators.nik_disagreements(
                nik, None, None, getattr(desa, "kode", None))
            self.check_rules(self.person, exclude=self.failed("nama", "rw", "rt", "alamat")
                             + ([] if desa else ["wilayah"]))
        case = self.case
        case.nama = nama
        case.desa = desa
        case.warga = None if self.new_person else self.person
        case.pendamping = data.get("pendamping_kode")
        for name in self.CASE_FIELDS:
            if name in data:
                setattr(case, name, data[name])
        exclude = self.failed("nama", "desa", "pendamping", *self.CASE_FIELDS)
        if self.new_person or "nik" in self._errors:
            exclude.append("warga")  # a person not yet registered has no case yet
        if unconfirmed:
            exclude.append("warga")  # nothing is told of a person not shown to the user
        self.check_rules(case, exclude=exclude)
        case.nama = nama  # the model's clean() takes a registered person's name when empty
        if self.has_error("kategori", OPEN_CASE) and not hidden:
            self.open_case = KasusPMKS.objects.visible_to(self.user).filter(
                pk=getattr(case.open_episode(), "pk", None)).first()
        return data

    def save(self) -> KasusPMKS | None:
        """Write the person (if new) and the case, and a new case's first status; None, with the
        form's errors set, if the database refused them."""
        created = self.case._state.adding
        try:
            with transaction.atomic():
                self.claim_version()
                if self.new_person:
                    self.person.save()
                    self.case.warga = self.person
                self.case.save()
                if created:
                    self.case.catat_status(oleh=self.user, tanggal=self.case.tanggal_identifikasi)
        except Conflict:
            self.version_conflict()
            return None
        except IntegrityError:
            if created:
                self.case.pk = None
            self.conflict()
            return None
        return self.case


class StatusForm(OnceForm, ModelRulesForm):
    """The case moves to another status: dated (today when empty), with a note. The status
    starts blank: a form sent as it was shown changes nothing (it once started on the first
    status, and Save moved a case back to "identified"); the case's own status is refused."""

    status = forms.ChoiceField(label=_("New status"),
                               choices=[("", "—"), *StatusKasus.choices])
    tanggal = forms.DateField(label=_("Date of the change"), required=False, widget=DateInput,
                              help_text=_("Empty means today."))
    catatan = RiwayatStatus._meta.get_field("catatan").formfield(
        help_text=_("What was done, or why."))

    def __init__(self, *args, kasus: KasusPMKS, user, **kwargs):
        kwargs.setdefault("auto_id", "status-%s")
        super().__init__(*args, **kwargs)
        self.kasus, self.user = kasus, user
        self.fields["tanggal"].initial = today()
        self.send_once(user, f"pmks:status:{kasus.pk}")

    def clean(self):
        data = super().clean()
        status = data.get("status")
        if status and status == self.kasus.status:
            self.add_error("status", ValidationError(
                _("This is already the case's status."), code="same_status"))
        elif (status and status not in KasusPMKS.CLOSED and not self.kasus.terbuka
              and self.kasus.open_episode() is not None):
            self.add_error("status", ValidationError(
                _("The person has a newer open case of this category: carry on there; this "
                  "case stays closed."), code="open_case_exists"))
        record = RiwayatStatus(kasus=self.kasus, status=status or "", oleh=self.user,
                               tanggal=data.get("tanggal") or today(),
                               catatan=data.get("catatan") or "")
        self.check_rules(record, exclude=[n for n in ("status", "tanggal", "catatan")
                                          if n in self._errors])
        return data

    def save(self) -> RiwayatStatus:
        data = self.cleaned_data
        with transaction.atomic():
            return self.kasus.ubah_status(data["status"], self.user,
                                          data.get("tanggal") or today(), data.get("catatan"))


class RujukanForm(OnceForm, forms.ModelForm):
    """A referral; by default the case moves to "referred" as well."""

    tandai = forms.BooleanField(label=_("Also set the case's status to Referred"),
                                required=False, initial=True)

    class Meta:
        model = Rujukan
        fields = ["tanggal", "tujuan", "lembaga", "hasil"]
        widgets = {"tanggal": DateInput}

    def __init__(self, *args, kasus: KasusPMKS, user, **kwargs):
        kwargs.setdefault("auto_id", "rujukan-%s")
        kwargs.setdefault("instance", Rujukan(kasus=kasus, oleh=user))
        super().__init__(*args, **kwargs)
        self.kasus, self.user = kasus, user
        self.send_once(user, f"pmks:rujukan:{kasus.pk}")

    def save(self, commit=True) -> Rujukan:
        with transaction.atomic():
            referral = super().save()
            if self.cleaned_data.get("tandai") and self.kasus.status != StatusKasus.DIRUJUK:
                self.kasus.ubah_status(
                    StatusKasus.DIRUJUK, self.user, referral.tanggal,
                    gettext("referred to %(body)s")
                    % {"body": referral.lembaga or referral.get_tujuan_display()},
                )
        return referral
