"""The token page (/akun/token/): a user's keys to the JSON API for their scripts, made (the key
shown once) and revoked by the user."""

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from api.models import Token


class TokenForm(forms.Form):
    name = forms.CharField(label=gettext_lazy("Name"), max_length=100,
                           help_text=gettext_lazy("What the token is for, e.g. the script "
                                                  "that uses it."))


@never_cache  # the new key is on the page
@login_required
def token_page(request: HttpRequest) -> HttpResponse:
    key = None
    status = 200
    if request.method == "POST":
        form = TokenForm(request.POST)
        if form.is_valid():
            token, key = Token.make(request.user, form.cleaned_data["name"].strip())
            form = TokenForm()
        else:
            status = 400
    else:
        form = TokenForm()
    tokens = Token.objects.filter(user=request.user).aktif()
    return render(request, "api/token.html", {"form": form, "tokens": tokens, "key": key},
                  status=status)


@login_required
@require_POST
def token_revoke(request: HttpRequest, pk: int) -> HttpResponse:
    """Revoke one of the user's own tokens (another's is not found)."""
    token = get_object_or_404(Token.objects.filter(user=request.user).aktif(), pk=pk)
    token.revoke()
    messages.success(request, _("The token “%(name)s” was revoked: scripts using it are now "
                                "refused.") % {"name": token.name})
    return redirect("api:token")
