from django.urls import path, re_path

from network import views, views_cetak

app_name = "network"
urlpatterns = [
    path("perkumpulan/<path:kode>/hubungan/tambah/", views.hubungan_add, name="hubungan_add"),
    path("perkumpulan/<path:kode>/dana/tambah/", views.dana_add, name="dana_add"),
    path("hubungan/<id:pk>/hapus/", views.hubungan_remove, name="hubungan_remove"),
    path("forum/", views.forum, name="forum"),
    path("jaringan/", views.jaringan, name="jaringan"),
    re_path(r"^jaringan/unduh\.(?P<format>graphml|gexf)$", views.jaringan_download,
            name="jaringan_download"),
    path("forum/<id:pk>/ubah/", views.forum_edit, name="forum_edit"),
    path("forum/pertemuan/<id:pk>/cetak/", views_cetak.pertemuan_cetak, name="pertemuan_cetak"),
    path("forum/pengurus/<id:pk>/akhiri/", views.pengurus_end, name="pengurus_end"),
]
