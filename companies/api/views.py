"""Companies in the API: read by anyone, written through companies.services with a token."""

from drf_spectacular.utils import extend_schema
from rest_framework import status
from rest_framework.response import Response

from companies.api.serializers import CompanySerializer, CompanyWriteSerializer
from companies.filters import CompanyFilterSet
from companies.models import Company
from companies.services import company_create, company_update
from config.api.views import ResourceViewSet


class CompanyViewSet(ResourceViewSet):
    """
    Companies that announce, co-announce or sell into AI infrastructure spending, chip vendors
    included. Addressed by slug: `/api/v1/companies/bytedance/`.
    """

    queryset = Company.objects.select_related("parent")
    lookup_field = "slug"
    lookup_value_regex = r"[-a-zA-Z0-9_]{1,200}"
    filterset_class = CompanyFilterSet
    ordering = ["name"]
    ordering_fields = {
        "name": "Company name.",
        "country": "Headquarters country code.",
        "updated_at": "Last change of the record.",
    }
    export_name = "companies"

    def get_serializer_class(self):
        if self.action in ("create", "partial_update"):
            return CompanyWriteSerializer
        return CompanySerializer

    def _read(self, company: Company) -> dict:
        return CompanySerializer(company, context=self.get_serializer_context()).data

    @extend_schema(request=CompanyWriteSerializer, responses={201: CompanySerializer})
    def create(self, request, *args, **kwargs):
        """Create a company (needs `companies.add_company`)."""
        serializer = CompanyWriteSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        company = company_create(**serializer.validated_data)
        data = self._read(company)
        return Response(data, status=status.HTTP_201_CREATED, headers={"Location": data["api_url"]})

    @extend_schema(request=CompanyWriteSerializer, responses={200: CompanySerializer})
    def partial_update(self, request, *args, **kwargs):
        """Change some of a company's fields (needs `companies.change_company`)."""
        company = self.get_object()
        serializer = CompanyWriteSerializer(data=request.data, partial=True)
        serializer.is_valid(raise_exception=True)
        company = company_update(company=company, **serializer.validated_data)
        return Response(self._read(company))
