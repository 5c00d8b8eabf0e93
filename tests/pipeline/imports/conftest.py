"""Sample files written the way Salesforce and HubSpot export them."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

DATA = Path(__file__).resolve().parent / "data"


def _sample(name: str) -> str:
    """A sample export as the vendor writes it (CRLF, BOM and all), as text."""
    return (DATA / name).read_bytes().decode("utf-8")


SF_LEADS = _sample("salesforce_leads.csv")
SF_OPPORTUNITIES = _sample("salesforce_opportunities.csv")
HS_CONTACTS = _sample("hubspot_contacts.csv")
HS_DEALS = _sample("hubspot_deals.csv")


@pytest.fixture
def write_file(tmp_path: Path) -> Callable[..., Path]:
    """Write text (or bytes) to a file in the test's folder."""

    def _write(name: str, content: str | bytes, encoding: str = "utf-8") -> Path:
        path = tmp_path / name
        if isinstance(content, bytes):
            path.write_bytes(content)
        else:
            path.write_bytes(content.encode(encoding))
        return path

    return _write
