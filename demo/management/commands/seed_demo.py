"""The demo organisation of the guide: departments, people in every role,
skills, a working calendar with China's public holidays, a delegation.

Running it again updates the same rows instead of adding new ones: every
record is found by a stable key (department code, username, date).
"""

from datetime import date, time, timedelta

from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.utils import timezone

from demo.conflicts import seed_conflicts
from demo.documents import seed_documents
from demo.organisation import (
    DEMO_PASSWORD,
    DEPARTMENTS,
    HOLIDAYS_2026,
    STAFF_PER_DEPARTMENT,
    WORKDAYS_2026,
    person_name,
)
from demo.requests import seed_request_types, seed_requests
from demo.scale import seed_scale
from demo.teams import seed_teams
from departments.models import CalendarDay, Delegation, Department, Membership, Skill, User, WorkCalendar


class Command(BaseCommand):
    help = "Create or update the demo organisation (departments, people, roles, calendar)."

    def add_arguments(self, parser):
        parser.add_argument("--quiet", action="store_true", help="Print nothing but errors.")
        parser.add_argument(
            "--scale",
            type=int,
            default=0,
            metavar="N",
            help=(
                "Also add N requests, and the departments and people they need: 30 and 2,000 up to "
                "100,000 requests, 300 and 20,000 at 1,000,000 (COPY or bulk inserts, for benchmarks)."
            ),
        )

    @transaction.atomic
    def handle(self, *args, **options):
        people = 0
        admin = self._user("admin", "系统管理员", "System administrator", is_staff=True, is_superuser=True)
        leader = self._user("leader", "郑总", "General manager", can_sign_off=True)
        people += 2

        hq, _ = Department.objects.update_or_create(
            code="hq",
            defaults={
                "name": "公司总部",
                "name_en": "Headquarters",
                "parent": None,
                "head": leader,
                "handles": "公司战略、跨部门冲突的仲裁、重要公文签发",
                "handles_en": "Strategy, arbitration of conflicts between departments, signing off key documents",
                "accepts_requests": False,
                "sort_order": 0,
            },
        )
        self._membership(leader, hq, Membership.Role.MANAGER, primary=True, title="总经理")
        self._membership(admin, hq, Membership.Role.MEMBER, primary=True, title="系统管理员")

        index = 0
        for order, (code, (name, name_en), (handles, handles_en), skills) in enumerate(DEPARTMENTS, start=1):
            skill_rows = [Skill.objects.update_or_create(name=zh, defaults={"name_en": en})[0] for zh, en in skills]
            head = self._user(f"{code}_head", person_name(index), f"Head of {name_en}", title=f"{name}经理")
            index += 1
            department, _ = Department.objects.update_or_create(
                code=code,
                defaults={
                    "name": name,
                    "name_en": name_en,
                    "parent": hq,
                    "head": head,
                    "handles": handles,
                    "handles_en": handles_en,
                    "accepts_requests": code != "hq",
                    "sort_order": order * 10,
                },
            )
            self._membership(head, department, Membership.Role.MANAGER, primary=True, title=f"{name}经理")
            head.skills.add(*skill_rows)
            people += 1
            for n in range(1, STAFF_PER_DEPARTMENT + 1):
                staff = self._user(f"{code}_staff{n}", person_name(index), f"{name_en} staff", title=f"{name}专员")
                index += 1
                people += 1
                # The first staff member of each department is the deputy head.
                role, position = (
                    (Membership.Role.MANAGER, f"{name}副经理") if n == 1 else (Membership.Role.MEMBER, f"{name}专员")
                )
                self._membership(staff, department, role, primary=True, title=position)
                staff.skills.add(skill_rows[(n - 1) % len(skill_rows)])
            department.deputies.set([User.objects.get(username=f"{code}_staff1")])

        # Cross-department membership: the finance head also sits in purchasing
        # (a person may belong to several departments; one is primary).
        self._membership(
            User.objects.get(username="finance_head"),
            Department.objects.get(code="purchasing"),
            Membership.Role.MEMBER,
            primary=False,
            title="采购审核",
        )

        self._calendar()
        self._delegation()

        seed_request_types()
        made = seed_requests()
        seed_teams()
        seed_conflicts()
        seed_documents()

        if options["scale"] < 0:
            raise CommandError("--scale must be a positive number of requests.")
        if options["scale"]:
            seed_scale(options["scale"])
            if not options["quiet"]:
                self.stdout.write(f"Added {options['scale']} requests for benchmarks.")
        else:
            # The demo's own rows reach the index through save(); a rebuild puts right an index
            # that missed them (a restored database). The scale rows index themselves, chunk by
            # chunk, so a large organisation is not re-indexed whole on every run.
            from django.core.management import call_command

            call_command("rebuild_search_index", quiet=True)

        if not options["quiet"]:
            self.stdout.write(
                self.style.SUCCESS(
                    f"Demo organisation ready: {Department.objects.count()} departments, "
                    f"{User.objects.count()} people ({people} demo logins)."
                )
            )
            self.stdout.write(f"Demo requests added this run: {made}.")
            self.stdout.write(f"Demo password for every login: {DEMO_PASSWORD}")
            self.stdout.write(
                "Logins: admin, leader, and for each department code <code>_head, <code>_staff1 … <code>_staff3"
            )
            self.stdout.write("Department codes: " + ", ".join(code for code, *_ in DEPARTMENTS))

    def _user(
        self, username, display_name, job_title_en, *, title="", is_staff=False, is_superuser=False, can_sign_off=False
    ) -> User:
        user, created = User.objects.update_or_create(
            username=username,
            defaults={
                "display_name": display_name,
                "job_title": title or job_title_en,
                "email": f"{username}@example.com",
                "is_staff": is_staff,
                "is_superuser": is_superuser,
                "can_sign_off": can_sign_off,
                "is_active": True,
            },
        )
        if created or not user.has_usable_password():
            user.set_password(DEMO_PASSWORD)
            user.save(update_fields=["password"])
        return user

    def _membership(self, user, department, role, *, primary, title="") -> None:
        if primary:
            Membership.objects.filter(user=user, is_primary=True).exclude(department=department).update(
                is_primary=False
            )
        Membership.objects.update_or_create(
            user=user, department=department, defaults={"role": role, "is_primary": primary, "title": title}
        )

    def _calendar(self) -> None:
        WorkCalendar.objects.update_or_create(
            pk=1,
            defaults={
                "name": "公司工作日历",
                "morning_start": time(9, 0),
                "morning_end": time(12, 0),
                "afternoon_start": time(13, 0),
                "afternoon_end": time(18, 0),
                "workdays": "12345",
            },
        )
        for kind, table in ((CalendarDay.Kind.HOLIDAY, HOLIDAYS_2026), (CalendarDay.Kind.WORKDAY, WORKDAYS_2026)):
            for name, days in table.items():
                for day in days:
                    CalendarDay.objects.update_or_create(
                        date=date.fromisoformat(day), department=None, defaults={"kind": kind, "name": name}
                    )

    def _delegation(self) -> None:
        """The purchasing head is away next week; the deputy approves meanwhile."""
        head = User.objects.get(username="purchasing_head")
        deputy = User.objects.get(username="purchasing_staff1")
        if Delegation.objects.filter(delegator=head, delegate=deputy).exists():
            return
        start = timezone.localdate() + timedelta(days=7 - timezone.localdate().weekday())
        Delegation.objects.create(
            delegator=head, delegate=deputy, starts_on=start, ends_on=start + timedelta(days=4), reason="出差"
        )
