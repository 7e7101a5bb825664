"""Tokens and an API client on top of the shared personas and the request types of tests/tasks."""

import pytest
from rest_framework.test import APIClient

from api.services import token_create
from tests.tasks.conftest import file_request, finance, in_state, purchase, support  # noqa: F401


@pytest.fixture
def bearer():
    """An API client that sends `user`'s new token of `scope`."""

    def make(user, scope="act", **kwargs):
        token, secret = token_create(user=user, name="test", scope=scope, expires_in_days=kwargs.pop("days", 30))
        client = APIClient()
        client.credentials(HTTP_AUTHORIZATION=f"Bearer {secret}")
        client.token = token
        return client

    return make
