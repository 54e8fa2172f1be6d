"""Searching the knowledge platform in Chinese (and in Latin script), on PostgreSQL and on SQLite.

Chinese has no spaces between words, so no word list decides what a word is. Every published item
is cut into terms (knowledge.models.SearchEntry): each Chinese character and each pair of adjacent
characters (a bigram), and each Latin word or number, lower-cased. A query is cut the same way,
except that a Chinese run of two or more characters is looked up by its pairs only; an item
matches when it holds every term of the query. So 数控机床 (数控 控机 机床) finds 数控机床主轴,
and 337 finds "337调查" (337 and 调查 are separate runs).

On PostgreSQL the terms also fill a tsvector column (added by migrations 0002 and 0003, only
there), written as a tsvector literal with weight A for the title's terms and B for the rest, so
PostgreSQL's own parser and locale never see the Chinese text; a GIN index answers `@@`. Results
are ordered by ts_rank on a second, small tsvector of the title's terms alone, then by date: every
result holds every query term, so the full vector's rank (A for a term in the title, B elsewhere)
orders them exactly as the title's does, and ranking thousands of results then reads a few bytes
per row instead of each item's whole vector. On SQLite (the run command) `terms` is searched for
each term between spaces and the results are ordered by how many terms the title holds, then by
date.

The public functions: `search(...)` for every search box, `index_item(obj)` / `remove_item(obj)`
whenever an item is published, edited or withdrawn, `reindex_all()` for the management command.
"""

from __future__ import annotations

import re
import unicodedata
from contextlib import contextmanager
from dataclasses import dataclass, field

from django.core.paginator import Paginator
from django.db import connection, transaction
from django.db.models import BooleanField, Case, Count, FloatField, Q, Value, When
from django.db.models.expressions import RawSQL
from django.urls import reverse
from django.utils.html import escape, format_html, format_html_join, strip_tags
from django.utils.translation import override

from applications.countries import country_name
from knowledge.models import Event, IPType, Law, SearchEntry, ServiceInstitution, TypicalCase, Warning

MAX_QUERY_LENGTH = 100
PAGE_SIZE = 20
SNIPPET_LENGTH = 160

# Han (with extensions A and the compatibility block), kana and Hangul: scripts written without
# spaces, cut into characters and pairs.
_CJK = "\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\u3040-\u30ff\uac00-\ud7af"
_RUN = re.compile(rf"(?P<cjk>[{_CJK}]+)|(?P<num>\d+)|(?P<word>(?:(?![{_CJK}])[^\W\d_])+)")

SECTION_OF_MODEL = {
    Law: SearchEntry.Section.LAW,
    TypicalCase: SearchEntry.Section.CASE,
    Warning: SearchEntry.Section.WARNING,
    ServiceInstitution: SearchEntry.Section.INSTITUTION,
    Event: SearchEntry.Section.EVENT,
}
MODEL_OF_SECTION = {section: model for model, section in SECTION_OF_MODEL.items()}
URL_OF_SECTION = {
    SearchEntry.Section.LAW: "knowledge:law",
    SearchEntry.Section.CASE: "knowledge:case",
    SearchEntry.Section.WARNING: "knowledge:warning",
    SearchEntry.Section.INSTITUTION: "knowledge:institution",
    SearchEntry.Section.EVENT: "knowledge:event",
}


class QueryError(ValueError):
    """A query that cannot be searched (empty, too long, nothing searchable in it); the message
    is for the visitor."""


# --- Cutting text into terms -------------------------------------------------------------------


def _runs(text):
    """(kind, run) for each run of the normalised text: full-width letters and digits become
    their ordinary forms (NFKC), Latin letters lower case."""
    text = unicodedata.normalize("NFKC", text or "").casefold()
    for match in _RUN.finditer(text):
        yield match.lastgroup, match.group()


def tokenize(text):
    """The terms an item is indexed under, in order of first appearance, each once: every CJK
    character and every adjacent pair, every Latin word and every number."""
    seen = {}
    for kind, run in _runs(text):
        if kind == "cjk":
            for i, char in enumerate(run):
                seen.setdefault(char, None)
                if i + 1 < len(run):
                    seen.setdefault(run[i : i + 2], None)
        else:
            seen.setdefault(run, None)
    return list(seen)


def query_tokens(query):
    """The terms a query needs: a CJK run of two or more characters by its pairs only, a single
    character by itself, Latin words and numbers as they are."""
    seen = {}
    for kind, run in _runs(query):
        if kind == "cjk" and len(run) > 1:
            for i in range(len(run) - 1):
                seen.setdefault(run[i : i + 2], None)
        else:
            seen.setdefault(run, None)
    return list(seen)


def query_phrases(query):
    """The runs of a query as the visitor typed them (lower-cased), for highlighting."""
    return [run for _kind, run in _runs(query)]


def _spaced(tokens):
    return " " + " ".join(tokens) + " " if tokens else ""


def _quote(token):
    return "'" + token.replace("\\", "\\\\").replace("'", "''") + "'"


def tsvector_literal(title_tokens, tokens):
    """A tsvector literal: each term once, at its own position, weight A when the title holds it,
    B otherwise (PostgreSQL keeps weights on positions, so each term gets one)."""
    title = set(title_tokens)
    parts = []
    for position, token in enumerate(tokens, start=1):
        weight = "A" if token in title else "B"
        parts.append(f"{_quote(token)}:{min(position, 16383)}{weight}")
    return " ".join(parts)


def title_tsvector_literal(title_tokens):
    """The title's terms alone (weight A), for ranking: small, so ranking a large result reads
    little."""
    return " ".join(f"{_quote(token)}:{min(position, 16383)}A" for position, token in enumerate(title_tokens, start=1))


def tsquery_literal(tokens):
    return " & ".join(_quote(token) for token in tokens)


# --- What each kind of item says -----------------------------------------------------------------


def _label(choices, value):
    return str(dict(choices).get(value, "")) if value else ""


def _country_words(code):
    """The country's name in Chinese and English, so that either finds it."""
    if not code:
        return []
    names = []
    for language in ("zh-hans", "en"):
        with override(language):
            names.append(str(country_name(code)))
    return names


def _document(obj):
    """(title, body, extra, country, ip_type, year) of an item as the search holds it: `body` is the
    text shown in results (and searched), `extra` is searched only (labels of its type, forum,
    industry, names of the countries it covers)."""
    with override("zh-hans"):
        if isinstance(obj, Law):
            dated = obj.promulgated_on or obj.effective_on
            body = [obj.title_original, strip_tags(obj.summary), strip_tags(obj.full_text)]
            extra = [
                obj.issuing_body,
                _label(IPType.choices, obj.ip_type),
                _label(Law.DocType.choices, obj.doc_type),
                _label(Law.LegalStatus.choices, obj.legal_status),
            ]
            return obj.title_zh, body, extra, obj.country, obj.ip_type, dated.year if dated else None
        if isinstance(obj, TypicalCase):
            body = [strip_tags(obj.facts), strip_tags(obj.response), strip_tags(obj.outcome), strip_tags(obj.lessons)]
            extra = [
                _label(IPType.choices, obj.ip_type),
                _label(TypicalCase.Forum.choices, obj.forum),
                _label(TypicalCase._meta.get_field("industry").choices, obj.industry),
            ]
            return obj.title, body, extra, obj.country, obj.ip_type, obj.year
        if isinstance(obj, Warning):
            body = [strip_tags(obj.body)]
            extra = [
                _label(Warning.Kind.choices, obj.kind),
                _label(IPType.choices, obj.ip_type),
                _label(Warning._meta.get_field("industry").choices, obj.industry),
                obj.mark,
                obj.filing_number,
            ]
            year = obj.issued_on.year if obj.issued_on else None
            return obj.title, body, extra, obj.country, obj.ip_type, year
        if isinstance(obj, ServiceInstitution):
            body = [strip_tags(obj.services), obj.address]
            extra = [
                obj.nature,
                obj.head,
                obj.region,
                _label(ServiceInstitution.Scope.choices, obj.scope),
                obj.languages,
                obj.listed_in,
            ]
            for code in obj.countries_covered or []:
                extra.extend(_country_words(code))
            return obj.name, body, extra, obj.country, "", None
        if isinstance(obj, Event):
            body = [strip_tags(obj.description), strip_tags(obj.pre_fair_briefing)]
            extra = [_label(Event.Kind.choices, obj.kind), obj.place, obj.trainer]
            year = obj.starts_at.year if obj.starts_at else None
            return obj.title, body, extra, obj.country, "", year
    raise TypeError(f"{type(obj).__name__} is not searchable")


def _entry_values(obj):
    title, body, extra, country, ip_type, year = _document(obj)
    text = "\n".join(part for part in body if part)
    title_tokens = tokenize(title)
    tokens = tokenize(" ".join([title, text, *(part for part in extra if part), *_country_words(country)]))
    return {
        "title": title[:300],
        "text": text,
        "country": country or "",
        "ip_type": ip_type or "",
        "year": year,
        "published_at": obj.published_at,
        "terms": _spaced(tokens),
        "title_terms": _spaced(title_tokens),
    }, (tsvector_literal(title_tokens, tokens), title_tsvector_literal(title_tokens))


def _write_vectors(rows):
    """Fill the PostgreSQL tsvector columns: rows of ((search vector, title vector), entry id)."""
    if connection.vendor != "postgresql" or not rows:
        return
    with connection.cursor() as cursor:
        cursor.executemany(
            "UPDATE knowledge_searchentry SET search_vector = %s::tsvector, title_vector = %s::tsvector WHERE id = %s",
            [(vector, title_vector, pk) for (vector, title_vector), pk in rows],
        )


def section_of(obj):
    try:
        return SECTION_OF_MODEL[type(obj)]
    except KeyError:
        raise TypeError(f"{type(obj).__name__} is not searchable") from None


def index_item(obj):
    """Bring the search in line with an item: a published item is (re)indexed, any other is
    removed. Call it whenever an item is published, edited or withdrawn."""
    if not obj.is_published:
        remove_item(obj)
        return None
    values, vector = _entry_values(obj)
    with transaction.atomic():
        entry, _created = SearchEntry.objects.update_or_create(
            section=section_of(obj), object_id=obj.pk, defaults=values
        )
        _write_vectors([(vector, entry.pk)])
    return entry


def remove_item(obj):
    """Take an item out of the search (withdrawn, or never published)."""
    SearchEntry.objects.filter(section=section_of(obj), object_id=obj.pk).delete()


def reindex_all(batch_size=500):
    """Rebuild the whole search from the published items; returns the number of entries."""
    total = 0
    with transaction.atomic():
        SearchEntry.objects.all().delete()
        for model, section in SECTION_OF_MODEL.items():
            published = model.objects.filter(status=model.Status.PUBLISHED).order_by("pk")
            batch, vectors = [], []
            for obj in published.iterator(chunk_size=batch_size):
                values, vector = _entry_values(obj)
                batch.append(SearchEntry(section=section, object_id=obj.pk, **values))
                vectors.append(vector)
                if len(batch) >= batch_size:
                    total += _flush(batch, vectors)
                    batch, vectors = [], []
            total += _flush(batch, vectors)
    return total


def _flush(batch, vectors):
    if not batch:
        return 0
    created = SearchEntry.objects.bulk_create(batch)
    if connection.vendor == "postgresql":
        # bulk_create returns the ids on PostgreSQL.
        _write_vectors([(vector, entry.pk) for vector, entry in zip(vectors, created, strict=True)])
    return len(created)


# --- Searching ---------------------------------------------------------------------------------


@dataclass
class Hit:
    section: str
    object_id: int
    title: str
    title_html: str
    snippet_html: str
    country: str
    ip_type: str
    year: int | None
    published_at: object
    url: str

    @property
    def section_label(self):
        return SearchEntry.Section(self.section).label

    @property
    def country_label(self):
        return country_name(self.country) if self.country else ""

    @property
    def ip_type_label(self):
        return _label(IPType.choices, self.ip_type)


@dataclass
class SearchResult:
    query: str
    hits: list = field(default_factory=list)
    total: int = 0
    page: object = None  # a Django Page (for pagination controls)
    facets: dict = field(default_factory=dict)  # name -> [(value, label, count)]


def clean_query(query):
    """The query stripped; raises QueryError with a message for the visitor when it cannot be
    searched."""
    from django.utils.translation import gettext as _

    query = (query or "").strip()
    if not query:
        raise QueryError(_("请输入要搜索的内容。"))
    if len(query) > MAX_QUERY_LENGTH:
        raise QueryError(
            _("搜索内容过长（%(length)d 个字符），请控制在 %(max)d 个字符以内。")
            % {"length": len(query), "max": MAX_QUERY_LENGTH}
        )
    if not query_tokens(query):
        raise QueryError(_("搜索内容中没有可检索的文字或数字，请换个说法。"))
    return query


def _matching(tokens):
    """SearchEntry rows that hold every token, with a `score` to order them by."""
    entries = SearchEntry.objects.all()
    if connection.vendor == "postgresql":
        tsquery = tsquery_literal(tokens)
        return entries.filter(
            RawSQL("knowledge_searchentry.search_vector @@ %s::tsquery", [tsquery], output_field=BooleanField())
        ).annotate(
            score=RawSQL(
                "ts_rank(knowledge_searchentry.title_vector, %s::tsquery)", [tsquery], output_field=FloatField()
            )
        )
    condition = Q()
    for token in tokens:
        condition &= Q(terms__contains=f" {token} ")
    title_hits = sum(
        (Case(When(title_terms__contains=f" {token} ", then=Value(1)), default=Value(0)) for token in tokens),
        Value(0),
    )
    return entries.filter(condition).annotate(score=title_hits)


def _filtered(entries, *, section=None, country=None, ip_type=None, year=None, object_ids=None):
    if object_ids is not None:
        entries = entries.filter(object_id__in=object_ids)
    if section:
        entries = entries.filter(section=section)
    if country:
        entries = entries.filter(country=country)
    if ip_type:
        entries = entries.filter(ip_type=ip_type)
    if year:
        entries = entries.filter(year=year)
    return entries


FACETS = {
    "section": lambda value: SearchEntry.Section(value).label,
    "country": country_name,
    "ip_type": lambda value: _label(IPType.choices, value),
    "year": str,
}


def _facet_rows(entries):
    """(facet name, value, count) of the matching entries, in one query.

    PostgreSQL counts each facet apart in one pass (GROUPING SETS), a few dozen rows; elsewhere
    the entries are grouped by all four together and summed here."""
    names = list(FACETS)
    grouped = entries.order_by().values(*names)
    if connection.vendor == "postgresql":
        sql, params = grouped.query.sql_with_params()
        sets = ", ".join(f"({name})" for name in names)
        with connection.cursor() as cursor:
            cursor.execute(
                f"SELECT GROUPING({', '.join(names)}), {', '.join(names)}, COUNT(*) "  # noqa: S608 (our own SQL)
                f"FROM ({sql}) AS matching GROUP BY GROUPING SETS ({sets})",
                params,
            )
            for grouping, *values, n in cursor.fetchall():
                # GROUPING() sets a bit for each column left out of the row's set; the set's own
                # column is the one bit that is clear.
                for position, name in enumerate(names):
                    if not grouping & (1 << (len(names) - 1 - position)):
                        yield name, values[position], n
        return
    for *values, n in grouped.annotate(n=Count("id")).values_list(*names, "n"):
        for name, value in zip(names, values, strict=True):
            yield name, value, n


def _facets(entries):
    """Counts by section, country, IP type and year of the matching entries."""
    counts = {name: {} for name in FACETS}
    for name, value, n in _facet_rows(entries):
        if value not in ("", None):
            counts[name][value] = counts[name].get(value, 0) + n
    facets = {}
    for name, label in FACETS.items():
        items = [(value, label(value), n) for value, n in counts[name].items()]
        if name == "year":
            items.sort(key=lambda item: -item[0])
        else:
            items.sort(key=lambda item: (-item[2], str(item[0])))
        facets[name] = items
    return facets


@contextmanager
def _through_the_index():
    """On PostgreSQL, read the matches through the GIN index even when they are many.

    A term found in a fifth of the items makes the planner prefer reading the whole table and
    testing each row's vector, which means unpacking every item's (large) vector: several times
    slower than the index, which answers an AND of terms exactly and leaves the vectors alone. The
    setting holds for these queries only (SET LOCAL, reset when the caller's transaction goes on)."""
    if connection.vendor != "postgresql":
        yield
        return
    nested = connection.in_atomic_block
    with transaction.atomic():
        with connection.cursor() as cursor:
            cursor.execute("SET LOCAL enable_seqscan = off")
        try:
            yield
        finally:
            if nested:
                with connection.cursor() as cursor:
                    cursor.execute("RESET enable_seqscan")


def search(query, *, section=None, country=None, ip_type=None, year=None, page=1, page_size=PAGE_SIZE, object_ids=None):
    """Relevance-ranked results with highlighted matches, facets with counts and the total.

    Raises QueryError (with a message for the visitor) for an empty, over-long or unsearchable
    query. Facets count the current result (every filter applied), so that choosing one narrows
    it. One query for the facets, one for the page.

    `object_ids` (with `section`): only these items of the section, e.g. a list page's queryset of
    ids under its own filters (document type, forum…), so that its search box narrows the list."""
    query = clean_query(query)
    tokens = query_tokens(query)
    matching = _filtered(
        _matching(tokens), section=section, country=country, ip_type=ip_type, year=year, object_ids=object_ids
    )

    with _through_the_index():
        facets = _facets(matching)
        total = sum(count for _value, _label_, count in facets["section"])
        ordered = matching.order_by("-score", "-published_at", "-id").only(
            "section", "object_id", "title", "text", "country", "ip_type", "year", "published_at"
        )
        paginator = Paginator(ordered, page_size)
        # The total is known from the facets: the paginator need not count again.
        paginator.count = total
        page_obj = paginator.get_page(page)
        page_obj.object_list = list(page_obj.object_list)
    phrases = query_phrases(query)
    hits = [
        Hit(
            section=entry.section,
            object_id=entry.object_id,
            title=entry.title,
            title_html=highlight(entry.title, phrases),
            snippet_html=highlight(snippet(entry.text, phrases), phrases),
            country=entry.country,
            ip_type=entry.ip_type,
            year=entry.year,
            published_at=entry.published_at,
            url=reverse(URL_OF_SECTION[entry.section], args=[entry.object_id]),
        )
        for entry in page_obj.object_list
    ]
    return SearchResult(query=query, hits=hits, total=total, page=page_obj, facets=facets)


# --- Highlighting ------------------------------------------------------------------------------


_LETTER = rf"(?:(?![{_CJK}])[^\W\d_])"


def _pattern(phrases):
    """A pattern of the query's runs, longest first; a CJK run also by its pairs, so that a match
    spread over the text still shows where it is."""
    parts = set()
    for phrase in phrases:
        if not phrase:
            continue
        parts.add(phrase)
        if len(phrase) > 1 and re.fullmatch(f"[{_CJK}]+", phrase):
            parts.update(phrase[i : i + 2] for i in range(len(phrase) - 1))
    if not parts:
        return None

    def alternative(part):
        if re.fullmatch(f"[{_CJK}]+", part):
            return re.escape(part)
        # A Latin word or a number is matched whole, as the search matched it ("act", not
        # "contract"; "337" in "337调查", not in "3370").
        same = r"\d" if part.isdigit() else _LETTER
        return rf"(?<!{same}){re.escape(part)}(?!{same})"

    return re.compile("|".join(alternative(p) for p in sorted(parts, key=len, reverse=True)), re.IGNORECASE)


def _normalised(text):
    """NFKC may change a string's length; highlight on the original when it does not."""
    normal = unicodedata.normalize("NFKC", text)
    return normal if len(normal) == len(text) else text


def highlight(text, phrases):
    """The text escaped, with each match of the query wrapped in <mark>: every piece of the
    stored text is escaped, only the marks are ours."""
    text = text or ""
    pattern = _pattern(phrases)
    if pattern is None:
        return escape(text)
    searchable = _normalised(text)
    out, last = [], 0
    for match in pattern.finditer(searchable):
        out.append(escape(text[last : match.start()]))
        out.append(format_html("<mark>{}</mark>", text[match.start() : match.end()]))
        last = match.end()
    out.append(escape(text[last:]))
    return format_html_join("", "{}", ((piece,) for piece in out))


def snippet(text, phrases, length=SNIPPET_LENGTH):
    """About `length` characters of the text around the first match (or its beginning)."""
    text = re.sub(r"\s+", " ", text or "").strip()
    if len(text) <= length:
        return text
    pattern = _pattern(phrases)
    match = pattern.search(_normalised(text)) if pattern else None
    start = max(0, match.start() - length // 4) if match else 0
    end = min(len(text), start + length)
    return ("…" if start else "") + text[start:end] + ("…" if end < len(text) else "")
