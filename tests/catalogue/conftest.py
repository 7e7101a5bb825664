"""The catalogue's tests use the request types of tests/tasks/conftest.py: 采购部's purchase (an
amount field; step 1 the requester's head, step 2 finance's head above 10000) and support."""

from tests.api.conftest import bearer  # noqa: F401
from tests.tasks.conftest import file_request, finance, purchase, support  # noqa: F401
