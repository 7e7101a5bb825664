"""Request types from tests/tasks, for the pages of this package that file requests."""

from tests.tasks.conftest import support  # noqa: F401
