import datetime

from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Exists, OuterRef, Q
from django.utils.translation import gettext_lazy as _

from registry import access, audit, validators
from registry.access import ScopedQuerySet
from registry.models import Perkumpulan, Tingkat, Wilayah


class JenisKelamin(models.TextChoices):
    LAKI_LAKI = "L", _("Male")
    PEREMPUAN = "P", _("Female")


class Pendidikan(models.TextChoices):
    TIDAK_SEKOLAH = "TS", _("No schooling")
    SD = "SD", _("Primary school (SD)")
    SMP = "SMP", _("Junior high school (SMP)")
    SMA = "SMA", _("Senior high school (SMA)")
    PT = "PT", _("Academy/University")


class PeranAnggota(models.TextChoices):
    KETUA = "KETUA", _("Chair")
    WAKIL_KETUA = "WAKIL", _("Vice chair")
    SEKRETARIS = "SEKRETARIS", _("Secretary")
    BENDAHARA = "BENDAHARA", _("Treasurer")
    ANGGOTA = "ANGGOTA", _("Member")


class WargaManager(models.Manager.from_queryset(ScopedQuerySet)):
    def get_by_natural_key(self, nik):
        return self.get(nik=nik)


class Warga(models.Model):
    """A person known to the registry by NIK: a member or leader of some group."""

    # What a bulk write fills (workbook.insert_rows; importer and demo alike), in tuple order.
    bulk_columns = (
        "nik", "nama", "jenis_kelamin", "tanggal_lahir", "pendidikan", "wilayah", "rw", "rt",
        "alamat",
    )

    nik = models.CharField(
        _("NIK"),
        max_length=validators.NIK_LENGTH,
        unique=True,
        validators=[validators.validate_nik],
        help_text=_("The 16-digit national identity number."),
    )
    nama = models.CharField(_("name"), max_length=150)
    jenis_kelamin = models.CharField(
        _("sex"), max_length=1, choices=JenisKelamin.choices, blank=True
    )
    tanggal_lahir = models.DateField(_("date of birth"), null=True, blank=True)
    pendidikan = models.CharField(
        _("education"), max_length=10, choices=Pendidikan.choices, blank=True
    )
    wilayah = models.ForeignKey(
        Wilayah,
        models.PROTECT,
        null=True,
        blank=True,
        related_name="warga",
        limit_choices_to={"tingkat": Tingkat.DESA},
        verbose_name=_("village of residence"),
        help_text=_("Empty when the person lives outside the registered villages."),
    )
    rw = models.PositiveSmallIntegerField(
        _("RW"), null=True, blank=True, validators=[validators.validate_rw_rt]
    )
    rt = models.PositiveSmallIntegerField(
        _("RT"), null=True, blank=True, validators=[validators.validate_rw_rt]
    )
    alamat = models.CharField(_("address"), max_length=250, blank=True)
    dibuat = models.DateTimeField(_("created"), auto_now_add=True)
    diubah = models.DateTimeField(_("changed"), auto_now=True)

    objects = WargaManager()
    history = audit.history("nik", "wilayah")

    # Every page of a person is personal data: observers open none (registry.access.may_view).
    scope_personal = True
    personal_fields = ("nik", "tanggal_lahir", "alamat", "rw", "rt")

    class Meta:
        verbose_name = _("person")
        verbose_name_plural = _("people")
        ordering = ["nama"]
        indexes = [models.Index(fields=["nama"], name="warga_nama_idx")]

    def __str__(self) -> str:
        return f"{self.nama} ({self.nik_tersamar})"

    def natural_key(self):
        return (self.nik,)

    @classmethod
    def scope_filter(cls, user) -> Q:
        """A person is within reach where they live or where one of their groups is."""
        in_group = Keanggotaan.objects.filter(warga=OuterRef("pk")).filter(
            access.area_filter(user, "perkumpulan__desa", any_level=True)
        )
        return access.area_filter(user, "wilayah") | Q(Exists(in_group))

    @classmethod
    def edit_filter(cls, user) -> Q:
        """A person is changed by the officers of where they live. One who lives outside the
        registered villages (no residence) is changed by those of their groups' areas."""
        return access.area_filter(user, "wilayah") | Q(wilayah__isnull=True)

    @property
    def nik_tersamar(self) -> str:
        return validators.mask_nik(self.nik)

    def clean(self) -> None:
        if self.wilayah_id and self.wilayah.tingkat != Tingkat.DESA:
            raise ValidationError(
                {"wilayah": ValidationError(_("Choose a desa/kelurahan."), code="not_desa")}
            )


class Masa(models.Model):
    """A period from `mulai` to `selesai` (empty while it goes on), with its row's created and
    changed times: a person's membership of a group or of a household, a household's of a group.
    A change ends one row and starts another, so the history stays."""

    mulai = models.DateField(_("from"), null=True, blank=True)
    selesai = models.DateField(
        _("until"), null=True, blank=True, help_text=_("Empty while the membership goes on.")
    )
    dibuat = models.DateTimeField(_("created"), auto_now_add=True)
    diubah = models.DateTimeField(_("changed"), auto_now=True)

    class Meta:
        abstract = True

    @property
    def aktif(self) -> bool:
        return self.selesai is None

    @staticmethod
    def ends_after_start(name: str) -> models.CheckConstraint:
        """The database's rule behind `clean`: a period never ends before it starts."""
        return models.CheckConstraint(
            condition=Q(selesai__isnull=True) | Q(mulai__isnull=True)
            | Q(selesai__gte=models.F("mulai")),
            name=name,
        )

    def clean(self) -> None:
        if self.mulai and self.selesai and self.selesai < self.mulai:
            raise ValidationError({"selesai": ValidationError(
                _("A membership cannot end before it starts."), code="ends_early"
            )})


class Keanggotaan(Masa):
    """A person's membership of a group in one role over one period (a board term is a period)."""

    # What a bulk write fills (workbook.insert_rows; importer and demo alike), in tuple order.
    bulk_columns = ("warga", "perkumpulan", "peran", "mulai", "selesai")

    scope_path = "perkumpulan__desa"
    scope_any_level = True  # a group may sit above the village (registry.access)

    warga = models.ForeignKey(
        Warga, models.PROTECT, related_name="keanggotaan", verbose_name=_("person")
    )
    perkumpulan = models.ForeignKey(
        Perkumpulan, models.CASCADE, related_name="keanggotaan", verbose_name=_("group")
    )
    peran = models.CharField(
        _("role"), max_length=10, choices=PeranAnggota.choices, default=PeranAnggota.ANGGOTA
    )

    objects = ScopedQuerySet.as_manager()
    history = audit.history()  # by group and by person: both indexed

    class Meta:
        verbose_name = _("membership")
        verbose_name_plural = _("memberships")
        ordering = ["perkumpulan", "peran", "warga__nama"]
        constraints = [
            # A role change ends one membership and starts another, so history is kept and
            # the importer's key (group, person) finds exactly one current membership.
            models.UniqueConstraint(
                fields=["perkumpulan", "warga"],
                condition=Q(selesai__isnull=True),
                name="one_current_membership",
            ),
            # Table 4 of the recap reads "the" chair of each group.
            models.UniqueConstraint(
                fields=["perkumpulan"],
                condition=Q(selesai__isnull=True, peran="KETUA"),
                name="one_current_chair",
            ),
            Masa.ends_after_start("membership_ends_after_start"),
        ]

    def __str__(self) -> str:
        return f"{self.warga.nama} — {self.get_peran_display()} {self.perkumpulan.nama}"

    @property
    def warga_setempat(self) -> bool:
        """Whether the member lives in the group's village (members need not)."""
        return self.warga.wilayah_id == self.perkumpulan.desa_id


class HubunganKeluarga(models.TextChoices):
    """A household member's relation to its head (as the family card names it, shortened)."""

    KEPALA = "KEPALA", _("Head of household")
    PASANGAN = "PASANGAN", _("Wife/husband")
    ANAK = "ANAK", _("Child")
    LAINNYA = "LAINNYA", _("Other")


class Keluarga(models.Model):
    """A household, known by its family-card number (Nomor KK): where it lives, its head and,
    through AnggotaKeluarga, its members over time."""

    # What a bulk write fills (workbook.insert_rows; importer and demo alike), in tuple order.
    bulk_columns = ("no_kk", "wilayah", "rw", "rt", "alamat", "kepala")

    scope_path = "wilayah"

    no_kk = models.CharField(
        _("KK number"),
        max_length=validators.NIK_LENGTH,
        unique=True,
        validators=[validators.validate_no_kk],
        help_text=_("The 16-digit number of the family card (Kartu Keluarga)."),
    )
    wilayah = models.ForeignKey(
        Wilayah,
        models.PROTECT,
        related_name="keluarga",
        limit_choices_to={"tingkat": Tingkat.DESA},
        verbose_name=_("village"),
    )
    rw = models.PositiveSmallIntegerField(
        _("RW"), null=True, blank=True, validators=[validators.validate_rw_rt]
    )
    rt = models.PositiveSmallIntegerField(
        _("RT"), null=True, blank=True, validators=[validators.validate_rw_rt]
    )
    alamat = models.CharField(_("address"), max_length=250, blank=True)
    kepala = models.ForeignKey(
        Warga,
        models.SET_NULL,
        null=True,
        blank=True,
        related_name="keluarga_dikepalai",
        verbose_name=_("head of household"),
    )
    dibuat = models.DateTimeField(_("created"), auto_now_add=True)
    diubah = models.DateTimeField(_("changed"), auto_now=True)

    objects = ScopedQuerySet.as_manager()
    history = audit.history("no_kk", "wilayah", "kepala")

    # A household's page is personal data, as a person's is: observers open none.
    scope_personal = True
    personal_fields = ("no_kk", "alamat", "rw", "rt")

    class Meta:
        verbose_name = _("household")
        verbose_name_plural = _("households")
        ordering = ["no_kk"]

    def __str__(self) -> str:
        head = self.kepala.nama if self.kepala_id else _("no head recorded")
        return f"KK {self.no_kk_tersamar} ({head})"

    @property
    def no_kk_tersamar(self) -> str:
        return validators.mask_nik(self.no_kk)

    def clean(self) -> None:
        if self.wilayah_id and self.wilayah.tingkat != Tingkat.DESA:
            raise ValidationError(
                {"wilayah": ValidationError(_("Choose a desa/kelurahan."), code="not_desa")}
            )

    def tambah_anggota(self, warga: Warga, hubungan: str, mulai) -> "AnggotaKeluarga":
        """Make `warga` a member from `mulai`: a person in another household moves, their
        membership there ending the day before (one current household per person)."""
        current = AnggotaKeluarga.objects.filter(warga=warga, selesai__isnull=True).first()
        if current is not None:
            if current.keluarga_id == self.pk:
                raise ValidationError(
                    _("%(name)s is already a member of this household.") % {"name": warga.nama},
                    code="already_member",
                )
            current.akhiri(max(mulai - datetime.timedelta(days=1), current.mulai or mulai))
        member = AnggotaKeluarga(keluarga=self, warga=warga, hubungan=hubungan, mulai=mulai)
        member.full_clean()
        member.save()
        if hubungan == HubunganKeluarga.KEPALA and self.kepala_id != warga.pk:
            self.kepala = warga
            self.save(update_fields=["kepala", "diubah"])
        return member


class AnggotaKeluarga(Masa):
    """A person's membership of a household over one period: a move ends one row and starts
    another, so a person has at most one current household."""

    bulk_columns = ("keluarga", "warga", "hubungan", "mulai", "selesai")

    scope_path = "keluarga__wilayah"
    scope_personal = True

    keluarga = models.ForeignKey(
        Keluarga, models.CASCADE, related_name="anggota", verbose_name=_("household")
    )
    warga = models.ForeignKey(
        Warga, models.PROTECT, related_name="anggota_keluarga", verbose_name=_("person")
    )
    hubungan = models.CharField(
        _("relation to the head"), max_length=10, choices=HubunganKeluarga.choices,
        default=HubunganKeluarga.LAINNYA,
    )
    selesai = models.DateField(
        _("until"), null=True, blank=True, help_text=_("Empty while the person lives there.")
    )

    objects = ScopedQuerySet.as_manager()
    history = audit.history()

    class Meta:
        verbose_name = _("household member")
        verbose_name_plural = _("household members")
        ordering = ["keluarga", "hubungan", "warga__nama"]
        constraints = [
            models.UniqueConstraint(
                fields=["warga"],
                condition=Q(selesai__isnull=True),
                name="one_current_household",
            ),
            Masa.ends_after_start("household_member_ends_after_start"),
        ]

    def __str__(self) -> str:
        return f"{self.warga.nama} — {self.get_hubungan_display()}"

    def akhiri(self, tanggal) -> None:
        """End the membership on `tanggal` (a move, a death, a new family card)."""
        self.selesai = tanggal
        self.full_clean()
        self.save(update_fields=["selesai", "diubah"])


class KeanggotaanKeluarga(Masa):
    """A household's membership of a group (a Dasa Wisma's members are households) over one
    period. Table 3 counts it as one member (members.rekap)."""

    bulk_columns = ("keluarga", "perkumpulan", "mulai", "selesai")

    scope_path = "perkumpulan__desa"
    scope_any_level = True  # a group may sit above the village (registry.access)

    keluarga = models.ForeignKey(
        Keluarga, models.PROTECT, related_name="keanggotaan", verbose_name=_("household")
    )
    perkumpulan = models.ForeignKey(
        Perkumpulan, models.CASCADE, related_name="keanggotaan_keluarga",
        verbose_name=_("group"),
    )

    objects = ScopedQuerySet.as_manager()
    history = audit.history()

    class Meta:
        verbose_name = _("household membership of a group")
        verbose_name_plural = _("household memberships of groups")
        ordering = ["perkumpulan", "keluarga__no_kk"]
        constraints = [
            models.UniqueConstraint(
                fields=["perkumpulan", "keluarga"],
                condition=Q(selesai__isnull=True),
                name="one_current_household_membership",
            ),
            Masa.ends_after_start("household_membership_ends_after_start"),
        ]

    def __str__(self) -> str:
        return f"{self.keluarga} — {self.perkumpulan.nama}"
