"""The department administrators' pages: 采购部 (purchasing) is administered by its head,
purchasing_head; 销售部 (sales) by its own head. Request types and robots of both."""

import pytest

from notifications.models import ImRobot
from tasks.models import RequestType
from tests.conftest import login
from tests.tasks.conftest import finance, purchase, support  # noqa: F401  (fixtures)


@pytest.fixture
def sales_type(org):
    return RequestType.objects.create(department=org.sales, code="quote", name="报价", name_en="Quote")


@pytest.fixture
def robots(org):
    mine = ImRobot.objects.create(
        department=org.purchasing,
        name="采购群",
        kind=ImRobot.Kind.DINGTALK,
        url="https://oapi.dingtalk.com/robot/send?access_token=purchasingtoken",
        secret="SECpurchasing",
    )
    theirs = ImRobot.objects.create(
        department=org.sales,
        name="销售群",
        kind=ImRobot.Kind.WECOM,
        url="https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=salestoken",
    )
    return mine, theirs


@pytest.fixture
def admin_client(client, org):
    """purchasing_head's client, answering in English."""
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"
    return login(client, org.purchasing_head)
