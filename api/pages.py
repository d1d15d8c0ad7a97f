"""The token page (/akun/token/): a user's keys to the JSON API for their scripts, made (the key
shown once) and revoked by the user."""

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from api.models import Token
from registry.forms import OnceForm
from registry.pages import posted

NEW_KEY = "api_token_baru"  # the session's key holding a new token's key until the page shows it


class TokenForm(OnceForm, forms.Form):
    name = forms.CharField(label=gettext_lazy("Name"), max_length=100,
                           help_text=gettext_lazy("What the token is for, e.g. the script "
                                                  "that uses it."))

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.send_once(user, "api:token")


@never_cache  # the new key is on the page
@login_required
def token_page(request: HttpRequest) -> HttpResponse:
    """Make a token once however many times the form is sent (a double click makes one): the
    key is held in the session and shown by the page the POST redirects to, then forgotten."""
    form = TokenForm(posted(request), user=request.user)
    if request.method == "POST":

        def save() -> str:
            _token, request.session[NEW_KEY] = Token.make(request.user,
                                                          form.cleaned_data["name"].strip())
            return reverse("api:token")

        done = form.save_once(request, save, reverse("api:token"))
        if done is not None:
            return done
    tokens = Token.objects.filter(user=request.user).aktif()
    return render(request, "api/token.html",
                  {"form": form, "tokens": tokens, "key": request.session.pop(NEW_KEY, None)},
                  status=400 if form.errors else 200)


@login_required
@require_POST
def token_revoke(request: HttpRequest, pk: int) -> HttpResponse:
    """Revoke one of the user's own tokens (another's is not found)."""
    token = get_object_or_404(Token.objects.filter(user=request.user).aktif(), pk=pk)
    token.revoke()
    messages.success(request, _("The token “%(name)s” was revoked: scripts using it are now "
                                "refused.") % {"name": token.name})
    return redirect("api:token")
