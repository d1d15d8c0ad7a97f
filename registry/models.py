import datetime
import re
from collections import Counter

from django.contrib.auth.models import AbstractUser, UserManager
from django.core.exceptions import ValidationError
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from registry import audit, validators
from registry.access import Peran, ScopedQuerySet


class Tingkat(models.TextChoices):
    PROVINSI = "provinsi", _("Province")
    KABUPATEN = "kabupaten", _("Regency/City")
    KECAMATAN = "kecamatan", _("District (kecamatan)")
    DESA = "desa", _("Village (desa/kelurahan)")


# The level of an area follows from how many parts its dotted code has.
TINGKAT_BY_PARTS = {
    1: Tingkat.PROVINSI,
    2: Tingkat.KABUPATEN,
    3: Tingkat.KECAMATAN,
    4: Tingkat.DESA,
}


class WilayahQuerySet(models.QuerySet):
    def visible_to(self, user) -> "WilayahQuerySet":
        """Areas a user works in: their own area and everything within it."""
        from registry import access

        return self.filter(access.area_filter(user, "self"))

    def editable_by(self, user) -> "WilayahQuerySet":
        """The areas `user` may write records of (`access.may_write_area`, as a queryset)."""
        from registry import access

        return self.visible_to(user) if access.can_edit(user) else self.none()

    def desa(self) -> "WilayahQuerySet":
        return self.filter(tingkat=Tingkat.DESA)


class Wilayah(models.Model):
    """An official administrative area (Kemendagri code), from province down to desa/kelurahan."""

    kode = models.CharField(
        _("code"), max_length=13, primary_key=True, validators=[validators.validate_kode_wilayah]
    )
    nama = models.CharField(_("name"), max_length=100)
    tingkat = models.CharField(_("level"), max_length=10, choices=Tingkat.choices)
    induk = models.ForeignKey(
        "self", models.PROTECT, null=True, blank=True, related_name="anak", verbose_name=_("parent")
    )
    # Every ancestor is stored on the row, so "everything within area X" is one indexed equality
    # (filtering on a code prefix with LIKE defeats SQLite's planner).
    provinsi = models.ForeignKey(
        "self", models.PROTECT, null=True, blank=True, related_name="+", verbose_name=_("province")
    )
    kabupaten = models.ForeignKey(
        "self",
        models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("regency/city"),
    )
    kecamatan = models.ForeignKey(
        "self",
        models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("district"),
    )

    objects = WilayahQuerySet.as_manager()

    class Meta:
        verbose_name = _("area")
        verbose_name_plural = _("areas")
        ordering = ["kode"]

    def __str__(self) -> str:
        return f"{self.kode} {self.nama}"

    @property
    def is_kelurahan(self) -> bool:
        """Kelurahan (urban) codes have a 4th part 1xxx, desa (rural) 2xxx."""
        return self.tingkat == Tingkat.DESA and self.kode.split(".")[3].startswith("1")

    @property
    def tingkat_label(self) -> str:
        if self.tingkat == Tingkat.DESA:
            return "kelurahan" if self.is_kelurahan else "desa"
        return self.tingkat

    def contains(self, other: "Wilayah") -> bool:
        """True if `other` is this area or lies within it."""
        return other.kode == self.kode or other.kode.startswith(self.kode + ".")

    @staticmethod
    def ancestor_codes(kode: str) -> dict[str, str | None]:
        """The ancestors' codes of an area code, keyed by field name."""
        parts = kode.split(".")
        return {
            "induk_id": ".".join(parts[:-1]) or None,
            "provinsi_id": parts[0] if len(parts) > 1 else None,
            "kabupaten_id": ".".join(parts[:2]) if len(parts) > 2 else None,
            "kecamatan_id": ".".join(parts[:3]) if len(parts) > 3 else None,
        }

    def clean(self) -> None:
        parts = self.kode.split(".")
        self.tingkat = TINGKAT_BY_PARTS[len(parts)]
        for field, value in self.ancestor_codes(self.kode).items():
            setattr(self, field, value)


class KodeManager(models.Manager):
    """Reference rows are found by their code, so fixtures reload them without duplicates."""

    def get_by_natural_key(self, kode):
        return self.get(kode=kode)


class Referensi(models.Model):
    """A reference-list entry that staff may extend: a stable code, a name and other spellings."""

    kode = models.CharField(_("code"), max_length=20)
    nama = models.CharField(_("name"), max_length=120)
    alias = models.CharField(
        _("aliases"),
        max_length=300,
        blank=True,
        help_text=_("Other spellings accepted on import, separated by “;”."),
    )
    keterangan = models.CharField(_("description"), max_length=300, blank=True)
    urutan = models.PositiveSmallIntegerField(_("order"), default=0)

    objects = KodeManager()

    class Meta:
        abstract = True
        ordering = ["urutan", "nama"]

    def __str__(self) -> str:
        return self.nama

    def natural_key(self):
        return (self.kode,)

    def spellings(self) -> list[str]:
        return [self.kode, self.nama, *validators.split_multi(self.alias.replace(",", ";"))]

    @classmethod
    def lookup(cls, queryset=None) -> dict[str, "Referensi"]:
        """All spellings of the entries (one query), for matching many values at once."""
        rows = queryset if queryset is not None else cls.objects.all()
        return validators.build_lookup((row, row.spellings()) for row in rows)


class JenisPerkumpulan(Referensi):
    """A group type (Dasa Wisma, Posyandu, …): seeded with the 17 of seed 004, extended by staff."""

    class Meta(Referensi.Meta):
        verbose_name = _("group type")
        verbose_name_plural = _("group types")
        constraints = [models.UniqueConstraint(fields=["kode"], name="jenis_kode_unique")]


class Daftar(models.TextChoices):
    """The extensible lists of the survey workbook, kept in one table."""

    TUJUAN = "tujuan", _("purpose")
    SYARAT = "syarat", _("membership requirement")
    SUMBER_DANA = "sumber_dana", _("source of funds")
    NILAI = "nilai", _("solidarity value")
    KEGIATAN = "kegiatan", _("activity")


class PilihanManager(models.Manager):
    def get_by_natural_key(self, daftar, kode):
        return self.get(daftar=daftar, kode=kode)


class Pilihan(Referensi):
    """One value of one of the survey's extensible lists (purposes, funds, activities, …)."""

    daftar = models.CharField(_("list"), max_length=20, choices=Daftar.choices)

    objects = PilihanManager()

    class Meta(Referensi.Meta):
        verbose_name = _("list value")
        verbose_name_plural = _("list values")
        ordering = ["daftar", "urutan", "nama"]
        constraints = [
            models.UniqueConstraint(fields=["daftar", "kode"], name="pilihan_kode_unique"),
        ]

    def natural_key(self):
        return (self.daftar, self.kode)


class JaringanKerja(models.TextChoices):
    ORGANISASI_SOSIAL = "ORSOS", _("Social organisations")
    PEMERINTAH = "PEMERINTAH", _("Government")
    TIDAK_ADA = "TIDAK", _("None")


class Prakarsa(models.TextChoices):
    MASYARAKAT = "MASYARAKAT", _("Community")
    PEMERINTAH = "PEMERINTAH", _("Government")


class JenisDana(models.TextChoices):
    """The one list of funds and where money comes from: the funds a group or a forum collects
    (seed 003, Aktivitas; seed 004, D–E), the sources of the PMKS help, and of the aid
    programmes. The codes are those the forum's funds and the PMKS help have always stored."""

    IURAN = "IURAN", _("Members' dues")
    ARISAN = "ARISAN", _("Arisan")
    SIMPAN_PINJAM = "SIMPAN_PINJAM", _("Savings and loans (simpan-pinjam)")
    DANA_KEMATIAN = "DANA_KEMATIAN", _("Death fund (dana kematian)")
    JIMPITAN = "JIMPITAN", _("Rice collection (jimpitan beras)")
    SUMBANGAN = "SUMBANGAN", _("Donations of the community (sumbangan)")
    ZAKAT_INFAK = "ZAKAT_INFAK", _("Zakat/infak")
    DANA_DESA = "DANA_DESA", _("Village funds (Dana Desa)")
    PEMERINTAH = "PEMERINTAH", _("Government (APBN/APBD)")
    CSR = "CSR", _("Company (CSR)")
    LAIN = "LAIN", _("Other")


class PerkumpulanManager(models.Manager.from_queryset(ScopedQuerySet)):
    def get_by_natural_key(self, kode):
        return self.get(kode=kode)


# A group's decree (SK) ending within this many days is listed for the officer (and so is one
# that has ended).
SK_WARNING_DAYS = 60


class Perkumpulan(models.Model):
    """A community group (perkumpulan / pranata sosial) of one area: a desa/kelurahan, or — for a
    group organised above the village, like a kecamatan's BKB (seed 004) — a kecamatan,
    kabupaten/kota or province. The field keeps its name `desa` (the workbook's column too)."""

    # What a bulk write fills (workbook.insert_rows; importer and demo alike), in tuple order.
    bulk_columns = (
        "kode", "nama", "jenis", "desa", "rw", "rt", "tahun_berdiri", "tujuan", "jumlah_anggota",
        "masa_kepengurusan", "jaringan_kerja", "prakarsa", "aktif",
    )

    scope_path = "desa"
    scope_any_level = True  # a group may sit at any level (access.within)

    kode = models.CharField(
        _("group code"),
        max_length=validators.KODE_PERKUMPULAN_MAX,
        unique=True,
        validators=[validators.validate_kode_perkumpulan],
        help_text=_("A stable code, unique in the registry, e.g. CBR-DW-001."),
    )
    nama = models.CharField(_("name"), max_length=200)
    jenis = models.ForeignKey(
        JenisPerkumpulan, models.PROTECT, related_name="perkumpulan", verbose_name=_("type"),
        db_index=False,  # perk_jenis_kode_idx leads with it
    )
    desa = models.ForeignKey(
        Wilayah,
        models.PROTECT,
        related_name="perkumpulan",
        verbose_name=_("area"),
        help_text=_(
            "The desa/kelurahan of the group; a kecamatan, kabupaten/kota or province for a group "
            "organised above the village."
        ),
    )
    rw = models.PositiveSmallIntegerField(
        _("RW"), null=True, blank=True, validators=[validators.validate_rw_rt]
    )
    rt = models.PositiveSmallIntegerField(
        _("RT"), null=True, blank=True, validators=[validators.validate_rw_rt]
    )
    tahun_berdiri = models.PositiveSmallIntegerField(
        _("year founded"), validators=[validators.validate_tahun]
    )
    tujuan = models.ForeignKey(
        Pilihan,
        models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        limit_choices_to={"daftar": Daftar.TUJUAN},
        verbose_name=_("purpose"),
    )
    jumlah_anggota = models.PositiveIntegerField(
        _("declared number of members"), null=True, blank=True
    )
    syarat_keanggotaan = models.ManyToManyField(
        Pilihan,
        blank=True,
        related_name="+",
        limit_choices_to={"daftar": Daftar.SYARAT},
        verbose_name=_("membership requirements"),
    )
    masa_kepengurusan = models.PositiveSmallIntegerField(
        _("years the current board has served"), null=True, blank=True
    )
    sumber_dana = models.ManyToManyField(
        Pilihan,
        blank=True,
        related_name="+",
        limit_choices_to={"daftar": Daftar.SUMBER_DANA},
        verbose_name=_("sources of funds"),
    )
    jaringan_kerja = models.CharField(
        _("main working network"), max_length=10, choices=JaringanKerja.choices, blank=True
    )
    nilai_solidaritas = models.ManyToManyField(
        Pilihan,
        blank=True,
        related_name="+",
        limit_choices_to={"daftar": Daftar.NILAI},
        verbose_name=_("solidarity values"),
    )
    kegiatan = models.ManyToManyField(
        Pilihan,
        blank=True,
        related_name="+",
        limit_choices_to={"daftar": Daftar.KEGIATAN},
        verbose_name=_("activities"),
    )
    prakarsa = models.CharField(
        _("initiated by"), max_length=10, choices=Prakarsa.choices, blank=True
    )
    aktif = models.BooleanField(_("active"), default=True)
    # The decree (SK) that set the group up: its number, date and the end of its term.
    sk_nomor = models.CharField(_("decree (SK) number"), max_length=100, blank=True,
                                db_default="")  # bulk writes (insert_rows) leave it out
    sk_tanggal = models.DateField(_("decree date"), null=True, blank=True)
    sk_berlaku_sampai = models.DateField(
        _("decree valid until"), null=True, blank=True,
        help_text=_("The last day of the decree's term."))
    dibuat = models.DateTimeField(_("created"), auto_now_add=True)
    diubah = models.DateTimeField(_("changed"), auto_now=True)

    objects = PerkumpulanManager()
    history = audit.history("kode", "desa", "jenis", "tujuan")

    class Meta:
        verbose_name = _("community group")
        verbose_name_plural = _("community groups")
        ordering = ["kode"]
        indexes = [
            # The recap counts active groups of an area by type and founding year.
            models.Index(fields=["desa", "aktif", "jenis", "tahun_berdiri"], name="perk_recap_idx"),
            models.Index(fields=["nama"], name="perk_nama_idx"),
            # The list's search by name or code reads the index alone, area by area.
            models.Index(fields=["desa", "nama", "kode"], name="perk_cari_idx"),
            # The dashboard's latest changes: of a village, of a larger area.
            models.Index(fields=["desa", "diubah"], name="perk_desa_diubah_idx"),
            models.Index(fields=["diubah"], name="perk_diubah_idx"),
            # Groups whose decree runs out soon, area by area.
            models.Index(fields=["desa", "sk_berlaku_sampai"], name="perk_sk_idx"),
            # The list of one type sorted by founding year (a province's 339,026 Dasa Wisma): the
            # first page read in order from the index rather than all of them sorted.
            models.Index(fields=["jenis", "tahun_berdiri", "kode"], name="perk_jenis_tahun_idx"),
            # The list of one type in its default order (by code), any page: read in order.
            models.Index(fields=["jenis", "kode"], name="perk_jenis_kode_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.kode} {self.nama}"

    def natural_key(self):
        return (self.kode,)

    @classmethod
    def from_db(cls, db, field_names, values):
        instance = super().from_db(db, field_names, values)
        # The recap of the village a group leaves is stale too, and a save that changes none of
        # the fields the recap counts changes no count (see registry.rekap).
        instance.desa_tersimpan = instance.__dict__.get("desa_id")
        from registry.rekap import counted_values

        instance.rekap_tersimpan = counted_values(instance)
        return instance

    def clean(self) -> None:
        super().clean()
        if self.sk_tanggal and self.sk_berlaku_sampai and \
                self.sk_berlaku_sampai < self.sk_tanggal:
            raise ValidationError({"sk_berlaku_sampai": _(
                "The decree cannot end before its date.")}, code="perk_sk_urut")

    def sk_sisa_hari(self, today: datetime.date | None = None) -> int | None:
        """Days until the decree's term ends (0 on its last day, negative once it has ended);
        None without an end date."""
        if self.sk_berlaku_sampai is None:
            return None
        return (self.sk_berlaku_sampai - (today or timezone.localdate())).days

    @property
    def sk_sisa(self) -> int | None:
        return self.sk_sisa_hari()

    @property
    def sk_segera_berakhir(self) -> bool:
        """The decree ends within SK_WARNING_DAYS days, or has ended."""
        left = self.sk_sisa
        return left is not None and left <= SK_WARNING_DAYS

    @property
    def di_atas_desa(self) -> bool:
        """True for a group organised above the village (its area is a kecamatan or larger)."""
        return bool(self.desa_id) and self.desa_id.count(".") < 3

    @classmethod
    def suggest_code(cls, desa_id: str, jenis: "JenisPerkumpulan") -> str:
        """The next free code for a new group of `jenis` in the area `desa_id`, in the shape the
        area's codes already have: after CBR-DW-007, CBR-DW-008; a first Posyandu of a village
        coded CBR-DW-…, CBR-POSYANDU-001; an area with no codes yet, POSYANDU-001."""
        ending = re.compile(r"^(.*?)(\d+)$")
        heads: Counter = Counter()
        width: dict[str, int] = {}
        for kode in cls.objects.filter(desa_id=desa_id, jenis=jenis).values_list("kode",
                                                                                 flat=True):
            if found := ending.match(kode):
                heads[found[1]] += 1
                width[found[1]] = max(width.get(found[1], 0), len(found[2]))
        if heads:
            head = heads.most_common(1)[0][0]
        else:  # the village's own prefix, from its other groups' codes (PREFIX-TYPE-NUMBER)
            prefixes = Counter(kode.rsplit("-", 2)[0] for kode in cls.objects.filter(
                desa_id=desa_id).values_list("kode", flat=True)[:500] if kode.count("-") >= 2)
            prefix = prefixes.most_common(1)[0][0] + "-" if prefixes else ""
            head = f"{prefix}{jenis.kode}-"
        taken = set(cls.objects.filter(kode__istartswith=head).values_list("kode", flat=True))
        taken = {kode.casefold() for kode in taken}
        numbers = [int(m[2]) for kode in taken if (m := ending.match(kode))
                   and m[1] == head.casefold()]
        number = max(numbers, default=0) + 1
        while f"{head}{number:0{width.get(head, 3)}d}".casefold() in taken:
            number += 1
        return f"{head}{number:0{width.get(head, 3)}d}"


class ProfilDesaQuerySet(ScopedQuerySet):
    def latest(self, until: int | None = None) -> "ProfilDesaQuerySet":
        """Each village's latest profile among these (no later year recorded for it), of the
        year `until` at the latest when given."""
        later = ProfilDesa.objects.filter(desa=models.OuterRef("desa"),
                                          tahun__gt=models.OuterRef("tahun"))
        mine = self
        if until is not None:
            later, mine = later.filter(tahun__lte=until), self.filter(tahun__lte=until)
        return mine.filter(~models.Exists(later))

    def summary(self, until: int | None = None) -> "RingkasanProfil":
        """The villages' latest profiles summed, with the active groups and current memberships
        of those villages (the stored recap counts: bring them up to date first), in one
        query. The groups are counted in the villages whose population is known, the
        memberships in those whose adults are known, so each ratio compares like with like."""
        return RingkasanProfil.of(self.summary_row(until).get())

    def summary_row(self, until: int | None = None) -> models.QuerySet:
        """`summary`'s query: one row, the values of `RingkasanProfil.names()` in their order
        (`RingkasanProfil.of` reads it as the database gives it)."""
        from django.db.models import Count, F, IntegerField, Max, Q, Subquery, Sum, Value
        from django.db.models.functions import Coalesce

        def stored(dimensi):
            rows = (RekapSel.objects.filter(wilayah=models.OuterRef("desa"), dimensi=dimensi)
                    .order_by().values("wilayah").annotate(n=Sum("jumlah")).values("n"))
            return Coalesce(Subquery(rows, output_field=IntegerField()), Value(0))

        adults = Q(**{f"{name}__isnull": False for name in validators.ADULT_BANDS})
        dewasa = sum((F(name) for name in validators.ADULT_BANDS[1:]),
                     F(validators.ADULT_BANDS[0]))
        known = Q(jumlah_penduduk__isnull=False)
        sums = {name: Sum(name) for name in ProfilDesa.FIGURES}
        # No GROUP BY (a constant groups nothing): one row, as an aggregate gives.
        return self.latest(until).annotate(g=stored("jumlah"), m=stored("anggota")).order_by(
        ).values(one=Value(1)).annotate(
            desa=Count("pk"), tahun=Max("tahun"), desa_penduduk=Count("pk", filter=known),
            desa_dewasa=Count("pk", filter=adults), dewasa=Sum(dewasa, filter=adults),
            perkumpulan=Sum("g", filter=known), anggota=Sum("m", filter=adults),
            # A village's own list (of one profile, the largest is the one).
            mata_pencaharian=Max("mata_pencaharian"), **sums).values_list(
            *RingkasanProfil.names())


class RingkasanProfil(dict):
    """The latest profiles of an area's villages, summed (`ProfilDesaQuerySet.summary`), and the
    two ratios: active groups per 1,000 residents, current memberships per adult (aged 15+: a
    person in two groups counts twice)."""

    @staticmethod
    def names() -> tuple[str, ...]:
        """The summary's values, in the order of `ProfilDesaQuerySet.summary_row`."""
        return ("desa", "tahun", "desa_penduduk", "desa_dewasa", "dewasa", "perkumpulan",
                "anggota", "mata_pencaharian", *ProfilDesa.FIGURES)

    @classmethod
    def of(cls, row: tuple) -> "RingkasanProfil":
        """From the row of `summary_row`, as the database gives it: every figure a whole number
        (PostgreSQL sums some of them as numeric), or None."""
        return cls({name: value if value is None or name == "mata_pencaharian" else int(value)
                    for name, value in zip(cls.names(), row, strict=True)})

    @property
    def per_seribu(self) -> float | None:
        penduduk = self.get("jumlah_penduduk")
        if not penduduk:
            return None
        return round((self.get("perkumpulan") or 0) * 1000 / penduduk, 2)

    @property
    def per_dewasa(self) -> float | None:
        dewasa = self.get("dewasa")
        if not dewasa:
            return None
        return round((self.get("anggota") or 0) / dewasa, 2)


class ProfilDesa(models.Model):
    """A village's own figures for one year (its monografi, seed 004 III.A): RW and RT, households,
    residents by sex and by age band, the main livelihoods. Entered by the village's officer or
    imported (sheet `profil_desa`); the dashboard and the recap use them as denominators."""

    scope_path = "desa"
    # The counts, in the order of the form, the workbook and the admin.
    FIGURES = (
        "jumlah_rw", "jumlah_rt", "jumlah_kk", "jumlah_penduduk", "penduduk_laki_laki",
        "penduduk_perempuan", *(name for name, *_rest in validators.AGE_BANDS),
    )

    desa = models.ForeignKey(
        Wilayah, models.PROTECT, related_name="profil", verbose_name=_("village"),
        limit_choices_to={"tingkat": Tingkat.DESA},
    )
    tahun = models.PositiveSmallIntegerField(_("year"), validators=[validators.validate_tahun])
    jumlah_rw = models.PositiveIntegerField(_("number of RW"), null=True, blank=True)
    jumlah_rt = models.PositiveIntegerField(_("number of RT"), null=True, blank=True)
    jumlah_kk = models.PositiveIntegerField(_("households (KK)"), null=True, blank=True)
    jumlah_penduduk = models.PositiveIntegerField(
        _("population"), null=True, blank=True,
        help_text=_("Left empty: men + women, or the sum of the age bands."),
    )
    penduduk_laki_laki = models.PositiveIntegerField(_("men"), null=True, blank=True)
    penduduk_perempuan = models.PositiveIntegerField(_("women"), null=True, blank=True)
    usia_0_4 = models.PositiveIntegerField(_("aged 0–4"), null=True, blank=True)
    usia_5_14 = models.PositiveIntegerField(_("aged 5–14"), null=True, blank=True)
    usia_15_24 = models.PositiveIntegerField(_("aged 15–24"), null=True, blank=True)
    usia_25_59 = models.PositiveIntegerField(_("aged 25–59"), null=True, blank=True)
    usia_60_plus = models.PositiveIntegerField(_("aged 60 and over"), null=True, blank=True)
    mata_pencaharian = models.CharField(
        _("main livelihoods"), max_length=validators.LIVELIHOODS_MAX, blank=True,
        help_text=_("Separated by “;”, e.g. buruh/pegawai swasta; pedagang; petani."),
    )
    sumber = models.CharField(
        _("source and notes"), max_length=300, blank=True,
        help_text=_("Where the figures come from, e.g. Monografi Kelurahan 2006."),
    )
    dibuat = models.DateTimeField(_("created"), auto_now_add=True)
    diubah = models.DateTimeField(_("changed"), auto_now=True)

    objects = ProfilDesaQuerySet.as_manager()
    history = audit.history("desa")

    class Meta:
        verbose_name = _("village profile")
        verbose_name_plural = _("village profiles")
        ordering = ["desa", "-tahun"]
        constraints = [
            models.UniqueConstraint(fields=["desa", "tahun"], name="profil_desa_tahun_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.desa_id} {self.tahun}"

    def figures(self) -> dict[str, int | None]:
        return {name: getattr(self, name) for name in self.FIGURES}

    @property
    def dewasa(self) -> int | None:
        """Residents aged 15 or older, when every band from 15 up is given."""
        bands = [getattr(self, name) for name in validators.ADULT_BANDS]
        return sum(bands) if all(b is not None for b in bands) else None

    def clean(self) -> None:
        if self.desa_id and self.desa.tingkat != Tingkat.DESA:
            raise ValidationError(
                {"desa": _("A village profile belongs to a desa/kelurahan.")}, code="not_desa")
        self.mata_pencaharian = validators.join_multi(self.mata_pencaharian)
        errors = validators.profil_errors(self.figures())
        if errors:
            raise ValidationError(
                {field: ValidationError(message, code="profil") for field, message
                 in errors.items()})
        if self.jumlah_penduduk is None:
            self.jumlah_penduduk = validators.population_of(self.figures())


class UserQuerySet(models.QuerySet):
    def visible_to(self, user) -> "UserQuerySet":
        """Only administrators manage accounts."""
        from registry import access

        return self if access.can_manage_users(user) else self.none()

    editable_by = visible_to


class PenggunaManager(UserManager.from_queryset(UserQuerySet)):
    def create_superuser(self, username, email=None, password=None, **extra_fields):
        extra_fields.setdefault("peran", Peran.ADMIN)
        return super().create_superuser(username, email, password, **extra_fields)


class User(AbstractUser):
    """An account with one role and the area it works in (see registry.access)."""

    peran = models.CharField(
        _("role"), max_length=10, choices=Peran.choices, default=Peran.OPERATOR
    )
    wilayah = models.ForeignKey(
        Wilayah,
        models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("area"),
        help_text=_(
            "Operator: a desa/kelurahan. Kecamatan worker: a kecamatan. Staff: a regency/city or "
            "a province. "
            "Observer: any area. Administrator: empty for the whole country."
        ),
    )

    objects = PenggunaManager()

    class Meta(AbstractUser.Meta):
        verbose_name = _("user")
        verbose_name_plural = _("users")

    def clean(self) -> None:
        super().clean()
        allowed = {
            Peran.OPERATOR: {Tingkat.DESA},
            Peran.KECAMATAN: {Tingkat.KECAMATAN},
            Peran.STAF: {Tingkat.KABUPATEN, Tingkat.PROVINSI},
            Peran.PENGAMAT: set(Tingkat.values),
            Peran.ADMIN: set(Tingkat.values),
        }[self.peran]
        if self.peran != Peran.ADMIN and self.wilayah_id is None:
            raise ValidationError(
                {"wilayah": ValidationError(_("This role needs an area."), code="no_area")}
            )
        if self.wilayah_id and self.wilayah.tingkat not in allowed:
            message = _("The role %(role)s works in: %(levels)s; not in a %(level)s.") % {
                "role": self.get_peran_display(),
                "levels": " / ".join(str(Tingkat(t).label) for t in sorted(allowed)),
                "level": self.wilayah.get_tingkat_display(),
            }
            raise ValidationError({"wilayah": ValidationError(message, code="wrong_level")})

    def save(self, *args, **kwargs):
        # The role is the one source of truth for what the account may do: every role works in
        # the admin (scoped), only administrators are superusers.
        self.is_staff = True
        self.is_superuser = self.peran == Peran.ADMIN
        super().save(*args, **kwargs)


class KopSurat(models.Model):
    """An area's letterhead and signatory, printed on its documents (group profiles, member
    lists, minutes, verification lists, recaps). An area without one borrows the nearest
    ancestor's letterhead (`for_area`), and with none at all its documents print the area's
    names."""

    scope_path = "wilayah"
    scope_any_level = True

    wilayah = models.OneToOneField(Wilayah, models.CASCADE, primary_key=True,
                                   related_name="kop_surat", verbose_name=_("area"))
    instansi = models.TextField(
        _("heading"), help_text=_("The office's name, one line per level, e.g. "
                                  "PEMERINTAH KOTA TASIKMALAYA / KECAMATAN CIBEUREUM."))
    alamat = models.CharField(_("address"), max_length=250, blank=True)
    kota = models.CharField(_("place of signing"), max_length=100, blank=True,
                            help_text=_("Printed before the date above the signature."))
    penandatangan = models.CharField(_("signatory's name"), max_length=150, blank=True)
    jabatan = models.CharField(_("signatory's title"), max_length=150, blank=True)
    nip = models.CharField(_("signatory's NIP"), max_length=30, blank=True)
    diubah = models.DateTimeField(_("changed"), auto_now=True)

    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("letterhead")
        verbose_name_plural = _("letterheads")

    def __str__(self) -> str:
        return f"{self.wilayah_id} {self.instansi.splitlines()[0] if self.instansi else ''}"

    @property
    def baris_instansi(self) -> list[str]:
        return [line.strip() for line in self.instansi.splitlines() if line.strip()]

    @classmethod
    def for_area(cls, area: Wilayah) -> "KopSurat | None":
        """The letterhead of `area`, else of its nearest ancestor that has one (one query)."""
        parts = area.kode.split(".")
        codes = [".".join(parts[:n]) for n in range(len(parts), 0, -1)]
        found = {k.wilayah_id: k for k in cls.objects.filter(wilayah__in=codes)}
        return next((found[c] for c in codes if c in found), None)


class StatusImpor(models.TextChoices):
    MENUNGGU = "MENUNGGU", _("Waiting for its turn")
    DIPERIKSA = "DIPERIKSA", _("Checked, waiting for confirmation")
    GAGAL = "GAGAL", _("Refused: errors found")
    DIIMPOR = "DIIMPOR", _("Imported")
    KEDALUWARSA = "KEDALUWARSA", _("Expired: upload the file again")
    DIBATALKAN = "DIBATALKAN", _("Cancelled by the uploader")


class Impor(models.Model):
    """One survey workbook uploaded on the web: who, when, which file, what it changed.

    A check and a save run one at a time (registry.import_queue): an import waiting for its turn
    is MENUNGGU, its next step the save when `simpan` is set. An unconfirmed upload expires after
    WKSBM_UPLOAD_KEEP_HOURS (KEDALUWARSA, its file removed). The errors and warnings kept are the
    first MAX_LISTED of the file's, their values and messages cut short; the counts say how many
    there were."""

    scope_path = "wilayah"

    pengguna = models.ForeignKey(
        User, models.PROTECT, related_name="impor", verbose_name=_("user")
    )
    wilayah = models.ForeignKey(
        Wilayah, models.PROTECT, null=True, blank=True, related_name="+",
        verbose_name=_("area"), help_text=_("The user's area at the time of the import."),
    )
    nama_berkas = models.CharField(_("file name"), max_length=255)
    berkas = models.CharField(_("stored file"), max_length=255, blank=True)
    status = models.CharField(_("status"), max_length=12, choices=StatusImpor.choices)
    jumlah = models.JSONField(_("counts"), default=dict)
    kesalahan = models.JSONField(_("errors"), default=list)
    peringatan = models.JSONField(_("warnings"), default=list)
    jumlah_kesalahan = models.PositiveIntegerField(_("number of errors"), default=0)
    jumlah_peringatan = models.PositiveIntegerField(_("number of warnings"), default=0)
    dibuat = models.DateTimeField(_("uploaded"), auto_now_add=True)
    diperiksa = models.DateTimeField(_("checked"), null=True, blank=True)
    diimpor = models.DateTimeField(_("imported"), null=True, blank=True)
    # The queue: since when it waits, whether its next step is the save, how often a step began
    # (a step that never ended — the worker killed — is tried once more, then given up).
    menunggu_sejak = models.DateTimeField(_("waiting since"), null=True, blank=True)
    simpan = models.BooleanField(_("to be saved"), default=False)
    percobaan = models.PositiveSmallIntegerField(_("attempts"), default=0)
    # A passed check: the first rows of each sheet as read, in the workbook's order of sheets
    # ([{"lembar": sheet, "kolom": [...], "baris": [[row number, value, …], …]}, …]), values cut
    # short; shown until the file is saved or removed.
    pratinjau = models.JSONField(_("preview"), default=list, blank=True)
    # The step running now: the rows read so far and the sheet being read (written at most once
    # a second, outside the import's transaction, for its page to show).
    baris_dibaca = models.PositiveIntegerField(_("rows read"), default=0)
    lembar_dibaca = models.CharField(_("sheet being read"), max_length=40, blank=True)

    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("import")
        verbose_name_plural = _("imports")
        ordering = ["-dibuat"]
        indexes = [models.Index(fields=["status", "menunggu_sejak"], name="impor_antrean_idx")]

    def __str__(self) -> str:
        return f"{self.nama_berkas} ({self.get_status_display()})"

    # Observers see none: an import's errors quote the cells, NIKs included.
    scope_personal = True

    @classmethod
    def scope_filter(cls, user):
        """Operators see their own imports, staff those made within their area."""
        from registry import access

        if user.peran == Peran.OPERATOR:
            return models.Q(pengguna=user)
        return access.area_filter(user, "wilayah", any_level=True)

    @property
    def jumlah_baris(self) -> int:
        return sum(sum(c.values()) for c in self.jumlah.values())

    @property
    def semua_kesalahan(self) -> int:
        """The file's errors, kept or not (records from before the counts: those kept)."""
        return max(self.jumlah_kesalahan, len(self.kesalahan))

    @property
    def semua_peringatan(self) -> int:
        return max(self.jumlah_peringatan, len(self.peringatan))


class RekapSel(models.Model):
    """One stored count of the recap (see registry.rekap): the active groups of one type within
    one area, of any level, that have one value of one dimension (a founding year, a size
    bracket, a purpose…). Kept up to date village by village, summed up to every ancestor, so
    that an area's recap reads a few hundred rows whatever the number of its groups."""

    wilayah = models.ForeignKey(Wilayah, models.CASCADE, related_name="+")
    jenis = models.ForeignKey(JenisPerkumpulan, models.CASCADE, related_name="+")
    dimensi = models.CharField(max_length=20)
    nilai = models.CharField(max_length=20, blank=True)
    jumlah = models.IntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["wilayah", "dimensi", "jenis", "nilai"], name="rekap_sel_unik"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.wilayah_id} {self.jenis_id} {self.dimensi}={self.nilai}: {self.jumlah}"


class RekapBasi(models.Model):
    """A village (or an area above the village, for its own groups) whose stored recap counts
    are out of date since `sejak` (see registry.rekap)."""

    desa = models.OneToOneField(Wilayah, models.CASCADE, primary_key=True, related_name="+")
    sejak = models.DateTimeField()

    def __str__(self) -> str:
        return f"{self.desa_id} ({self.sejak:%Y-%m-%d %H:%M})"


class FormulirTerkirim(models.Model):
    """A form that was sent and saved once (registry.forms.OnceForm): its one-time token, who
    sent it, which form it was and the page its result is on. The token is unique: of two
    sendings of one form, however close, the database lets only one write its row (the other
    waits for it and is then refused), so a double click on Save records nothing twice. Rows
    older than OnceForm.KEPT are removed as new ones are written."""

    token = models.CharField(max_length=64, unique=True)
    pengguna = models.ForeignKey(User, models.CASCADE, related_name="+")
    formulir = models.CharField(max_length=120)
    hasil = models.CharField(max_length=500, blank=True)
    waktu = models.DateTimeField(auto_now_add=True, db_index=True)

    def __str__(self) -> str:
        return f"{self.formulir} ({self.waktu:%Y-%m-%d %H:%M})"


class LampauSiap(models.Model):
    """An area whose recap counts at a past moment are computed (its `SelLampau` rows), and
    when. `tetap`: the moment had passed when they were computed, so they stay true (kept
    `registry.lampau.KEEP_DAYS`); a moment not yet past (today's date) is computed again on
    each asking, and its counts soon forgotten."""

    momen = models.DateTimeField()
    wilayah = models.ForeignKey(Wilayah, models.CASCADE, related_name="+")
    tetap = models.BooleanField(default=True)
    dihitung = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["momen", "wilayah"],
                                               name="lampau_siap_unik")]

    def __str__(self) -> str:
        return f"{self.wilayah_id} @ {self.momen:%Y-%m-%d %H:%M:%S}"


class SelLampau(models.Model):
    """One recap count as the registry stood at a past moment (registry.lampau): the active
    groups of one type at one area (the group's own: a village, or an area above it) with one
    value of one dimension, computed from the audit history for the area of `siap`."""

    # No constraints in the database: a city's 30,000 counts are written at once from rows
    # that exist, and checking each one's three keys at the commit took half a second.
    siap = models.ForeignKey(LampauSiap, models.CASCADE, related_name="sel", db_constraint=False)
    wilayah = models.ForeignKey(Wilayah, models.CASCADE, related_name="+", db_constraint=False)
    jenis = models.ForeignKey(JenisPerkumpulan, models.CASCADE, related_name="+",
                              db_constraint=False)
    dimensi = models.CharField(max_length=20)
    nilai = models.CharField(max_length=20, blank=True)
    jumlah = models.IntegerField(default=0)

    class Meta:
        indexes = [models.Index(fields=["siap", "dimensi"], name="sel_lampau_idx")]

    def __str__(self) -> str:
        return f"{self.wilayah_id} {self.jenis_id} {self.dimensi}={self.nilai}: {self.jumlah}"
