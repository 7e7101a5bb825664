"""The outbox is exercised through real request flows: the requests' fixtures serve here too."""

from tests.tasks.conftest import file_request, finance, in_state, purchase, support  # noqa: F401
