"""The REST API, version 1. Every view: token authentication, the scope it names, the client's rate
limit, and one ApiCall row per request (ApiView.dispatch)."""

import re
import time

from django.core.exceptions import ValidationError as DjangoValidationError
from django.db.models import CharField, F, FileField, Value
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView
from rest_framework import exceptions, status
from rest_framework.response import Response
from rest_framework.views import APIView

from api import serializers as s
from api.audit import record_call
from api.models import Scope
from api.pagination import ApiPagination
from applications.choices import (
    ApplicantCategory,
    Channel,
    DisputeLevel,
    DisputeType,
    OpponentType,
    RightType,
    TechnicalField,
)
from applications.countries import ALL_COUNTRY_CHOICES
from cases.models import Case
from consultations.services import consultation_log
from documents.converters import VerificationCodeConverter
from documents.forms import normalise_code
from documents.models import Document
from documents.verification import check_issued
from knowledge.models import Event, Law, ServiceInstitution, TypicalCase, Warning
from knowledge.selectors import published
from portal.access import Forbidden
from portal.models import ServicePoint, SiteConfiguration
from reporting import selectors as reporting_selectors
from reporting.periods import Period, PeriodError
from reporting.records import RecordMaker, handled_in, record_values

PERIOD_PARAMETERS = [
    OpenApiParameter("period", str, enum=["month", "quarter", "year", "custom"], description="默认：本季度"),
    OpenApiParameter("year", int),
    OpenApiParameter("quarter", int, description="1–4"),
    OpenApiParameter("month", int, description="1–12"),
    OpenApiParameter("start", OpenApiTypes.DATE, description="period=custom 时的开始日期"),
    OpenApiParameter("end", OpenApiTypes.DATE, description="period=custom 时的结束日期"),
    OpenApiParameter("service_point", int, description="服务工作站（含其下级）"),
]
PERIOD_KEYS = {"period", "year", "quarter", "month", "start", "end", "service_point"}
ERRORS = {
    400: OpenApiResponse(OpenApiTypes.OBJECT, description="参数有误：每个参数一条说明"),
    401: OpenApiResponse(s.ErrorSerializer, description="未提供令牌、令牌无效、已吊销或已过期"),
    403: OpenApiResponse(s.ErrorSerializer, description="令牌没有该接口所需的权限范围"),
    429: OpenApiResponse(s.ErrorSerializer, description="超过调用频率上限"),
}


class Audited:
    """Records each request as an ApiCall (token, method, path, status, duration, address)."""

    def dispatch(self, request, *args, **kwargs):
        started = time.monotonic()
        response = super().dispatch(request, *args, **kwargs)
        record_call(getattr(self, "request", request), response, started)
        return response


class ApiView(Audited, APIView):
    required_scope = None


def reject_unknown(params, allowed):
    unknown = sorted(set(params) - set(allowed))
    if unknown:
        raise exceptions.ValidationError(
            {
                name: [_("未知的参数；可用的参数：%(allowed)s") % {"allowed": "、".join(sorted(allowed))}]
                for name in unknown
            }
        )


def read_period(params):
    try:
        period = Period.from_params(params)
    except PeriodError as error:
        raise exceptions.ValidationError({name: [message] for name, message in error.errors.items()}) from None
    service_point_ids = None
    raw = params.get("service_point")
    if raw not in (None, ""):
        if not str(raw).isdigit() or not ServicePoint.objects.filter(pk=int(raw)).exists():
            raise exceptions.ValidationError({"service_point": [_("没有这个服务工作站。")]})
        service_point_ids = ServicePoint.scope_ids(int(raw))
    return period, service_point_ids


# --- statistics -------------------------------------------------------------------------------
def _figures_module():
    """The owner of the figures (a function, so that tests can give a known set)."""
    return reporting_selectors


class StatisticsView(ApiView):
    required_scope = Scope.STATISTICS_READ

    @extend_schema(
        operation_id="statistics_read",
        summary="按期间读取统计数据",
        parameters=[
            *PERIOD_PARAMETERS,
            OpenApiParameter("dimension", str, description="只返回 dimensions 中的这一个维度"),
        ],
        responses={200: OpenApiTypes.OBJECT, **ERRORS},
    )
    def get(self, request):
        reject_unknown(request.query_params, PERIOD_KEYS | {"dimension"})
        period, service_point_ids = read_period(request.query_params)
        selectors = _figures_module()
        dimension = request.query_params.get("dimension")
        known = selectors.DIMENSIONS
        if dimension is not None and dimension not in known:
            raise exceptions.ValidationError(
                {"dimension": [_("未知的维度；可选：%(keys)s") % {"keys": "、".join(known)}]}
            )
        figures = selectors.figures(period, service_point_ids=service_point_ids)
        if dimension is not None:
            figures = {**figures, "dimensions": {dimension: figures["dimensions"].get(dimension, [])}}
        return Response(figures)


# --- knowledge --------------------------------------------------------------------------------
KNOWLEDGE_TYPES = {
    "law": (Law, "title_zh"),
    "case": (TypicalCase, "title"),
    "warning": (Warning, "title"),
    "institution": (ServiceInstitution, "name"),
    "event": (Event, "title"),
}
INTERNAL_FIELDS = {
    "id",
    "status",
    "agency",
    "submitted_by",
    "submitted_at",
    "review_reason",
    "reviewed_by",
    "reviewed_at",
    "created_at",
    "updated_at",
    "revision",
    "consent",
    "consent_token",
    "source_case",
    "published_at",
}
COUNTRY_CODES = {code for code, _label in ALL_COUNTRY_CHOICES}


def _knowledge_values(kind, country=None):
    model, title = KNOWLEDGE_TYPES[kind]
    items = published(model)
    if country:
        items = items.filter(country=country)
    return items.order_by().values(
        "id",
        "published_at",
        type=Value(kind, output_field=CharField()),
        title_=F(title),
        country_=F("country"),
    )


def _knowledge_item(row):
    model, _title = KNOWLEDGE_TYPES[row["type"]]
    return {
        "type": row["type"],
        "id": row["id"],
        "title": row["title_"],
        "country": row["country_"] or "",
        "published_at": row["published_at"],
        "url": model(pk=row["id"]).get_absolute_url(),
    }


class KnowledgeListView(ApiView):
    required_scope = Scope.KNOWLEDGE_READ

    @extend_schema(
        operation_id="knowledge_list",
        summary="已发布的知识库内容",
        parameters=[
            OpenApiParameter("type", str, enum=list(KNOWLEDGE_TYPES)),
            OpenApiParameter("country", str, description="ISO 3166-1 二位字母代码"),
            OpenApiParameter("page", int),
            OpenApiParameter("page_size", int),
        ],
        responses={200: s.KnowledgeItemSerializer(many=True), **ERRORS},
    )
    def get(self, request):
        params = request.query_params
        reject_unknown(params, {"type", "country", "page", "page_size"})
        kind = params.get("type")
        if kind is not None and kind not in KNOWLEDGE_TYPES:
            raise exceptions.ValidationError({"type": [_("可选：%(kinds)s") % {"kinds": "、".join(KNOWLEDGE_TYPES)}]})
        country = (params.get("country") or "").upper() or None
        if country is not None and country not in COUNTRY_CODES:
            raise exceptions.ValidationError({"country": [_("请使用 ISO 3166-1 二位字母代码，例如 US。")]})
        kinds = [kind] if kind else list(KNOWLEDGE_TYPES)
        rows = _knowledge_values(kinds[0], country)
        if len(kinds) > 1:
            rows = rows.union(*[_knowledge_values(k, country) for k in kinds[1:]], all=True)
        rows = rows.order_by("-published_at", "type", "-id")
        paginator = ApiPagination()
        page = paginator.paginate_queryset(rows, request, view=self)
        return paginator.get_paginated_response([_knowledge_item(row) for row in page])


class KnowledgeDetailView(ApiView):
    required_scope = Scope.KNOWLEDGE_READ

    @extend_schema(
        operation_id="knowledge_detail",
        summary="一项已发布的知识库内容",
        responses={200: s.KnowledgeDetailSerializer, 404: s.ErrorSerializer, **ERRORS},
    )
    def get(self, request, kind, pk):
        if kind not in KNOWLEDGE_TYPES:
            raise Http404
        model, title = KNOWLEDGE_TYPES[kind]
        item = published(model).filter(pk=pk).first()
        if item is None:
            raise Http404
        content = {}
        for field in model._meta.concrete_fields:
            # Files are offered by the public pages, not here.
            if field.name in INTERNAL_FIELDS or field.is_relation or isinstance(field, FileField):
                continue
            content[field.name] = getattr(item, field.attname)
        return Response(
            {
                "type": kind,
                "id": item.pk,
                "title": getattr(item, title),
                "country": getattr(item, "country", "") or "",
                "published_at": item.published_at,
                "url": item.get_absolute_url(),
                "content": content,
            }
        )


# --- case records -----------------------------------------------------------------------------
CASE_FILTERS = {
    "country": ("countries", COUNTRY_CODES, True),
    "right_type": ("right_types", set(RightType.values), True),
    "dispute_type": ("dispute_types", set(DisputeType.values), True),
    "opponent_type": ("application__opponent_types", set(OpponentType.values), True),
    "technical_field": ("technical_field", set(TechnicalField.values), False),
    "level": ("level", set(DisputeLevel.values), False),
    "applicant_category": ("application__applicant_category", set(ApplicantCategory.values), False),
    "channel": ("application__channel", set(Channel.values), False),
}
CASE_ORDERING = {"case_number": "number", "accepted_on": "opened_at", "closed_on": "closed_at"}


class CaseRecordListView(ApiView):
    required_scope = Scope.CASES_READ

    @extend_schema(
        operation_id="cases_list",
        summary="脱敏案件信息（期间内办理的案件）",
        parameters=[
            *PERIOD_PARAMETERS,
            *[OpenApiParameter(name, str) for name in CASE_FILTERS],
            OpenApiParameter(
                "ordering",
                str,
                enum=[*CASE_ORDERING, *[f"-{key}" for key in CASE_ORDERING]],
                description="默认 accepted_on",
            ),
            OpenApiParameter("page", int),
            OpenApiParameter("page_size", int),
        ],
        responses={200: s.CaseRecordSerializer(many=True), **ERRORS},
    )
    def get(self, request):
        params = request.query_params
        reject_unknown(params, PERIOD_KEYS | set(CASE_FILTERS) | {"ordering", "page", "page_size"})
        period, service_point_ids = read_period(params)
        cases = handled_in(period, service_point_ids=service_point_ids)
        errors = {}
        for name, (column, allowed, is_list) in CASE_FILTERS.items():
            value = params.get(name)
            if value is None:
                continue
            value = value.upper() if name == "country" else value
            if value not in allowed:
                errors[name] = [_("未知的取值“%(value)s”。") % {"value": value[:30]}]
            elif is_list:
                cases = cases.filter(**{f"{column}__contains": f"|{value}|"})
            else:
                cases = cases.filter(**{column: value})
        ordering = params.get("ordering", "accepted_on")
        key = ordering.removeprefix("-")
        if key not in CASE_ORDERING:
            errors["ordering"] = [_("可选：%(keys)s（前加“-”为倒序）") % {"keys": "、".join(CASE_ORDERING)}]
        if errors:
            raise exceptions.ValidationError(errors)
        column = CASE_ORDERING[key]
        order = (f"-{column}" if ordering.startswith("-") else column, "pk")
        # Two steps: the page's ids from the case table alone (its indexes, no join), then the
        # records of those 50 ids.
        paginator = ApiPagination()
        ids = paginator.paginate_queryset(cases.order_by(*order).values_list("pk", flat=True), request, view=self)
        rows = record_values(Case.objects.filter(pk__in=list(ids)).order_by(*order))
        make = RecordMaker()
        return paginator.get_paginated_response([make(row) for row in rows])


# --- consultations ----------------------------------------------------------------------------
class ConsultationCreateView(ApiView):
    required_scope = Scope.CONSULTATIONS_WRITE

    @extend_schema(
        operation_id="consultations_create",
        summary="登记一条咨询",
        request=s.ConsultationCreateSerializer,
        responses={201: s.ConsultationCreatedSerializer, **ERRORS},
    )
    def post(self, request):
        client = request.user.client
        if client.acts_as_id is None:
            raise exceptions.PermissionDenied(_("该调用方未设置接待人账号，不能登记咨询；请联系指导中心。"))
        serializer = s.ConsultationCreateSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = dict(serializer.validated_data)
        data.setdefault("received_at", timezone.now())
        try:
            consultation = consultation_log(data=data, by=client.acts_as)
        except DjangoValidationError as error:
            raise exceptions.ValidationError(
                error.message_dict if hasattr(error, "error_dict") else {"non_field_errors": error.messages}
            ) from None
        except Forbidden as error:
            raise exceptions.PermissionDenied(str(error)) from None
        return Response(
            {
                "id": consultation.pk,
                "number": consultation.number,
                "status": consultation.status,
                "channel": consultation.channel,
                "received_at": consultation.received_at,
            },
            status=status.HTTP_201_CREATED,
        )


# --- documents --------------------------------------------------------------------------------
class DocumentVerifyView(ApiView):
    required_scope = Scope.DOCUMENTS_VERIFY

    @extend_schema(
        operation_id="documents_verify",
        summary="按验证码核验文书（与公开核验页面相同的信息）",
        responses={200: s.DocumentVerificationSerializer, 404: s.ErrorSerializer, **ERRORS},
    )
    def get(self, request, code):
        # The same codes as the public page's address accepts (letters, digits, spaces, hyphens).
        normalised = normalise_code(code) if re.fullmatch(VerificationCodeConverter.regex, code) else ""
        document = (
            Document.objects.filter(status=Document.Status.READY, verification_code=normalised)
            .select_related("superseded_by")
            .first()
            if normalised
            else None
        )
        if document is None:
            raise exceptions.NotFound(_("没有以此验证码出具的文书。"))
        successor = document.superseded_by
        signature = check_issued(document)
        return Response(
            {
                "code": document.verification_code,
                "kind": document.get_kind_display(),
                "number": document.number,
                "issued_on": document.issued_on,
                "issuing_body": SiteConfiguration.get().issuing_body,
                "superseded_by": successor.number
                if successor is not None and successor.status == Document.Status.READY
                else None,
                "signature": None
                if signature is None
                else {
                    "state": signature.state,
                    "signer": signature.signer,
                    "signer_organisation": signature.signer_organisation,
                    "signed_at": signature.signed_at,
                    "chains_to_center": signature.chains_to_center,
                    "revocation": signature.revocation,
                },
                "verification_url": request.build_absolute_uri(document.verify_path),
            }
        )


# --- the schema and its documentation ---------------------------------------------------------
class SchemaView(Audited, SpectacularAPIView):
    pass


class DocsView(SpectacularSwaggerSplitView):
    """Swagger UI from our static files (the sidecar); its start-up script is served as a file of
    its own (the split view), so the page runs under the site's script-src 'self'. The page is a
    static shell (the schema it loads is throttled): not throttled itself."""

    throttle_classes = []
