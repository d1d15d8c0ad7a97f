from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Count, Q, Sum
from django.db.models.functions import Lower
from django.utils.translation import gettext_lazy as _

from members.models import Warga
from registry import audit, validators
from registry.access import ScopedQuerySet
from registry.models import JenisDana, Perkumpulan, Tingkat, Wilayah


class JenisMitra(models.TextChoices):
    PERKUMPULAN = "PERKUMPULAN", _("Community group")
    ORGANISASI_SOSIAL = "ORSOS", _("Social organisation")
    PEMERINTAH = "PEMERINTAH", _("Government")
    DUNIA_USAHA = "CSR", _("Business/CSR")
    LSM = "LSM", _("NGO (LSM)")


class BentukHubungan(models.TextChoices):
    KOORDINASI = "KOORDINASI", _("Coordination")
    RUJUKAN = "RUJUKAN", _("Referral")
    BERBAGI = "BERBAGI", _("Sharing resources")
    BERJENJANG = "BERJENJANG", _("Hierarchical (vertical)")
    SEJENIS = "SEJENIS", _("Same kind (horizontal)")


class Mitra(models.Model):
    """An outside partner of the groups: a government office, a social organisation, a firm."""

    # What a bulk write fills (workbook.insert_rows; importer and demo alike), in tuple order.
    bulk_columns = ("nama", "jenis", "wilayah", "keterangan")

    scope_path = "wilayah"

    nama = models.CharField(_("name"), max_length=200)
    jenis = models.CharField(
        _("partner type"),
        max_length=12,
        choices=[c for c in JenisMitra.choices if c[0] != JenisMitra.PERKUMPULAN],
    )
    wilayah = models.ForeignKey(
        Wilayah,
        models.PROTECT,
        related_name="mitra",
        verbose_name=_("area"),
        help_text=_(
            "Where the partner is recorded: a village, or a larger area for a district office."
        ),
    )
    keterangan = models.CharField(_("note"), max_length=300, blank=True)

    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("outside partner")
        verbose_name_plural = _("outside partners")
        ordering = ["nama"]
        constraints = [
            models.UniqueConstraint(fields=["nama", "wilayah"], name="mitra_nama_wilayah_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.nama} ({self.get_jenis_display()})"

    @classmethod
    def scope_filter(cls, user):
        """Partners recorded within the user's area, or at any area above it (a kabupaten's
        Dinas Sosial is a partner of every village in the kabupaten)."""
        from registry import access

        above = Q()
        if user.wilayah_id:
            codes = user.wilayah.kode.split(".")
            above = Q(wilayah_id__in=[".".join(codes[:i]) for i in range(1, len(codes))])
        return access.area_filter(user, "wilayah", any_level=True) | above

    @classmethod
    def edit_filter(cls, user):
        """Changed (renamed, moved, deleted) only by whoever may write its own area
        (access.may_write_area): a village's operator links its groups to the district office,
        but does not rename it."""
        from registry import access

        return access.area_filter(user, "wilayah", any_level=True)


class Hubungan(models.Model):
    """A working link from a group to another group or to an outside partner."""

    # What a bulk write fills (workbook.insert_rows; importer and demo alike), in tuple order.
    bulk_columns = ("perkumpulan", "mitra_perkumpulan", "mitra_luar", "bentuk", "keterangan")

    scope_path = "perkumpulan__desa"
    scope_any_level = True  # a group may sit above the village (registry.access)

    perkumpulan = models.ForeignKey(
        Perkumpulan, models.CASCADE, related_name="hubungan", verbose_name=_("group")
    )
    mitra_perkumpulan = models.ForeignKey(
        Perkumpulan,
        models.CASCADE,
        null=True,
        blank=True,
        related_name="hubungan_masuk",
        verbose_name=_("partner group"),
    )
    mitra_luar = models.ForeignKey(
        Mitra,
        models.CASCADE,
        null=True,
        blank=True,
        related_name="hubungan",
        verbose_name=_("outside partner"),
    )
    bentuk = models.CharField(
        _("form of the link"), max_length=12, choices=BentukHubungan.choices, blank=True
    )
    keterangan = models.CharField(_("note"), max_length=300, blank=True)
    dibuat = models.DateTimeField(_("created"), auto_now_add=True)
    diubah = models.DateTimeField(_("changed"), auto_now=True)

    objects = ScopedQuerySet.as_manager()
    history = audit.history("mitra_luar")

    class Meta:
        verbose_name = _("working link")
        verbose_name_plural = _("working links")
        ordering = ["perkumpulan"]
        constraints = [
            models.CheckConstraint(
                condition=(Q(mitra_perkumpulan__isnull=False) & Q(mitra_luar__isnull=True))
                | (Q(mitra_perkumpulan__isnull=True) & Q(mitra_luar__isnull=False)),
                name="link_has_one_partner",
            ),
            models.CheckConstraint(
                condition=~Q(mitra_perkumpulan=models.F("perkumpulan")),
                name="link_not_to_itself",
            ),
            # The survey importer's key: (group, partner, form).
            models.UniqueConstraint(
                fields=["perkumpulan", "mitra_perkumpulan", "bentuk"],
                condition=Q(mitra_perkumpulan__isnull=False),
                name="link_group_unique",
            ),
            models.UniqueConstraint(
                fields=["perkumpulan", "mitra_luar", "bentuk"],
                condition=Q(mitra_luar__isnull=False),
                name="link_partner_unique",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.perkumpulan} → {self.mitra}"

    @property
    def mitra(self):
        return self.mitra_perkumpulan or self.mitra_luar

    @property
    def jenis_mitra(self) -> str:
        return JenisMitra.PERKUMPULAN if self.mitra_perkumpulan_id else self.mitra_luar.jenis

    def clean(self) -> None:
        if bool(self.mitra_perkumpulan_id) == bool(self.mitra_luar_id):
            raise ValidationError(
                _("Choose either a partner group or an outside partner, not both."),
                code="one_partner",
            )
        if self.mitra_perkumpulan_id and self.mitra_perkumpulan_id == self.perkumpulan_id:
            raise ValidationError(
                {"mitra_perkumpulan": _("A group cannot be linked to itself.")}, code="self_link"
            )


class Mekanisme(models.TextChoices):
    """How a village's WKSBM is run (seed 003)."""

    TIM_PELAKSANA = "TIM", _("Implementation team (Tim Pelaksana)")
    DEWAN = "DEWAN", _("Council / mediator (Dewan)")
    CARE_TAKER = "CARETAKER", _("Care taker")
    KEPANITIAAN = "PANITIA", _("Committee (kepanitiaan)")
    LAINNYA = "LAINNYA", _("Other")


class TingkatForum(models.TextChoices):
    """Where a WKSBM works (seed 003, Kedudukan): the whole village, or one of its RW, RT or
    dukuh."""

    DESA = "DESA", _("Village (desa/kelurahan)")
    RW = "RW", _("RW")
    RT = "RT", _("RT")
    DUKUH = "DUKUH", _("Dukuh")


# The order of the levels on a village's page: the village first, then the smaller units.
TINGKAT_URUTAN = {TingkatForum.DESA: 0, TingkatForum.RW: 1, TingkatForum.RT: 1,
                  TingkatForum.DUKUH: 2}


class Forum(models.Model):
    """A WKSBM forum that knits groups into one network: the village's own (at most one per
    village), or one working at an RW, an RT within an RW, or a dukuh of the village."""

    # What a bulk write fills (workbook.insert_rows; importer and demo alike), in tuple order.
    # The level columns have database defaults (a village-level forum): a bulk write of a forum
    # below the village names them too (fields=(*bulk_columns, *LEVEL_COLUMNS)).
    bulk_columns = ("desa", "nama", "mekanisme", "tanggal_dibentuk", "keterangan")
    LEVEL_COLUMNS = ("tingkat", "rw", "rt", "dukuh")

    scope_path = "desa"

    desa = models.ForeignKey(
        Wilayah,
        models.PROTECT,
        related_name="forum_wksbm",
        verbose_name=_("village"),
        limit_choices_to={"tingkat": Tingkat.DESA},
    )
    tingkat = models.CharField(
        _("level"), max_length=5, choices=TingkatForum.choices, default=TingkatForum.DESA,
        db_default=TingkatForum.DESA,
        help_text=_("Where the forum works: the whole village, or one RW, RT or dukuh of it."),
    )
    rw = models.PositiveSmallIntegerField(
        _("RW"), null=True, blank=True, validators=[validators.validate_rw_rt],
        help_text=_("The RW of an RW or RT forum."),
    )
    rt = models.PositiveSmallIntegerField(
        _("RT"), null=True, blank=True, validators=[validators.validate_rw_rt],
        help_text=_("The RT (within its RW) of an RT forum."),
    )
    dukuh = models.CharField(
        _("dukuh"), max_length=100, blank=True, default="", db_default="",
        help_text=_("The name of the dukuh of a dukuh forum."),
    )
    nama = models.CharField(_("name"), max_length=200)
    mekanisme = models.CharField(
        _("management mechanism"), max_length=10, choices=Mekanisme.choices
    )
    tanggal_dibentuk = models.DateField(_("formed on"), null=True, blank=True)
    anggota = models.ManyToManyField(
        Perkumpulan, blank=True, related_name="forum", verbose_name=_("member groups")
    )
    keterangan = models.TextField(_("notes"), blank=True)
    dibuat = models.DateTimeField(_("created"), auto_now_add=True)
    diubah = models.DateTimeField(_("changed"), auto_now=True)

    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("WKSBM forum")
        verbose_name_plural = _("WKSBM forums")
        ordering = ["desa", "rw", "rt", "dukuh"]
        constraints = [
            models.UniqueConstraint(
                fields=["desa"], condition=Q(tingkat="DESA"), name="forum_satu_per_desa",
                violation_error_message=_("This village already has its village-level forum."),
            ),
            models.UniqueConstraint(
                fields=["desa", "rw"], condition=Q(tingkat="RW"), name="forum_rw_unik",
                violation_error_message=_("This village already has a forum for this RW."),
            ),
            models.UniqueConstraint(
                fields=["desa", "rw", "rt"], condition=Q(tingkat="RT"), name="forum_rt_unik",
                violation_error_message=_(
                    "This village already has a forum for this RT of this RW."),
            ),
            models.UniqueConstraint(
                "desa", Lower("dukuh"), condition=Q(tingkat="DUKUH"), name="forum_dukuh_unik",
                violation_error_message=_("This village already has a forum for this dukuh."),
            ),
            # Each level names exactly the place it needs: an RW; an RW and an RT; a dukuh;
            # nothing for the village.
            models.CheckConstraint(
                condition=(
                    Q(tingkat="DESA", rw__isnull=True, rt__isnull=True, dukuh="")
                    | Q(tingkat="RW", rw__isnull=False, rt__isnull=True, dukuh="")
                    | Q(tingkat="RT", rw__isnull=False, rt__isnull=False, dukuh="")
                    | (Q(tingkat="DUKUH", rw__isnull=True, rt__isnull=True) & ~Q(dukuh=""))
                ),
                name="forum_tingkat_tempat",
                violation_error_message=_(
                    "An RW forum names its RW, an RT forum its RW and RT, a dukuh forum its "
                    "dukuh; a village-level forum none of them."),
            ),
        ]

    def __str__(self) -> str:
        return self.nama

    @staticmethod
    def member_choices(desa):
        """The groups a forum of `desa` (a Wilayah or its code) may count as members: the
        village's active groups. The web's form and the admin take these and no other."""
        return Perkumpulan.objects.filter(desa=desa, aktif=True)

    @property
    def tempat(self) -> str:
        """Where the forum works, as a village's officer says it: "RW 3", "RT 2 / RW 3",
        "Dukuh Krajan", or the village's level."""
        if self.tingkat == TingkatForum.RW:
            return _("RW %(rw)s") % {"rw": self.rw}
        if self.tingkat == TingkatForum.RT:
            return _("RT %(rt)s / RW %(rw)s") % {"rt": self.rt, "rw": self.rw}
        if self.tingkat == TingkatForum.DUKUH:
            return _("Dukuh %(dukuh)s") % {"dukuh": self.dukuh}
        return str(TingkatForum.DESA.label)

    @property
    def urutan(self) -> tuple:
        """Its place on the village's page: the village first, then RW by RW (each RW's own
        forum before its RTs), then the dukuh by name."""
        return (TINGKAT_URUTAN[self.tingkat], self.rw or 0, self.rt or 0,
                self.dukuh.casefold(), self.pk or 0)

    def clean(self) -> None:
        self.dukuh = " ".join(self.dukuh.split())
        if self.tingkat not in TingkatForum.values:
            return  # told at the level's own field
        errors = {}
        needs = {TingkatForum.RW: ("rw",), TingkatForum.RT: ("rw", "rt"),
                 TingkatForum.DUKUH: ("dukuh",)}.get(self.tingkat, ())
        for name in needs:
            if getattr(self, name) in (None, ""):
                errors[name] = ValidationError(
                    _("A forum at this level needs this."), code="required")
        for name in ("rw", "rt", "dukuh"):
            if name not in needs and getattr(self, name) not in (None, ""):
                errors[name] = ValidationError(
                    _("Leave this empty for a forum at this level."), code="not_at_level")
        if errors:
            raise ValidationError(errors)


def mark_village_level(forums) -> int:
    """The migration's step: every forum recorded before forums had levels was the village's
    one forum, so it becomes the village-level forum of its village (its members, leaders,
    meetings and funds stay with it). `forums`: the model's manager (historical or current)."""
    return forums.exclude(tingkat="DESA").filter(
        rw__isnull=True, rt__isnull=True, dukuh="").update(tingkat="DESA")


class PengurusForum(models.Model):
    """A leader of the village's WKSBM forum (village head, RT/RW leaders, community figures)."""

    # What a bulk write fills (workbook.insert_rows; importer and demo alike), in tuple order.
    bulk_columns = ("forum", "warga", "jabatan", "mulai", "selesai")

    scope_path = "forum__desa"

    forum = models.ForeignKey(
        Forum, models.CASCADE, related_name="pengurus", verbose_name=_("forum")
    )
    warga = models.ForeignKey(
        Warga, models.PROTECT, related_name="jabatan_forum", verbose_name=_("person")
    )
    jabatan = models.CharField(_("position"), max_length=100)
    mulai = models.DateField(_("from"), null=True, blank=True)
    selesai = models.DateField(_("until"), null=True, blank=True)

    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("forum leader")
        verbose_name_plural = _("forum leaders")
        ordering = ["forum", "jabatan"]

    def __str__(self) -> str:
        return f"{self.jabatan}: {self.warga.nama}"


class JenisPertemuan(models.TextChoices):
    RUTIN = "RUTIN", _("Routine")
    INSIDENTAL = "INSIDENTAL", _("Incidental")


class PertemuanForum(models.Model):
    """A meeting of the village's WKSBM forum (seed 003: routine or called for a case)."""

    # What a bulk write fills (workbook.insert_rows; importer and demo alike), in tuple order.
    bulk_columns = ("forum", "tanggal", "jenis", "hadir", "notulen")

    scope_path = "forum__desa"

    forum = models.ForeignKey(
        Forum, models.CASCADE, related_name="pertemuan", verbose_name=_("forum")
    )
    tanggal = models.DateField(_("date"), validators=[validators.validate_not_future])
    jenis = models.CharField(_("kind"), max_length=10, choices=JenisPertemuan.choices)
    hadir = models.PositiveIntegerField(_("attendance"), null=True, blank=True,
                                        help_text=_("How many people came."))
    notulen = models.TextField(_("minutes"), blank=True)

    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("forum meeting")
        verbose_name_plural = _("forum meetings")
        ordering = ["-tanggal", "-pk"]

    def __str__(self) -> str:
        return f"{self.tanggal}: {self.get_jenis_display()}"


class DanaQuerySet(ScopedQuerySet):
    def per_jenis(self, *by: str) -> list[dict]:
        """The entries summed by fund kind (and by the fields `by`), in the list's order: each
        row with the kind's name, what was collected and spent, the balance and the number of
        entries. One query."""
        names = dict(JenisDana.choices)
        order = {value: i for i, value in enumerate(JenisDana.values)}
        rows = (self.order_by().values(*by, "jenis")
                .annotate(terkumpul=Sum("terkumpul"), dipakai=Sum("dipakai"), catatan=Count("pk")))
        found = [{**row, "nama": names.get(row["jenis"], row["jenis"]),
                  "saldo": row["terkumpul"] - row["dipakai"]} for row in rows]
        return sorted(found, key=lambda r: (*(r[name] for name in by), order.get(r["jenis"], 99)))


class CatatanDana(models.Model):
    """What one fund collected and spent over a period (one entry each): the shape the forum's
    funds and the groups' own funds share. The balance is not stored: it is what was collected
    less what was spent (`saldo`), as the seeds speak of funds collected and used."""

    jenis = models.CharField(_("fund"), max_length=16, choices=JenisDana.choices)
    tanggal = models.DateField(_("date"), validators=[validators.validate_not_future],
                               help_text=_("The end of the period the entry covers."))
    terkumpul = models.PositiveBigIntegerField(_("collected (Rp)"), default=0)
    dipakai = models.PositiveBigIntegerField(_("spent (Rp)"), default=0)
    keterangan = models.CharField(_("note"), max_length=300, blank=True)

    objects = DanaQuerySet.as_manager()

    class Meta:
        abstract = True
        ordering = ["-tanggal", "-pk"]

    def __str__(self) -> str:
        return f"{self.get_jenis_display()} {self.tanggal}"

    @property
    def saldo(self) -> int:
        """The balance of the period: collected less spent (negative when more was spent)."""
        return (self.terkumpul or 0) - (self.dipakai or 0)


class DanaKomunitas(CatatanDana):
    """What a community fund of the forum collected and spent over a period (one entry each)."""

    # What a bulk write fills (workbook.insert_rows; importer and demo alike), in tuple order.
    bulk_columns = ("forum", "jenis", "tanggal", "terkumpul", "dipakai", "keterangan")

    scope_path = "forum__desa"

    forum = models.ForeignKey(Forum, models.CASCADE, related_name="dana",
                              verbose_name=_("forum"))

    class Meta(CatatanDana.Meta):
        verbose_name = _("community fund entry")
        verbose_name_plural = _("community funds")


class DanaPerkumpulan(CatatanDana):
    """What a fund a group runs itself (dues, arisan, simpan-pinjam, a death fund, jimpitan…)
    collected and spent over a period (seed 004, D–E): one entry per fund and period end."""

    # What a bulk write fills (workbook.insert_rows; importer and demo alike), in tuple order.
    bulk_columns = ("perkumpulan", "jenis", "tanggal", "terkumpul", "dipakai", "keterangan")

    scope_path = "perkumpulan__desa"
    scope_any_level = True  # as its group (access.within)

    perkumpulan = models.ForeignKey(Perkumpulan, models.CASCADE, related_name="dana",
                                    verbose_name=_("group"))
    dibuat = models.DateTimeField(_("created"), auto_now_add=True)
    diubah = models.DateTimeField(_("changed"), auto_now=True)

    history = audit.history()

    class Meta(CatatanDana.Meta):
        verbose_name = _("group fund entry")
        verbose_name_plural = _("group funds")
        constraints = [
            # The survey importer's key: (group, fund, period end).
            models.UniqueConstraint(
                fields=["perkumpulan", "jenis", "tanggal"], name="dana_perkumpulan_unik",
                violation_error_message=_(
                    "This group already has an entry of this fund for this period."),
            ),
        ]
        # The recap's Table 12 reads the entries of one year, starting from the year's rows.
        indexes = [models.Index(fields=["tanggal", "perkumpulan"], name="dana_perk_tanggal_idx")]
