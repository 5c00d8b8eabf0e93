"""The deterministic demo organisation generator (the demo, the tests and the benchmarks)."""

from techwin.demo.generator import (
    SCALE_SPECS,
    SCALES,
    DemoSummary,
    Scale,
    demo_logins,
    generate,
)
from techwin.demo.people import DEMO_DOMAIN, DEMO_PASSWORD, DemoLogin
from techwin.demo.reset import count_users, empty_database

__all__ = [
    "DEMO_DOMAIN",
    "DEMO_PASSWORD",
    "SCALES",
    "SCALE_SPECS",
    "DemoLogin",
    "DemoSummary",
    "Scale",
    "count_users",
    "demo_logins",
    "empty_database",
    "generate",
]
