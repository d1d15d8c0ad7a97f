from django.conf import settings
from django.core.management.base import BaseCommand
from django.utils.translation import gettext as _

from registry import import_queue


class Command(BaseCommand):
    help = (
        "Remove survey workbooks uploaded on the web and never confirmed, once they are "
        "WKSBM_UPLOAD_KEEP_HOURS old (their imports say: upload it again), files of "
        "WKSBM_UPLOAD_DIR no import refers to, and django-import-export's uploads left between "
        "its two steps. Uploads run it too; run it from cron (e.g. hourly) as well."
    )

    def handle(self, *args, **options):
        cleaned = import_queue.clean_up()
        self.stdout.write(
            _("Older than %(hours)s h: %(expired)d unconfirmed import(s) expired, %(files)d "
              "unused upload file(s) and %(import_export)d django-import-export upload(s) "
              "removed.")
            % {"hours": settings.WKSBM_UPLOAD_KEEP_HOURS, "expired": cleaned.expired,
               "files": cleaned.files, "import_export": cleaned.import_export}
        )
