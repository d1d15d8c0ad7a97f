from django.urls import path

from registry import views, views_perkumpulan, views_rekap

app_name = "registry"
urlpatterns = [
    path("", views_perkumpulan.dashboard, name="dashboard"),
    path("perkumpulan/", views_perkumpulan.perkumpulan_list, name="perkumpulan_list"),
    path("perkumpulan/unduh.xlsx", views_perkumpulan.perkumpulan_xlsx, name="perkumpulan_xlsx"),
    path("perkumpulan/baru/", views_perkumpulan.perkumpulan_form, name="perkumpulan_baru"),
    # Group codes may hold "/": the edit page comes first, and the other apps' pages under a
    # group (…/anggota/tambah/) are included before these (wksbm_site/urls.py).
    path("perkumpulan/<path:kode>/ubah/", views_perkumpulan.perkumpulan_form,
         name="perkumpulan_ubah"),
    path("perkumpulan/<path:kode>/", views_perkumpulan.perkumpulan_detail, name="perkumpulan"),
    path("impor/", views.impor, name="impor"),
    path("impor/riwayat/", views.impor_daftar, name="impor_daftar"),
    path("impor/<int:pk>/", views.impor_detail, name="impor_detail"),
    path("impor/<int:pk>/konfirmasi/", views.impor_konfirmasi, name="impor_konfirmasi"),
    path("impor/<int:pk>/kesalahan.xlsx", views.impor_kesalahan, name="impor_kesalahan"),
    path("impor/templat.xlsx", views.templat, name="templat"),
    path("ekspor/", views.ekspor, name="ekspor"),
    path("rekap/", views_rekap.rekap_page, name="rekap"),
    path("rekap/xlsx/", views_rekap.rekap_xlsx, name="rekap_xlsx"),
]
