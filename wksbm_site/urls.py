from django.contrib import admin
from django.urls import include, path

# A full disk or database is told as such (503), any other failure as the site's 500.html.
handler500 = "wksbm_site.errors.server_error"

urlpatterns = [
    path("admin/", admin.site.urls),
    # Django's account pages; the password reset only where mail is configured.
    path("accounts/", include("wksbm_site.accounts")),
    path("i18n/", include("django.conf.urls.i18n")),
    # The read-only JSON API and its OpenAPI description (docs/api.md), and the token page.
    path("", include("api.urls")),
    # The apps' pages under a group (/perkumpulan/<kode>/anggota/…) before the group's own page.
    path("", include("members.urls")),
    path("", include("network.urls")),
    path("", include("pmks.urls")),
    path("", include("psks.urls")),
    path("", include("bantuan.urls")),
    path("", include("verifikasi.urls")),
    path("", include("ketahanan.urls")),
    path("", include("odk.urls")),
    path("", include("registry.urls")),
]
