"""The demo organisation's data: departments (the guide's 销售部, 生产部, 财务部 …), the names its
people get, China's public holidays and make-up workdays, and the one password of every demo login."""

DEMO_PASSWORD = "Collab@2026"  # noqa: S105 - printed for people trying the demo
STAFF_PER_DEPARTMENT = 3

# code, (Chinese name, English name), what it handles (zh, en), skills of its people
DEPARTMENTS = [
    (
        "sales",
        ("销售部", "Sales"),
        ("开拓市场、签订合同、客户订单与交期确认", "Markets, contracts, customer orders and delivery dates"),
        [("客户谈判", "Customer negotiation"), ("合同管理", "Contract management")],
    ),
    (
        "production",
        ("生产部", "Production"),
        ("生产排期、产能评估、按合同生产交付", "Production scheduling, capacity, making what was sold"),
        [("生产排期", "Production scheduling"), ("设备维护", "Equipment maintenance")],
    ),
    (
        "finance",
        ("财务部", "Finance"),
        ("资金申请、付款、报销、预算与核算", "Funding requests, payments, expenses, budgets and accounting"),
        [("财务分析", "Financial analysis"), ("预算编制", "Budgeting")],
    ),
    (
        "purchasing",
        ("采购部", "Purchasing"),
        ("采购申请、供应商选择、询价比价与到货跟踪", "Purchase requests, suppliers, quotations and deliveries"),
        [("供应商管理", "Supplier management"), ("询价比价", "Quotation comparison")],
    ),
    (
        "rnd",
        ("研发部", "R&D"),
        ("新产品设计、技术方案评审、样品试制", "New product design, technical reviews, prototypes"),
        [("产品设计", "Product design"), ("嵌入式开发", "Embedded development")],
    ),
    (
        "marketing",
        ("市场部", "Marketing"),
        ("市场调研、品牌推广、活动策划", "Market research, brand promotion, campaigns"),
        [("市场调研", "Market research"), ("活动策划", "Event planning")],
    ),
    (
        "service",
        ("客服部", "Customer Service"),
        ("客户咨询、投诉受理与回访", "Customer enquiries, complaints and follow-up calls"),
        [("投诉处理", "Complaint handling"), ("客户回访", "Customer follow-up")],
    ),
    (
        "tech",
        ("技术部", "Technology"),
        ("技术支持、IT 设备与系统账号、网络故障", "Technical support, IT equipment and accounts, network faults"),
        [("网络运维", "Network operations"), ("系统管理", "System administration")],
    ),
    (
        "aftersales",
        ("售后部", "After-sales"),
        ("安装调试、维修、退换货", "Installation, repairs, returns and replacements"),
        [("现场维修", "Field repair"), ("安装调试", "Installation")],
    ),
    (
        "office",
        ("办公室", "General Office"),
        ("公文收发与归档、会议室、用印、行政事务", "Official documents, meeting rooms, seals, administration"),
        [("公文写作", "Official writing"), ("档案管理", "Records management")],
    ),
    (
        "hr",
        ("人力资源部", "Human Resources"),
        ("招聘、入职离职、培训与考勤", "Hiring, on- and off-boarding, training and attendance"),
        [("招聘", "Recruiting"), ("培训组织", "Training")],
    ),
]

SURNAMES = "王李张刘陈杨黄赵周吴徐孙马朱胡郭何林罗高郑梁谢宋唐许韩冯邓曹彭曾肖田董"
GIVEN = "伟 芳 娜 敏 静 丽 强 磊 洋 艳 勇 军 杰 娟 涛 明 超 秀英 霞 平 刚 桂英 建华 文 华 红 建国 晓东 海燕 志强 慧 宇 欣怡 子涵".split()

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
