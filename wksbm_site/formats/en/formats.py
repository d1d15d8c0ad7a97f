"""One way to write a date on every page, as in Indonesian (wksbm_site/formats/id): "5 Aug
1980", "2 Dec 2026 09:51"."""

from django.conf.locale.en.formats import *  # noqa: F403 — the input formats and separators

DATE_FORMAT = SHORT_DATE_FORMAT = "j M Y"
DATETIME_FORMAT = SHORT_DATETIME_FORMAT = "j M Y H:i"
TIME_FORMAT = "H:i"
