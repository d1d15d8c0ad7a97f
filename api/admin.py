"""The API's tokens in the admin: administrators see every account's tokens (never their keys,
which are not stored) and revoke those a script should no longer use, e.g. of a laptop lost or
an officer who left. A token is made only by its own user, on the token page."""

from django.contrib import admin, messages
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from api.models import Token
from registry import access


class Aktif(admin.SimpleListFilter):
    title = _("status")
    parameter_name = "status"

    def lookups(self, request, model_admin):
        return [("aktif", _("active")), ("dicabut", _("revoked"))]

    def queryset(self, request, queryset):
        if self.value() == "aktif":
            return queryset.aktif()
        if self.value() == "dicabut":
            return queryset.filter(revoked__isnull=False)
        return queryset


@admin.register(Token)
class TokenAdmin(admin.ModelAdmin):
    list_display = ["prefix", "name", "user", "created", "last_used", "revoked"]
    list_filter = [Aktif]
    list_select_related = ["user"]
    search_fields = ["name", "prefix", "user__username"]
    fields = ["user", "name", "prefix", "created", "last_used", "revoked"]
    readonly_fields = fields
    actions = ["revoke"]

    def has_module_permission(self, request) -> bool:
        return access.can_manage_users(request.user)

    def has_view_permission(self, request, obj=None) -> bool:
        return access.can_manage_users(request.user)

    def has_add_permission(self, request) -> bool:
        return False  # made by its own user, who alone is shown the key

    def has_change_permission(self, request, obj=None) -> bool:
        return False  # revoked by the action, nothing else changes

    def has_delete_permission(self, request, obj=None) -> bool:
        return False  # revoked, not deleted: when and whose stays known

    def get_actions(self, request):
        actions = super().get_actions(request)
        if not access.can_manage_users(request.user):
            actions.pop("revoke", None)
        return actions

    @admin.action(description=_("Revoke the selected tokens"))
    def revoke(self, request, queryset):
        revoked = 0
        for token in queryset.aktif():
            token.revoke()
            revoked += 1
        self.message_user(request, ngettext(
            "%(count)d token revoked: scripts using it are refused from now on.",
            "%(count)d tokens revoked: scripts using them are refused from now on.",
            revoked) % {"count": revoked}, messages.SUCCESS)
