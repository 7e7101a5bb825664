from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext_lazy as _
from rest_framework.exceptions import NotFound
from rest_framework.pagination import CursorPagination


class NewestFirst(CursorPagination):
    """Cursor pages, newest first, as the lists order them (created_at, then pk). The cursor says
    where the last page ended, so a page stays cheap however deep and a new request does not shift
    the next one. `limit` asks for up to 100 rows."""

    ordering = ("-created_at", "-pk")
    page_size = 25
    page_size_query_param = "limit"
    max_page_size = 100
    invalid_cursor_message = _("The cursor is not valid: use the next or previous link as given.")

    def decode_cursor(self, request):
        cursor = super().decode_cursor(request)
        # The position goes into a filter on created_at: anything but a date-time is a bad
        # cursor, not a database error.
        if cursor is not None and cursor.position is not None:
            try:
                valid = parse_datetime(cursor.position) is not None
            except ValueError:
                valid = False
            if not valid or "\x00" in cursor.position:
                raise NotFound(self.invalid_cursor_message)
        return cursor

    def get_page_size(self, request):
        raw = request.query_params.get(self.page_size_query_param, "")
        if raw and not (raw.isdecimal() and len(raw) < 6):
            return self.page_size
        return super().get_page_size(request)
