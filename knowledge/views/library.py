"""The public library of the knowledge platform: the front page, laws by country, country pages,
typical cases, warnings, the directory of service institutions and the search across them.

No login; only published items exist for a visitor (anything else is 404). Every page is
cacheable (knowledge.caching.public_page). Each list has its own search box, answered by the same
search as the platform's search page, restricted to the list's section and filters.
"""

from django import forms
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import render
from django.urls import path
from django.utils.translation import gettext_lazy as _

from applications.countries import ALL_COUNTRY_CHOICES, country_name
from knowledge import selectors
from knowledge.caching import content_version, public_page
from knowledge.models import Industry, IPType, Law, SearchEntry, ServiceInstitution, TypicalCase, Warning
from knowledge.search import MAX_QUERY_LENGTH, QueryError, search
from portal.cache import register_public_version
from portal.storage import private_file_response

# The portal's home page shows the latest warnings, events and the sections' counts: a publish renews it.
register_public_version(content_version)

PAGE_SIZE = 20

NATIONAL_PLATFORMS = [
    {
        "name": _("智南针（海外知识产权信息服务平台）"),
        "url": "https://www.worldip.cn/",
        "about": _("国家海外知识产权纠纷应对指导中心：各国知识产权法律、国别指南、海外纠纷案例"),
    },
    {
        "name": _("中国知识产权维权援助网"),
        "url": "https://www.ipwq.cn/",
        "about": _("全国知识产权维权援助机构、海外维权服务与公共服务信息"),
    },
]


ALL = _("全部")


def _blank(choices):
    return [("", ALL), *choices]


class _FilterForm(forms.Form):
    """A list's filters and its search box. A value that is not one of the choices is reported
    next to its field and ignored; the rest of the filters still apply."""

    q = forms.CharField(label=_("关键词"), required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name, field in self.fields.items():
            css = "form-control" if name == "q" else "form-select"
            field.widget.attrs.setdefault("class", css)
        self.fields["q"].widget.attrs.update({"type": "search", "placeholder": _("在本栏目中搜索")})

    def filters(self):
        self.is_valid()
        data = {}
        for name in self.fields:
            if name == "q" or name in self.errors:
                continue
            value = self.cleaned_data.get(name)
            if value not in (None, ""):
                data[name] = value
        return data

    def query(self):
        return (self.data.get("q") or "").strip()


COUNTRY_CHOICES = _blank(ALL_COUNTRY_CHOICES)
IP_TYPE_CHOICES = _blank(IPType.choices)


class LawFilterForm(_FilterForm):
    country = forms.ChoiceField(label=_("国家/地区"), choices=COUNTRY_CHOICES, required=False)
    ip_type = forms.ChoiceField(label=_("知识产权类型"), choices=IP_TYPE_CHOICES, required=False)
    doc_type = forms.ChoiceField(label=_("文件类型"), choices=_blank(Law.DocType.choices), required=False)
    legal_status = forms.ChoiceField(label=_("效力状态"), choices=_blank(Law.LegalStatus.choices), required=False)
    year = forms.TypedChoiceField(label=_("发布年份"), coerce=int, required=False, empty_value=None)

    def __init__(self, *args, years=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["year"].choices = _blank([(y, str(y)) for y in years])


class CaseFilterForm(_FilterForm):
    ip_type = forms.ChoiceField(label=_("知识产权类型"), choices=IP_TYPE_CHOICES, required=False)
    country = forms.ChoiceField(label=_("国家/地区"), choices=COUNTRY_CHOICES, required=False)
    industry = forms.ChoiceField(label=_("行业"), choices=_blank(Industry.choices), required=False)
    forum = forms.ChoiceField(label=_("程序"), choices=_blank(TypicalCase.Forum.choices), required=False)


class WarningFilterForm(_FilterForm):
    kind = forms.ChoiceField(label=_("类别"), choices=_blank(Warning.Kind.choices), required=False)
    risk_level = forms.ChoiceField(label=_("风险等级"), choices=_blank(Warning.Risk.choices), required=False)
    country = forms.ChoiceField(label=_("国家/地区"), choices=COUNTRY_CHOICES, required=False)


class InstitutionFilterForm(_FilterForm):
    scope = forms.ChoiceField(label=_("境内/境外"), choices=_blank(ServiceInstitution.Scope.choices), required=False)
    region = forms.ChoiceField(label=_("所在地区"), required=False)
    country = forms.ChoiceField(label=_("服务国家/地区"), choices=COUNTRY_CHOICES, required=False)

    def __init__(self, *args, regions=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["region"].choices = _blank([(r, r) for r in regions])


def _page_number(request):
    return request.GET.get("page") or 1


def _list(request, *, form, queryset, section, template, context):
    """A list page: the filtered items a page at a time, or, with a query in its search box, the
    search's ranked and highlighted results within the same filters."""
    filters = form.filters()
    query = form.query()
    result = query_error = None
    if query:
        try:
            result = search(
                query,
                section=section,
                object_ids=queryset.values("pk"),
                page=_page_number(request),
            )
        except QueryError as error:
            query_error = str(error)
            form.add_error("q", query_error)
    page = None
    if result is None:
        page = Paginator(queryset, PAGE_SIZE).get_page(_page_number(request))
    return render(
        request,
        template,
        {
            "form": form,
            "filters": filters,
            "page_obj": page,
            "result": result,
            "query": query,
            "max_query_length": MAX_QUERY_LENGTH,
            "national_platforms": NATIONAL_PLATFORMS,
            **context,
        },
    )


# --- The front page and the search ---------------------------------------------------------------


@public_page(bucket_seconds=300)
def index(request):
    return render(
        request,
        "knowledge/library/index.html",
        {
            **selectors.front_page(),
            "counts": selectors.section_counts(),
            "national_platforms": NATIONAL_PLATFORMS,
            "max_query_length": MAX_QUERY_LENGTH,
            "knowledge_section": "index",
        },
    )


class SearchForm(forms.Form):
    q = forms.CharField(label=_("搜索"), required=False)
    section = forms.ChoiceField(choices=_blank(SearchEntry.Section.choices), required=False)
    country = forms.ChoiceField(choices=COUNTRY_CHOICES, required=False)
    ip_type = forms.ChoiceField(choices=IP_TYPE_CHOICES, required=False)
    year = forms.IntegerField(min_value=1900, max_value=2100, required=False)


@public_page
def search_page(request):
    form = SearchForm(request.GET)
    form.is_valid()
    # A facet value that is not a choice is dropped, never a 500.
    facet = {name: form.cleaned_data.get(name) or None for name in ("section", "country", "ip_type", "year")}
    query = (request.GET.get("q") or "").strip()
    result = query_error = None
    if "q" in request.GET:
        try:
            result = search(query, page=_page_number(request), **facet)
        except QueryError as error:
            query_error = str(error)
    chosen = []
    if facet["section"]:
        chosen.append(("section", SearchEntry.Section(facet["section"]).label))
    if facet["country"]:
        chosen.append(("country", country_name(facet["country"])))
    if facet["ip_type"]:
        chosen.append(("ip_type", IPType(facet["ip_type"]).label))
    if facet["year"]:
        chosen.append(("year", facet["year"]))
    return render(
        request,
        "knowledge/library/search.html",
        {
            "query": request.GET.get("q", ""),
            "result": result,
            "query_error": query_error,
            "facet": facet,
            "chosen": chosen,
            "max_query_length": MAX_QUERY_LENGTH,
            "knowledge_section": "search",
        },
    )


# --- Laws ----------------------------------------------------------------------------------------


@public_page
def law_list(request):
    form = LawFilterForm(request.GET, years=selectors.law_years())
    laws = selectors.filter_laws(selectors.published_laws(), **form.filters())
    return _list(
        request,
        form=form,
        queryset=laws,
        section=SearchEntry.Section.LAW,
        template="knowledge/library/law_list.html",
        context={"knowledge_section": "laws"},
    )


@public_page
def law_detail(request, pk):
    law = selectors.published_or_404(Law, pk, selectors.published_laws().select_related("agency"))
    earlier, later = selectors.law_versions(law)
    return render(
        request,
        "knowledge/library/law_detail.html",
        {
            "law": law,
            "earlier_versions": earlier,
            "later_versions": later,
            "national_platforms": NATIONAL_PLATFORMS,
            "knowledge_section": "laws",
        },
    )


def law_attachment(request, pk):
    """The attachment of a published law, streamed (the media folder is not served directly)."""
    law = selectors.published_or_404(Law, pk)
    if not law.attachment:
        raise Http404
    name = law.attachment.name.rsplit("/", 1)[-1]
    return private_file_response(law.attachment, filename=name)


# --- Countries -----------------------------------------------------------------------------------


@public_page
def country_list(request):
    return render(
        request,
        "knowledge/library/country_list.html",
        {
            "countries": selectors.countries_with_content(),
            "national_platforms": NATIONAL_PLATFORMS,
            "knowledge_section": "countries",
        },
    )


@public_page
def country_detail(request, code):
    code = selectors.known_country(code)
    if code is None:
        raise Http404
    return render(
        request,
        "knowledge/library/country_detail.html",
        {
            "code": code,
            "country_label": country_name(code),
            **selectors.country_page(code),
            "national_platforms": NATIONAL_PLATFORMS,
            "knowledge_section": "countries",
        },
    )


# --- Typical cases -------------------------------------------------------------------------------


@public_page
def case_list(request):
    form = CaseFilterForm(request.GET)
    cases = selectors.filter_cases(selectors.published_cases(), **form.filters())
    return _list(
        request,
        form=form,
        queryset=cases,
        section=SearchEntry.Section.CASE,
        template="knowledge/library/case_list.html",
        context={"knowledge_section": "cases"},
    )


@public_page
def case_detail(request, pk):
    case = selectors.published_or_404(TypicalCase, pk, selectors.published_cases().select_related("agency"))
    return render(
        request,
        "knowledge/library/case_detail.html",
        {"case": case, "knowledge_section": "cases", "national_platforms": NATIONAL_PLATFORMS},
    )


# --- Warnings ------------------------------------------------------------------------------------


@public_page
def warning_list(request):
    form = WarningFilterForm(request.GET)
    warnings = selectors.filter_warnings(selectors.published_warnings(), **form.filters())
    return _list(
        request,
        form=form,
        queryset=warnings,
        section=SearchEntry.Section.WARNING,
        template="knowledge/library/warning_list.html",
        context={"knowledge_section": "warnings"},
    )


@public_page
def warning_detail(request, pk):
    warning = selectors.published_or_404(Warning, pk, selectors.published_warnings().select_related("agency", "law"))
    return render(
        request,
        "knowledge/library/warning_detail.html",
        {"warning": warning, "knowledge_section": "warnings"},
    )


# --- Service institutions ------------------------------------------------------------------------


@public_page
def institution_list(request):
    form = InstitutionFilterForm(request.GET, regions=selectors.institution_regions())
    institutions = selectors.filter_institutions(selectors.published_institutions(), **form.filters())
    return _list(
        request,
        form=form,
        queryset=institutions,
        section=SearchEntry.Section.INSTITUTION,
        template="knowledge/library/institution_list.html",
        context={"knowledge_section": "institutions"},
    )


@public_page
def institution_detail(request, pk):
    institution = selectors.published_or_404(ServiceInstitution, pk)
    partners = selectors.institution_partners(institution)
    return render(
        request,
        "knowledge/library/institution_detail.html",
        {
            "institution": institution,
            "partners": partners,
            "countries_covered": [country_name(code) for code in institution.countries_covered or []],
            "knowledge_section": "institutions",
        },
    )


urlpatterns = [
    path("", index, name="index"),
    path("search/", search_page, name="search"),
    path("laws/", law_list, name="laws"),
    path("laws/<id:pk>/", law_detail, name="law"),
    path("laws/<id:pk>/attachment/", law_attachment, name="law_attachment"),
    path("countries/", country_list, name="countries"),
    path("countries/<str:code>/", country_detail, name="country"),
    path("cases/", case_list, name="cases"),
    path("cases/<id:pk>/", case_detail, name="case"),
    path("warnings/", warning_list, name="warnings"),
    path("warnings/<id:pk>/", warning_detail, name="warning"),
    path("institutions/", institution_list, name="institutions"),
    path("institutions/<id:pk>/", institution_detail, name="institution"),
]
