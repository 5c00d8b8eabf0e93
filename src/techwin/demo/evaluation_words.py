"""Texts the demo's evaluation and feedback records carry: POC scopes and success criteria with
their evidence, technical-win reasons, competitor notes and the product gaps the field reports.

Written for the demo in the project's own words; no real company or product is named.
"""

from __future__ import annotations

from dataclasses import dataclass

from techwin.evaluation.enums import NoGoReason
from techwin.feedback.enums import GapSeverity, GapStatus

POC_SCOPES = (
    "Connect two of their source systems, run the nightly load for two weeks and compare the "
    "results with their current reports.",
    "Rebuild one approval workflow end to end with their own users in a sandbox tenant.",
    "Replay a week of production events and show alerts and dashboards their on-call team "
    "would use.",
    "Single sign-on with their identity provider, role mapping for three teams, audit export.",
    "Fail over one service to the secondary region and measure the recovery time.",
    "Expose three internal APIs through the gateway with rate limits and usage reports.",
)
ENVIRONMENTS = (
    "Sandbox tenant with anonymised sample data",
    "Customer-hosted test cluster",
    "Shared demo workspace, reset after the POC",
    "Dedicated trial region, EU hosting",
)


@dataclass(frozen=True)
class CriterionText:
    """A success criterion the demo can give a POC, with evidence for each result."""

    description: str
    target: str
    met: str
    partly: str
    missed: str


CRITERIA = (
    CriterionText(
        "Nightly load finishes in the batch window",
        "Full load of 40 million rows completes in under 90 minutes",
        "Seven runs in a row finished in 52 to 71 minutes; logs attached",
        "Finished in time on five of seven nights; two ran to 110 minutes",
        "Best run took 2 h 40 min; their window is 90 minutes",
    ),
    CriterionText(
        "Dashboards answer quickly for the analysts",
        "95% of dashboard queries return in under 2 seconds",
        "97.5% under 2 s over 3,100 queries, measured by their own monitor",
        "91% under 2 s; the wide date-range reports were slower",
        "Only 68% under 2 s; the large joins timed out",
    ),
    CriterionText(
        "Single sign-on with their identity provider",
        "All pilot users sign in with SSO; roles mapped for three teams",
        "All 45 pilot users signed in with SSO on day one; screenshots in the shared folder",
        "SSO works, but one team's roles needed a manual mapping",
        "Their identity provider's group claims could not be mapped",
    ),
    CriterionText(
        "Audit trail satisfies their compliance team",
        "Every change exported with who, when and what, accepted by compliance",
        "Compliance reviewed the export and accepted it in writing",
        "Export accepted, with a request to add the source IP",
        "Compliance rejected the export format",
    ),
    CriterionText(
        "Alerting cuts the noise for on-call",
        "At least 50% fewer pages than last month for the same incidents",
        "Pages dropped from 212 to 74 over the two-week replay",
        "Pages dropped by 35%; two noisy sources still unfiltered",
        "No measurable drop; rules could not be tuned in time",
    ),
    CriterionText(
        "Recovery after a regional failure",
        "Service back within 15 minutes, no data lost",
        "Failed over in 9 minutes with zero lost records, twice",
        "Back in 22 minutes; no data lost",
        "Recovery took over an hour and needed manual steps",
    ),
    CriterionText(
        "Their team can build a workflow without help",
        "Two of their analysts build a new approval flow in one afternoon",
        "Both analysts built the flow in under three hours, unassisted",
        "One analyst finished; the other needed a walkthrough",
        "Neither could finish without the SE's help",
    ),
    CriterionText(
        "Integration with their data warehouse",
        "Daily sync of the five core tables with under 1% mismatches",
        "Zero mismatches across 14 daily syncs; reconciliation report shared",
        "0.8% mismatches on one table, fixed by a mapping change",
        "Sync failed on their custom column types",
    ),
)

OUTCOME_NOTES = {
    "passed": (
        "Every criterion met; the evaluation team recommends us to the steering group.",
        "Clean pass. Their architect asked to keep the sandbox for the rollout plan.",
    ),
    "partial": (
        "Most criteria met; the gaps are on the roadmap and they accept a workaround.",
        "Partly passed: strong on usability, one performance target missed.",
    ),
    "failed": (
        "Key criteria not met on their data; they will not go ahead on this basis.",
        "Failed on the integration criterion, which was their main reason to buy.",
    ),
    "abandoned": (
        "The customer team had no time to test; the POC was stopped.",
        "Stopped after two weeks: their priorities changed.",
    ),
}

TECH_WON_REASONS = (
    "POC signed off; the evaluation team ranked us first on their scorecard.",
    "Architect confirmed we meet every technical requirement.",
    "Technical sign-off received; what remains is commercial.",
)
TECH_LOST_REASONS = (
    "They chose an architecture we cannot match without an on-premises option.",
    "The competing product integrated with their warehouse out of the box.",
    "POC criteria not met on their data.",
    "Their team preferred the other vendor's developer tooling.",
)
IN_PROGRESS_REASONS = (
    "Technical validation under way with their platform team.",
    "Requirements reviewed; architecture call booked.",
)
NO_GO_BY_REASON: tuple[tuple[str, NoGoReason], ...] = (
    ("compelling", NoGoReason.NO_COMPELLING_EVENT),
    ("priority", NoGoReason.NO_COMPELLING_EVENT),
    ("status quo", NoGoReason.NO_COMPELLING_EVENT),
    ("budget", NoGoReason.NO_BUDGET),
    ("on-premises", NoGoReason.POOR_TECHNICAL_FIT),
    ("integration", NoGoReason.UNREALISTIC_REQUIREMENTS),
    ("technical fit", NoGoReason.COMPETITOR_LOCK_IN),
    ("stalled", NoGoReason.NO_TECHNICAL_SPONSOR),
    ("postponed", NoGoReason.NO_COMPELLING_EVENT),
    ("criteria", NoGoReason.UNREALISTIC_REQUIREMENTS),
    ("competing", NoGoReason.COMPETITOR_LOCK_IN),
)
NO_GO_NOTES = (
    "Qualified out after discovery: no way to a technical win worth the effort.",
    "Told the AE we should not spend SE time here; agreed with the manager.",
    "The requirements need a product we do not sell.",
)
OTHER_NO_GO_NOTE = "The prospect wants consulting work, not a product."

COMPETITOR_NOTES = (
    "Incumbent for five years; the team knows it well.",
    "Ran a competing POC in parallel.",
    "Cheaper on paper; weaker on audit and SSO.",
    "Came in through the procurement shortlist.",
)


@dataclass(frozen=True)
class GapText:
    """A product gap the field reports, where it comes up and where product stands on it."""

    title: str
    area: str
    severity: GapSeverity
    status: GapStatus
    description: str
    workaround: str | None
    status_reason: str | None
    triggers: tuple[str, ...]  # words in a lost reason this gap explains
    use_cases: tuple[str, ...]  # use cases of open deals it holds up
    weight: float  # how often the field meets it


GAPS = (
    GapText(
        "Self-hosted deployment option", "Platform", GapSeverity.DEAL_BREAKER, GapStatus.PLANNED,
        "Regulated customers need to run the product in their own data centre.",
        None, "On the plan for the second half of next year.",
        ("on-premises",), ("Cloud migration", "Platform rollout"), 3.0,
    ),
    GapText(
        "Native connector for columnar warehouses", "Integrations", GapSeverity.DEAL_BREAKER,
        GapStatus.REVIEWED, "Loading into and reading from the large analytical warehouses "
        "needs custom scripts today.", "Nightly export to object storage, then a load job.",
        None, ("integration", "warehouse"), ("Data pipeline modernisation", "Customer 360"), 2.6,
    ),
    GapText(
        "Row-level permissions in dashboards", "Reporting", GapSeverity.MAJOR, GapStatus.PLANNED,
        "Regional managers must only see their own region's rows.",
        "One dashboard copy per region.", "Planned for the next quarter.",
        ("criteria",), ("Self-service analytics", "Real-time reporting"), 2.0,
    ),
    GapText(
        "Group claims from every identity provider", "Security", GapSeverity.MAJOR,
        GapStatus.NEW, "Nested groups from some identity providers do not map to roles.",
        "Map roles by hand after the first sign-in.", None,
        ("technical fit",), ("Identity consolidation",), 1.6,
    ),
    GapText(
        "Data residency in more regions", "Platform", GapSeverity.DEAL_BREAKER, GapStatus.SHIPPED,
        "Customers in three countries need their data stored in-country.",
        None, "Two new hosting regions went live.",
        ("on-premises",), ("Cloud migration",), 1.2,
    ),
    GapText(
        "Sub-minute streaming ingest", "Integrations", GapSeverity.MAJOR, GapStatus.REVIEWED,
        "Real-time use cases need events visible in seconds, not minutes.",
        "Shorter batch intervals.", None,
        ("criteria", "competing poc"), ("Real-time reporting", "Observability expansion"), 1.8,
    ),
    GapText(
        "Audit export in the customer's SIEM format", "Security", GapSeverity.MINOR,
        GapStatus.SHIPPED, "Compliance teams want the audit trail in their own log format.",
        None, "Shipped as a configurable export.", ("criteria",), ("Security analytics",), 0.8,
    ),
    GapText(
        "Bulk edit of workflow steps", "Workflow", GapSeverity.MINOR, GapStatus.WONT_DO,
        "Admins want to change many steps of a workflow at once.",
        "Use the API to script the change.",
        "The API covers it; a bulk editor would complicate the builder for everyone.",
        (), ("Workflow automation",), 0.7,
    ),
    GapText(
        "Approval steps with parallel reviewers", "Workflow", GapSeverity.MAJOR,
        GapStatus.PLANNED, "Several reviewers must approve at the same step, in any order.",
        "Chain the reviewers one after another.", "Planned with the workflow rework.",
        ("technical fit", "competing poc"), ("Workflow automation",), 1.5,
    ),
    GapText(
        "Cross-region failover without manual steps", "Platform", GapSeverity.MAJOR,
        GapStatus.NEW, "Failover to the secondary region still needs an operator.",
        "Runbook with four manual steps.", None, ("criteria",), ("Disaster recovery",), 1.1,
    ),
    GapText(
        "API quotas per consumer team", "API", GapSeverity.MINOR, GapStatus.REVIEWED,
        "Platform teams want a quota per internal consumer, not one per key.",
        "One key per team.", None, (), ("API management",), 0.9,
    ),
    GapText(
        "Custom column types in the warehouse sync", "Integrations", GapSeverity.MAJOR,
        GapStatus.NEW, "Sync fails on user-defined and nested column types.",
        "Cast the columns in a view before the sync.", None,
        ("integration", "criteria"), ("Data pipeline modernisation",), 1.3,
    ),
    GapText(
        "Offline mobile approvals", "Workflow", GapSeverity.MINOR, GapStatus.WONT_DO,
        "Field teams want to approve without a connection.", None,
        "Too few deals need it to justify an offline client.", (), ("Workflow automation",), 0.5,
    ),
    GapText(
        "Alert grouping by service ownership", "Observability", GapSeverity.MAJOR,
        GapStatus.PLANNED, "Alerts should group by the owning team to cut pages.",
        "Tag rules maintained by hand.", "Planned after the ingest rework.",
        ("criteria", "competing poc"), ("Observability expansion",), 1.4,
    ),
    GapText(
        "Customer-managed encryption keys", "Security", GapSeverity.DEAL_BREAKER, GapStatus.NEW,
        "Banks and insurers require keys they hold and can revoke.", None, None,
        ("on-premises", "technical fit"), ("Security analytics", "Cloud migration"), 1.7,
    ),
    GapText(
        "Scheduled report delivery to chat", "Reporting", GapSeverity.MINOR, GapStatus.SHIPPED,
        "Teams want daily reports posted to their chat channel.", None,
        "Shipped in the spring release.", (), ("Real-time reporting", "Self-service analytics"),
        0.6,
    ),
)  # fmt: skip
GAP_LINK_NOTES = (
    "Raised by their architect in the deep dive.",
    "Came up in the POC; the workaround was not accepted.",
    "Named in the loss review as a reason.",
    "They will wait for it before signing.",
)
