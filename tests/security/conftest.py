"""The authorization matrix's world (a request, a draft, documents) for the security checks."""

from tests.tasks.conftest import file_request, finance, in_state, purchase, support  # noqa: F401
from tests.test_authorization_matrix import world  # noqa: F401
