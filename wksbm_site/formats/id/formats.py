"""One way to write a date on every page (Django's Indonesian formats wrote "20 Nov. 2026" in one
place and "02-12-2026 9.51" in another): day, short month, year — "5 Agu 1980", "2 Des 2026
09.51". What is typed is read as Django reads it."""

from django.conf.locale.id.formats import *  # noqa: F403 — the input formats and separators

DATE_FORMAT = SHORT_DATE_FORMAT = "j M Y"
DATETIME_FORMAT = SHORT_DATETIME_FORMAT = "j M Y H.i"
TIME_FORMAT = "H.i"
