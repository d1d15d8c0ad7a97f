from django.urls import path

from members import views, views_cetak

app_name = "members"
urlpatterns = [
    path("warga/", views.warga_list, name="warga_list"),
    path("warga/<id:pk>/", views.warga_detail, name="warga_detail"),
    path("cari/warga/", views.warga_cari, name="warga_cari"),
    path("warga/<id:pk>/ubah/", views.warga_edit, name="warga_edit"),
    # Group codes may hold "/" (validate_kode_perkumpulan), hence <path:>.
    path("perkumpulan/<path:kode>/anggota/tambah/", views.anggota_add, name="anggota_add"),
    path("perkumpulan/<path:kode>/anggota/cetak/", views_cetak.anggota_cetak,
         name="anggota_cetak"),
    path("anggota/<id:pk>/", views.keanggotaan_detail, name="keanggotaan_detail"),
    path("anggota/<id:pk>/peran/", views.keanggotaan_role, name="keanggotaan_role"),
    path("anggota/<id:pk>/akhiri/", views.keanggotaan_end, name="keanggotaan_end"),
    path("keluarga/baru/", views.keluarga_form, name="keluarga_new"),
    path("keluarga/<id:pk>/", views.keluarga_detail, name="keluarga_detail"),
    path("keluarga/<id:pk>/ubah/", views.keluarga_form, name="keluarga_edit"),
    path("keluarga/<id:pk>/anggota/tambah/", views.anggota_keluarga_add,
         name="anggota_keluarga_add"),
    path("keluarga/anggota/<id:pk>/akhiri/", views.anggota_keluarga_end,
         name="anggota_keluarga_end"),
]
