"""The web UI fixtures (a browser signed in as a person of a role) for this domain's page tests."""

from tests.web.conftest import browser, quick_password_hashes, signed_in

__all__ = ["browser", "quick_password_hashes", "signed_in"]
