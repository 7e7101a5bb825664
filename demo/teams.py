"""Demo teams for seed_demo, from the guide: a market-share team (销售、市场、研发) running now,
a cost-cutting team (采购、生产、财务) already evaluated, and a private new-product team still
being planned. Each team is found by its name, so a second run adds nothing."""

from datetime import datetime, time, timedelta
from decimal import Decimal

from django.conf import settings
from django.utils import timezone

from departments.models import Department, User
from teams import services
from teams.models import StrategicGoal, Team

GOALS = [
    ("提高市场份额", "Grow market share", "三年内主要产品的国内市场份额进入前三。"),
    ("降低运营成本", "Cut operating costs", "通过采购、生产和费用管控降低单位成本。"),
    ("加快新产品上市", "Faster new products", "缩短新产品从立项到上市的周期。"),
]


def _u(username: str) -> User:
    return User.objects.get(username=username)


def _d(code: str) -> Department:
    return Department.objects.get(code=code)


def _at(day, hour: int, minute: int = 0) -> datetime:
    from zoneinfo import ZoneInfo

    return datetime.combine(day, time(hour, minute), tzinfo=ZoneInfo(settings.TIME_ZONE))


def _values(name, goal, strategic, metric, unit, baseline, target, starts_on, deadline, private=False) -> dict:
    return {
        "name": name,
        "goal": goal,
        "strategic_goal": strategic,
        "metric": metric,
        "unit": unit,
        "baseline": Decimal(baseline),
        "target_value": Decimal(target),
        "starts_on": starts_on,
        "deadline": deadline,
        "private": private,
    }


def _plan(every, weekdays, at, minutes, location, *, daily_email) -> dict:
    """A weekly meeting cadence: every `every` weeks on `weekdays` (0 = Monday) at `at`."""
    return {
        "meeting_freq": "WEEKLY",
        "meeting_interval": every,
        "meeting_weekdays": weekdays,
        "meeting_time": at,
        "meeting_minutes": minutes,
        "meeting_location": location,
        "daily_email": daily_email,
    }


def _milestone(team, lead, title, start, days, department, deliverable, depends_on=(), status="planned"):
    """A milestone running from `days[0]` to `days[1]` days after `start`."""
    return services.milestone_save(
        team=team,
        by=lead,
        values={
            "title": title,
            "starts_on": start + timedelta(days=days[0]),
            "due_on": start + timedelta(days=days[1]),
            "department": _d(department),
            "deliverable": deliverable,
            "status": status,
        },
        depends_on=depends_on,
    )


def seed_teams() -> int:
    """Create the demo goals and teams that are missing; returns how many teams were added."""
    goals = {}
    for order, (title, title_en, description) in enumerate(GOALS):
        goals[title], _created = StrategicGoal.objects.update_or_create(
            title=title, defaults={"title_en": title_en, "description": description, "sort_order": order}
        )
    made = 0
    today = timezone.localdate()
    if not Team.objects.filter(name="华东区市场份额提升").exists():
        _market_team(goals["提高市场份额"], today)
        made += 1
    if not Team.objects.filter(name="原材料降本小组").exists():
        _cost_team(goals["降低运营成本"], today)
        made += 1
    if not Team.objects.filter(name="智能终端新品上市").exists():
        _product_team(goals["加快新产品上市"], today)
        made += 1
    return made


def _market_team(goal, today) -> None:
    lead = _u("sales_head")
    start = today - timedelta(days=35)
    team = services.team_create(
        by=lead,
        values=_values(
            "华东区市场份额提升",
            "一年内把华东区市场份额从12%提高到15%，销售、市场、研发协同推进渠道、推广与产品改进。",
            goal,
            "华东区市场份额",
            "%",
            "12",
            "15",
            start,
            start + timedelta(days=365),
        ),
        members=[
            (_u("sales_staff1"), _d("sales"), "渠道拓展负责人"),
            (_u("marketing_head"), _d("marketing"), "市场推广负责人"),
            (_u("marketing_staff2"), _d("marketing"), "市场调研"),
            (_u("rnd_staff1"), _d("rnd"), "产品改进"),
        ],
    )
    services.team_start(team=team, by=lead)
    services.plan_set(team=team, by=lead, values=_plan(1, [0], time(10, 0), 60, "总部3楼会议室", daily_email=True))
    services.criteria_set(team=team, by=lead, rows=[("目标达成", 50), ("按期交付", 30), ("跨部门协作", 20)])
    research = _milestone(team, lead, "华东市场调研", start, (0, 30), "marketing", "市场调研报告", status="done")
    channels = _milestone(
        team, lead, "重点渠道签约", start, (31, 120), "sales", "10家经销商协议", [research], status="in_progress"
    )
    _milestone(team, lead, "产品本地化改进", start, (31, 150), "rnd", "改进版样机", [research])
    _milestone(team, lead, "华东推广活动", start, (121, 240), "marketing", "三场区域发布会", [channels])
    for days_ago, value in ((34, "12.0"), (20, "12.4"), (6, "12.9")):
        services.reading_add(
            team=team, by=_u("marketing_staff2"), value=Decimal(value), measured_on=today - timedelta(days=days_ago)
        )
    # Two past meetings with minutes and action items; one item became a request.
    first_day = start + timedelta(days=(7 - start.weekday()) % 7)
    for week, (minutes, decisions) in enumerate(
        [
            ("各部门汇报启动准备；市场部介绍调研方案。", "调研在30天内完成；销售部先行接触5家经销商。"),
            (
                "调研结论：华东二线城市空白多。研发部提出包装和说明书本地化。",
                "优先签约苏州、无锡渠道；研发部评估改进成本。",
            ),
        ]
    ):
        day = first_day + timedelta(days=7 * week)
        if day >= today:
            break
        meeting = services.meeting_add(
            team=team, by=lead, starts_at=_at(day, 10), minutes=60, location="总部3楼会议室", agenda="进度汇报"
        )
        attendance = {a.user_id: "present" for a in meeting.attendance.all()}
        services.meeting_record(
            meeting=meeting,
            by=_u("sales_staff1"),
            agenda=meeting.agenda,
            minutes=minutes,
            decisions=decisions,
            attendance=attendance,
            held=True,
        )
        if week == 0:
            item = services.action_add(
                meeting=meeting,
                by=lead,
                title="准备华东发布会活动方案",
                owner=_u("marketing_head"),
                department=_d("marketing"),
                due_on=today + timedelta(days=10),
            )
            services.action_to_request(item=item, by=lead)
            services.action_add(
                meeting=meeting,
                by=lead,
                title="提交经销商名单",
                owner=_u("sales_staff1"),
                department=_d("sales"),
                due_on=day + timedelta(days=5),  # overdue: the next agenda starts with it
            )
    services.meetings_generate(team=Team.objects.get(pk=team.pk))


def _cost_team(goal, today) -> None:
    lead = _u("purchasing_head")
    start = today - timedelta(days=220)
    team = services.team_create(
        by=lead,
        values=_values(
            "原材料降本小组",
            "半年内把主要原材料的采购成本降低5%，采购、生产、财务共同复核供应商、用量和付款条件。",
            goal,
            "原材料月采购成本",
            "万元",
            "820",
            "779",
            start,
            start + timedelta(days=180),
        ),
        members=[
            (_u("purchasing_staff1"), _d("purchasing"), "供应商谈判"),
            (_u("production_head"), _d("production"), "用量与损耗"),
            (_u("finance_staff1"), _d("finance"), "成本核算"),
        ],
    )
    services.team_start(team=team, by=lead)
    services.criteria_set(team=team, by=lead, rows=[("降本目标达成", 60), ("质量不受影响", 25), ("协作配合", 15)])
    quotes = _milestone(team, lead, "供应商重新询价", start, (0, 45), "purchasing", "比价表", status="done")
    _milestone(team, lead, "损耗分析", start, (0, 60), "production", "损耗分析报告", status="done")
    _milestone(team, lead, "付款条件调整", start, (46, 150), "finance", "新付款协议", [quotes], status="done")
    for days_ago, value in ((210, "820"), (150, "805"), (90, "792"), (40, "781"), (25, "776")):
        services.reading_add(
            team=team, by=_u("finance_staff1"), value=Decimal(value), measured_on=today - timedelta(days=days_ago)
        )
    meeting = services.meeting_add(
        team=team, by=lead, starts_at=_at(start + timedelta(days=14), 14), minutes=90, location="采购部会议室"
    )
    services.meeting_record(
        meeting=meeting,
        by=_u("finance_staff1"),
        agenda="询价进展；损耗数据",
        minutes="三家新供应商报价低于现价3%-6%；生产部损耗率高于行业均值。",
        decisions="引入第二供应商；生产部两周内提出降损措施。",
        attendance={a.user_id: "present" for a in meeting.attendance.all()},
        held=True,
    )
    services.team_complete(team=team, by=lead)
    scores = {
        c.pk: score for c, score in zip(team.criteria.all(), (Decimal(95), Decimal(90), Decimal(85)), strict=False)
    }
    services.team_evaluate(
        team=team, by=lead, scores=scores, summary="月采购成本从820万元降到776万元，超额完成；质量稳定。"
    )


def _product_team(goal, today) -> None:
    lead = _u("rnd_head")
    start = today + timedelta(days=14)
    team = services.team_create(
        by=lead,
        values=_values(
            "智能终端新品上市",
            "九个月内完成智能终端新品从样机到量产上市，首批订单不少于2000台。",
            goal,
            "首批订单量",
            "台",
            "0",
            "2000",
            start,
            start + timedelta(days=270),
            private=True,
        ),
        members=[
            (_u("rnd_staff2"), _d("rnd"), "硬件设计"),
            (_u("production_staff1"), _d("production"), "试产"),
            (_u("sales_staff2"), _d("sales"), "首批客户"),
        ],
    )
    services.plan_set(team=team, by=lead, values=_plan(2, [2], time(15, 0), 45, "研发部会议室", daily_email=False))
    _milestone(team, lead, "样机定型", start, (0, 90), "rnd", "定型样机与图纸")
    services.meetings_generate(team=Team.objects.get(pk=team.pk))
