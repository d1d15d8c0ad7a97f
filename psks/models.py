"""The village's social-welfare resources beyond its groups (PSKS, Potensi dan Sumber
Kesejahteraan Sosial): the people who work for it (PSM, TKSK, facilitators and companions), the
welfare institutions (LKS), and the trainings held for group leaders with who attended.

A worker, an institution or a training is recorded at the area it serves, of any level (a TKSK
serves a kecamatan, a district office's training a kabupaten): it is seen within that area and
from the areas below it (the village's page shows its kecamatan's TKSK), and changed only by
those whose area holds it. Workers and attendees are people: observers see counts only.
Which groups an attendee leads is read from members.Keanggotaan, never copied."""

from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from members.models import PeranAnggota, Warga
from registry import access, audit
from registry.access import ScopedQuerySet
from registry.models import Tingkat, Wilayah

# The board roles whose holders are the group's leaders (pengurus).
LEADER_ROLES = (PeranAnggota.KETUA, PeranAnggota.WAKIL_KETUA, PeranAnggota.SEKRETARIS,
                PeranAnggota.BENDAHARA)


def within_or_above(user, path: str) -> Q:
    """Rows recorded within the user's area (any level) or at an area above it: a kecamatan's
    TKSK or a kabupaten's training concern every village below."""
    above = Q()
    if user.is_authenticated and user.wilayah_id:
        codes = user.wilayah_id.split(".")
        above = Q(**{f"{path}__in": [".".join(codes[:i]) for i in range(1, len(codes))]})
    return access.area_filter(user, path, any_level=True) | above


class PeranPSKS(models.TextChoices):
    """The ministry's names for the people of the PSKS (Permensos 08/2012; seeds 002, 004)."""

    PSM = "PSM", _("Community social worker (PSM)")
    TKSK = "TKSK", _("Kecamatan social welfare worker (TKSK)")
    PENDAMPING = "PENDAMPING", _("Facilitator or companion (pendamping)")
    PEKSOS = "PEKSOS", _("Professional social worker")
    TAGANA = "TAGANA", _("Disaster preparedness cadet (Tagana)")
    WPKS = "WPKS", _("Women social welfare leader (WPKS)")
    LAIN = "LAIN", _("Other")


class PetugasPSKS(models.Model):
    """A person serving an area in a PSKS role over a period."""

    scope_path = "wilayah"
    scope_personal = True  # a named person: observers see counts only

    warga = models.ForeignKey(
        Warga, models.PROTECT, related_name="peran_psks", verbose_name=_("person")
    )
    peran = models.CharField(_("PSKS role"), max_length=10, choices=PeranPSKS.choices)
    wilayah = models.ForeignKey(
        Wilayah, models.PROTECT, related_name="petugas_psks", verbose_name=_("area served"),
        help_text=_("A village, or a larger area: a TKSK serves a kecamatan."),
    )
    mulai = models.DateField(_("from"), null=True, blank=True)
    selesai = models.DateField(
        _("until"), null=True, blank=True, help_text=_("Empty while the person still serves.")
    )
    keterangan = models.CharField(_("note"), max_length=300, blank=True)
    dibuat = models.DateTimeField(_("created"), auto_now_add=True)
    diubah = models.DateTimeField(_("changed"), auto_now=True)

    objects = ScopedQuerySet.as_manager()
    history = audit.history()
    # The columns the survey import writes in bulk (registry.workbook.insert_rows).
    bulk_columns = ("warga", "peran", "wilayah", "mulai", "selesai", "keterangan")

    class Meta:
        verbose_name = _("PSKS worker")
        verbose_name_plural = _("PSKS workers")
        ordering = ["wilayah", "peran", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["warga", "peran", "wilayah"], condition=Q(selesai__isnull=True),
                name="petugas_psks_satu_aktif",
                violation_error_message=_(
                    "This person already serves this area in this role: end that period first."),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_peran_display()}: {self.warga.nama}"

    @property
    def aktif(self) -> bool:
        return self.selesai is None

    @classmethod
    def scope_filter(cls, user) -> Q:
        return within_or_above(user, "wilayah")

    @classmethod
    def edit_filter(cls, user) -> Q:
        return access.area_filter(user, "wilayah", any_level=True)

    def clean(self) -> None:
        errors = {}
        if self.mulai and self.selesai and self.selesai < self.mulai:
            errors["selesai"] = ValidationError(
                _("The end cannot be before the start."), code="period")
        if (self.peran == PeranPSKS.TKSK and self.wilayah_id
                and self.wilayah.tingkat != Tingkat.KECAMATAN):
            errors["wilayah"] = ValidationError(
                _("A TKSK serves a kecamatan: choose the kecamatan."), code="tksk_level")
        if errors:
            raise ValidationError(errors)


class StatusLKS(models.TextChoices):
    BADAN_HUKUM = "BADAN_HUKUM", _("Legal entity (berbadan hukum)")
    TERDAFTAR = "TERDAFTAR", _("Registered with the social affairs office")
    BELUM = "BELUM", _("Not yet registered")


class LKS(models.Model):
    """A social welfare institution (Lembaga Kesejahteraan Sosial): an orphanage, a care home, a
    foundation serving the area."""

    scope_path = "wilayah"

    nama = models.CharField(_("name"), max_length=200)
    wilayah = models.ForeignKey(
        Wilayah, models.PROTECT, related_name="lks", verbose_name=_("area"),
        help_text=_("The village it stands in, or a larger area it serves."),
    )
    status_hukum = models.CharField(
        _("legal status"), max_length=12, choices=StatusLKS.choices, default=StatusLKS.BELUM
    )
    nomor_registrasi = models.CharField(_("registration number"), max_length=100, blank=True)
    layanan = models.CharField(
        _("services"), max_length=300, blank=True,
        help_text=_("Whom it serves, e.g. neglected children, elderly, disabled people."),
    )
    alamat = models.CharField(_("address"), max_length=300, blank=True)
    aktif = models.BooleanField(_("active"), default=True)
    dibuat = models.DateTimeField(_("created"), auto_now_add=True)
    diubah = models.DateTimeField(_("changed"), auto_now=True)

    objects = ScopedQuerySet.as_manager()
    history = audit.history()
    bulk_columns = (
        "nama", "wilayah", "status_hukum", "nomor_registrasi", "layanan", "alamat", "aktif")

    class Meta:
        verbose_name = _("social welfare institution (LKS)")
        verbose_name_plural = _("social welfare institutions (LKS)")
        ordering = ["nama"]
        constraints = [
            models.UniqueConstraint(
                fields=["nama", "wilayah"], name="lks_nama_wilayah_unique",
                violation_error_message=_("An LKS of this name is already recorded here."),
            ),
        ]

    def __str__(self) -> str:
        return self.nama

    @classmethod
    def scope_filter(cls, user) -> Q:
        return within_or_above(user, "wilayah")

    @classmethod
    def edit_filter(cls, user) -> Q:
        return access.area_filter(user, "wilayah", any_level=True)

    def clean(self) -> None:
        self.nomor_registrasi = self.nomor_registrasi.strip()
        if self.status_hukum == StatusLKS.BELUM and self.nomor_registrasi:
            raise ValidationError({"nomor_registrasi": ValidationError(
                _("An LKS not yet registered has no registration number: choose its status."),
                code="unregistered_number")})


class Pelatihan(models.Model):
    """A training held for the area's group leaders and workers (seed 004, IV.B)."""

    scope_path = "wilayah"

    topik = models.CharField(_("topic"), max_length=200)
    tanggal_mulai = models.DateField(_("date"))
    tanggal_selesai = models.DateField(
        _("last day"), null=True, blank=True, help_text=_("For a training of several days.")
    )
    penyelenggara = models.CharField(_("organiser"), max_length=200)
    wilayah = models.ForeignKey(
        Wilayah, models.PROTECT, related_name="pelatihan", verbose_name=_("area"),
        help_text=_("The area whose people it was held for: a village, a kecamatan…"),
    )
    keterangan = models.CharField(_("note"), max_length=300, blank=True)
    dibuat = models.DateTimeField(_("created"), auto_now_add=True)
    diubah = models.DateTimeField(_("changed"), auto_now=True)

    objects = ScopedQuerySet.as_manager()
    history = audit.history()

    class Meta:
        verbose_name = _("training")
        verbose_name_plural = _("trainings")
        ordering = ["-tanggal_mulai", "topik"]

    def __str__(self) -> str:
        return f"{self.topik} ({self.tanggal_mulai:%d-%m-%Y})"

    @classmethod
    def scope_filter(cls, user) -> Q:
        return within_or_above(user, "wilayah")

    @classmethod
    def edit_filter(cls, user) -> Q:
        return access.area_filter(user, "wilayah", any_level=True)

    def clean(self) -> None:
        if (self.tanggal_mulai and self.tanggal_selesai
                and self.tanggal_selesai < self.tanggal_mulai):
            raise ValidationError({"tanggal_selesai": ValidationError(
                _("The last day cannot be before the first."), code="period")})


class PesertaPelatihan(models.Model):
    """A person who attended a training."""

    scope_path = "pelatihan__wilayah"
    scope_personal = True

    pelatihan = models.ForeignKey(
        Pelatihan, models.CASCADE, related_name="peserta", verbose_name=_("training")
    )
    warga = models.ForeignKey(
        Warga, models.PROTECT, related_name="pelatihan", verbose_name=_("person")
    )
    dibuat = models.DateTimeField(_("created"), auto_now_add=True)

    objects = ScopedQuerySet.as_manager()
    history = audit.history()
    bulk_columns = ("pelatihan", "warga")

    class Meta:
        verbose_name = _("training participant")
        verbose_name_plural = _("training participants")
        ordering = ["pelatihan", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["pelatihan", "warga"], name="peserta_pelatihan_unik",
                violation_error_message=_("This person is already listed for this training."),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.warga.nama} — {self.pelatihan.topik}"

    @classmethod
    def scope_filter(cls, user) -> Q:
        """Seen with a training held within the user's area, or with the person (a leader of
        the user's village who went to a training held elsewhere); not the people of other
        villages at a training held above the user's area."""
        return (access.area_filter(user, "pelatihan__wilayah", any_level=True)
                | Q(warga__in=Warga.objects.filter(Warga.scope_filter(user)).values("pk")))

    @classmethod
    def edit_filter(cls, user) -> Q:
        return access.area_filter(user, "pelatihan__wilayah", any_level=True)
