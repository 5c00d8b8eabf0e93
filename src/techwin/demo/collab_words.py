"""Texts the demo's two-in-a-box records carry: SE skills, request notes, reasons for overrides,
declines and cancellations, call titles, huddle plans, debriefs and stakeholder notes.

Written for the demo in the project's own words; small lists, combined at random, so the rows
read as varied without a large vocabulary.
"""

from __future__ import annotations

from techwin.collaboration.enums import BuyingRole, MeetingKind, RequestKind

# A deal's use case (the part of its name after the dash) → the topics a request about it names.
USE_CASE_TOPICS: dict[str, tuple[str, ...]] = {
    "Platform rollout": ("platform", "integrations"),
    "Data pipeline modernisation": ("data pipelines", "integrations"),
    "Security analytics": ("security", "analytics"),
    "Observability expansion": ("observability",),
    "Cloud migration": ("cloud migration",),
    "Customer 360": ("analytics", "integrations"),
    "Workflow automation": ("automation",),
    "Self-service analytics": ("analytics",),
    "Disaster recovery": ("disaster recovery",),
    "API management": ("api management",),
    "Identity consolidation": ("identity", "security"),
    "Real-time reporting": ("analytics", "data pipelines"),
}
DOMAIN_SKILLS = tuple(sorted({topic for topics in USE_CASE_TOPICS.values() for topic in topics}))
# Request kinds an SE can be known for (the assignment ranking counts a request's kind as a topic).
KIND_SKILLS = ("custom_demo", "poc", "security_review", "rfp", "workshop", "discovery_call")

REQUEST_NOTES: dict[RequestKind, tuple[str, ...]] = {
    RequestKind.DISCOVERY_CALL: (
        "First call with their platform lead; they asked for someone technical on the line.",
        "Champion wants to understand how we fit next to what they run today.",
        "Inbound from the trial; they have questions I cannot answer alone.",
    ),
    RequestKind.STANDARD_DEMO: (
        "Standard walkthrough for the evaluation team, no custom data needed.",
        "They saw the webinar and want the core flow live, with time for questions.",
        "Short demo for the new stakeholders before they join the evaluation.",
    ),
    RequestKind.CUSTOM_DEMO: (
        "They want to see their own approval flow rebuilt with our product.",
        "Demo on a copy of their sample data; the VP will join for the last half hour.",
        "Tailored demo of the integration with their data warehouse.",
    ),
    RequestKind.POC: (
        "Customer agreed to a time-boxed POC with written success criteria.",
        "POC in their sandbox; the platform team gives us two engineers part time.",
        "They need proof on their own data before the steering group meets.",
    ),
    RequestKind.RFP: (
        "RFP with about 180 technical questions; due to procurement on the date below.",
        "RFI from their architecture board, mostly integration and hosting questions.",
    ),
    RequestKind.SECURITY_REVIEW: (
        "Their security team wants a call on the questionnaire answers.",
        "Security review before legal will look at the contract.",
        "Pen-test summary and data-flow diagram requested by their CISO's team.",
    ),
    RequestKind.WORKSHOP: (
        "Half-day architecture workshop with their platform and data teams.",
        "Workshop to map their current hand-offs and where we would sit.",
    ),
}
ATTENDEES = (
    "Head of platform and two engineers",
    "Director of IT, enterprise architect",
    "The evaluation team (five people) and their manager",
    "Champion, security lead and one analyst",
    "VP of Engineering for the first twenty minutes, then the platform team",
    "Data team lead and the procurement contact",
)

OVERRIDE_REASONS = (
    "Strategic logo for the region; I accept the risk on budget and sign off on the time.",
    "The CIO confirmed budget to me directly; the qualification panel is behind.",
    "Competitive displacement with a renewal in weeks: we cannot wait for the full checklist.",
    "Sponsor is engaged, just not on the map yet; the AE adds them this week.",
    "Expansion of an existing customer: the thresholds are written for new logos.",
    "Short custom demo reusing last quarter's build; the cost to the SE is small.",
)
CANCEL_REASONS = (
    "The prospect postponed the evaluation to next quarter.",
    "Replaced by a shorter call the AE can run alone.",
    "Requested twice by mistake.",
    "The champion left; we restart discovery first.",
)
LOST_CANCEL_REASON = "The deal was lost before the call took place."
BLOCKED_CANCEL_REASONS = (
    "Could not get the budget confirmed; back to discovery.",
    "No VP sponsor will commit yet; we wait rather than build a custom demo.",
    "The timeline moved beyond the charter's window; request withdrawn.",
)
DECLINE_REASONS = (
    "No clear pain or success criteria yet: let's run discovery first.",
    "The ask is a pricing conversation, not a technical one; the AE can take it.",
    "The audience has not been confirmed and nobody technical is attending.",
    "This repeats last week's demo for the same people; send the recording instead.",
    "The requirements point to a product we do not sell; a partner is a better fit.",
)
UNANSWERED_QUESTIONS = (
    "pain_and_cost",
    "why_now",
    "budget_source",
    "sponsor",
    "audience",
    "success",
)

MEETING_TITLES: dict[MeetingKind, tuple[str, ...]] = {
    MeetingKind.DISCOVERY_CALL: ("Discovery: {use}", "Discovery call with {account}"),
    MeetingKind.DEMO: ("Demo: {use}", "Product walkthrough for {account}"),
    MeetingKind.CUSTOM_DEMO: ("Custom demo: {use} on their data", "Tailored demo for {account}"),
    MeetingKind.TECHNICAL_DEEP_DIVE: ("Architecture deep dive: {use}", "Deep dive with {account}"),
    MeetingKind.POC_KICKOFF: ("POC kick-off: {use}", "POC kick-off with {account}"),
    MeetingKind.POC_READOUT: ("POC read-out: {use}", "POC results for {account}"),
    MeetingKind.WORKSHOP: ("Workshop: {use} architecture", "Design workshop with {account}"),
    MeetingKind.SECURITY_REVIEW: ("Security review with {account}", "Security questionnaire call"),
    MeetingKind.EXECUTIVE_BRIEFING: ("Executive briefing at {account}", "Sponsor meeting: {use}"),
    MeetingKind.OTHER: ("Weekly sync with the champion", "Check-in with {account}"),
}
MEETING_MINUTES: dict[MeetingKind, tuple[int, ...]] = {
    MeetingKind.DISCOVERY_CALL: (30, 45),
    MeetingKind.DEMO: (45, 60),
    MeetingKind.CUSTOM_DEMO: (60, 90),
    MeetingKind.TECHNICAL_DEEP_DIVE: (60, 90),
    MeetingKind.POC_KICKOFF: (60,),
    MeetingKind.POC_READOUT: (45, 60),
    MeetingKind.WORKSHOP: (120, 180),
    MeetingKind.SECURITY_REVIEW: (60,),
    MeetingKind.EXECUTIVE_BRIEFING: (30, 45),
    MeetingKind.OTHER: (30,),
}
LOCATIONS = ("Video call", "Video call", "Video call", "On site at the customer", "Our office")
AGENDAS = (
    "Introductions; their goals for the quarter; the flow live; questions; next step.",
    "Recap of what we heard; the part they asked to see; open questions; decision timeline.",
    "Their current setup; where it hurts; what good looks like; who else should join.",
)

HUDDLE_OBJECTIVES: dict[MeetingKind, tuple[str, ...]] = {
    MeetingKind.DEMO: (
        "Show the two workflows they named on discovery, nothing more",
        "Get the evaluation team to agree we solve the hand-off problem",
    ),
    MeetingKind.CUSTOM_DEMO: (
        "Prove the flow works on their own data and get the VP's reaction",
        "Show their approval process rebuilt, then agree POC criteria",
    ),
    MeetingKind.TECHNICAL_DEEP_DIVE: ("Answer the architect's hosting and integration questions",),
    MeetingKind.POC_KICKOFF: (
        "Agree the success criteria, the data and the end date in writing",
        "Confirm who from their side works on the POC and when we meet",
    ),
    MeetingKind.POC_READOUT: (
        "Walk through each criterion with its evidence and ask for the sign-off",
        "Turn the POC results into a date for the decision",
    ),
    MeetingKind.WORKSHOP: ("Leave with a target architecture both teams agree on",),
    MeetingKind.SECURITY_REVIEW: ("Close the open questionnaire items so legal can start",),
    MeetingKind.EXECUTIVE_BRIEFING: (
        "Confirm the business case with the sponsor and the path to signature",
        "Hear the sponsor's priorities and tie our proposal to them",
    ),
}
CALLS_TO_ACTION = (
    "Ask for the POC plan to be signed by Friday",
    "Book the follow-up with their architect this week",
    "Get a date for the steering group presentation",
    "Ask who else must see this before a decision",
    "Agree on the success criteria document owner",
    "Request an introduction to the economic buyer",
)
HUDDLE_NOTES = (
    "They had an outage last month; do not joke about downtime.",
    "The architect prefers diagrams to slides.",
    "Use the rescue phrase if the security questions take over.",
    "Keep pricing out of it; the AE handles the renewal question.",
)

MISSED = (
    "We never asked who signs off the budget.",
    "Their data-retention requirement came up late; we had no answer ready.",
    "We spent too long on features and ran out of time for next steps.",
    "The architect stayed quiet; we did not draw out his concerns.",
    "We assumed the integration was in scope; it is a separate team.",
    "Nothing major; the timing of the decision is still vague.",
)
DEBRIEF_NEXT_STEPS = (
    "Send the recording and the architecture diagram",
    "Follow-up call with their security lead",
    "Draft success criteria for review",
    "Proposal walkthrough with the sponsor",
    "Workshop with the data team",
    "Reference call with a customer in their industry",
)
DEBRIEF_NOTES = (
    "Champion stayed after the call and asked how to pitch us internally.",
    "Two competitors still in the running; they liked our audit trail.",
    "Good energy from the platform team, the manager was sceptical.",
    "The prospect asked for a price twice; the AE parked it for the proposal.",
)

STAKEHOLDER_NOTES: dict[BuyingRole, tuple[str, ...]] = {
    BuyingRole.ECONOMIC_BUYER: ("Owns the budget line", "Signs off anything above the limit"),
    BuyingRole.CHAMPION: ("Argues for us internally", "Shares the internal updates with the AE"),
    BuyingRole.TECHNICAL_EVALUATOR: ("Runs the evaluation scorecard", "Tests the integrations"),
    BuyingRole.DECISION_MAKER: ("Chairs the steering group",),
    BuyingRole.INFLUENCER: ("Trusted by the sponsor on tooling choices",),
    BuyingRole.BLOCKER: ("Prefers the incumbent; built the current setup",),
    BuyingRole.USER: ("Would use it every day; asked good questions",),
}

CHARTER_CHANGE_NOTES = (
    "Five days' notice for custom demos and POCs, and a four-month window: our SEs were "
    "building demos for deals that slipped.",
)
POD_CHARTER_NOTE = (
    "Long enterprise cycles: a nine-month window, and custom demos without a VP sponsor when the "
    "budget is confirmed."
)
