"""What a locked-out account sees: the normal login page, with why and for how long."""

import math

from axes.helpers import get_client_username, get_cool_off
from django.conf import settings
from django.contrib.auth.views import REDIRECT_FIELD_NAME
from django.shortcuts import render
from django.utils.translation import ngettext

from wksbm_site.accounts import LoginForm


def lockout_message(minutes: int) -> str:
    return ngettext(
        "This account is locked for %(minutes)d minute because the password was wrong too many "
        "times. Try again later, or ask the Dinas Sosial administrator to unlock it.",
        "This account is locked for %(minutes)d minutes because the password was wrong too many "
        "times. Try again later, or ask the Dinas Sosial administrator to unlock it.",
        minutes,
    ) % {"minutes": minutes}


def lockout_response(request, original_response=None, credentials=None):
    """django-axes' AXES_LOCKOUT_CALLABLE: the login page again, status 429 (Too Many Requests).

    The cool-off is counted from the last refused attempt, so the full time is the right answer
    to "how long?" right after this one.
    """
    minutes = max(1, math.ceil(get_cool_off(request).total_seconds() / 60))
    username = get_client_username(request, credentials) or ""
    form = LoginForm(request, initial={"username": username})
    context = {
        "form": form,
        "lockout_message": lockout_message(minutes),
        REDIRECT_FIELD_NAME: request.POST.get(REDIRECT_FIELD_NAME, ""),
    }
    return render(request, "registration/login.html", context, status=429)


def client_ip(request) -> str:
    """django-axes' AXES_CLIENT_IP_CALLABLE: the address recorded with a login attempt.

    Behind the TLS proxy (DJANGO_HTTPS=True) REMOTE_ADDR is the proxy's own address; the proxy
    appends the client's address to X-Forwarded-For, so the last entry is the one to trust (the
    ones before it may have been sent by the client). Without the proxy, REMOTE_ADDR.
    """
    if settings.WKSBM_HTTPS:
        forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "")
        last = forwarded.rsplit(",", 1)[-1].strip()
        if last:
            return last
    return request.META.get("REMOTE_ADDR", "")
