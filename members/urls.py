from django.urls import path

from members import views

app_name = "members"
urlpatterns = [
    path("warga/", views.warga_list, name="warga"),
    path("warga/<int:pk>/", views.warga_detail, name="warga_detail"),
    # Group codes may hold "/" (validate_kode_perkumpulan), hence <path:>.
    path("perkumpulan/<path:kode>/anggota/tambah/", views.anggota_tambah, name="anggota_tambah"),
    path("anggota/<int:pk>/", views.keanggotaan, name="keanggotaan"),
    path("anggota/<int:pk>/peran/", views.ganti_peran, name="ganti_peran"),
    path("anggota/<int:pk>/akhiri/", views.akhiri, name="akhiri"),
]
