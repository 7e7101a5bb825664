"""The demo organisation of the guide: departments, people in every role,
skills, a working calendar with China's public holidays, a delegation.

Running it again updates the same rows instead of adding new ones: every
record is found by a stable key (department code, username, date).
"""

from datetime import date, time, timedelta

from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.utils import timezone

from departments.models import CalendarDay, Delegation, Department, Membership, Skill, User, WorkCalendar

DEMO_PASSWORD = "Collab@2026"  # noqa: S105 - printed for people trying the demo
STAFF_PER_DEPARTMENT = 3

# code, Chinese name, English name, what it handles (zh, en), skills of its people
DEPARTMENTS = [
    (
        "sales",
        "销售部",
        "Sales",
        "开拓市场、签订合同、客户订单与交期确认",
        "Markets, contracts, customer orders and delivery dates",
        [("客户谈判", "Customer negotiation"), ("合同管理", "Contract management")],
    ),
    (
        "production",
        "生产部",
        "Production",
        "生产排期、产能评估、按合同生产交付",
        "Production scheduling, capacity, making what was sold",
        [("生产排期", "Production scheduling"), ("设备维护", "Equipment maintenance")],
    ),
    (
        "finance",
        "财务部",
        "Finance",
        "资金申请、付款、报销、预算与核算",
        "Funding requests, payments, expenses, budgets and accounting",
        [("财务分析", "Financial analysis"), ("预算编制", "Budgeting")],
    ),
    (
        "purchasing",
        "采购部",
        "Purchasing",
        "采购申请、供应商选择、询价比价与到货跟踪",
        "Purchase requests, suppliers, quotations and deliveries",
        [("供应商管理", "Supplier management"), ("询价比价", "Quotation comparison")],
    ),
    (
        "rnd",
        "研发部",
        "R&D",
        "新产品设计、技术方案评审、样品试制",
        "New product design, technical reviews, prototypes",
        [("产品设计", "Product design"), ("嵌入式开发", "Embedded development")],
    ),
    (
        "marketing",
        "市场部",
        "Marketing",
        "市场调研、品牌推广、活动策划",
        "Market research, brand promotion, campaigns",
        [("市场调研", "Market research"), ("活动策划", "Event planning")],
    ),
    (
        "service",
        "客服部",
        "Customer Service",
        "客户咨询、投诉受理与回访",
        "Customer enquiries, complaints and follow-up calls",
        [("投诉处理", "Complaint handling"), ("客户回访", "Customer follow-up")],
    ),
    (
        "tech",
        "技术部",
        "Technology",
        "技术支持、IT 设备与系统账号、网络故障",
        "Technical support, IT equipment and accounts, network faults",
        [("网络运维", "Network operations"), ("系统管理", "System administration")],
    ),
    (
        "aftersales",
        "售后部",
        "After-sales",
        "安装调试、维修、退换货",
        "Installation, repairs, returns and replacements",
        [("现场维修", "Field repair"), ("安装调试", "Installation")],
    ),
    (
        "office",
        "办公室",
        "General Office",
        "公文收发与归档、会议室、用印、行政事务",
        "Official documents, meeting rooms, seals, administration",
        [("公文写作", "Official writing"), ("档案管理", "Records management")],
    ),
    (
        "hr",
        "人力资源部",
        "Human Resources",
        "招聘、入职离职、培训与考勤",
        "Hiring, on- and off-boarding, training and attendance",
        [("招聘", "Recruiting"), ("培训组织", "Training")],
    ),
]

SURNAMES = "王李张刘陈杨黄赵周吴徐孙马朱胡郭何林罗高郑梁谢宋唐许韩冯邓曹彭曾肖田董"
GIVEN = [
    "伟",
    "芳",
    "娜",
    "敏",
    "静",
    "丽",
    "强",
    "磊",
    "洋",
    "艳",
    "勇",
    "军",
    "杰",
    "娟",
    "涛",
    "明",
    "超",
    "秀英",
    "霞",
    "平",
    "刚",
    "桂英",
    "建华",
    "文",
    "华",
    "红",
    "建国",
    "晓东",
    "海燕",
    "志强",
    "慧",
    "宇",
    "欣怡",
    "子涵",
]

# China's public holidays and make-up workdays for 2026 as announced by the
# State Council; admins keep later years up to date in the admin.
HOLIDAYS_2026 = {
    "元旦": ["2026-01-01", "2026-01-02", "2026-01-03"],
    "春节": [f"2026-02-{d:02d}" for d in range(15, 24)],
    "清明节": ["2026-04-04", "2026-04-05", "2026-04-06"],
    "劳动节": [f"2026-05-{d:02d}" for d in range(1, 6)],
    "端午节": ["2026-06-19", "2026-06-20", "2026-06-21"],
    "中秋节": ["2026-09-25", "2026-09-26", "2026-09-27"],
    "国庆节": [f"2026-10-{d:02d}" for d in range(1, 8)],
}
WORKDAYS_2026 = {
    "元旦调休": ["2026-01-04"],
    "春节调休": ["2026-02-14", "2026-02-28"],
    "劳动节调休": ["2026-05-09"],
    "国庆节调休": ["2026-09-20", "2026-10-10"],
}


def person_name(index: int) -> str:
    return SURNAMES[index % len(SURNAMES)] + GIVEN[(index * 7 + index // len(SURNAMES)) % len(GIVEN)]


class Command(BaseCommand):
    help = "Create or update the demo organisation (departments, people, roles, calendar)."

    def add_arguments(self, parser):
        parser.add_argument("--quiet", action="store_true", help="Print nothing but errors.")
        parser.add_argument(
            "--scale",
            type=int,
            default=0,
            metavar="N",
            help="Also add N requests over 30 departments and 2,000 people (bulk inserts, for benchmarks).",
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
        for order, (code, name, name_en, handles, handles_en, skills) in enumerate(DEPARTMENTS, start=1):
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

        from tasks.demo import seed_request_types, seed_requests

        seed_request_types()
        made = seed_requests()
        from teams.demo import seed_teams

        seed_teams()
        from conflicts.demo import seed_conflicts

        seed_conflicts()
        from documents.demo import seed_documents

        seed_documents()

        if options["scale"] < 0:
            raise CommandError("--scale must be a positive number of requests.")
        if options["scale"]:
            from tasks.demo_scale import seed_scale

            seed_scale(options["scale"])
            if not options["quiet"]:
                self.stdout.write(f"Added {options['scale']} requests for benchmarks.")
        from django.core.management import call_command

        call_command("rebuild_search_index", quiet=True)  # bulk inserts bypass the index's signals

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
                        date=date.fromisoformat(day), defaults={"kind": kind, "name": name}
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
