import rules
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from departments import selectors, services
from departments.forms import DelegationForm, ProfileForm
from departments.models import Delegation, Department, User


@login_required
def directory(request):
    return render(request, "departments/directory.html", {"tree": selectors.department_tree()})


@login_required
def department_detail(request, code: str):
    try:
        department = selectors.department_for_page(code)
    except Department.DoesNotExist:
        raise Http404 from None
    memberships = list(department.memberships.all())
    return render(
        request,
        "departments/department_detail.html",
        {
            "department": department,
            "managers": [m for m in memberships if m.role == m.Role.MANAGER],
            "members": [m for m in memberships if m.role != m.Role.MANAGER],
            "people_count": len(memberships),
            "deputy_ids": {deputy.pk for deputy in department.deputies.all()},
            # The rule itself: user.has_perm would go on to Django's model permissions for a refusal.
            "may_administer": rules.has_perm("departments.administer", request.user, department),
        },
    )


@login_required
@require_GET
def find_people(request):
    """Active people whose login starts with q, or whose name or employee number contains it, with
    their departments (for the people pickers; everyone signed in sees the directory anyway)."""
    query = request.GET.get("q", "").strip()[:30]
    if not query:
        return JsonResponse({"people": []})
    people = selectors.people_matching(query).prefetch_related("memberships__department")[:10]
    found = [
        {
            "id": person.pk,
            "username": person.username,
            "name": person.name,
            "departments": " · ".join(m.department.display_name for m in person.memberships.all()),
        }
        for person in people
    ]
    return JsonResponse({"people": found})


@login_required
@require_GET
def find_departments(request):
    """Departments that take requests matching q (for the department pickers; everyone signed in
    sees the directory anyway)."""
    query = request.GET.get("q", "").strip()[:30]
    if not query:
        return JsonResponse({"departments": []})
    found = [
        {"id": department.pk, "code": department.code, "name": department.display_name}
        for department in selectors.departments_matching(query)[:10]
    ]
    return JsonResponse({"departments": found})


@login_required
def person_detail(request, username: str):
    try:
        person = selectors.person_for_page(username)
    except User.DoesNotExist:
        raise Http404 from None
    is_self = person.pk == request.user.pk
    # A manager's place is named for what they are there: the head, a deputy, or another manager.
    deputy_of = set(person.deputy_of_departments.values_list("pk", flat=True))
    context = {"person": person, "is_self": is_self, "deputy_of": deputy_of}
    if is_self:
        context["delegations"] = selectors.delegations_of(person)
        context["can_delegate"] = request.user.has_perm("departments.delegate")
    return render(request, "departments/person_detail.html", context)


@login_required
def my_profile(request):
    return redirect("departments:person", username=request.user.username)


@login_required
@require_http_methods(["GET", "POST"])
def profile_edit(request):
    user = request.user
    form = ProfileForm(request.POST or None, instance=User.objects.get(pk=user.pk))
    if request.method == "POST" and form.is_valid():
        services.user_update_profile(user=user, by=user, **form.cleaned_data)
        messages.success(request, _("Your profile was saved."))
        response = redirect("departments:me")
        if user.language:
            response.set_cookie(
                settings.LANGUAGE_COOKIE_NAME, user.language, max_age=settings.LANGUAGE_COOKIE_AGE, samesite="Lax"
            )
        return response
    return render(request, "departments/profile_edit.html", {"form": form})


@login_required
@require_http_methods(["GET", "POST"])
def delegation_new(request):
    if not request.user.has_perm("departments.delegate"):
        raise PermissionDenied
    form = DelegationForm(request.POST or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        try:
            services.delegation_create(by=request.user, **form.cleaned_data)
        except services.DepartmentError as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(request, _("Delegation saved."))
            return redirect("departments:me")
    return render(request, "departments/delegation_form.html", {"form": form})


@login_required
@require_POST
def delegation_end(request, pk: int):
    delegation = get_object_or_404(Delegation.objects.filter(delegator=request.user), pk=pk)
    try:
        services.delegation_end(delegation=delegation, by=request.user)
    except services.DepartmentError as exc:
        messages.warning(request, str(exc))
    else:
        messages.success(request, _("Delegation ended."))
    return redirect("departments:me")


def login_locked_out(request, original_response=None, credentials=None):
    """What django-axes shows after too many failed logins (AXES_LOCKOUT_CALLABLE)."""
    minutes = int(settings.AXES_COOLOFF_TIME.total_seconds() // 60)
    return render(request, "registration/lockout.html", {"cooloff_minutes": minutes}, status=429)
