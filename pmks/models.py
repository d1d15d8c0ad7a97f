from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from members.models import Warga
from registry import validators
from registry.access import ScopedQuerySet
from registry.models import Perkumpulan, Referensi, Tingkat, Wilayah


class KategoriPMKS(Referensi):
    """One of the ministry's PMKS categories (Permensos 08/2012 lists 26)."""

    class Meta(Referensi.Meta):
        verbose_name = _("PMKS category")
        verbose_name_plural = _("PMKS categories")
        constraints = [models.UniqueConstraint(fields=["kode"], name="kategori_pmks_kode_unique")]


class StatusKasus(models.TextChoices):
    TERIDENTIFIKASI = "TERIDENTIFIKASI", _("Identified")
    DITANGANI = "DITANGANI", _("Being handled")
    DIRUJUK = "DIRUJUK", _("Referred")
    SELESAI = "SELESAI", _("Closed")
    MENOLAK = "MENOLAK", _("Refused help")


class KasusPMKS(models.Model):
    """A person with a social-welfare problem, kept by name and by address."""

    scope_path = "desa"
    scope_sensitive = True

    warga = models.ForeignKey(
        Warga,
        models.PROTECT,
        null=True,
        blank=True,
        related_name="kasus_pmks",
        verbose_name=_("registered person"),
        help_text=_("Empty when the person has no NIK: then name and address identify them."),
    )
    nama = models.CharField(_("name"), max_length=150)
    desa = models.ForeignKey(
        Wilayah,
        models.PROTECT,
        related_name="kasus_pmks",
        verbose_name=_("village"),
        limit_choices_to={"tingkat": Tingkat.DESA},
    )
    rw = models.PositiveSmallIntegerField(
        _("RW"), null=True, blank=True, validators=[validators.validate_rw_rt]
    )
    rt = models.PositiveSmallIntegerField(
        _("RT"), null=True, blank=True, validators=[validators.validate_rw_rt]
    )
    alamat = models.CharField(_("address"), max_length=250, blank=True)
    kategori = models.ForeignKey(
        KategoriPMKS, models.PROTECT, related_name="kasus", verbose_name=_("category")
    )
    tanggal_identifikasi = models.DateField(_("identified on"), null=True, blank=True)
    status = models.CharField(
        _("status"),
        max_length=16,
        choices=StatusKasus.choices,
        default=StatusKasus.TERIDENTIFIKASI,
    )
    pendamping = models.ForeignKey(
        Perkumpulan,
        models.SET_NULL,
        null=True,
        blank=True,
        related_name="kasus_pmks",
        verbose_name=_("accompanying group"),
    )
    catatan = models.TextField(_("notes"), blank=True)
    dibuat = models.DateTimeField(_("created"), auto_now_add=True)
    diubah = models.DateTimeField(_("changed"), auto_now=True)

    # Closed cases need no one any more: finished, or help refused.
    CLOSED = (StatusKasus.SELESAI, StatusKasus.MENOLAK)

    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("PMKS case")
        verbose_name_plural = _("PMKS cases")
        ordering = ["desa", "nama"]
        constraints = [
            # The survey importer's keys: (person, category), or (name, village, category)
            # for people without a NIK.
            models.UniqueConstraint(
                fields=["warga", "kategori"],
                condition=Q(warga__isnull=False),
                name="pmks_person_category_unique",
            ),
            models.UniqueConstraint(
                fields=["nama", "desa", "kategori"],
                condition=Q(warga__isnull=True),
                name="pmks_name_category_unique",
            ),
        ]
        indexes = [models.Index(fields=["desa", "status", "kategori"], name="pmks_recap_idx")]

    def __str__(self) -> str:
        return f"{self.nama} — {self.kategori}"

    @property
    def terbuka(self) -> bool:
        """Open cases still need someone: neither closed nor refused."""
        return self.status not in self.CLOSED

    def clean(self) -> None:
        if self.warga_id and not self.nama:
            self.nama = self.warga.nama
        if self.desa_id and self.desa.tingkat != Tingkat.DESA:
            raise ValidationError({"desa": _("Choose a desa/kelurahan.")}, code="not_desa")
