import io

from django.contrib.auth.decorators import login_required
from django.http import (
    FileResponse,
    Http404,
    HttpRequest,
    HttpResponse,
    HttpResponseBadRequest,
)

from odk import form
from registry import access
from registry.models import Wilayah
from registry.pages import ChooseArea

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@login_required
def xlsform(request: HttpRequest) -> HttpResponse:
    """The survey as an XLSForm for ODK Collect and KoboToolbox, of the user's area (or of
    ?wilayah=CODE within it): the villages and reference lists only, nothing of the registry."""
    kode = request.GET.get("wilayah", "").strip()
    if kode:
        # Not found, as any record outside the user's area.
        area = Wilayah.objects.filter(kode=kode[:20]).first()
        if area is None or not access.reaches(request.user, area):
            raise Http404
    else:
        area = getattr(request.user, "wilayah", None)
        if area is None:
            raise ChooseArea
    buffer = io.BytesIO()
    try:
        form.write_xlsform(buffer, area.kode)
    except ValueError as exc:
        return HttpResponseBadRequest(str(exc))
    buffer.seek(0)
    return FileResponse(buffer, as_attachment=True, content_type=XLSX,
                        filename=f"formulir-odk-{form.form_id(area.kode)}.xlsx")
