from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class MembersConfig(AppConfig):
    name = "members"
    verbose_name = _("Members")

    def ready(self) -> None:
        from members import rekap, survey
        from registry import workbook
        from registry.rekap import register_dimension, register_table

        workbook.register_sheet(survey.AnggotaSheet())
        register_dimension("ukuran")(rekap.count_sizes)
        register_dimension("pendidikan")(rekap.count_chair_education)
        register_table(3)(rekap.table_size)
        register_table(4)(rekap.table_chair_education)
        rekap.connect_signals()
