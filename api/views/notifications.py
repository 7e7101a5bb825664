"""The caller's notifications: the list and marking them read."""

from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiParameter, extend_schema, inline_serializer
from rest_framework import serializers
from rest_framework.exceptions import ValidationError
from rest_framework.response import Response
from rest_framework.views import APIView

from api import serializers as s
from api.pagination import NewestFirst
from api.views.common import paginated
from notifications import selectors as notification_selectors
from notifications import services as notification_services


class NotificationOut(serializers.Serializer):
    id = serializers.IntegerField(source="pk")
    kind = serializers.CharField()
    message = serializers.CharField()
    link = serializers.CharField()
    actor = s.PersonRef(allow_null=True)
    created_at = serializers.DateTimeField()
    read_at = serializers.DateTimeField(allow_null=True)


class NotificationList(APIView):
    @extend_schema(
        operation_id="notifications_list",
        summary="My notifications",
        parameters=[OpenApiParameter("unread", bool)],
        responses=NotificationOut(many=True),
    )
    def get(self, request):
        notices = notification_selectors.notifications_of(request.user).select_related("actor")
        if request.query_params.get("unread") in ("1", "true"):
            notices = notices.filter(read_at__isnull=True)
        return paginated(self, notices, NotificationOut, NewestFirst)


class NotificationsRead(APIView):
    @extend_schema(
        operation_id="notifications_mark_read",
        summary="Mark my notifications read",
        description="The notices whose ids are given, or all of them when `ids` is left out.",
        request=inline_serializer("MarkRead", {"ids": serializers.ListField(child=serializers.IntegerField())}),
        responses=inline_serializer("MarkedRead", {"marked": serializers.IntegerField()}),
    )
    def post(self, request):
        data = request.data if isinstance(request.data, dict) else None
        if data is None:
            raise ValidationError({"non_field_errors": [_("Send a JSON object.")]})
        ids = data.get("ids")
        if ids is not None and not (
            isinstance(ids, list)
            and len(ids) <= 1000
            and all(isinstance(i, int) and not isinstance(i, bool) and 0 < i < 2**63 for i in ids)
        ):
            raise ValidationError({"ids": [_("Give a list of notification ids.")]})
        marked = notification_services.mark_read(user=request.user, ids=ids)
        return Response({"marked": marked})
