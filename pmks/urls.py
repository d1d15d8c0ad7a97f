from django.urls import path

from pmks import views

app_name = "pmks"
urlpatterns = [
    path("pmks/", views.kasus_list, name="kasus_list"),
    path("pmks/cakupan/", views.cakupan, name="cakupan"),
    path("pmks/unduh.xlsx", views.kasus_xlsx, name="kasus_xlsx"),
    path("pmks/baru/", views.kasus_form, name="kasus_new"),
    path("pmks/<id:pk>/", views.kasus_detail, name="kasus_detail"),
    path("pmks/<id:pk>/ubah/", views.kasus_form, name="kasus_edit"),
    path("pmks/<id:pk>/<slug:aksi>/", views.kasus_aksi, name="kasus_aksi"),
]
