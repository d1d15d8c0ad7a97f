"""WSGI entry point for gunicorn: `gunicorn wksbm_site.wsgi`."""

import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "wksbm_site.settings")

application = get_wsgi_application()
