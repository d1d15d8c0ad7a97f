from django.urls import path

from pmks import views

app_name = "pmks"
urlpatterns = [
    path("pmks/", views.kasus_list, name="kasus_list"),
    path("pmks/cakupan/", views.cakupan, name="cakupan"),
    path("pmks/unduh.xlsx", views.kasus_xlsx, name="kasus_xlsx"),
    path("pmks/<int:pk>/", views.kasus_detail, name="kasus"),
]
