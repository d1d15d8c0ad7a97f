"""The read-only JSON API (/api/v1/): the registry's groups, memberships, links and PMKS cases,
the recap, the network figures and the resilience indicators, each scoped by the same rules as
the pages (registry.access) and filtered by the same filters as the lists."""

from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django_filters.rest_framework import DjangoFilterBackend
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import exceptions, generics, permissions
from rest_framework.response import Response
from rest_framework.views import APIView

from api import filters, serializers
from ketahanan import indikator
from ketahanan.views.indikator import _params as ketahanan_params
from members.models import Keanggotaan
from network import graph
from network.models import Hubungan
from pmks.filters import KasusFilter
from pmks.models import KasusPMKS, LogAkses, Tindakan
from registry import access, rekap
from registry.filters import PerkumpulanFilter
from registry.models import Perkumpulan
from registry.pages import BadRequest, ChooseArea, area_param, pada_param
from registry.views.perkumpulan import _stored_count as stored_group_count
from registry.views.rekap import _params_and_source


class Filtered(generics.ListAPIView):
    filter_backends = [DjangoFilterBackend]

    def filter_queryset(self, queryset):
        found = super().filter_queryset(queryset)
        # Ties in a stable order, whatever the filter's `urut` asks first.
        return found.order_by(*found.query.order_by, "pk")


class PerkumpulanList(Filtered):
    """The groups within the user's area, filtered as the group list (registry.filters). A page
    is read as tuples of the serializer's fields, not as model instances: the list of a city's
    100,000 groups answers about as fast as the web list."""

    serializer_class = serializers.PerkumpulanSerializer
    filterset_class = PerkumpulanFilter

    def list(self, request, *args, **kwargs):
        queryset = self.filter_queryset(self.get_queryset())
        page = self.paginate_queryset(queryset.values_list(*serializers.PERKUMPULAN_COLUMNS))
        names = serializers.PerkumpulanSerializer.Meta.fields
        at = names.index("diubah")
        rows = []
        for row in page:
            item = dict(zip(names, row, strict=True))
            item["diubah"] = timezone.localtime(row[at])
            rows.append(item)
        return self.get_paginated_response(rows)

    def get_queryset(self):
        return (Perkumpulan.objects.visible_to(self.request.user)
                .select_related("jenis", "desa").order_by("kode"))

    def known_count(self, queryset) -> int | None:
        """The web list's count from the stored recap counts, where its filters allow it."""
        found = PerkumpulanFilter(self.request.GET, queryset=Perkumpulan.objects.none(),
                                  request=self.request)
        if not found.is_valid():
            return None
        return stored_group_count(found, self.request, lambda: queryset)


class PerkumpulanDetail(generics.RetrieveAPIView):
    """One group of the user's area, by its code (404 outside it)."""

    serializer_class = serializers.PerkumpulanSerializer
    lookup_field = "kode"

    def get_queryset(self):
        return Perkumpulan.objects.visible_to(self.request.user).select_related("jenis", "desa")


class AnggotaList(Filtered):
    """The memberships of the groups within the user's area, each with its person: NIK masked,
    birth date and address left out for a user who may not see personal data."""

    serializer_class = serializers.KeanggotaanSerializer
    filterset_class = filters.KeanggotaanFilter

    def get_queryset(self):
        return (Keanggotaan.objects.visible_to(self.request.user)
                .select_related("perkumpulan", "warga").order_by("perkumpulan__kode", "pk"))


class JejaringList(Filtered):
    """The working links of the groups within the user's area."""

    serializer_class = serializers.HubunganSerializer
    filterset_class = filters.HubunganFilter

    def get_queryset(self):
        return (Hubungan.objects.visible_to(self.request.user)
                .select_related("perkumpulan", "mitra_perkumpulan", "mitra_luar")
                .order_by("perkumpulan__kode", "pk"))


class SeesPmks(permissions.BasePermission):
    message = _("PMKS data is not available to your role.")

    def has_permission(self, request, view) -> bool:
        return access.can_see_pmks(request.user)


class PmksList(Filtered):
    """The PMKS cases within the user's area (not for observers: 403), filtered as the case list
    (pmks.filters). Each request is written in the PMKS access log."""

    serializer_class = serializers.KasusSerializer
    filterset_class = KasusFilter
    permission_classes = [permissions.IsAuthenticated, SeesPmks]

    def get_queryset(self):
        return (KasusPMKS.objects.visible_to(self.request.user)
                .select_related("warga", "kategori", "pendamping").order_by("desa", "nama", "pk"))

    def list(self, request, *args, **kwargs):
        response = super().list(request, *args, **kwargs)
        LogAkses.catat(request.user, Tindakan.LIHAT, request.user.wilayah,
                       keterangan=f"api {request.GET.urlencode()}"[:300])
        return response


WILAYAH = OpenApiParameter("wilayah", OpenApiTypes.STR, description=(
    "An area code within the user's area (default: the user's own), e.g. 32.77.01.1002"))
TAHUN = OpenApiParameter("tahun", OpenApiTypes.INT, description="The reference year")
PADA = OpenApiParameter("pada", OpenApiTypes.DATE,
                        description="The registry as it stood on this date")


class AreaView(APIView):
    """A figure of one area (`?wilayah=CODE`): 400 with `detail` for a bad code, 404 for an area
    outside the user's."""

    def get(self, request):
        try:
            return Response(self.figures(request))
        except (BadRequest, ChooseArea) as exc:  # a script is told, not shown the provinces
            raise exceptions.ValidationError({"detail": str(exc)}) from exc
        except Http404 as exc:
            raise exceptions.NotFound() from exc

    def figures(self, request) -> dict:
        raise NotImplementedError


@extend_schema(parameters=[WILAYAH, TAHUN], responses=OpenApiTypes.OBJECT)
class RekapView(AreaView):
    """Seed 004's recap tables of an area, as the recap page (PMKS tables only for the roles
    that see PMKS)."""

    def figures(self, request) -> dict:
        area, tahun, sumber = _params_and_source(request)
        return rekap.build(area, tahun, sensitive=access.can_see_pmks(request.user),
                           sumber=sumber).as_dict()


@extend_schema(parameters=[WILAYAH, PADA], responses=OpenApiTypes.OBJECT)
class JaringanView(AreaView):
    """The working network's figures of an area, as the network page."""

    def figures(self, request) -> dict:
        area = area_param(request)
        return graph.figures(graph.build(area, pada=pada_param(request)))


@extend_schema(parameters=[WILAYAH, TAHUN, PADA], responses=OpenApiTypes.OBJECT)
class KetahananView(AreaView):
    """The social-resilience indicators of an area, as the indicators page."""

    def figures(self, request) -> dict:
        area, acuan, pada = ketahanan_params(request)
        return indikator.hitung(area, acuan=acuan, pada=pada).as_dict()

