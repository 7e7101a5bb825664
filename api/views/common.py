"""What the API's views share: ids from the address, cursor pagination."""

from django.http import Http404
from rest_framework.pagination import CursorPagination


def small_int(raw) -> int:
    """An id from the address: a whole number the database can hold, else 404."""
    text = str(raw)
    if not (text.isdecimal() and len(text) <= 18):
        raise Http404
    return int(text)


class ByPk(CursorPagination):
    ordering = ("-pk",)
    page_size = 50
    page_size_query_param = "limit"
    max_page_size = 200


class ByCode(ByPk):
    ordering = ("code",)


class ByUsername(ByPk):
    ordering = ("username",)


def paginated(view, queryset, serializer, paginator_class):
    paginator = paginator_class()
    page = paginator.paginate_queryset(queryset, view.request, view=view)
    return paginator.get_paginated_response(serializer(page, many=True).data)
