"""Request types (with their fields as a JSON schema), departments and people, read through the
selectors the pages use."""

from django.db.models import prefetch_related_objects
from django.http import Http404
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers
from rest_framework.response import Response
from rest_framework.views import APIView

from api import serializers as s
from api.views.common import ByCode, ByUsername, paginated
from departments import selectors as department_selectors
from departments.models import Department, User
from tasks import selectors as task_selectors
from tasks.models import RequestField, RequestType

# Request types


def fields_schema(fields: list[RequestField]) -> dict:
    """The type's own fields as a JSON schema, checked again by the filing form when a request is filed."""
    kinds = {
        RequestField.Kind.NUMBER: {"type": "number"},
        RequestField.Kind.DATE: {"type": "string", "format": "date"},
        RequestField.Kind.FILE: {"type": "string", "format": "binary"},
    }
    properties = {}
    for spec in fields:
        prop = dict(kinds.get(spec.kind, {"type": "string", "maxLength": 500}))
        if spec.kind == RequestField.Kind.NUMBER and not spec.allow_negative:
            prop["minimum"] = 0
        if spec.kind == RequestField.Kind.CHOICE:
            prop = {"type": "string", "enum": spec.choice_list}
        prop["title"] = spec.display_label
        if spec.help_text:
            prop["description"] = spec.help_text
        properties[spec.key] = prop
    return {
        "type": "object",
        "properties": properties,
        "required": [spec.key for spec in fields if spec.required],
        "additionalProperties": False,
    }


class RequestTypeOut(serializers.Serializer):
    id = serializers.IntegerField(source="pk")
    code = serializers.CharField()
    name = serializers.CharField(source="display_name")
    purpose = serializers.CharField(source="display_purpose")
    department = s.DepartmentRef(help_text="The lead department (主办), which handles the type's requests.")
    co_departments = s.DepartmentRef(
        many=True,
        source="co_departments.all",
        help_text="Co-handling departments (协办): every request of the type goes to them too, with a sub-task each.",
    )
    default_priority = serializers.IntegerField()
    fields_schema = s.JSONSchemaField(source="api_schema")


def _types(query: str = "") -> list[RequestType]:
    groups = task_selectors.request_types_by_department(query)
    types = [t for _department, types in groups for t in types]
    fields: dict[int, list] = {}
    for spec in RequestField.objects.filter(request_type__in=[t.pk for t in types]):
        fields.setdefault(spec.request_type_id, []).append(spec)
    prefetch_related_objects(types, "co_departments")  # one query for the whole list
    for request_type in types:
        request_type.api_schema = fields_schema(fields.get(request_type.pk, []))
    return types


class RequestTypeList(APIView):
    @extend_schema(
        operation_id="request_types_list",
        summary="Request types open for filing",
        parameters=[OpenApiParameter("q", str)],
        responses=RequestTypeOut(many=True),
    )
    def get(self, request):
        query = request.query_params.get("q", "").strip()[:100].replace("\x00", "")
        return Response(RequestTypeOut(_types(query), many=True).data)


class RequestTypeDetail(APIView):
    @extend_schema(operation_id="request_types_retrieve", summary="A request type", responses=RequestTypeOut)
    def get(self, request, code: str):
        found = [t for t in _types() if t.code == code]
        if not found:
            raise Http404
        return Response(RequestTypeOut(found[0]).data)


# Departments and people


class DepartmentOut(serializers.Serializer):
    id = serializers.IntegerField(source="pk")
    code = serializers.CharField()
    name = serializers.CharField(source="display_name")
    parent = serializers.IntegerField(source="parent_id", allow_null=True)
    head = s.PersonRef(allow_null=True)
    accepts_requests = serializers.BooleanField()


class MemberOut(serializers.Serializer):
    person = s.PersonRef(source="user")
    role = serializers.CharField()
    title = serializers.CharField()


class DepartmentDetailOut(DepartmentOut):
    members = MemberOut(many=True, source="memberships.all")


class DepartmentList(APIView):
    @extend_schema(operation_id="departments_list", summary="Departments", responses=DepartmentOut(many=True))
    def get(self, request):
        departments = Department.objects.filter(is_active=True).select_related("head")
        return paginated(self, departments, DepartmentOut, ByCode)


class DepartmentDetail(APIView):
    @extend_schema(
        operation_id="departments_retrieve", summary="A department and its people", responses=DepartmentDetailOut
    )
    def get(self, request, code: str):
        try:
            department = department_selectors.department_for_page(code)
        except Department.DoesNotExist:
            raise Http404 from None
        return Response(DepartmentDetailOut(department).data)


class PersonOut(serializers.Serializer):
    username = serializers.CharField()
    name = serializers.CharField()
    job_title = serializers.CharField()
    email = serializers.EmailField()


class MembershipOut(serializers.Serializer):
    department = s.DepartmentRef()
    role = serializers.CharField()
    is_primary = serializers.BooleanField()


class PersonDetailOut(PersonOut):
    phone = serializers.CharField()
    memberships = MembershipOut(many=True, source="memberships.all")


class PersonList(APIView):
    @extend_schema(
        operation_id="people_list",
        summary="People",
        parameters=[OpenApiParameter("q", str, description="Login or name starts with.")],
        responses=PersonOut(many=True),
    )
    def get(self, request):
        query = request.query_params.get("q", "").strip()[:30].replace("\x00", "")
        people = department_selectors.people_matching(query) if query else User.objects.filter(is_active=True)
        return paginated(self, people.order_by(), PersonOut, ByUsername)


class PersonDetail(APIView):
    @extend_schema(operation_id="people_retrieve", summary="A person", responses=PersonDetailOut)
    def get(self, request, username: str):
        try:
            person = department_selectors.person_for_page(username[:150])
        except User.DoesNotExist:
            raise Http404 from None
        return Response(PersonDetailOut(person).data)
