from django.urls import path

from bantuan.views import penerima, program

app_name = "bantuan"
urlpatterns = [
    # Programmes (bantuan/views/program.py).
    path("bantuan/", program.program_list, name="program_list"),
    path("bantuan/program/baru/", program.program_form, name="program_new"),
    path("bantuan/program/<id:pk>/", program.program_detail, name="program_detail"),
    path("bantuan/program/<id:pk>/ubah/", program.program_form, name="program_edit"),
    path("bantuan/program/<id:pk>/penerima.xlsx", program.program_xlsx, name="program_xlsx"),
    path("bantuan/ganda/", program.ganda_list, name="ganda_list"),
    # Recipients, distributions, stimulus reports (bantuan/views/penerima.py).
    path("bantuan/program/<id:pk>/penerima/tambah/", penerima.penerima_add,
         name="penerima_add"),
    path("bantuan/penerima/<id:pk>/", penerima.penerima_detail, name="penerima_detail"),
    path("bantuan/penerima/<id:pk>/hentikan/", penerima.penerima_stop, name="penerima_stop"),
    path("bantuan/penerima/<id:pk>/salurkan/", penerima.penyaluran_add, name="penyaluran_add"),
    path("bantuan/penyaluran/<id:pk>/bukti/", penerima.penyaluran_bukti,
         name="penyaluran_bukti"),
    path("bantuan/penerima/<id:pk>/laporan/", penerima.laporan_add, name="laporan_add"),
    path("bantuan/laporan/<id:pk>/bukti/", penerima.laporan_bukti, name="laporan_bukti"),
    path("bantuan/laporan/", penerima.laporan_list, name="laporan_list"),
]
