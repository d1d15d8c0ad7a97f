from django.urls import path, re_path

from pmks import views

app_name = "pmks"
urlpatterns = [
    path("pmks/", views.kasus_list, name="kasus_list"),
    path("pmks/cakupan/", views.cakupan, name="cakupan"),
    path("pmks/unduh.xlsx", views.kasus_xlsx, name="kasus_xlsx"),
    path("pmks/baru/", views.kasus_form, name="kasus_new"),
    path("pmks/<int:pk>/", views.kasus_detail, name="kasus_detail"),
    path("pmks/<int:pk>/ubah/", views.kasus_form, name="kasus_edit"),
    re_path(r"^pmks/(?P<pk>[0-9]+)/(?P<aksi>[a-z_]+)/$", views.kasus_aksi,
            name="kasus_aksi"),
]
