"""Model fields the apps share."""

from django.db import models
from django.db.models.fields.files import FieldFile


class ServedFieldFile(FieldFile):
    @property
    def url(self) -> str:
        self._require_file()
        return self.instance.download_url(self.field.name)


class ServedFileField(models.FileField):
    """An upload (an aid proof, a report's evidence, a meeting's minutes) served only by its
    record's page for it, to whoever may see the record: its `url` — the admin's link to the
    current file, a template's — is that page (the model's `download_url(field)`), never
    MEDIA_URL, where nothing is served (media are never public)."""

    attr_class = ServedFieldFile
