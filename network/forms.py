"""Forms of the working network: a link from a group, the village's WKSBM forum and its leaders."""

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from members.forms import PersonPicker, visible_person
from network.models import (
    BentukHubungan,
    DanaKomunitas,
    DanaPerkumpulan,
    Forum,
    Hubungan,
    JenisMitra,
    Mitra,
    PertemuanForum,
    TingkatForum,
)
from registry.forms import (
    TOKEN_FIELD,
    DateInput,
    GroupPickField,
    GroupsPickField,
    OnceForm,
    VersionedModelForm,
)
from registry.models import Perkumpulan
from registry.rekap import ancestors


class HubunganForm(OnceForm, forms.Form):
    """A link from `group` to another group (of its village, or any the user sees by code) or to
    an outside partner (a known one, or a new one named here). Its form starts blank: the
    user chooses it."""

    # A group, by its code or name (offered as the user types); a script may send its id.
    kode_perkumpulan = GroupPickField(
        required=False, label=_("A group (its name or code)"),
        help_text=_("Type a part of its name or its code, then choose it from the list."),
    )
    mitra_perkumpulan = forms.ModelChoiceField(
        Perkumpulan.objects.none(), required=False, widget=forms.HiddenInput,
    )
    mitra_luar = forms.ModelChoiceField(
        Mitra.objects.none(), required=False, label=_("…or a known outside partner"),
        empty_label="—",
    )
    mitra_baru = forms.CharField(
        required=False, max_length=200, label=_("…or a new outside partner: name"),
    )
    jenis_mitra_baru = forms.ChoiceField(
        required=False, label=_("Type of the new partner"),
        choices=[("", "—"), *[c for c in JenisMitra.choices if c[0] != JenisMitra.PERKUMPULAN]],
    )
    bentuk = forms.ChoiceField(label=_("Form of the link"),
                               choices=[("", "—"), *BentukHubungan.choices])
    keterangan = forms.CharField(required=False, max_length=300, label=_("Note"))

    def __init__(self, *args, group: Perkumpulan, user, **kwargs):
        kwargs.setdefault("auto_id", "hubungan-%s")
        super().__init__(*args, **kwargs)
        self.group, self.user = group, user
        seen = Perkumpulan.objects.visible_to(user)
        self.fields["mitra_perkumpulan"].queryset = seen
        self.fields["kode_perkumpulan"].queryset = seen
        self.fields["kode_perkumpulan"].widget.attrs["data-desa"] = group.desa_id
        # The partners around the group: of its village, kecamatan, kabupaten/kota or province
        # (a district office), not every partner the user sees (13,000 for a province's staff).
        around = [group.desa_id, *ancestors(group.desa_id)]
        self.fields["mitra_luar"].queryset = (
            Mitra.objects.visible_to(user).filter(wilayah__in=around).order_by("nama"))
        self.send_once(user, f"network:hubungan:{group.pk}")

    def clean(self):
        data = super().clean()
        partner = ("mitra_perkumpulan", "kode_perkumpulan", "mitra_luar", "mitra_baru")
        if any(name in self.errors for name in partner):  # told beside its field already
            return data
        chosen = [name for name in partner if data.get(name)]
        if len(chosen) != 1:
            raise ValidationError(
                _("Choose exactly one partner: a group, a group code, a known partner or a new "
                  "partner."), code="one_partner")
        link = Hubungan(perkumpulan=self.group, bentuk=data.get("bentuk", ""),
                        keterangan=data.get("keterangan", ""))
        if data.get("kode_perkumpulan"):
            data["mitra_perkumpulan"] = data["kode_perkumpulan"]
            field = "kode_perkumpulan"
        else:
            field = "mitra_perkumpulan"
        if data.get("mitra_perkumpulan"):
            link.mitra_perkumpulan = data["mitra_perkumpulan"]
            if link.mitra_perkumpulan.pk == self.group.pk:
                self.add_error(field, ValidationError(
                    _("A group cannot be linked to itself."), code="self_link"))
                return data
            duplicate = Hubungan.objects.filter(
                perkumpulan=self.group, mitra_perkumpulan=link.mitra_perkumpulan,
                bentuk=link.bentuk)
        elif data.get("mitra_luar"):
            field = "mitra_luar"
            link.mitra_luar = data["mitra_luar"]
            duplicate = Hubungan.objects.filter(
                perkumpulan=self.group, mitra_luar=link.mitra_luar, bentuk=link.bentuk)
        else:
            field = "mitra_baru"
            if not data.get("jenis_mitra_baru"):
                self.add_error("jenis_mitra_baru", ValidationError(
                    _("Choose the type of the new partner."), code="required"))
                return data
            name = data["mitra_baru"].strip()
            known = Mitra.objects.filter(nama__iexact=name, wilayah_id=self.group.desa_id).first()
            link.mitra_luar = known or Mitra(nama=name, jenis=data["jenis_mitra_baru"],
                                             wilayah_id=self.group.desa_id)
            duplicate = Hubungan.objects.filter(
                perkumpulan=self.group, mitra_luar=known, bentuk=link.bentuk
            ) if known else Hubungan.objects.none()
        if duplicate.exists():
            self.add_error(field, ValidationError(
                _("This link is already recorded."), code="duplicate"))
        data["link"] = link
        return data

    def save(self) -> Hubungan:
        link = self.cleaned_data["link"]
        if link.mitra_luar is not None and link.mitra_luar.pk is None:
            link.mitra_luar.full_clean()
            link.mitra_luar.save()
            link.mitra_luar_id = link.mitra_luar.pk
        link.full_clean()
        link.save()
        return link


class ForumForm(OnceForm, VersionedModelForm):
    """The forum's own data; two officers editing it at once: the second is told (see
    VersionedForm). A forum not yet recorded is recorded once (OnceForm)."""

    anggota = GroupsPickField(
        label=_("Member groups"),
        help_text=_("Untick a group to leave it out; add one by a part of its name or its code."),
    )

    class Meta(VersionedModelForm.Meta):
        model = Forum
        fields = ["nama", "mekanisme", "tanggal_dibentuk", "anggota", "keterangan"]
        widgets = {"tanggal_dibentuk": DateInput}

    def __init__(self, *args, desa, user, **kwargs):
        super().__init__(*args, **kwargs)
        # A forum not yet recorded: its form is sent once. The forum's page is also where it
        # is edited, so a second sending of that form finds the forum already there and is
        # told by its token too.
        if self.instance.pk is None or (self.is_bound and TOKEN_FIELD in self.data):
            self.send_once(user, f"network:forum:{desa.pk}")
        # The village's active groups (the forum's own; the admin takes these alone too).
        self.fields["anggota"].queryset = Forum.member_choices(desa)
        self.fields["anggota"].widget.attrs["data-desa"] = desa.pk


class ForumBaruForm(OnceForm, forms.ModelForm):
    """A forum below the village (`instance`: a new forum of the village): its level, the RW,
    the RT within the RW or the dukuh it works at, and its own data. The village's own forum is
    recorded with `ForumForm`."""

    # The place a level's uniqueness is told beside.
    CONSTRAINT_FIELDS = {"forum_satu_per_desa": "tingkat", "forum_rw_unik": "rw",
                         "forum_rt_unik": "rt", "forum_dukuh_unik": "dukuh"}

    class Meta:
        model = Forum
        fields = ["tingkat", "rw", "rt", "dukuh", "nama", "mekanisme", "tanggal_dibentuk"]
        widgets = {"tanggal_dibentuk": DateInput}

    def __init__(self, *args, user, **kwargs):
        kwargs.setdefault("auto_id", "forum-baru-%s")
        super().__init__(*args, **kwargs)
        self.fields["tingkat"].choices = [
            ("", "—"), *[c for c in TingkatForum.choices if c[0] != TingkatForum.DESA]]
        self.fields["tingkat"].initial = ""
        for name in ("rw", "rt"):
            self.fields[name].widget.attrs["inputmode"] = "numeric"
        self.send_once(user, f"network:forum_baru:{self.instance.desa_id}")

    def _post_clean(self):
        super()._post_clean()
        # The uniqueness within the village: the form leaves the village out of its fields, so
        # Django's own check would skip these constraints.
        failed = set(self.errors)
        for constraint in Forum._meta.constraints:
            if constraint.name not in self.CONSTRAINT_FIELDS:
                continue
            try:
                constraint.validate(Forum, self.instance, exclude=failed)
            except ValidationError as exc:
                self.add_error(self.CONSTRAINT_FIELDS[constraint.name], exc)


class PengurusForm(OnceForm, forms.Form):
    """A forum leader: a registered person found by NIK."""

    nik = forms.CharField(label=_("NIK or name"), max_length=150, widget=PersonPicker,
                          help_text=_("A person already registered (a member of some group): "
                                      "their NIK, or their name chosen from the list."))
    jabatan = forms.CharField(label=_("Position"), max_length=100)
    mulai = forms.DateField(label=_("From"), required=False,
                            widget=DateInput)

    def __init__(self, *args, user, forum, **kwargs):
        kwargs.setdefault("auto_id", "pengurus-%s")
        super().__init__(*args, **kwargs)
        self.user = user
        self.send_once(user, f"network:pengurus:{forum.pk}")

    def clean_nik(self):
        return visible_person(self.user, self.cleaned_data["nik"])


class PertemuanForm(OnceForm, forms.ModelForm):
    """A meeting of the forum (`instance`: a new one of the forum)."""

    class Meta:
        model = PertemuanForum
        fields = ["tanggal", "jenis", "hadir", "notulen"]
        widgets = {"tanggal": DateInput, "notulen": forms.Textarea(attrs={"rows": 3})}

    def __init__(self, *args, user, **kwargs):
        kwargs.setdefault("auto_id", "pertemuan-%s")
        super().__init__(*args, **kwargs)
        self.fields["hadir"].widget.attrs["inputmode"] = "numeric"
        self.send_once(user, f"network:pertemuan:{self.instance.forum_id}")


class DanaForm(OnceForm, forms.ModelForm):
    """What a community fund collected and spent (`instance`: a new entry of the forum)."""

    class Meta:
        model = DanaKomunitas
        fields = ["jenis", "tanggal", "terkumpul", "dipakai", "keterangan"]
        widgets = {"tanggal": DateInput}

    def __init__(self, *args, user, **kwargs):
        kwargs.setdefault("auto_id", "dana-%s")
        super().__init__(*args, **kwargs)
        for name in ("terkumpul", "dipakai"):
            self.fields[name].widget.attrs["inputmode"] = "numeric"
        self.send_once(user, self.once_name())

    def once_name(self) -> str:
        return f"network:dana:{self.instance.forum_id}"


class DanaPerkumpulanForm(DanaForm):
    """What one of a group's own funds collected and spent (`instance`: a new entry of the
    group); one entry per fund and period end."""

    class Meta(DanaForm.Meta):
        model = DanaPerkumpulan

    def once_name(self) -> str:
        return f"network:dana_perkumpulan:{self.instance.perkumpulan_id}"

    def validate_unique(self) -> None:
        # The group is no field of the form, but its key (group, fund, period end) is checked.
        exclude = self._get_validation_exclusions() - {"perkumpulan"}
        try:
            self.instance.validate_constraints(exclude=exclude)
        except ValidationError as exc:
            self._update_errors(exc)
