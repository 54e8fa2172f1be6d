"""Read-side queries of the public knowledge platform: what a visitor may see, and how it is listed.

Only published items are public. Every list, page and feed of the platform reads them from here
(`published(...)`, `published_laws()`, …) so that "public" means one thing everywhere.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Count, Value
from django.shortcuts import get_object_or_404
from django.utils import timezone

from applications.countries import COUNTRY_NAMES, country_name
from knowledge.models import (
    CountryGuide,
    Event,
    Law,
    OfficialFee,
    ServiceInstitution,
    TypicalCase,
    Warning,
)

PUBLISHED = Law.Status.PUBLISHED


def published(model):
    """The published items of one kind (Law, TypicalCase, Warning, ServiceInstitution, Event)."""
    return model.objects.filter(status=PUBLISHED)


def published_laws():
    return published(Law)


def published_cases():
    return published(TypicalCase)


def published_warnings():
    return published(Warning)


def published_institutions():
    return published(ServiceInstitution)


def published_or_404(model, pk, queryset=None):
    """A published item by its id; any other state is 404, as if it did not exist."""
    return get_object_or_404(queryset if queryset is not None else published(model), pk=pk)


def upcoming_events(limit=None):
    events = published(Event).filter(starts_at__gte=timezone.now()).order_by("starts_at")
    return events[:limit] if limit else events


# --- Lists with filters ------------------------------------------------------------------------

# Long texts a list never shows: left out of list queries, so that sorting thousands of rows
# moves only the short columns.
LIST_DEFER = {
    Law: ("summary", "full_text"),
    TypicalCase: ("facts", "response", "outcome", "lessons"),
    Warning: ("body",),
    ServiceInstitution: ("services",),
    Event: ("description", "pre_fair_briefing", "post_fair_follow_up"),
}


def for_list(queryset):
    return queryset.defer(*LIST_DEFER.get(queryset.model, ()))


def filter_laws(laws, *, country=None, ip_type=None, doc_type=None, legal_status=None, year=None):
    if country:
        laws = laws.filter(country=country)
    if ip_type:
        laws = laws.filter(ip_type=ip_type)
    if doc_type:
        laws = laws.filter(doc_type=doc_type)
    if legal_status:
        laws = laws.filter(legal_status=legal_status)
    if year:
        laws = laws.filter(promulgated_on__year=year)
    return for_list(laws)


def filter_cases(cases, *, ip_type=None, country=None, industry=None, forum=None):
    if ip_type:
        cases = cases.filter(ip_type=ip_type)
    if country:
        cases = cases.filter(country=country)
    if industry:
        cases = cases.filter(industry=industry)
    if forum:
        cases = cases.filter(forum=forum)
    return for_list(cases)


def filter_warnings(warnings, *, kind=None, risk_level=None, country=None):
    if kind:
        warnings = warnings.filter(kind=kind)
    if risk_level:
        warnings = warnings.filter(risk_level=risk_level)
    if country:
        warnings = warnings.filter(country=country)
    return for_list(warnings)


def filter_institutions(institutions, *, scope=None, region=None, country=None):
    """`country`: institutions that cover that country (their list of countries served), or sit
    in it."""
    if scope:
        institutions = institutions.filter(scope=scope)
    if region:
        institutions = institutions.filter(region=region)
    if country:
        # The list is stored as JSON text on every database: a quoted code is one element of it.
        covering = institutions.filter(countries_covered__icontains=f'"{country}"')
        institutions = covering | institutions.filter(country=country)
    return for_list(institutions)


def institution_regions():
    """The regions named by published institutions, for the directory's filter."""
    rows = published_institutions().exclude(region="").order_by("region").values_list("region", flat=True)
    return list(dict.fromkeys(rows))


def law_years():
    dates = published_laws().exclude(promulgated_on=None).dates("promulgated_on", "year", order="DESC")
    return [d.year for d in dates]


# --- Versions of a law -------------------------------------------------------------------------


def law_versions(law, limit=30):
    """(earlier, later): the published versions this one replaced, newest first, and those that
    replaced it, in order. Unpublished versions break no chain: they are skipped."""
    earlier, seen = [], {law.pk}
    current = law
    while current.supersedes_id and len(earlier) < limit:
        current = Law.objects.filter(pk=current.supersedes_id).first()
        if current is None or current.pk in seen:
            break
        seen.add(current.pk)
        if current.is_published:
            earlier.append(current)
    later = []
    current = law
    while len(later) < limit:
        current = Law.objects.filter(supersedes_id=current.pk).first()
        if current is None or current.pk in seen:
            break
        seen.add(current.pk)
        if current.is_published:
            later.append(current)
    return earlier, later


# --- Countries ---------------------------------------------------------------------------------


@dataclass
class CountrySummary:
    code: str
    name: str
    laws: int = 0
    cases: int = 0
    warnings: int = 0
    has_guide: bool = False

    @property
    def total(self):
        return self.laws + self.cases + self.warnings


def countries_with_content():
    """Every country or region with published content (or a guide), with counts, by name."""
    counts = {}

    def tally(queryset, attribute):
        for row in queryset.order_by().values("country").annotate(n=Count("id")):
            code = row["country"]
            if code:
                summary = counts.setdefault(code, CountrySummary(code, str(country_name(code))))
                setattr(summary, attribute, row["n"])

    tally(published_laws(), "laws")
    tally(published_cases(), "cases")
    tally(published_warnings(), "warnings")
    for code in CountryGuide.objects.values_list("country", flat=True):
        counts.setdefault(code, CountrySummary(code, str(country_name(code)))).has_guide = True
    return sorted(counts.values(), key=lambda c: (-c.total, c.code))


def known_country(code):
    """The code when it names a country or region the platform knows, else None."""
    code = (code or "").upper()
    return code if code in COUNTRY_NAMES else None


COUNTRY_PAGE_LAWS = 30


def country_page(code):
    """What a country's page shows: its newest laws in force (up to COUNTRY_PAGE_LAWS; the law
    library lists them all), how many laws it has in all, the guide, the fees, recent warnings and
    cases."""
    laws = for_list(published_laws().filter(country=code))
    in_force = laws.filter(legal_status=Law.LegalStatus.IN_FORCE).order_by("-promulgated_on", "-id")
    return {
        "laws_in_force": list(in_force[:COUNTRY_PAGE_LAWS]),
        "laws_total": laws.count(),
        "guide": CountryGuide.objects.filter(country=code).first(),
        "fees": list(OfficialFee.objects.filter(country=code).order_by("ip_type", "item")),
        "warnings": list(for_list(published_warnings().filter(country=code)).order_by("-issued_on", "-id")[:5]),
        "cases": list(for_list(published_cases().filter(country=code)).order_by("-published_at", "-id")[:5]),
    }


# --- The front page ----------------------------------------------------------------------------


def front_page():
    return {
        "warnings": list(for_list(published_warnings()).order_by("-issued_on", "-id")[:5]),
        "laws": list(for_list(published_laws()).order_by("-published_at", "-id")[:5]),
        "cases": list(for_list(published_cases()).order_by("-published_at", "-id")[:5]),
        "events": list(for_list(upcoming_events())[:4]),
    }


def section_counts():
    """How many items each section has published, in one query (a UNION ALL of four counts)."""
    models = {"laws": Law, "cases": TypicalCase, "warnings": Warning, "institutions": ServiceInstitution}
    parts = [
        published(model).order_by().values("status").annotate(n=Count("id"), name=Value(name)).values("name", "n")
        for name, model in models.items()
    ]
    counts = dict.fromkeys(models, 0)
    for row in parts[0].union(*parts[1:], all=True):
        counts[row["name"]] = row["n"]
    return counts


def institution_partners(institution):
    """The published "1+1" partners of an institution, whichever side named the pairing."""
    partners = published_institutions().filter(pk=institution.partner_id) if institution.partner_id else None
    named_by_others = published_institutions().filter(partner=institution)
    both = named_by_others | partners if partners is not None else named_by_others
    return list(both.exclude(pk=institution.pk).order_by("scope", "serial", "name"))
