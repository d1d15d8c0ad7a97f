from django.urls import path, re_path

from network import views

app_name = "network"
urlpatterns = [
    path("perkumpulan/<path:kode>/hubungan/tambah/", views.link_add, name="hubungan_tambah"),
    path("hubungan/<int:pk>/hapus/", views.link_remove, name="hubungan_hapus"),
    path("forum/", views.forum, name="forum"),
    path("jaringan/", views.jaringan, name="jaringan"),
    re_path(r"^jaringan/unduh\.(?P<format>graphml|gexf)$", views.jaringan_unduh,
            name="jaringan_unduh"),
    path("forum/pengurus/<int:pk>/akhiri/", views.leader_end, name="pengurus_akhiri"),
]
