"""Page-number pagination: `page` and `page_size` (at most MAX_PAGE_SIZE). A page size that is not a
positive integer, or over the maximum, is a 400 rather than being quietly cut."""

from django.utils.translation import gettext as _
from rest_framework.exceptions import ValidationError
from rest_framework.pagination import PageNumberPagination

DEFAULT_PAGE_SIZE = 50
MAX_PAGE_SIZE = 500


class ApiPagination(PageNumberPagination):
    page_size = DEFAULT_PAGE_SIZE
    page_size_query_param = "page_size"
    max_page_size = MAX_PAGE_SIZE

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
