"""Demo request types and requests for seed_demo: the guide's departments asking
each other for things, with requests in every state. Requests are made through
the services, so their logs, approvals and notifications are real."""

from decimal import Decimal

from departments.models import Department, Skill, User
from tasks import services
from tasks.models import ApprovalStep, Reason, RequestField, RequestType, Task

# (code, department, zh, en), (purpose, materials, accept h, finish h, auto-assign), skills, fields, steps
TYPES = [
    (
        ("purchase", "purchasing", "采购申请", "Purchase request"),
        ("采购生产物料、办公用品与设备。", "需求清单；报价单（如有）", 4, 24, "none"),
        ["供应商管理", "询价比价"],
        [
            ("amount", "金额（元）", "Amount (CNY)", "number", True, ""),
            ("items", "物品清单", "Items", "text", True, ""),
            ("quote", "报价单", "Quotation", "file", False, ""),
        ],
        [
            (1, "部门负责人审批", "requester_manager", None, "any", None),
            (2, "财务负责人审批", "department_head", "finance", "any", ("amount", "gt", 10000)),
        ],
    ),
    (
        ("it_support", "tech", "技术支持", "IT support"),
        ("电脑、网络、账号与系统故障。", "故障现象截图（如有）", 2, 8, "least_loaded"),
        ["网络运维", "系统管理"],
        [
            ("category", "类别", "Category", "choice", True, "电脑故障\n网络\n账号权限\n其他"),
            ("location", "地点", "Location", "text", False, ""),
        ],
        [],
    ),
    (
        ("funding", "finance", "资金申请", "Funding request"),
        ("项目资金、预付款与备用金。", "预算说明；合同（如有）", 4, 16, "none"),
        ["财务分析", "预算编制"],
        [("amount", "金额（元）", "Amount (CNY)", "number", True, ""), ("use", "用途", "Use", "text", True, "")],
        [
            (1, "部门负责人审批", "requester_manager", None, "any", None),
            (2, "总经理审批", "requester_parent_head", None, "any", ("amount", "gt", 50000)),
        ],
    ),
    (
        ("schedule", "production", "生产排期", "Production scheduling"),
        ("按合同安排生产计划与交期。", "合同或订单编号", 8, 24, "none"),
        ["生产排期"],
        [
            ("product", "产品", "Product", "text", True, ""),
            ("quantity", "数量", "Quantity", "number", True, ""),
            ("delivery", "交货日期", "Delivery date", "date", True, ""),
        ],
        [(1, "部门负责人审批", "requester_manager", None, "any", None)],
    ),
    (
        ("hiring", "hr", "招聘需求", "Hiring request"),
        ("新增岗位或补员。", "岗位说明书", 8, 80, "none"),
        ["招聘"],
        [("position", "岗位", "Position", "text", True, ""), ("headcount", "人数", "Headcount", "number", True, "")],
        [
            (1, "部门负责人审批", "requester_manager", None, "any", None),
            (2, "人力与财务会签", "users", None, "all", None),
        ],
    ),
    (
        ("repair", "aftersales", "上门维修", "On-site repair"),
        ("客户设备的安装、调试与维修。", "客户信息与故障描述", 4, 16, "round_robin"),
        ["现场维修"],
        [("customer", "客户", "Customer", "text", True, "")],
        [],
    ),
    (
        ("complaint", "service", "客诉转办", "Customer complaint"),
        ("客户投诉的受理、转办与回访。", "投诉记录", 2, 16, "none"),
        ["投诉处理"],
        [],
        [],
    ),
    (
        ("review", "rnd", "技术评审", "Technical review"),
        ("新产品方案、图纸与样品评审。", "方案文档", 8, 40, "none"),
        ["产品设计"],
        [],
        [(1, "部门负责人审批", "requester_manager", None, "any", None)],
    ),
    (
        ("campaign", "marketing", "活动支持", "Campaign support"),
        ("展会、发布会与推广活动。", "活动方案", 8, 40, "none"),
        ["活动策划"],
        [],
        [],
    ),
    (
        ("seal", "office", "用印申请", "Seal request"),
        ("合同与公文用印。", "需用印的文件", 2, 4, "none"),
        ["公文写作"],
        [("file", "用印文件", "Document", "file", False, "")],
        [(1, "部门负责人审批", "requester_manager", None, "any", None)],
    ),
]


def seed_request_types() -> None:
    for order, ((code, dept, zh, en), (purpose, materials, accept, finish, auto), skills, fields, steps) in enumerate(
        TYPES, start=1
    ):
        request_type, _ = RequestType.objects.update_or_create(
            code=code,
            defaults={
                "department": Department.objects.get(code=dept),
                "name": zh,
                "name_en": en,
                "purpose": purpose,
                "materials": materials,
                "accept_sla_hours": Decimal(accept),
                "finish_sla_hours": Decimal(finish),
                "auto_assign": auto,
                "sort_order": order,
            },
        )
        request_type.skills.set(Skill.objects.filter(name__in=skills))
        for position, (key, label, label_en, kind, required, choices) in enumerate(fields, start=1):
            RequestField.objects.update_or_create(
                request_type=request_type,
                key=key,
                defaults={
                    "label": label,
                    "label_en": label_en,
                    "kind": kind,
                    "required": required,
                    "choices": choices,
                    "order": position,
                },
            )
        if request_type.steps.exists():
            continue
        for step_order, name, approver, department, mode, condition in steps:
            step = ApprovalStep.objects.create(
                request_type=request_type,
                order=step_order,
                name=name,
                approver=approver,
                mode=mode,
                department=Department.objects.get(code=department) if department else None,
                condition_field=condition[0] if condition else "",
                condition_operator=condition[1] if condition else "",
                condition_value=Decimal(condition[2]) if condition else None,
            )
            if approver == "users":
                step.users.set(User.objects.filter(username__in=["hr_head", "finance_head"]))
    publish_request_types()


def publish_request_types() -> None:
    """Each type as seeded becomes its published version 1, published by its department's head
    through the catalogue's own service, as a department administrator would."""
    for request_type in RequestType.objects.filter(current_version__isnull=True).select_related("department__head"):
        head = request_type.department.head
        if head is not None and head.has_perm("departments.administer", request_type.department):
            services.request_type_publish(request_type=request_type, by=head)


def _person(username: str) -> User:
    return User.objects.get(username=username)


def seed_requests() -> int:
    """Requests in every state. Each is identified by its title, so a second run adds none."""
    made = 0

    def file(title, by, type_code, values, **kwargs):
        nonlocal made
        existing = Task.objects.filter(title=title, parent__isnull=True).first()
        if existing:
            return None
        made += 1
        return services.task_create(
            by=_person(by), request_type=RequestType.objects.get(code=type_code), title=title, values=values, **kwargs
        )

    # 销售部 asks 采购部 for materials: a large amount needs the finance head too.
    file("采购新品样机物料（草稿）", "sales_staff2", "purchase", {"amount": "3000", "items": "样机外壳 20 套"})
    file(
        "采购客户演示设备",
        "sales_staff2",
        "purchase",
        {"amount": "28000", "items": "演示机 4 台"},
        submit=True,
        description="下月展会前需到货。",
    )
    task = file("采购包装材料", "sales_staff3", "purchase", {"amount": "6000", "items": "包装箱 500 个"}, submit=True)
    if task:
        services.task_approve(task=task, by=_person("sales_head"), opinion="同意，请尽快。")
    task = file("采购测试仪器", "rnd_staff2", "purchase", {"amount": "9000", "items": "示波器 1 台"}, submit=True)
    if task:
        services.task_approve(task=task, by=_person("rnd_head"))
        services.task_accept(
            task=task, by=_person("purchasing_head"), assignee=_person("purchasing_staff2"), estimate_hours=Decimal(6)
        )
        services.task_progress(task=task, by=_person("purchasing_staff2"), percent=40, note="已询价三家。")
    # IT support is dispatched automatically to the least loaded technician.
    file(
        "会议室投影仪无法连接",
        "marketing_staff1",
        "it_support",
        {"category": "电脑故障", "location": "三楼会议室"},
        submit=True,
    )
    # Waiting on another department: the time is charged to finance.
    task = file("展会预付款", "marketing_staff2", "funding", {"amount": "20000", "use": "展位费"}, submit=True)
    if task:
        services.task_approve(task=task, by=_person("marketing_head"))
        services.task_accept(task=task, by=_person("finance_head"), assignee=_person("finance_staff2"))
    task = file(
        "新产品试产排期",
        "sales_staff1",
        "schedule",
        {"product": "X1 智能终端", "quantity": "500", "delivery": "2027-01-15"},
        submit=True,
        co_departments=[Department.objects.get(code="rnd")],
    )
    if task:
        services.task_approve(task=task, by=_person("sales_head"))
        services.task_accept(task=task, by=_person("production_head"), assignee=_person("production_staff2"))
        services.task_hold(
            task=task,
            by=_person("production_staff2"),
            reason=Reason.WAITING_OTHER,
            waiting_on=Department.objects.get(code="purchasing"),
            comment="等待物料到货",
        )
    task = file("客户投诉：交货延迟", "sales_staff3", "complaint", {}, submit=True)
    if task:
        services.task_accept(task=task, by=_person("service_head"), assignee=_person("service_staff2"))
        services.task_finish(task=task, by=_person("service_staff2"), note="已致电客户并道歉，补发货物。")
    task = file("更换离职员工门禁", "hr_staff2", "it_support", {"category": "账号权限"}, submit=True)
    if task and task.state == Task.State.IN_PROGRESS:
        services.task_finish(task=task, by=task.assignee, note="已注销。")
        services.task_confirm(task=task, by=_person("hr_staff2"), comment="谢谢。")
    task = file("采购高端咖啡机", "office_staff2", "purchase", {"amount": "15000", "items": "咖啡机 1 台"}, submit=True)
    if task:
        services.task_reject(task=task, by=_person("office_head"), opinion="预算不足。", reason=Reason.POLICY)
    task = file("团建场地预订", "hr_staff3", "campaign", {}, submit=True)
    if task:
        services.task_cancel(task=task, by=_person("hr_staff3"), comment="活动延期。")
    file(
        "销售部招聘两名销售代表",
        "sales_head",
        "hiring",
        {"position": "销售代表", "headcount": "2"},
        submit=True,
        confidential=True,
    )
    return made
