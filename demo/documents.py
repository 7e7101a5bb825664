"""Demo official documents, one in every state of the flow, and a received document routed to two
departments. Each is found again by its title, so running seed_demo twice adds nothing; they go
through the real services, so numbers, opinions, versions and notifications are all genuine."""

from django.contrib.auth.models import Permission
from django.db import transaction

from departments.models import Department, User
from documents import services
from documents.models import Document, IncomingDocument

BODY = """# 一、工作目标
围绕新产品按期上市，销售、生产、采购、财务四部门协同推进，确保12月底前完成首批交付。

# 二、职责分工
- 销售部：确认客户订单与交期，每周一报送需求变化。
- 生产部：排定产能，出现瓶颈时当日通报。
- 采购部：锁定关键物料，供应商延期时启动备选方案。
- 财务部：按计划拨付资金，三个工作日内完成付款审批。

# 三、时间安排
| 阶段 | 完成时间 | 牵头部门 |
|---|---|---|
| 订单确认 | 12月5日 | 销售部 |
| 物料到货 | 12月15日 | 采购部 |
| 首批交付 | 12月28日 | 生产部 |

请各部门按照分工抓好落实，有问题及时通过协作门户提出事务。"""

# title, kind, drafter, countersigning departments, recipient departments, how far it goes
DOCUMENTS = [
    ("关于新产品上市协作安排的通知（草稿）", "notice", "sales_staff1", [], ["production"], "draft"),
    ("关于调整年度促销预算的请示", "request", "marketing_staff1", ["finance"], [], "reviewing"),
    ("关于第四季度采购计划的报告", "report", "purchasing_staff1", ["finance", "production"], [], "countersigning"),
    ("关于客户投诉处理流程的函", "letter", "service_staff1", [], ["sales", "aftersales"], "pending_issue"),
    ("关于年终盘点工作的通知", "notice", "finance_staff1", [], ["sales", "purchasing", "production"], "issued"),
    (
        "关于新产品上市协作安排的通知",
        "notice",
        "sales_staff1",
        ["production"],
        ["production", "purchasing", "finance"],
        "distributed",
    ),
    ("第三季度跨部门协作例会纪要", "minutes", "office_staff1", [], ["sales", "production"], "archived"),
    ("关于研发样机测试安排的通知", "notice", "rnd_staff1", [], ["production"], "returned"),
]
STEPS = ["draft", "reviewing", "countersigning", "pending_issue", "issued", "distributed", "archived"]


def _user(username: str) -> User | None:
    return User.objects.filter(username=username).first()


def _department(code: str) -> Department | None:
    return Department.objects.filter(code=code).first()


def _head(department: Department) -> User:
    return department.head


def _advance(document: Document, goal: str, leader: User) -> None:
    """Move a fresh draft along the real flow until it is in `goal`."""
    if goal == "returned":
        services.document_submit(document=document, by=document.drafter)
        services.document_review(
            document=document, by=_head(document.department), agree=False, text="测试时间请写到具体日期。"
        )
        services.document_edit(
            document=document,
            by=document.drafter,
            title=document.title,
            recipients=document.recipients,
            cc=document.cc,
            body=document.body.replace("下旬", "12月20日"),
        )
        return
    target = STEPS.index(goal)
    if target >= 1:
        services.document_submit(document=document, by=document.drafter)
    if target >= 2:
        services.document_review(document=document, by=_head(document.department), agree=True, text="同意。")
    departments = list(document.countersign_departments.all())
    if target == 2:  # still countersigning: the first department has agreed, the others have not yet
        departments = departments[:1] if len(departments) > 1 else []
    elif target < 2:
        departments = []
    for department in departments:
        services.document_countersign(
            document=document, by=_head(department), department=department, agree=True, text="无意见。"
        )
    if target >= 4:
        services.document_sign_off(document=document, by=leader, text="同意印发。")
    if target >= 5:
        services.document_distribute(document=document, by=document.drafter)
        first = document.acknowledgements.select_related("department").first()
        services.document_acknowledge(document=document, by=_head(first.department), department=first.department)
    if target >= 6:
        for ack in document.acknowledgements.filter(at__isnull=True).select_related("department"):
            services.document_acknowledge(document=document, by=_head(ack.department), department=ack.department)
        services.document_archive(document=document, by=_head(document.department))


def seed_documents() -> int:
    """Make the demo documents that are missing; returns how many were made."""
    leader = _user("leader")
    if leader is None:
        return 0
    made = 0
    for title, kind, drafter_name, countersign, recipients, goal in DOCUMENTS:
        drafter = _user(drafter_name)
        if drafter is None or Document.objects.filter(title=title).exists():
            continue
        with transaction.atomic():
            document = services.document_create(
                by=drafter,
                kind=kind,
                title=title,
                recipients="、".join(d.name for d in map(_department, recipients) if d) or "公司领导",
                cc="公司领导" if kind == "notice" else "",
                body=BODY if goal != "returned" else "研发部拟于本月下旬安排样机测试，请生产部配合。",
                urgency="urgent" if goal == "pending_issue" else "normal",
                countersign_departments=[d for d in map(_department, countersign) if d],
                recipient_departments=[d for d in map(_department, recipients) if d],
            )
            _advance(document, goal, leader)
        made += 1
    made += _seed_incoming()
    return made


def _seed_incoming() -> int:
    """The office registers received documents; one is already routed."""
    permission = Permission.objects.get(codename="add_incomingdocument")
    office = [u for u in (_user("office_head"), _user("office_staff1")) if u]
    for person in office:
        person.user_permissions.add(permission)
    title = "关于开展安全生产专项检查的通知"
    if not office or IncomingDocument.objects.filter(title=title).exists():
        return 0
    from django.core.files.base import ContentFile

    departments = [d for d in (_department("production"), _department("purchasing")) if d]
    upload = ContentFile(b"%PDF-1.4\n% demo received document\n", name="安全生产专项检查通知.pdf")
    services.incoming_register(
        by=office[0],
        title=title,
        source="市应急管理局",
        their_number="应急〔2026〕45号",
        urgency="urgent",
        summary="请于12月10日前完成自查，形成报告报办公室汇总。",
        file=upload,
        departments=departments,
    )
    return 1
