from django.urls import path

from psks import views

app_name = "psks"
urlpatterns = [
    path("psks/", views.psks_index, name="index"),
    path("psks/petugas/baru/", views.petugas_form, name="petugas_new"),
    path("psks/petugas/<id:pk>/ubah/", views.petugas_form, name="petugas_edit"),
    path("psks/lks/baru/", views.lks_form, name="lks_new"),
    path("psks/lks/<id:pk>/ubah/", views.lks_form, name="lks_edit"),
    path("psks/pelatihan/baru/", views.pelatihan_form, name="pelatihan_new"),
    path("psks/pelatihan/<id:pk>/", views.pelatihan_detail, name="pelatihan_detail"),
    path("psks/pelatihan/<id:pk>/ubah/", views.pelatihan_form, name="pelatihan_edit"),
    path("psks/pelatihan/<id:pk>/peserta/tambah/", views.peserta_add, name="peserta_add"),
]
