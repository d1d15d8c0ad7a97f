"""The PSKS forms: a worker (a person by NIK, a role, the area served, a period), an LKS, a
training, and a training's participant by NIK. The rules are the models' own (full_clean and the
constraints); the area is one the user may write (registry.access.may_write_area)."""

from django import forms
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils.translation import gettext_lazy as _

from members.models import Warga
from psks.models import LKS, Pelatihan, PesertaPelatihan, PetugasPSKS
from registry import access, validators
from registry.forms import DateInput, ModelRulesForm, OnceForm, VersionedModelForm
from registry.models import Wilayah


def nik_field() -> forms.CharField:
    return forms.CharField(
        label=_("NIK"), max_length=40,  # the shared validator tells the right length
        help_text=_("16 digits of a person already registered (a member of a group)."),
        widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "off"}),
    )


def nama_field() -> forms.CharField:
    return forms.CharField(
        label=_("Name"), max_length=150, required=False,
        help_text=_("Needed only for a person registered in another village."),
    )


def find_person(form: forms.Form, user) -> Warga | None:
    """The registered person of the form's NIK, or None with the error beside the field. One the
    user sees is found by NIK alone; one registered elsewhere only with the registered name
    typed, so that a NIK reveals nothing of a stranger but that it is registered."""
    nik = "".join((form.cleaned_data.get("nik") or "").split())
    if not nik:
        return None
    try:
        validators.validate_nik(nik)
    except ValidationError as exc:
        form.add_error("nik", exc)
        return None
    person = Warga.objects.filter(nik=nik).first()
    if person is None:
        form.add_error("nik", ValidationError(_(
            "No person with this NIK is registered: add them first as a member of their group "
            "(or under People in the admin)."), code="unknown_nik"))
        return None
    if Warga.objects.visible_to(user).filter(pk=person.pk).exists():
        return person
    nama = form.cleaned_data.get("nama")
    if not nama:
        form.add_error("nama", ValidationError(_(
            "A person with this NIK is registered in another village. Type their name as "
            "registered to add them."), code="name_needed"))
        return None
    if validators.normalize_label(nama) != validators.normalize_label(person.nama):
        form.add_error("nama", ValidationError(_(
            "This name does not match the name registered with this NIK. Check the NIK and the "
            "name."), code="name_mismatch"))
        return None
    return person


class AreaForm(OnceForm, VersionedModelForm):
    """A PSKS record of an area the user may write, given by its code (any level). A new record
    is written once however often its form is sent; a change is checked against the version it
    was opened with."""

    wilayah = forms.CharField(
        label=_("Area code"), max_length=13,
        help_text=_("A village (32.77.01.1002) or a larger area (32.77.01, a kecamatan)."),
    )

    def __init__(self, *args, user, area: Wilayah | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user
        if self.instance.pk:
            self.fields["wilayah"].initial = self.instance.wilayah_id
        else:
            self.send_once(user, f"psks:{type(self.instance).__name__.lower()}_new")
            if area is not None:
                self.fields["wilayah"].initial = area.pk

    def clean_wilayah(self) -> Wilayah:
        try:
            kode = validators.normalize_kode_wilayah(self.cleaned_data["wilayah"])
        except ValidationError as exc:
            raise ValidationError(exc.messages[0], code="kode") from exc
        area = Wilayah.objects.filter(pk=kode).first()
        if area is None or not access.may_write_area(self.user, area):
            raise ValidationError(
                _("%(kode)s is not an area within your area.") % {"kode": kode},
                code="outside_area")
        return area

    def _post_clean(self):
        if isinstance(self.cleaned_data.get("wilayah"), Wilayah):
            self.instance.wilayah = self.cleaned_data["wilayah"]
        super()._post_clean()


class PetugasForm(AreaForm):
    """A PSKS worker: the person (by NIK, when recorded; fixed afterwards), role, area, period."""

    nik = nik_field()
    nama = nama_field()

    class Meta(VersionedModelForm.Meta):
        model = PetugasPSKS
        fields = ["peran", "mulai", "selesai", "keterangan"]
        widgets = {"mulai": DateInput, "selesai": DateInput}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk:
            del self.fields["nik"], self.fields["nama"]
        self.order_fields(["nik", "nama", "peran", "wilayah"])

    def _post_clean(self):
        if "nik" in self.fields and "nik" not in self._errors:
            person = find_person(self, self.user)
            if person is not None:
                self.instance.warga = person
        super()._post_clean()
        # The one-current-period rule names the person, who is no field of the model form.
        if self.instance.warga_id and self.instance.wilayah_id and not self.instance.selesai:
            taken = PetugasPSKS.objects.filter(
                warga=self.instance.warga_id, peran=self.instance.peran,
                wilayah=self.instance.wilayah_id, selesai__isnull=True,
            ).exclude(pk=self.instance.pk)
            if taken.exists():
                self.add_error(None, ValidationError(
                    PetugasPSKS._meta.constraints[0].violation_error_message,
                    code="petugas_psks_satu_aktif"))


class LKSForm(AreaForm):
    class Meta(VersionedModelForm.Meta):
        model = LKS
        fields = ["nama", "status_hukum", "nomor_registrasi", "layanan", "alamat", "aktif"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.order_fields(["nama", "wilayah"])


class PelatihanForm(AreaForm):
    class Meta(VersionedModelForm.Meta):
        model = Pelatihan
        fields = ["topik", "tanggal_mulai", "tanggal_selesai", "penyelenggara", "keterangan"]
        widgets = {"tanggal_mulai": DateInput, "tanggal_selesai": DateInput}


class PesertaForm(OnceForm, ModelRulesForm):
    """A participant of a training, by NIK."""

    constraint_errors = {
        "peserta_pelatihan_unik": ("nik", _("This person is already listed for this training.")),
    }

    nik = nik_field()
    nama = nama_field()

    def __init__(self, *args, pelatihan: Pelatihan, user, **kwargs):
        kwargs.setdefault("auto_id", "peserta-%s")
        super().__init__(*args, **kwargs)
        self.pelatihan, self.user = pelatihan, user
        self.peserta: PesertaPelatihan | None = None
        self.send_once(user, f"psks:peserta:{pelatihan.pk}")

    def clean(self):
        data = super().clean()
        person = find_person(self, self.user)
        if person is not None:
            self.peserta = PesertaPelatihan(pelatihan=self.pelatihan, warga=person)
            self.check_rules(self.peserta)
        return data

    def save(self) -> PesertaPelatihan | None:
        try:
            with transaction.atomic():
                self.peserta.save()
        except IntegrityError:
            self.conflict()
            return None
        return self.peserta
