"""Media files (aid evidence, verification decrees) saved whole or not at all.

Django's FileSystemStorage writes a file under its own name as it streams in: a write cut short —
a full disk, a quota — leaves the half file there, with no record pointing at it. This storage
writes each file under a random name of its own beside its destination (`.partial-…`), removes it
whatever happens, and gives the complete file its name by a hard link, which never replaces an
existing file (another name is found, as Django does, if one appeared meanwhile).
"""

import contextlib
import os
import uuid

from django.core.files.storage import FileSystemStorage

PARTIAL_PREFIX = ".partial-"


class WholeFileStorage(FileSystemStorage):
    def _save(self, name, content):
        partial = os.path.join(os.path.dirname(name), PARTIAL_PREFIX + uuid.uuid4().hex)
        try:
            # The random name is this call's alone: whatever is there after a failure is its.
            partial = super()._save(partial, content)
            while True:
                try:
                    if self._allow_overwrite:
                        os.replace(self.path(partial), self.path(name))
                    else:
                        os.link(self.path(partial), self.path(name))
                    return str(name).replace("\\", "/")
                except FileExistsError:
                    name = self.get_available_name(name)
        finally:
            with contextlib.suppress(FileNotFoundError):
                os.remove(self.path(partial))
