from django.urls import path

from members import views

app_name = "members"
urlpatterns = [
    path("warga/", views.warga_list, name="warga"),
]
