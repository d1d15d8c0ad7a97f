from django.urls import path
from drf_spectacular.views import SpectacularAPIView

from api import pages, views
from registry import replicas

# The area figures read a replica where one is configured, as their pages do (registry.replicas).
app_name = "api"
urlpatterns = [
    path("api/v1/perkumpulan/", views.PerkumpulanList.as_view(), name="perkumpulan_list"),
    path("api/v1/perkumpulan/<path:kode>/", views.PerkumpulanDetail.as_view(),
         name="perkumpulan_detail"),
    path("api/v1/anggota/", views.AnggotaList.as_view(), name="anggota_list"),
    path("api/v1/jejaring/", views.JejaringList.as_view(), name="jejaring_list"),
    path("api/v1/pmks/", views.PmksList.as_view(), name="pmks_list"),
    path("api/v1/rekap/", replicas.heavy(views.RekapView.as_view()), name="rekap"),
    path("api/v1/jaringan/", replicas.heavy(views.JaringanView.as_view()), name="jaringan"),
    path("api/v1/ketahanan/", replicas.heavy(views.KetahananView.as_view()), name="ketahanan"),
    path("api/schema/", SpectacularAPIView.as_view(), name="schema"),
    path("akun/token/", pages.token_page, name="token"),
    path("akun/token/<id:pk>/cabut/", pages.token_revoke, name="token_revoke"),
]
