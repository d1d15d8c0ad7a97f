from django.conf import settings
from django.core.exceptions import SuspiciousOperation
from django.http import Http404, HttpResponseNotAllowed, JsonResponse
from django.shortcuts import render
from django.utils import translation
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _


class LanguageMiddleware:
    """Speak Indonesian unless the user chose another language with the switcher (a cookie).

    Django's LocaleMiddleware would follow the browser's Accept-Language, and many phones and
    laptops in Indonesian villages are set to English: the registry is Indonesian first.
    """

    def __init__(self, get_response):
        self.get_response = get_response
        self.available = {code for code, _name in settings.LANGUAGES}

    def __call__(self, request):
        language = request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME)
        if language not in self.available:
            language = settings.LANGUAGE_CODE
        translation.activate(language)
        request.LANGUAGE_CODE = language
        response = self.get_response(request)
        response.headers.setdefault("Content-Language", language)
        return response


# Everything from the site itself, nothing inline: no inline <script>, no style="" attribute, no
# <style> element, no plugin, and no page of ours framed by another site.
CONTENT_SECURITY_POLICY = (
    "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; "
    "object-src 'none'; base-uri 'self'; form-action 'self'; frame-ancestors 'none'"
)


class ContentSecurityPolicyMiddleware:
    """Send CONTENT_SECURITY_POLICY with every response (Django 5.2 has no CSP of its own).

    The Django admin keeps working under it: its scripts are files and its page data sits in
    data- attributes or JSON <script> elements, which a policy does not run. (A change list without
    actions carries a one-line <style> that only widens its first column, and
    django-import-export's export page two style="" attributes, a padding and a bold label: the
    browser ignores them, nothing stops working.) tests/browser/test_csp.py drives it in Chromium.

    With DEBUG on, Django's own error pages (the yellow traceback, the debug 404) are built on
    inline CSS and JavaScript: they get no policy, so that they stay readable on a developer's
    machine. With DEBUG off every response gets it.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if settings.DEBUG and response.status_code >= 400:
            return response
        response.headers.setdefault("Content-Security-Policy", CONTENT_SECURITY_POLICY)
        return response


class PageMethodsMiddleware:
    """The site's pages answer GET, HEAD and POST; any other method (PUT, DELETE, PATCH,
    OPTIONS, TRACE) gets 405 naming those three. A page's view tests `request.method == "POST"`
    and otherwise shows itself, so a PUT came back as the page (200), as if it had been heard.
    A GET of a POST-only address gets the site's 405 page (templates/405.html). The API (DRF)
    answers methods on its own, in JSON."""

    ALLOWED = ("GET", "HEAD", "POST")

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        api = request.path.startswith("/api/")
        if request.method not in self.ALLOWED and not api:
            return HttpResponseNotAllowed(
                self.ALLOWED, _("This page answers only GET, HEAD and POST."),
                content_type="text/plain; charset=utf-8")
        response = self.get_response(request)
        if response.status_code == 405 and request.method == "GET" and not api:
            # A form's POST-only address opened (a reload, a bookmark): the site's page saying
            # so, with the way back, not the browser's blank "HTTP ERROR 405".
            back = request.META.get("HTTP_REFERER", "")
            page = render(request, "405.html", {
                "back": back if url_has_allowed_host_and_scheme(
                    back, {request.get_host()}, request.is_secure()) else ""}, status=405)
            page["Allow"] = response["Allow"]
            return page
        return response


class RejectNulMiddleware:
    """No address holds a NUL character (`%00`): PostgreSQL refuses it in any text it is given,
    so a group code or an admin filter carrying one would fail with a 500 deep in a query.
    A NUL in the path answers 404 (no such page), in the query string 400 (a bad request).
    Forms refuse a NUL in what is posted beside the field (Django's CharField)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        api = request.path.startswith("/api/")  # a script reading the API is answered in JSON
        if "\x00" in request.path:
            if api:
                return JsonResponse({"detail": _("Not found.")}, status=404)
            raise Http404
        if any("\x00" in value for key, values in request.GET.lists() for value in [key, *values]):
            if api:
                return JsonResponse({"detail": _("The address holds a NUL character.")},
                                    status=400)
            raise SuspiciousOperation("NUL character in the query string")
        return self.get_response(request)


class RecountAfterWritesMiddleware:
    """A request that may write (any but GET/HEAD/OPTIONS) computes the recap counts of the
    villages it changed once, at its end, before its answer goes out (`rekap.deferred`): the
    writer pays, never a reader."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.method in ("GET", "HEAD", "OPTIONS"):
            return self.get_response(request)
        from registry import rekap

        with rekap.deferred():
            return self.get_response(request)


class ChooseAreaMiddleware:
    """A page of an area opened without one by a user who has none, or a page of a village
    opened for a larger area (registry.pages.ChooseArea): the areas one level below (else the
    provinces), each a link to the same page of that area, the rest of the address kept."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_exception(self, request, exception):
        from registry.models import Tingkat, Wilayah
        from registry.pages import ChooseArea

        if not isinstance(exception, ChooseArea):
            return None
        query = request.GET.copy()
        query.pop("wilayah", None)
        query.pop("desa", None)
        within = exception.within
        below = Wilayah.objects.visible_to(request.user).filter(
            **({"induk": within} if within is not None else {"tingkat": Tingkat.PROVINSI}))
        choices = []
        for area in below.order_by("kode"):
            query["wilayah"] = area.kode
            choices.append((area, f"{request.path}?{query.urlencode()}"))
        return render(request, "pilih_wilayah.html", {"choices": choices, "within": within})
