import datetime
from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from demo import bantuan, dana, keluarga, ketahanan, verifikasi
from demo.atas import add_kecamatan_bkb
from demo.cibeureum import DESA, PROFILE
from demo.generator import ACTIVITY, FORUM_TYPES
from demo.psks import add_psks
from members.models import Keanggotaan, PeranAnggota
from network.models import Forum, Mekanisme, PengurusForum, TingkatForum
from registry import audit, rekap, validators, workbook
from registry.access import Peran
from registry.management.output import cannot_read
from registry.models import Perkumpulan, ProfilDesa, User, Wilayah

DEMO_WORKBOOK = Path(settings.BASE_DIR) / "fixtures" / "cibeureum_2006.xlsx"

DEMO_PASSWORD = "wksbm-demo-2026"
DEMO_ACCOUNTS = [
    ("demo-operator", Peran.OPERATOR, DESA),
    ("demo-kecamatan", Peran.KECAMATAN, DESA.rsplit(".", 1)[0]),
    ("demo-staf", Peran.STAF, "32.77"),
    ("demo-pengamat", Peran.PENGAMAT, "32.77"),
    ("demo-admin", Peran.ADMIN, None),
]


class Command(BaseCommand):
    help = (
        "Import the demo village, Kelurahan Cibeureum as surveyed in 2006 (fixtures/"
        "cibeureum_2006.xlsx: 307 groups matching seed 004's tables) with the BKB of its "
        "kecamatan (a group above the village), its aid programmes with recipients and "
        "distributions, letterheads, decree numbers and the city's verification round with the "
        "village's list in mid-verification (docs/demo-data.md), and with --accounts the demo "
        "accounts, one per role, all with the password wksbm-demo-2026. For `make run` only: "
        "never give a real registry demo accounts. Safe to re-run."
    )

    def add_arguments(self, parser):
        parser.add_argument("--accounts", action="store_true", help="Create the demo accounts.")

    def handle(self, *args, **options):
        if not Wilayah.objects.filter(pk=DESA).exists():
            raise CommandError(_("Area %(kode)s is missing: run `manage.py load_wilayah` first.")
                               % {"kode": DESA})
        # The recap counts of what it writes, computed once at its end (registry.rekap).
        with transaction.atomic(), rekap.deferred():
            try:
                result = workbook.run(DEMO_WORKBOOK)
            except OSError as exc:
                raise cannot_read(DEMO_WORKBOOK, exc) from exc
            if not result.ok:
                raise CommandError("\n".join(str(e) for e in result.errors))
            with audit.changes(None, "Demo: forum WKSBM, profil desa, PSKS"):
                add_forums()
                add_kecamatan_bkb(DESA)
                add_psks(DESA)
                keluarga.add_to_village(DESA)
                ProfilDesa.objects.get_or_create(
                    desa_id=DESA, tahun=PROFILE["tahun"],
                    defaults={k: v for k, v in PROFILE.items() if k != "tahun"})
            dana.add_to_village(DESA, ACTIVITY, validators.this_year())
            bantuan.add_to_village(DESA, validators.this_year())
            if options["accounts"]:
                for username, peran, kode in DEMO_ACCOUNTS:
                    user = User.objects.filter(username=username).first() or User(username=username)
                    user.peran, user.wilayah_id = peran, kode
                    user.first_name = f"Demo {peran}"
                    user.set_password(DEMO_PASSWORD)
                    user.save()
            # Letterheads, decrees and the city's verification round, its steps by the demo
            # accounts when there are some.
            today = timezone.localdate()
            verifikasi.add_letterheads()
            verifikasi.add_decrees(DESA, today)
            verifikasi.add_round(DESA, today)
            # Its Pokja Tansosmas, first assessment, action plan and monitoring round.
            with audit.changes(None, "Demo: Pokja Tansosmas, penilaian, rencana aksi"):
                ketahanan.add_to_village(DESA, today)
        self.stdout.write(_("Demo data, Kelurahan Cibeureum (%(kode)s): %(summary)s")
                          % {"kode": DESA, "summary": result.summary()})
        if options["accounts"]:
            self.stdout.write(
                _("Log in at /accounts/login/ with one of these demo accounts (password "
                  "%(password)s):") % {"password": DEMO_PASSWORD}
            )
            for username, peran, kode in DEMO_ACCOUNTS:
                self.stdout.write(f"  {username:14} {Peran(peran).label} — {kode or 'Indonesia'}")


def add_forums() -> None:
    """The demo village's WKSBM forum, and one of its RW 1 (seed 003: a WKSBM works at village,
    RW, RT or dukuh level), each of its groups and led by a group's chair; kept as they are
    when the command runs again."""
    groups = Perkumpulan.objects.filter(desa_id=DESA)
    forums = [
        (TingkatForum.DESA, None, "WKSBM Kelurahan Cibeureum",
         groups.filter(jenis__kode__in=FORUM_TYPES)),
        (TingkatForum.RW, 1, "WKSBM RW 01 Cibeureum", groups.filter(rw=1)),
    ]
    for tingkat, rw, nama, members in forums:
        forum, created = Forum.objects.get_or_create(
            desa_id=DESA, tingkat=tingkat, rw=rw,
            defaults={"nama": nama, "mekanisme": Mekanisme.TIM_PELAKSANA,
                      "tanggal_dibentuk": datetime.date(2006, 1, 1)},
        )
        if not created:
            continue
        forum.anggota.set(members)
        chair = (Keanggotaan.objects.filter(perkumpulan__in=members, peran=PeranAnggota.KETUA)
                 .order_by("perkumpulan__kode").first())
        if chair is not None:
            PengurusForum.objects.create(forum=forum, warga_id=chair.warga_id, jabatan="Ketua",
                                         mulai=forum.tanggal_dibentuk)
