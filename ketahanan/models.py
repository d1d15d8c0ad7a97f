"""Social resilience (seed 002: look – think – act) kept by a village's working group.

- `PokjaTansosmas`: the village's working group for social resilience (Pokja Tansosmas), a body
  of the village like its WKSBM forum: its period and its members (`AnggotaPokja`, each a
  registered person with a position and a term).
- `Pernyataan`: the statements respondents score from 1 to 5, per dimension (reference data
  staff extend). `Penilaian`: an assessment round of a village by its Pokja (its date and the
  Pokja members who ran it); `Responden`: one respondent of a round; `Skor`: one respondent's
  score of one statement.
- `RencanaAksi`: a village's action plan (think); `KegiatanAksi`: one activity of it (act), the
  dimension and indicator it means to move, the responsible groups, its budget and who pays,
  its schedule, its status and what was done.
- `PutaranPantau`: a monitoring round an officer names (a date); imports and approved
  verification rounds are rounds too, read where they are kept (ketahanan.putaran).

The indicators themselves are computed, never stored (ketahanan.indikator).
"""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from bantuan.models import Program
from members.models import Warga
from registry import access, audit
from registry.access import ScopedQuerySet
from registry.models import JenisDana, Perkumpulan, Tingkat, Wilayah


class Dimensi(models.TextChoices):
    """The four dimensions of decree 12/HUK/2006 (the contract's keys)."""

    PERLINDUNGAN = "perlindungan", _("Social protection")
    PARTISIPASI = "partisipasi", _("Participation")
    PENGENDALIAN_KONFLIK = "pengendalian_konflik", _("Conflict control")
    KEARIFAN_LOKAL = "kearifan_lokal", _("Local wisdom")


class Indikator(models.TextChoices):
    """The eleven computed indicators (the contract's keys), each under its dimension
    (`ketahanan.indikator.DIMENSI`)."""

    PMKS_DIDAMPINGI = "pmks_didampingi", _("PMKS cases accompanied")
    PMKS_DIBANTU_12_BULAN = "pmks_dibantu_12_bulan", _("PMKS cases helped in 12 months")
    KATEGORI_TANPA_PENOLONG = "kategori_tanpa_penolong", _("PMKS categories without a helper")
    PERKUMPULAN_BERJEJARING = "perkumpulan_berjejaring", _("Groups in the network")
    WARGA_DEWASA_ANGGOTA = "warga_dewasa_anggota", _("Adults who are members")
    PERKUMPULAN_PER_1000_WARGA = "perkumpulan_per_1000_warga", _("Groups per 1,000 residents")
    KORBAN_KEKERASAN_DIDAMPINGI = "korban_kekerasan_didampingi", _(
        "Victims of violence accompanied")
    FORUM_AKTIF = "forum_aktif", _("Active WKSBM forum")
    NILAI_GOTONG_ROYONG = "nilai_gotong_royong", _("Groups holding gotong royong")
    PRAKARSA_MASYARAKAT = "prakarsa_masyarakat", _("Groups of the community's initiative")
    DANA_KOMUNITAS_AKTIF = "dana_komunitas_aktif", _("Active community funds")


class PokjaTansosmas(models.Model):
    """A village's working group for social resilience (Pokja Tansosmas)."""

    scope_path = "desa"

    desa = models.ForeignKey(
        Wilayah, models.PROTECT, related_name="pokja_tansosmas", verbose_name=_("village"),
        limit_choices_to={"tingkat": Tingkat.DESA})
    nama = models.CharField(_("name"), max_length=200)
    sk_nomor = models.CharField(_("decree (SK) number"), max_length=100, blank=True)
    mulai = models.DateField(_("period starts"))
    selesai = models.DateField(_("period ends"), null=True, blank=True)
    keterangan = models.TextField(_("notes"), blank=True)
    dibuat = models.DateTimeField(_("created"), auto_now_add=True)
    diubah = models.DateTimeField(_("changed"), auto_now=True)

    objects = ScopedQuerySet.as_manager()
    history = audit.history("desa")

    class Meta:
        verbose_name = _("Pokja Tansosmas")
        verbose_name_plural = _("Pokja Tansosmas")
        ordering = ["desa", "-mulai"]
        constraints = [
            models.CheckConstraint(
                condition=Q(selesai__isnull=True) | Q(selesai__gte=models.F("mulai")),
                name="pokja_periode",
                violation_error_message=_("The period cannot end before it starts.")),
        ]

    def __str__(self) -> str:
        return self.nama

    def clean(self) -> None:
        if self.mulai and self.selesai and self.selesai < self.mulai:
            raise ValidationError({"selesai": _("The period cannot end before it starts.")})


class JabatanPokja(models.TextChoices):
    KETUA = "KETUA", _("Chair")
    SEKRETARIS = "SEKRETARIS", _("Secretary")
    BENDAHARA = "BENDAHARA", _("Treasurer")
    ANGGOTA = "ANGGOTA", _("Member")


class AnggotaPokja(models.Model):
    """A member of a Pokja Tansosmas: a registered person, a position, a term."""

    scope_path = "pokja__desa"

    pokja = models.ForeignKey(PokjaTansosmas, models.CASCADE, related_name="anggota",
                              verbose_name=_("Pokja"))
    warga = models.ForeignKey(Warga, models.PROTECT, related_name="jabatan_pokja",
                              verbose_name=_("person"))
    jabatan = models.CharField(_("position"), max_length=12, choices=JabatanPokja.choices,
                               default=JabatanPokja.ANGGOTA)
    unsur = models.CharField(_("represents"), max_length=100, blank=True,
                             help_text=_("e.g. village government, community figure, "
                                         "religious leader, youth, women"))
    mulai = models.DateField(_("from"), null=True, blank=True)
    selesai = models.DateField(_("until"), null=True, blank=True)

    objects = ScopedQuerySet.as_manager()
    history = audit.history()

    class Meta:
        verbose_name = _("Pokja member")
        verbose_name_plural = _("Pokja members")
        ordering = ["pokja", "jabatan", "warga__nama"]
        constraints = [
            models.UniqueConstraint(
                fields=["pokja", "warga"], condition=Q(selesai__isnull=True),
                name="pokja_anggota_satu_kini",
                violation_error_message=_("This person is already a current member.")),
        ]

    def __str__(self) -> str:
        return f"{self.get_jabatan_display()}: {self.warga.nama}"


class Pernyataan(models.Model):
    """A statement respondents score from 1 (strongly disagree) to 5 (strongly agree)."""

    kode = models.CharField(_("code"), max_length=20, unique=True)
    dimensi = models.CharField(_("dimension"), max_length=24, choices=Dimensi.choices)
    teks = models.CharField(_("statement"), max_length=300)
    urutan = models.PositiveSmallIntegerField(_("order"), default=0)
    aktif = models.BooleanField(_("in use"), default=True)

    class Meta:
        verbose_name = _("assessment statement")
        verbose_name_plural = _("assessment statements")
        ordering = ["dimensi", "urutan", "kode"]

    def __str__(self) -> str:
        return f"{self.kode}: {self.teks}"


class Penilaian(models.Model):
    """An assessment round of a village by its Pokja."""

    scope_path = "desa"

    desa = models.ForeignKey(
        Wilayah, models.PROTECT, related_name="penilaian_ketahanan", verbose_name=_("village"),
        limit_choices_to={"tingkat": Tingkat.DESA})
    pokja = models.ForeignKey(PokjaTansosmas, models.PROTECT, null=True, blank=True,
                              related_name="penilaian", verbose_name=_("Pokja"))
    tanggal = models.DateField(_("date"))
    nama = models.CharField(_("name"), max_length=150)
    pelaksana = models.ManyToManyField(AnggotaPokja, blank=True, related_name="penilaian",
                                       verbose_name=_("Pokja members who ran it"))
    catatan = models.TextField(_("notes"), blank=True)
    dibuat = models.DateTimeField(_("created"), auto_now_add=True)
    diubah = models.DateTimeField(_("changed"), auto_now=True)

    objects = ScopedQuerySet.as_manager()
    history = audit.history("desa")

    class Meta:
        verbose_name = _("assessment round")
        verbose_name_plural = _("assessment rounds")
        ordering = ["desa", "-tanggal"]

    def __str__(self) -> str:
        return self.nama


class Responden(models.Model):
    """One respondent of an assessment round: a personal opinion (names shown only to the
    village's officer and staff)."""

    scope_path = "penilaian__desa"
    scope_personal = True
    personal_fields = ("nama", "warga")

    penilaian = models.ForeignKey(Penilaian, models.CASCADE, related_name="responden",
                                  verbose_name=_("assessment round"))
    nomor = models.PositiveIntegerField(_("number"))
    nama = models.CharField(_("name"), max_length=200, blank=True)
    warga = models.ForeignKey(Warga, models.PROTECT, null=True, blank=True, related_name="+",
                              verbose_name=_("person"))
    unsur = models.CharField(_("represents"), max_length=100, blank=True)

    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("respondent")
        verbose_name_plural = _("respondents")
        ordering = ["penilaian", "nomor"]
        constraints = [
            models.UniqueConstraint(fields=["penilaian", "nomor"], name="responden_nomor_unik",
                                    violation_error_message=_(
                                        "This round already has a respondent of this number.")),
        ]

    def __str__(self) -> str:
        return _("Respondent %(n)d") % {"n": self.nomor}


class Skor(models.Model):
    """One respondent's score of one statement, 1 to 5."""

    scope_path = "responden__penilaian__desa"

    responden = models.ForeignKey(Responden, models.CASCADE, related_name="skor",
                                  verbose_name=_("respondent"))
    pernyataan = models.ForeignKey(Pernyataan, models.PROTECT, related_name="+",
                                   verbose_name=_("statement"))
    nilai = models.PositiveSmallIntegerField(
        _("score"), validators=[MinValueValidator(1), MaxValueValidator(5)])

    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("score")
        verbose_name_plural = _("scores")
        constraints = [
            models.UniqueConstraint(fields=["responden", "pernyataan"], name="skor_unik",
                                    violation_error_message=_(
                                        "This respondent already scored this statement.")),
            models.CheckConstraint(condition=Q(nilai__gte=1, nilai__lte=5), name="skor_1_5",
                                   violation_error_message=_("A score is 1 to 5.")),
        ]

    def __str__(self) -> str:
        return f"{self.pernyataan_id}: {self.nilai}"


class RencanaAksi(models.Model):
    """A village's action plan (rencana aksi)."""

    scope_path = "desa"

    desa = models.ForeignKey(
        Wilayah, models.PROTECT, related_name="rencana_aksi", verbose_name=_("village"),
        limit_choices_to={"tingkat": Tingkat.DESA})
    pokja = models.ForeignKey(PokjaTansosmas, models.PROTECT, null=True, blank=True,
                              related_name="rencana", verbose_name=_("Pokja"))
    nama = models.CharField(_("name"), max_length=200)
    mulai = models.DateField(_("period starts"))
    selesai = models.DateField(_("period ends"))
    catatan = models.TextField(_("notes"), blank=True)
    dibuat = models.DateTimeField(_("created"), auto_now_add=True)
    diubah = models.DateTimeField(_("changed"), auto_now=True)

    objects = ScopedQuerySet.as_manager()
    history = audit.history("desa")

    class Meta:
        verbose_name = _("action plan")
        verbose_name_plural = _("action plans")
        ordering = ["desa", "-mulai"]
        constraints = [
            models.CheckConstraint(condition=Q(selesai__gte=models.F("mulai")),
                                   name="rencana_periode",
                                   violation_error_message=_(
                                       "The period cannot end before it starts.")),
        ]

    def __str__(self) -> str:
        return self.nama

    def clean(self) -> None:
        if self.mulai and self.selesai and self.selesai < self.mulai:
            raise ValidationError({"selesai": _("The period cannot end before it starts.")})


class StatusKegiatan(models.TextChoices):
    DIRENCANAKAN = "RENCANA", _("Planned")
    BERJALAN = "BERJALAN", _("Under way")
    SELESAI = "SELESAI", _("Done")
    BATAL = "BATAL", _("Cancelled")


class KegiatanAksi(models.Model):
    """One activity of an action plan."""

    scope_path = "rencana__desa"

    rencana = models.ForeignKey(RencanaAksi, models.CASCADE, related_name="kegiatan",
                                verbose_name=_("action plan"))
    nama = models.CharField(_("activity"), max_length=200)
    dimensi = models.CharField(_("dimension"), max_length=24, choices=Dimensi.choices)
    indikator = models.CharField(_("indicator it means to move"), max_length=32,
                                 choices=Indikator.choices, blank=True)
    penanggung_jawab = models.ManyToManyField(Perkumpulan, blank=True, related_name="+",
                                              verbose_name=_("responsible groups"))
    anggaran = models.PositiveBigIntegerField(_("budget (Rp)"), null=True, blank=True)
    program = models.ForeignKey(Program, models.PROTECT, null=True, blank=True,
                                related_name="+", verbose_name=_("paid by aid programme"))
    dana_perkumpulan = models.ForeignKey(Perkumpulan, models.PROTECT, null=True, blank=True,
                                         related_name="+",
                                         verbose_name=_("paid by the fund of group"))
    jenis_dana = models.CharField(_("fund"), max_length=16, choices=JenisDana.choices,
                                  blank=True)
    mulai = models.DateField(_("starts"))
    selesai = models.DateField(_("ends"))
    status = models.CharField(_("status"), max_length=10, choices=StatusKegiatan.choices,
                              default=StatusKegiatan.DIRENCANAKAN)
    tanggal_selesai = models.DateField(_("done on"), null=True, blank=True)
    hasil = models.TextField(_("what was done"), blank=True)
    dibuat = models.DateTimeField(_("created"), auto_now_add=True)
    diubah = models.DateTimeField(_("changed"), auto_now=True)

    objects = ScopedQuerySet.as_manager()
    history = audit.history("rencana")

    class Meta:
        verbose_name = _("plan activity")
        verbose_name_plural = _("plan activities")
        ordering = ["rencana", "mulai", "nama"]
        constraints = [
            models.CheckConstraint(condition=Q(selesai__gte=models.F("mulai")),
                                   name="kegiatan_jadwal",
                                   violation_error_message=_(
                                       "An activity cannot end before it starts.")),
            models.CheckConstraint(
                condition=~Q(status="SELESAI") | Q(tanggal_selesai__isnull=False),
                name="kegiatan_selesai_bertanggal",
                violation_error_message=_("A finished activity needs the date it was done.")),
            models.CheckConstraint(
                condition=Q(program__isnull=True) | Q(dana_perkumpulan__isnull=True),
                name="kegiatan_satu_pembayar",
                violation_error_message=_(
                    "An activity is paid by an aid programme or by a group's fund, not both.")),
        ]

    def __str__(self) -> str:
        return self.nama

    def clean(self) -> None:
        errors = {}
        if self.mulai and self.selesai and self.selesai < self.mulai:
            errors["selesai"] = _("An activity cannot end before it starts.")
        if self.status == StatusKegiatan.SELESAI and not self.tanggal_selesai:
            errors["tanggal_selesai"] = _("A finished activity needs the date it was done.")
        if self.program_id and self.dana_perkumpulan_id:
            errors["dana_perkumpulan"] = _(
                "An activity is paid by an aid programme or by a group's fund, not both.")
        if self.dana_perkumpulan_id and not self.jenis_dana:
            errors["jenis_dana"] = _("Name the group's fund that pays.")
        if self.indikator and self.dimensi:
            from ketahanan.indikator import DIMENSI

            if self.indikator not in DIMENSI.get(self.dimensi, ()):
                errors["indikator"] = _("This indicator belongs to another dimension.")
        if errors:
            raise ValidationError(errors)


class PutaranPantau(models.Model):
    """A monitoring round named by an officer: a moment of an area the registry is looked at
    as it stood then."""

    scope_path = "wilayah"
    scope_any_level = True

    wilayah = models.ForeignKey(Wilayah, models.PROTECT, related_name="putaran_pantau",
                                verbose_name=_("area"))
    nama = models.CharField(_("name"), max_length=150)
    tanggal = models.DateField(_("date"))
    dibuat_oleh = models.ForeignKey(settings.AUTH_USER_MODEL, models.SET_NULL, null=True,
                                    blank=True, related_name="+", verbose_name=_("named by"))
    dibuat = models.DateTimeField(_("created"), auto_now_add=True)

    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("monitoring round")
        verbose_name_plural = _("monitoring rounds")
        ordering = ["wilayah", "tanggal"]

    def __str__(self) -> str:
        return f"{self.nama} ({self.tanggal:%d-%m-%Y})"

    @classmethod
    def scope_filter(cls, user) -> Q:
        """Seen within its area and from every area within it (a district's round from its
        villages)."""
        return access.within_or_above(user, "wilayah")

    @classmethod
    def edit_filter(cls, user) -> Q:
        return access.area_filter(user, "wilayah", any_level=True)
