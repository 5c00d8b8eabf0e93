"""Short texts the demo's qualification ratings and engagement events carry.

Evidence notes are what a seller writes next to a rating; event details are what a marketing
system sends along with an event. All of it is written for the demo; no real company is named.
"""

from __future__ import annotations

from techwin.scoring.enums import EventKind

# Element key → notes for a rating of 3 (confirmed with evidence: the note is required).
CONFIRMED_NOTES: dict[str, tuple[str, ...]] = {
    "budget": (
        "Finance shared the approved line item for this project",
        "Budget confirmed in writing by the VP; funds released next quarter",
        "Purchase request already raised in their procurement tool",
        "Budget moved from the incumbent's renewal to this project",
    ),
    "authority": (
        "Met the CIO, who signs anything above the department limit",
        "Sponsor walked us through the approval chain on a call",
        "Decision maker joined the second meeting and asked for a proposal",
    ),
    "need": (
        "Three incidents last quarter traced to the manual hand-off",
        "Team lead described the weekly rework in their own numbers",
        "Need written into their annual plan, shared with us",
    ),
    "timeline": (
        "Go-live date fixed by the contract end of the current vendor",
        "Board deadline for the migration is the end of the fiscal year",
        "Rollout must be done before peak season; the date is on their roadmap",
    ),
    "metrics": (
        "Agreed target: cut ticket resolution time from 9 to 4 hours",
        "Baseline measured together: 14 engineer-days lost per month",
        "Business case signed off with a 20% cost reduction target",
    ),
    "economic_buyer": (
        "Met the CFO; she confirmed the spend and her priorities",
        "Economic buyer attended the read-out and set the decision date",
    ),
    "decision_criteria": (
        "Evaluation scorecard shared by the customer, we helped shape it",
        "Written criteria: SSO, audit trail, EU hosting, sub-second search",
        "Criteria confirmed in the POC plan both sides signed",
    ),
    "decision_process": (
        "Steps mapped with the champion: security review, steering group, CFO",
        "Procurement timeline shared; signature planned after the board meeting",
    ),
    "paper_process": (
        "Legal reviewed our MSA; two redlines left, both agreed",
        "Security questionnaire accepted; DPA signed",
        "Procurement portal registration done, PO template received",
    ),
    "identify_pain": (
        "Platform team showed the failing nightly jobs live on screen",
        "SE heard the pain from the on-call engineers: 6 pages a week",
        "Outage post-mortem shared; the root cause is what we fix",
    ),
    "champion": (
        "Champion forwarded the internal memo arguing for us",
        "Champion set up the meeting with the economic buyer",
    ),
    "competition": (
        "Customer shared the shortlist and where each vendor stands",
        "Competing POC ended; they told us why it fell short",
    ),
}

# Element key → notes a seller adds to some ratings of 2 (validated).
VALIDATED_NOTES: dict[str, tuple[str, ...]] = {
    "budget": ("Range given on the call", "Funded from the platform budget"),
    "authority": ("Sponsor named; meeting to be set", "Reports to the decision maker"),
    "need": ("Pain described on the discovery call", "Confirmed by two team members"),
    "timeline": ("Wants to decide this quarter", "Target date tied to a renewal"),
    "identify_pain": ("Pain confirmed in the technical deep dive", "Heard from the team lead"),
    "decision_criteria": ("Criteria listed in the kickoff", "Top three criteria confirmed"),
    "metrics": ("Target agreed in principle", "Baseline to be measured in the POC"),
    "champion": ("Engaged and well connected", "Shares internal updates"),
    "economic_buyer": ("Met briefly at the read-out",),
    "decision_process": ("Steps outlined by the champion",),
    "paper_process": ("Legal contact named",),
    "competition": ("Two other vendors in the evaluation",),
}

# Element key → what a downgrade says (a gap found after it was thought closed).
REVISED_NOTES: dict[str, tuple[str, ...]] = {
    "budget": ("Finance froze the budget line", "Funding moved to next fiscal year"),
    "authority": ("Sponsor left the company", "Approval moved up to a new VP"),
    "need": ("Priority dropped after a reorganisation",),
    "timeline": ("Date slipped by two quarters", "No date any more"),
    "champion": ("Champion changed roles; no longer involved",),
    "decision_criteria": ("New security requirement added late",),
    "economic_buyer": ("Budget owner changed after the reorganisation",),
}

# Words in a move's reason that point at the element the move is about.
REASON_ELEMENTS: tuple[tuple[str, str], ...] = (
    ("budget", "budget"),
    ("price", "budget"),
    ("authority", "authority"),
    ("persona", "authority"),
    ("champion", "authority"),
    ("sign", "authority"),
    ("timeline", "timeline"),
    ("slipped", "timeline"),
    ("months out", "timeline"),
    ("quarter", "timeline"),
    ("research", "timeline"),
    ("need", "need"),
    ("project", "need"),
)

PAGES = (
    "/pricing",
    "/product",
    "/product/integrations",
    "/product/security",
    "/customers",
    "/docs/getting-started",
    "/blog/hand-offs-that-cost-a-week",
    "/blog/observability-on-a-budget",
    "/compare",
    "/careers",
)
HIGH_INTENT_PAGES = ("/pricing", "/compare", "/product/security", "/docs/getting-started")

EMAILS = (
    "Newsletter: what changed this month",
    "Case study: a logistics team halves its hand-offs",
    "Guide: five questions to ask before a migration",
    "Invitation: live product walkthrough",
    "Report: the state of platform engineering",
    "Reminder: your trial workspace is ready",
)

WEBINARS = (
    "Webinar: automating the boring parts of release day",
    "Webinar: security reviews without the spreadsheet",
    "Webinar: measuring the cost of slow hand-offs",
    "Webinar: from pilot to platform in 90 days",
)

EVENTS = (
    "Booth visit: Platform Summit",
    "Roundtable: data leaders breakfast",
    "Booth visit: Cloud Expo",
    "Customer day: city meetup",
)

DEMO_REQUESTS = ("Demo request form", "Contact-sales form: wants a demo")
TRIALS = ("14-day trial started", "Trial workspace created")

DETAILS: dict[EventKind, tuple[str, ...]] = {
    EventKind.PAGE_VIEW: PAGES,
    EventKind.EMAIL_CLICK: EMAILS,
    EventKind.WEBINAR_ATTENDED: WEBINARS,
    EventKind.EVENT_ATTENDED: EVENTS,
    EventKind.DEMO_REQUEST: DEMO_REQUESTS,
    EventKind.TRIAL_SIGNUP: TRIALS,
}

UNSUBSCRIBE_REASONS = (
    "Too many emails",
    "Not relevant to my role",
    "Asked on a call to stop all marketing email",
    None,
)
