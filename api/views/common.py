"""What the API's views share: ids from the address, cursor pagination, one view per step."""

from django.http import Http404
from drf_spectacular.utils import extend_schema
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


def step_view_class(base, resource: str, step: str, body, responses: dict, *, multipart: bool = False):
    """A subclass of `base` (whose `post` takes any step) for one `step` of `resource`, so that
    each step has its own operation in the schema."""

    def post(self, request, **kwargs):
        return base.post(self, request, **kwargs)

    content = {"application/json": body, **({"multipart/form-data": body} if multipart else {})}
    post = extend_schema(
        operation_id=f"{resource}s_{step}",
        summary=f"{resource.title()} step: {step}",
        request=content,
        responses=responses,
    )(post)
    return type(f"{resource.title()}{step.title().replace('_', '')}", (base,), {"step": step, "post": post})
