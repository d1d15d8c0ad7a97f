from django.urls import path

from verifikasi.views import cetak, putaran, usulan

app_name = "verifikasi"
urlpatterns = [
    # Rounds and their progress (verifikasi/views/putaran.py).
    path("verifikasi/", putaran.putaran_list, name="putaran_list"),
    path("verifikasi/baru/", putaran.putaran_form, name="putaran_new"),
    path("verifikasi/<id:pk>/", putaran.putaran_detail, name="putaran_detail"),
    path("verifikasi/<id:pk>/ubah/", putaran.putaran_form, name="putaran_edit"),
    path("verifikasi/<id:pk>/desa/<str:desa>/selisih/", putaran.usulan_selisih,
         name="usulan_selisih"),
    # A village's list and each step on it (verifikasi/views/usulan.py).
    path("verifikasi/<id:pk>/desa/<str:desa>/", usulan.usulan_detail, name="usulan_detail"),
    path("verifikasi/<id:pk>/desa/<str:desa>/ajukan/", usulan.usulan_ajukan,
         name="usulan_ajukan"),
    path("verifikasi/<id:pk>/desa/<str:desa>/perbarui/", usulan.usulan_perbarui,
         name="usulan_perbarui"),
    path("verifikasi/<id:pk>/desa/<str:desa>/verifikasi/", usulan.usulan_verifikasi,
         name="usulan_verifikasi"),
    path("verifikasi/<id:pk>/desa/<str:desa>/setujui/", usulan.usulan_setujui,
         name="usulan_setujui"),
    path("verifikasi/<id:pk>/desa/<str:desa>/kembalikan/", usulan.usulan_kembalikan,
         name="usulan_kembalikan"),
    path("verifikasi/<id:pk>/desa/<str:desa>/berita-acara/", usulan.berita_acara,
         name="berita_acara"),
    path("verifikasi/item/<id:pk>/", usulan.item_detail, name="item_detail"),
    path("verifikasi/item/<id:pk>/terima/", usulan.item_terima, name="item_terima"),
    path("verifikasi/item/<id:pk>/kembalikan/", usulan.item_kembalikan,
         name="item_kembalikan"),
    path("verifikasi/item/<id:pk>/ajukan-ulang/", usulan.item_ajukan_ulang,
         name="item_ajukan_ulang"),
    # The village's list on paper: as submitted, as approved (verifikasi/views/cetak.py).
    path("verifikasi/<id:pk>/desa/<str:desa>/cetak/", cetak.usulan_cetak, name="usulan_cetak"),
]
