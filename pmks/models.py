from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from members.models import Warga
from registry import access, audit, validators
from registry.access import ScopedQuerySet
from registry.models import (
    JenisPerkumpulan,
    Perkumpulan,
    Referensi,
    Tingkat,
    Wilayah,
)


class KategoriPMKS(Referensi):
    """One of the ministry's PMKS categories (Permensos 08/2012 lists 26). The older list's names
    (seed 002: "wanita rawan sosial ekonomi"…) are aliases of today's categories where one
    covers them, and categories of their own, marked `daftar_lama`, where none does."""

    daftar_lama = models.BooleanField(
        _("from the older list"), default=False,
        help_text=_("A category of the ministry's older PMKS list that none of today's 26 "
                    "covers (e.g. Keluarga Berumah Tidak Layak Huni)."),
    )

    # The coverage page flags a village with open cases of this category and no active group of
    # these types. A starting list from the types' own purposes; staff extend it.
    jenis_penolong = models.ManyToManyField(
        JenisPerkumpulan, blank=True, related_name="kategori_pmks",
        verbose_name=_("group types that usually help"),
        help_text=_("A village with open cases of this category and no active group of these "
                    "types is flagged on the coverage page."),
    )

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


# Closed cases need no one any more: finished, or help refused. The one definition
# (KasusPMKS.CLOSED): the open-case constraint, the recap, the pages and the importer use it.
CLOSED_STATUSES = (StatusKasus.SELESAI, StatusKasus.MENOLAK)


class Respon(models.TextChoices):
    """How a person responds to help (seed 000)."""

    BANTUAN_RUTIN = "BANTUAN_RUTIN", _("Expects routine aid")
    BERSYUKUR = "BERSYUKUR", _("Grateful")
    MERASA_MAMPU = "MERASA_MAMPU", _("Refuses, feeling able")


class KasusPMKS(models.Model):
    """A person with a social-welfare problem, kept by name and by address.

    A registered person has at most one open case per category; closed cases stay as history,
    and a new episode (a second disaster, a relapse) links to the latest closed one
    (`kasus_sebelumnya`, set on saving). A person without a NIK keeps one case per category."""

    # What a bulk write fills (workbook.insert_rows; importer and demo alike), in tuple order.
    bulk_columns = (
        "warga", "nama", "desa", "rw", "rt", "alamat", "kategori", "tanggal_identifikasi",
        "status", "pendamping", "respon", "catatan",
    )

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
    tanggal_identifikasi = models.DateField(_("identified on"), null=True, blank=True,
                                            validators=[validators.validate_not_future])
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
    respon = models.CharField(_("response to help"), max_length=16, choices=Respon.choices,
                              blank=True)
    catatan = models.TextField(_("notes"), blank=True)
    kasus_sebelumnya = models.ForeignKey(
        "self", models.SET_NULL, null=True, blank=True, related_name="episode_berikutnya",
        verbose_name=_("previous case"),
        help_text=_("The person's closed case of this category before this one."),
    )
    dibuat = models.DateTimeField(_("created"), auto_now_add=True)
    diubah = models.DateTimeField(_("changed"), auto_now=True)

    CLOSED = CLOSED_STATUSES

    objects = ScopedQuerySet.as_manager()
    history = audit.history("warga", "desa", "kategori", "pendamping")

    class Meta:
        verbose_name = _("PMKS case")
        verbose_name_plural = _("PMKS cases")
        ordering = ["desa", "nama"]
        constraints = [
            # The survey importer's keys: a person's open case of a category (closed ones are
            # history), or (name, village, category) for people without a NIK.
            models.UniqueConstraint(
                fields=["warga", "kategori"],
                condition=Q(warga__isnull=False) & ~Q(status__in=CLOSED_STATUSES),
                name="pmks_person_category_open_unique",
                violation_error_message=_("This person already has an open case of this "
                                          "category: close it before recording a new one."),
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

    def save(self, *args, **kwargs):
        # A new episode of a registered person links to their latest closed case of the category.
        if self._state.adding and self.kasus_sebelumnya_id is None:
            self.kasus_sebelumnya = self.latest_closed(self.warga_id, self.kategori_id)
        super().save(*args, **kwargs)

    @classmethod
    def from_db(cls, db, field_names, values):
        instance = super().from_db(db, field_names, values)
        # The recap counts of the village a case leaves are stale too (see pmks.rekap), as a
        # group's (registry.models.Perkumpulan).
        instance.desa_tersimpan = instance.__dict__.get("desa_id")
        return instance

    @property
    def terbuka(self) -> bool:
        """Open cases still need someone: neither closed nor refused."""
        return self.status not in self.CLOSED

    @classmethod
    def open_filter(cls) -> Q:
        return ~Q(status__in=cls.CLOSED)

    def open_episode(self) -> "KasusPMKS | None":
        """Another open case of this person and category (the one this case may not sit beside
        while open), or None."""
        if not (self.warga_id and self.kategori_id):
            return None
        return (KasusPMKS.objects.filter(self.open_filter(), warga_id=self.warga_id,
                                         kategori_id=self.kategori_id)
                .exclude(pk=self.pk).first())

    @classmethod
    def latest_closed(cls, warga_id, kategori_id, exclude_pk=None) -> "KasusPMKS | None":
        """The person's latest closed case of a category: a new episode's previous case."""
        if not (warga_id and kategori_id):
            return None
        return (cls.objects.filter(warga_id=warga_id, kategori_id=kategori_id,
                                   status__in=cls.CLOSED)
                .exclude(pk=exclude_pk).order_by("-pk").first())

    def ubah_status(self, status, oleh=None, tanggal=None, catatan="") -> "RiwayatStatus":
        """Move the case to `status`, keeping the change in its history (dated, by whom, why)."""
        self.status = status
        self.save(update_fields=["status", "diubah"])
        return self.catat_status(oleh, tanggal, catatan)

    def catat_status(self, oleh=None, tanggal=None, catatan="") -> "RiwayatStatus":
        """Keep the case's current status in its history (a new case: its first status)."""
        return self.riwayat.create(status=self.status, tanggal=tanggal or timezone.localdate(),
                                   oleh=oleh, catatan=catatan)

    def clean(self) -> None:
        if self.warga_id and not self.nama:
            self.nama = self.warga.nama
        if self.desa_id and self.desa.tingkat != Tingkat.DESA:
            raise ValidationError({"desa": _("Choose a desa/kelurahan.")}, code="not_desa")


class HitunganKasus(models.Model):
    """The key and count of Tables 10 and 11 (pmks.rekap): the cases of one category and
    status, with or without an accompanying group. Kept live per area (`RekapKasus`) and as
    approved per round and village (verifikasi.models_rekap.KasusDisetujui)."""

    kategori = models.ForeignKey(KategoriPMKS, models.CASCADE, related_name="+")
    status = models.CharField(max_length=20)
    didampingi = models.BooleanField(default=False)
    jumlah = models.IntegerField(default=0)

    class Meta:
        abstract = True


class RekapKasus(HitunganKasus):
    """One stored count of the recap's PMKS tables (see registry.rekap's stores and
    pmks.rekap) for an area of any level. Kept up to date village by village and summed up to
    every ancestor, so that a province's tables read a few hundred rows, not its cases."""

    wilayah = models.ForeignKey(Wilayah, models.CASCADE, related_name="+")

    class Meta:
        verbose_name = _("stored PMKS count")
        verbose_name_plural = _("stored PMKS counts")
        constraints = [
            models.UniqueConstraint(fields=["wilayah", "kategori", "status", "didampingi"],
                                    name="rekap_kasus_unik"),
        ]

    def __str__(self) -> str:
        return f"{self.wilayah_id} {self.kategori_id} {self.status}: {self.jumlah}"


class CaseRecord(models.Model):
    """What happens to a case (each subclass names its `kasus` link): dated, by whom, seen where
    the case is seen."""

    scope_path = "kasus__desa"
    scope_sensitive = True

    tanggal = models.DateField(_("date"), default=timezone.localdate,
                               validators=[validators.validate_not_future])
    oleh = models.ForeignKey(settings.AUTH_USER_MODEL, models.SET_NULL, null=True, blank=True,
                             related_name="+", verbose_name=_("recorded by"))
    dicatat = models.DateTimeField(_("recorded at"), auto_now_add=True)

    objects = ScopedQuerySet.as_manager()

    class Meta:
        abstract = True
        ordering = ["tanggal", "dicatat", "pk"]


class RiwayatStatus(CaseRecord):
    """A status the case moved to (the first one when it was identified)."""

    # What a bulk write fills (workbook.insert_rows; importer and demo alike), in tuple order.
    bulk_columns = ("kasus", "tanggal", "oleh", "status", "catatan")

    kasus = models.ForeignKey(KasusPMKS, models.CASCADE, related_name="riwayat",
                              verbose_name=_("case"))
    status = models.CharField(_("status"), max_length=16, choices=StatusKasus.choices)
    catatan = models.CharField(_("note"), max_length=300, blank=True)

    class Meta(CaseRecord.Meta):
        verbose_name = _("status change")
        verbose_name_plural = _("status history")

    def __str__(self) -> str:
        return f"{self.tanggal}: {self.get_status_display()}"


class TujuanRujukan(models.TextChoices):
    """Where a case is referred to (seed 002)."""

    DINAS_SOSIAL = "DINAS_SOSIAL", _("Dinas Sosial")
    PANTI = "PANTI", _("Care home (panti)")
    REHABILITASI = "REHABILITASI", _("Ministry: social rehabilitation")
    PEMBERDAYAAN = "PEMBERDAYAAN", _("Ministry: empowerment and poverty")
    PERLINDUNGAN = "PERLINDUNGAN", _("Ministry: protection and social security")
    PUSKESMAS = "PUSKESMAS", _("Puskesmas")
    LAIN = "LAIN", _("Another body")


class Rujukan(CaseRecord):
    """A referral of the case to a service or the ministry."""

    # What a bulk write fills (workbook.insert_rows; importer and demo alike), in tuple order.
    bulk_columns = ("kasus", "tanggal", "oleh", "tujuan", "lembaga", "hasil")

    kasus = models.ForeignKey(KasusPMKS, models.CASCADE, related_name="rujukan",
                              verbose_name=_("case"))
    tujuan = models.CharField(_("referred to"), max_length=16, choices=TujuanRujukan.choices)
    lembaga = models.CharField(_("name of the body"), max_length=200, blank=True)
    hasil = models.CharField(_("outcome"), max_length=300, blank=True)

    class Meta(CaseRecord.Meta):
        verbose_name = _("referral")
        verbose_name_plural = _("referrals")

    def __str__(self) -> str:
        return f"{self.tanggal}: {self.get_tujuan_display()}"


class Tindakan(models.TextChoices):
    LIHAT = "LIHAT", _("viewed a case")
    EKSPOR = "EKSPOR", _("exported cases")


class LogAkses(models.Model):
    """Who looked at a case's page or exported cases, and when (for staff to read)."""

    waktu = models.DateTimeField(_("time"), auto_now_add=True, db_index=True)
    pengguna = models.ForeignKey(settings.AUTH_USER_MODEL, models.SET_NULL, null=True,
                                 related_name="+", verbose_name=_("user"))
    tindakan = models.CharField(_("action"), max_length=8, choices=Tindakan.choices)
    kasus = models.ForeignKey(KasusPMKS, models.SET_NULL, null=True, blank=True,
                              related_name="log_akses", verbose_name=_("case"))
    # Empty for an administrator's export of the whole country: then only administrators read it.
    wilayah = models.ForeignKey(Wilayah, models.PROTECT, null=True, blank=True, related_name="+",
                                verbose_name=_("area"))
    keterangan = models.CharField(_("details"), max_length=300, blank=True)

    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("PMKS access log entry")
        verbose_name_plural = _("PMKS access log")
        ordering = ["-waktu", "-pk"]

    def __str__(self) -> str:
        return f"{self.waktu:%Y-%m-%d %H:%M} {self.pengguna} {self.get_tindakan_display()}"

    @classmethod
    def scope_filter(cls, user) -> Q:
        """Staff and administrators read the log of their area (an export's area may be of any
        level); no one else does."""
        if not access.can_read_access_logs(user):
            return access.NOTHING
        return access.area_filter(user, "wilayah", any_level=True)

    @classmethod
    def catat(cls, user, tindakan, wilayah, kasus=None, keterangan=""):
        """The one function every path that shows a case's full record or exports cases calls
        (a command line's user is no account: logged without one)."""
        return cls.objects.create(pengguna=user if getattr(user, "pk", None) else None,
                                  tindakan=tindakan, wilayah=wilayah, kasus=kasus,
                                  keterangan=keterangan)
