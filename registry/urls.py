from django.urls import path

from registry.views import cetak, impor, perkumpulan, profil, rekap

app_name = "registry"
urlpatterns = [
    path("", perkumpulan.dashboard, name="dashboard"),
    path("perkumpulan/", perkumpulan.perkumpulan_list, name="perkumpulan_list"),
    path("perkumpulan/unduh.xlsx", perkumpulan.perkumpulan_xlsx, name="perkumpulan_xlsx"),
    path("perkumpulan/baru/", perkumpulan.perkumpulan_form, name="perkumpulan_new"),
    path("cari/perkumpulan/", perkumpulan.perkumpulan_cari, name="perkumpulan_cari"),
    path("perkumpulan/sk-berakhir/", cetak.sk_berakhir, name="sk_berakhir"),
    # Group codes may hold "/": the edit page comes first, and the other apps' pages under a
    # group (…/anggota/tambah/) are included before these (wksbm_site/urls.py).
    path("perkumpulan/<path:kode>/ubah/", perkumpulan.perkumpulan_form, name="perkumpulan_edit"),
    path("perkumpulan/<path:kode>/cetak/", cetak.perkumpulan_cetak, name="perkumpulan_cetak"),
    path("perkumpulan/<path:kode>/", perkumpulan.perkumpulan_detail, name="perkumpulan_detail"),
    path("impor/", impor.impor_new, name="impor_new"),
    path("impor/riwayat/", impor.impor_list, name="impor_list"),
    path("impor/<id:pk>/", impor.impor_detail, name="impor_detail"),
    path("impor/<id:pk>/konfirmasi/", impor.impor_confirm, name="impor_confirm"),
    path("impor/<id:pk>/batal/", impor.impor_cancel, name="impor_cancel"),
    path("impor/<id:pk>/kesalahan.xlsx", impor.impor_errors, name="impor_errors"),
    path("impor/templat.xlsx", impor.workbook_template, name="workbook_template"),
    path("ekspor/", impor.workbook_export, name="workbook_export"),
    path("ekspor/siapkan/", impor.export_page, name="export_page"),
    path("profil/<str:kode>/", profil.profil_list, name="profil_list"),
    path("profil/<str:kode>/baru/", profil.profil_form, name="profil_new"),
    path("profil/<str:kode>/<id:tahun>/ubah/", profil.profil_form, name="profil_edit"),
    path("rekap/", rekap.rekap_page, name="rekap"),
    path("rekap/xlsx/", rekap.rekap_xlsx, name="rekap_xlsx"),
    path("rekap/cetak/", cetak.rekap_cetak, name="rekap_cetak"),
    path("kop-surat/<str:kode>/", cetak.kop_surat_form, name="kop_surat"),
]
