from django.urls import path

from odk import views

app_name = "odk"
urlpatterns = [
    path("impor/formulir-odk.xlsx", views.xlsform, name="xlsform"),
]
