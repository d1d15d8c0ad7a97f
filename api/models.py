"""The API's tokens: a script's key to the JSON API, made and revoked by its user on the token
page (/akun/token/). Only the key's SHA-256 is stored; the key itself is shown once."""

import hashlib
import secrets

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

PREFIX_LENGTH = 8
# A token's last use is written at most this often (seconds): not one write per request.
LAST_USED_EVERY = 60


def key_hash(key: str) -> str:
    return hashlib.sha256(key.encode()).hexdigest()


class TokenQuerySet(models.QuerySet):
    def aktif(self) -> "TokenQuerySet":
        return self.filter(revoked__isnull=True)


class Token(models.Model):
    user = models.ForeignKey(settings.AUTH_USER_MODEL, models.CASCADE, related_name="api_tokens",
                             verbose_name=_("user"))
    name = models.CharField(_("name"), max_length=100,
                            help_text=_("What the token is for, e.g. the script that uses it."))
    prefix = models.CharField(_("prefix"), max_length=PREFIX_LENGTH)
    key_hash = models.CharField(max_length=64, unique=True, editable=False)
    created = models.DateTimeField(_("created"), auto_now_add=True)
    last_used = models.DateTimeField(_("last used"), null=True, blank=True)
    revoked = models.DateTimeField(_("revoked"), null=True, blank=True)

    objects = TokenQuerySet.as_manager()

    class Meta:
        verbose_name = _("API token")
        verbose_name_plural = _("API tokens")
        ordering = ["-created", "-pk"]

    def __str__(self) -> str:
        return f"{self.prefix}… {self.name}"

    @classmethod
    def make(cls, user, name: str) -> tuple["Token", str]:
        """A new token of `user` and its key (shown once: only its hash is kept)."""
        key = secrets.token_urlsafe(32)
        token = cls.objects.create(user=user, name=name, prefix=key[:PREFIX_LENGTH],
                                   key_hash=key_hash(key))
        return token, key

    @classmethod
    def find(cls, key: str) -> "Token | None":
        """The unrevoked token of `key`, with its user and the user's area, or None."""
        return (cls.objects.aktif().select_related("user", "user__wilayah")
                .filter(key_hash=key_hash(key)).first())

    def revoke(self) -> None:
        if self.revoked is None:
            self.revoked = timezone.now()
            self.save(update_fields=["revoked"])

    def used(self) -> None:
        now = timezone.now()
        if self.last_used is None or (now - self.last_used).total_seconds() >= LAST_USED_EVERY:
            type(self).objects.filter(pk=self.pk).update(last_used=now)
            self.last_used = now
