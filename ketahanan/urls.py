"""The social-resilience pages: each page family's module lists its own URLs."""

from ketahanan.views import indikator, penilaian, pokja, putaran, rencana

app_name = "ketahanan"
urlpatterns = [*indikator.urlpatterns, *putaran.urlpatterns, *pokja.urlpatterns,
               *penilaian.urlpatterns, *rencana.urlpatterns]
