"""Page-number pagination: `page` and `page_size` (at most MAX_PAGE_SIZE). A page size that is not a
positive integer, or over the maximum, is a 400 rather than being quietly cut."""

import hashlib

from django.core.cache import cache
from django.core.paginator import Paginator
from django.utils.functional import cached_property
from django.utils.translation import gettext as _
from rest_framework.exceptions import ValidationError
from rest_framework.pagination import PageNumberPagination

DEFAULT_PAGE_SIZE = 50
MAX_PAGE_SIZE = 500
# A list's total is kept this long (seconds): a client paging through a year of cases does not
# have the database count tens of thousands of rows for every page. The rows are always fresh.
COUNT_SECONDS = 60


class CountCachingPaginator(Paginator):
    @cached_property
    def count(self):
        try:
            sql = str(self.object_list.query)
        except Exception:  # an empty or unrenderable query: count it as Django does
            return super().count
        key = "api:count:" + hashlib.sha256(sql.encode()).hexdigest()
        total = cache.get(key)
        if total is None:
            total = self.object_list.count()
            cache.set(key, total, COUNT_SECONDS)
        return total


class ApiPagination(PageNumberPagination):
    page_size = DEFAULT_PAGE_SIZE
    page_size_query_param = "page_size"
    max_page_size = MAX_PAGE_SIZE
    django_paginator_class = CountCachingPaginator

    def get_page_size(self, request):
        raw = request.query_params.get(self.page_size_query_param)
        if raw in (None, ""):
            return self.page_size
        try:
            size = int(raw)
        except ValueError:
            raise ValidationError({"page_size": [_("每页条数应为正整数。")]}) from None
        if size < 1 or size > self.max_page_size:
            raise ValidationError({"page_size": [_("每页条数应在 1 到 %(max)s 之间。") % {"max": self.max_page_size}]})
        return size
