"""The account pages: Django's login, logout, password change and password reset, in the site's
look, with a password reset that tells the truth about its mail.

The reset sends a link by e-mail, so it exists only where mail is configured (DJANGO_EMAIL_HOST,
see wksbm_site/settings.py): elsewhere its pages answer 404 with a page saying to ask the
administrator, and the login page offers no reset. Django's own reset form logs a mail it could
not send and still says it was sent; here the user is told it could not be sent (503). As in
Django, an address no active account has is not revealed: the page then says what it says after
a mail was sent — "if an account has this address".
"""

import logging

from django.conf import settings
from django.contrib.admin.forms import AdminAuthenticationForm
from django.contrib.auth import backends as auth_backends
from django.contrib.auth import get_user_model, views
from django.contrib.auth.forms import AuthenticationForm, PasswordResetForm
from django.core.exceptions import ImproperlyConfigured, ObjectDoesNotExist, ValidationError
from django.core.mail import EmailMultiAlternatives
from django.core.mail.backends.base import BaseEmailBackend
from django.shortcuts import render
from django.template import loader
from django.urls import path
from django.utils.translation import gettext_lazy as _

logger = logging.getLogger(__name__)


def mail_configured() -> bool:
    return bool(getattr(settings, "WKSBM_MAIL", False))


class NoMailBackend(BaseEmailBackend):
    """The mail backend without DJANGO_EMAIL_HOST: sending is an error, never a silent loss."""

    def send_messages(self, email_messages):
        if email_messages:
            raise ImproperlyConfigured("No mail server: set DJANGO_EMAIL_HOST to send e-mail.")
        return 0


def unavailable(request):
    """The reset without mail: no page but this one, saying whom to ask."""
    return render(request, "registration/password_reset_unavailable.html", status=404)


class ResetForm(PasswordResetForm):
    """Django's, but a mail that cannot be sent is an error, not a line in the log."""

    def send_mail(self, subject_template_name, email_template_name, context, from_email,
                  to_email, html_email_template_name=None):
        subject = "".join(loader.render_to_string(subject_template_name, context).splitlines())
        body = loader.render_to_string(email_template_name, context)
        EmailMultiAlternatives(subject, body, from_email, [to_email]).send()


# Django's Indonesian catalogue puts "nama pengguna" before %(username)s, which is "nama pengguna"
# itself: "Masukkan nama pengguna nama pengguna dan sandi yang benar". Said here once, in full.
INVALID_LOGIN = _("The username or password is not right. Both are case-sensitive: check Caps "
                  "Lock.")


class LoginForm(AuthenticationForm):
    error_messages = {**AuthenticationForm.error_messages, "invalid_login": INVALID_LOGIN}


class AdminLoginForm(AdminAuthenticationForm):
    error_messages = {**AdminAuthenticationForm.error_messages, "invalid_login": INVALID_LOGIN}


class LoginView(views.LoginView):
    authentication_form = LoginForm

    def get_context_data(self, **kwargs):
        return {**super().get_context_data(**kwargs), "password_reset": mail_configured()}


class PasswordResetView(views.PasswordResetView):
    form_class = ResetForm  # the mail: Django's (the admin's) templates, translated
    unsent_message = _(
        "The e-mail could not be sent, so no link is on its way. Please try again later, or ask "
        "your administrator to set a new password for you."
    )

    def dispatch(self, request, *args, **kwargs):
        if not mail_configured():
            return unavailable(request)
        return super().dispatch(request, *args, **kwargs)

    def form_valid(self, form):
        try:
            return super().form_valid(form)
        except Exception:  # noqa: BLE001 - any failure of the mail backend: told, not hidden
            logger.exception("The password reset e-mail could not be sent")
            form.add_error(None, ValidationError(self.unsent_message, code="unsent"))
            return self.render_to_response(self.get_context_data(form=form), status=503)


class PasswordResetDoneView(views.PasswordResetDoneView):
    def dispatch(self, request, *args, **kwargs):
        if not mail_configured():
            return unavailable(request)
        return super().dispatch(request, *args, **kwargs)


# django.contrib.auth.urls, with the views above.
urlpatterns = [
    path("login/", LoginView.as_view(), name="login"),
    path("logout/", views.LogoutView.as_view(), name="logout"),
    path("password_change/", views.PasswordChangeView.as_view(), name="password_change"),
    path("password_change/done/", views.PasswordChangeDoneView.as_view(),
         name="password_change_done"),
    path("password_reset/", PasswordResetView.as_view(), name="password_reset"),
    path("password_reset/done/", PasswordResetDoneView.as_view(), name="password_reset_done"),
    path("reset/<uidb64>/<token>/", views.PasswordResetConfirmView.as_view(),
         name="password_reset_confirm"),
    path("reset/done/", views.PasswordResetCompleteView.as_view(),
         name="password_reset_complete"),
]


class ModelBackend(auth_backends.ModelBackend):
    """Django's backend, reading the signed-in user's area with the user: every page shows the
    area's name in its header and scopes by it, which was a second query on every request."""

    def get_user(self, user_id):
        try:
            user = get_user_model()._default_manager.select_related("wilayah").get(pk=user_id)
        except ObjectDoesNotExist:
            return None
        return user if self.user_can_authenticate(user) else None
