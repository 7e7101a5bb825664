"""The department administrator's pages. One rule for all of them: a department the person does
not administer gives 403 (its hub and every page under it); an object that is not of the
department in the address (another department's robot, request type, member or day) gives 404."""

import rules
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from departments.models import CalendarDay, Department, User
from deptadmin import selectors, services
from deptadmin.forms import CalendarDayForm, DispatchRuleForm, MemberSkillsForm, RobotForm
from notifications.models import ImRobot
from tasks import selectors as task_selectors
from tasks.models import RequestType


def _data(request):
    """The POST's data on a POST (even an empty one, which unticks every box), else None."""
    return request.POST if request.method == "POST" else None


def _department(request, code: str) -> Department:
    department = get_object_or_404(Department, code=code, is_active=True)
    if not rules.has_perm("departments.administer", request.user, department):
        raise PermissionDenied
    return department


@login_required
@require_GET
def index(request):
    """The departments the person administers; with one, its hub straight away."""
    departments = selectors.administered_departments(request.user)
    if not departments:
        raise PermissionDenied
    if len(departments) == 1:
        return redirect("deptadmin:hub", departments[0].code)
    return render(request, "deptadmin/index.html", {"departments": departments})


@login_required
@require_GET
def hub(request, code: str):
    department = _department(request, code)
    return render(request, "deptadmin/hub.html", {"department": department, "counts": selectors.hub_counts(department)})


# Dispatch rules


@login_required
@require_GET
def dispatch_list(request, code: str):
    department = _department(request, code)
    return render(
        request,
        "deptadmin/dispatch_list.html",
        {"department": department, "request_types": selectors.request_types_of(department)},
    )


@login_required
@require_http_methods(["GET", "POST"])
def dispatch_edit(request, code: str, pk: int):
    department = _department(request, code)
    request_type = get_object_or_404(selectors.request_types_of(department), pk=pk)
    initial = {"auto_assign": request_type.auto_assign, "skills": list(request_type.skills.all())}
    form = DispatchRuleForm(_data(request), initial=initial)
    if request.method == "POST" and form.is_valid():
        services.dispatch_rule_set(
            request_type=request_type,
            by=request.user,
            auto_assign=form.cleaned_data["auto_assign"],
            skills=form.cleaned_data["skills"],
        )
        messages.success(request, _("The dispatch rule of %(type)s is saved.") % {"type": request_type.display_name})
        return redirect("deptadmin:dispatch", department.code)
    candidates = task_selectors.workload(department, request_type)
    picked = None
    if request_type.auto_assign != RequestType.AutoAssign.NONE:
        picked = task_selectors.auto_assignee(request_type, department)
    return render(
        request,
        "deptadmin/dispatch_edit.html",
        {
            "department": department,
            "request_type": request_type,
            "form": form,
            "candidates": candidates,
            "picked": picked,
            "request_type_skill_ids": {skill.pk for skill in request_type.skills.all()},
        },
    )


# Members' skills


@login_required
@require_GET
def skills_list(request, code: str):
    department = _department(request, code)
    return render(
        request, "deptadmin/skills_list.html", {"department": department, "members": selectors.members_of(department)}
    )


@login_required
@require_http_methods(["GET", "POST"])
def skills_edit(request, code: str, username: str):
    department = _department(request, code)
    try:
        person = selectors.member_of(department, username)
    except User.DoesNotExist:
        raise Http404 from None
    form = MemberSkillsForm(_data(request), initial={"skills": list(person.skills.all())})
    if request.method == "POST" and form.is_valid():
        services.member_skills_set(
            department=department, person=person, by=request.user, skills=form.cleaned_data["skills"]
        )
        messages.success(request, _("The skills of %(name)s are saved.") % {"name": person.name})
        return redirect("deptadmin:skills", department.code)
    return render(request, "deptadmin/skills_edit.html", {"department": department, "person": person, "form": form})


# Robots


def _robot(department: Department, pk: int) -> ImRobot:
    return get_object_or_404(selectors.robots_of(department), pk=pk)


@login_required
@require_GET
def robot_list(request, code: str):
    department = _department(request, code)
    return render(
        request, "deptadmin/robot_list.html", {"department": department, "robots": selectors.robots_of(department)}
    )


@login_required
@require_http_methods(["GET", "POST"])
def robot_new(request, code: str):
    department = _department(request, code)
    form = RobotForm(_data(request), department=department)
    if request.method == "POST" and form.is_valid():
        services.robot_save(robot=form.save(commit=False), by=request.user)
        messages.success(request, _("The robot is saved."))
        return redirect("deptadmin:robots", department.code)
    return render(request, "deptadmin/robot_form.html", {"department": department, "form": form, "robot": None})


@login_required
@require_http_methods(["GET", "POST"])
def robot_edit(request, code: str, pk: int):
    department = _department(request, code)
    robot = _robot(department, pk)
    form = RobotForm(_data(request), instance=robot, department=department)
    if request.method == "POST" and form.is_valid():
        services.robot_save(robot=form.save(commit=False), by=request.user)
        messages.success(request, _("The robot is saved."))
        return redirect("deptadmin:robots", department.code)
    return render(request, "deptadmin/robot_form.html", {"department": department, "form": form, "robot": robot})


@login_required
@require_POST
def robot_delete(request, code: str, pk: int):
    department = _department(request, code)
    robot = _robot(department, pk)
    services.robot_delete(robot=robot, by=request.user)
    messages.success(request, _("The robot %(name)s is deleted.") % {"name": robot.name})
    return redirect("deptadmin:robots", department.code)


@login_required
@require_POST
def robot_test(request, code: str, pk: int):
    department = _department(request, code)
    robot = _robot(department, pk)
    try:
        services.robot_test(robot=robot, by=request.user)
    except services.DeptAdminError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, _("A test message is on its way to %(name)s.") % {"name": robot.name})
    return redirect("deptadmin:robots", department.code)


# Calendar exceptions


@login_required
@require_http_methods(["GET", "POST"])
def calendar(request, code: str):
    department = _department(request, code)
    form = CalendarDayForm(_data(request), department=department)
    if request.method == "POST" and form.is_valid():
        try:
            day = services.calendar_day_add(day=form.save(commit=False), by=request.user)
        except services.DeptAdminError as exc:
            form.add_error("date", str(exc))
        else:
            messages.success(request, _("The exception on %(date)s is saved.") % {"date": day.date})
            return redirect("deptadmin:calendar", department.code)
    days = list(selectors.calendar_days_of(department))
    organisation = selectors.organisation_days(day.date for day in days)
    for day in days:
        day.organisation_day = organisation.get(day.date)
    return render(request, "deptadmin/calendar.html", {"department": department, "form": form, "days": days})


@login_required
@require_POST
def calendar_delete(request, code: str, pk: int):
    department = _department(request, code)
    day = get_object_or_404(CalendarDay, department=department, pk=pk)
    services.calendar_day_delete(day=day, by=request.user)
    messages.success(request, _("The exception on %(date)s is deleted.") % {"date": day.date})
    return redirect("deptadmin:calendar", department.code)
