"""Word lists the demo organisation is composed from: names, companies, titles and reasons.

Company names are built from generic parts and every company domain ends in ``.example``
(reserved by RFC 2606), so the demo never names or mails a real organisation.
"""

from __future__ import annotations

from techwin.pipeline.enums import Seniority

FIRST_NAMES = (
    "Aaron", "Abena", "Adele", "Adrian", "Aiko", "Alba", "Alejandro", "Amara", "Amir", "Ana",
    "Anders", "Anika", "Arjun", "Astrid", "Ayesha", "Beatriz", "Ben", "Bianca", "Bo", "Bruno",
    "Camille", "Carlos", "Carmen", "Chen", "Chloe", "Claire", "Daniel", "Dario", "Deepa", "Diego",
    "Dmitri", "Elena", "Elif", "Eliza", "Emeka", "Emil", "Erik", "Esme", "Fatima", "Felix",
    "Fiona", "Gabriel", "Grace", "Hana", "Hannah", "Hassan", "Helena", "Hugo", "Ines", "Isaac",
    "Ivan", "Jamal", "Jana", "Javier", "Jin", "Joao", "Jonas", "Julia", "Kai", "Karim",
    "Kavya", "Kenji", "Kofi", "Lara", "Leila", "Leo", "Lena", "Liam", "Lina", "Lucas",
    "Lucia", "Luis", "Maya", "Mateo", "Mei", "Mia", "Mikael", "Mina", "Nadia", "Naveen",
    "Nia", "Nikhil", "Nina", "Noah", "Nora", "Olga", "Omar", "Oscar", "Owen", "Paola",
    "Pedro", "Priya", "Rafael", "Rahul", "Ravi", "Rosa", "Ruth", "Sakura", "Samir", "Sara",
    "Sean", "Sofia", "Soren", "Stella", "Tariq", "Thea", "Theo", "Tomas", "Uma", "Valentina",
    "Victor", "Wei", "Yara", "Yusuf", "Zara", "Zoe",
)  # fmt: skip

LAST_NAMES = (
    "Abara", "Adeyemi", "Alvarez", "Andersen", "Bakker", "Banerjee", "Barros", "Becker", "Bianchi",
    "Blom", "Brandt", "Castro", "Chandra", "Chowdhury", "Costa", "Dahl", "Delgado", "Dimitrov",
    "Dubois", "Eriksen", "Esposito", "Farah", "Fischer", "Fontaine", "Garcia", "Gomez", "Gupta",
    "Haddad", "Halvorsen", "Hartmann", "Herrera", "Horvat", "Hughes", "Ibrahim", "Iyer", "Jansen",
    "Jensen", "Kaur", "Keller", "Khan", "Kim", "Kowalski", "Kumar", "Larsen", "Laurent", "Lee",
    "Lindqvist", "Lopez", "Mahler", "Marin", "Martins", "Mehta", "Mendes", "Moreau", "Morales",
    "Murphy", "Nakamura", "Navarro", "Nguyen", "Nielsen", "Novak", "Nowak", "Okafor", "Okonkwo",
    "Olsen", "Ortiz", "Osei", "Park", "Patel", "Pereira", "Petrov", "Popescu", "Quinn", "Rahman",
    "Ramos", "Rao", "Reyes", "Ribeiro", "Rossi", "Russo", "Sato", "Schmidt", "Schneider", "Sharma",
    "Silva", "Singh", "Sokolov", "Souza", "Suzuki", "Takahashi", "Tan", "Tanaka", "Torres",
    "Varga", "Vega", "Verma", "Vogel", "Wagner", "Walsh", "Weber", "Wong", "Yamamoto", "Yilmaz",
    "Zhang", "Zhou", "Zimmermann",
)  # fmt: skip

COMPANY_PREFIXES = (
    "Amber", "Apex", "Aspen", "Atlas", "Beacon", "Birch", "Blue", "Bright", "Cedar", "Clear",
    "Cobalt", "Copper", "Coral", "Crest", "Echo", "Falcon", "Golden", "Granite", "Green", "Harbor",
    "High", "Iron", "Juniper", "Kestrel", "Lake", "Lumen", "Maple", "Meridian", "North", "Nova",
    "Oak", "Orion", "Pine", "Polar", "Prairie", "Quartz", "Red", "Ridge", "River", "Silver",
    "Sterling", "Stone", "Summit", "Swift", "Tidal", "Vale", "Vertex", "Willow", "Wren", "Zephyr",
)  # fmt: skip

COMPANY_ROOTS = (
    "bay", "bridge", "brook", "crest", "dale", "field", "forge", "gate", "haven", "hill", "leaf",
    "light", "line", "mark", "path", "peak", "point", "port", "ridge", "shore", "spring", "star",
    "stone", "ton", "view", "wave", "well", "wind", "wood", "works",
)  # fmt: skip

# Place words that set apart companies whose plain names are taken (tens of thousands of
# accounts exhaust the prefix × root × industry word combinations).
COMPANY_QUALIFIERS = (
    "Alpine", "Atlantic", "Bay Area", "Capital", "Central", "Coastal", "Continental", "Delta",
    "Eastern", "Global", "Great Lakes", "Gulf", "Highland", "Inland", "Lakeside", "Metro",
    "Midland", "Nordic", "Northern", "Pacific", "Southern", "Summit", "United", "Valley",
    "Western",
)  # fmt: skip

# Industry → the words a company in it is likely to carry after its name.
INDUSTRIES: dict[str, tuple[str, ...]] = {
    "Software": ("Software", "Systems", "Labs", "Technologies", "Cloud"),
    "Financial services": ("Capital", "Financial", "Payments", "Lending", "Wealth"),
    "Healthcare": ("Health", "Medical Group", "Clinics", "Care", "Diagnostics"),
    "Manufacturing": ("Manufacturing", "Industries", "Components", "Fabrication", "Machines"),
    "Retail": ("Retail", "Stores", "Outfitters", "Market", "Goods"),
    "Logistics": ("Logistics", "Freight", "Shipping", "Transport", "Supply"),
    "Telecommunications": ("Telecom", "Networks", "Communications", "Wireless", "Connect"),
    "Energy": ("Energy", "Power", "Utilities", "Renewables", "Grid"),
    "Public sector": ("County Services", "Transit Authority", "Water Board", "Public Works"),
    "Education": ("University", "College", "Academy", "Learning", "Institute"),
    "Media": ("Media", "Studios", "Publishing", "Broadcasting", "Entertainment"),
    "Insurance": ("Insurance", "Mutual", "Assurance", "Underwriters"),
}

# How common each industry is among accounts, and how well it fits the product (lead quality).
INDUSTRY_WEIGHTS: dict[str, tuple[float, float]] = {
    "Software": (0.18, 1.2),
    "Financial services": (0.13, 1.15),
    "Healthcare": (0.10, 0.95),
    "Manufacturing": (0.10, 0.9),
    "Retail": (0.09, 0.95),
    "Logistics": (0.07, 1.0),
    "Telecommunications": (0.07, 1.1),
    "Energy": (0.05, 0.9),
    "Public sector": (0.06, 0.7),
    "Education": (0.05, 0.7),
    "Media": (0.05, 0.9),
    "Insurance": (0.05, 1.05),
}

REGIONS: tuple[tuple[str, float], ...] = (
    ("North America", 0.45),
    ("EMEA", 0.32),
    ("APAC", 0.15),
    ("LATAM", 0.08),
)

# Lead source → (share of leads, how likely such a lead turns out to be qualified).
SOURCE_WEIGHTS: dict[str, tuple[float, float]] = {
    "website": (0.22, 0.9),
    "content download": (0.16, 0.6),
    "webinar": (0.13, 0.8),
    "event": (0.10, 1.0),
    "outbound": (0.12, 0.8),
    "demo request": (0.08, 1.9),
    "free trial": (0.08, 1.35),
    "referral": (0.05, 1.7),
    "partner": (0.06, 1.3),
}

# Seniority → (share of contacts, fit factor).
SENIORITY_WEIGHTS: dict[Seniority, tuple[float, float]] = {
    Seniority.IC: (0.34, 0.7),
    Seniority.MANAGER: (0.28, 1.0),
    Seniority.DIRECTOR: (0.20, 1.25),
    Seniority.VP: (0.12, 1.4),
    Seniority.C_LEVEL: (0.06, 1.2),
}

# Department → titles by seniority (IC, manager, director, VP, C-level).
TITLES: dict[str, tuple[tuple[str, ...], str, str, str, str]] = {
    "IT": (
        ("Systems Administrator", "IT Specialist", "Infrastructure Engineer"),
        "IT Manager",
        "Director of IT",
        "VP of IT",
        "Chief Information Officer",
    ),
    "Engineering": (
        ("Software Engineer", "Platform Engineer", "Site Reliability Engineer"),
        "Engineering Manager",
        "Director of Engineering",
        "VP of Engineering",
        "Chief Technology Officer",
    ),
    "Security": (
        ("Security Analyst", "Security Engineer"),
        "Security Operations Manager",
        "Director of Security",
        "VP of Information Security",
        "Chief Information Security Officer",
    ),
    "Data & Analytics": (
        ("Data Engineer", "Data Analyst", "Analytics Engineer"),
        "Analytics Manager",
        "Director of Data",
        "VP of Data & Analytics",
        "Chief Data Officer",
    ),
    "Operations": (
        ("Operations Analyst", "Business Systems Analyst"),
        "Operations Manager",
        "Director of Operations",
        "VP of Operations",
        "Chief Operating Officer",
    ),
    "Finance": (
        ("Financial Analyst", "FP&A Analyst"),
        "Finance Manager",
        "Finance Director",
        "VP of Finance",
        "Chief Financial Officer",
    ),
    "Procurement": (
        ("Buyer", "Procurement Specialist"),
        "Procurement Manager",
        "Director of Procurement",
        "VP of Procurement",
        "Chief Procurement Officer",
    ),
    "Product": (
        ("Product Analyst", "Product Designer"),
        "Product Manager",
        "Director of Product",
        "VP of Product",
        "Chief Product Officer",
    ),
}

DEPARTMENT_WEIGHTS: dict[str, float] = {
    "IT": 0.22,
    "Engineering": 0.22,
    "Security": 0.1,
    "Data & Analytics": 0.14,
    "Operations": 0.1,
    "Finance": 0.07,
    "Procurement": 0.05,
    "Product": 0.1,
}

SENIORITY_INDEX = {
    Seniority.IC: 0,
    Seniority.MANAGER: 1,
    Seniority.DIRECTOR: 2,
    Seniority.VP: 3,
    Seniority.C_LEVEL: 4,
}

DISQUALIFY_REASONS = (
    "No budget this fiscal year",
    "Outside the ideal customer profile: too small",
    "Student or researcher, no buying intent",
    "Works for a competitor",
    "Duplicate of an existing lead",
    "No project or need identified",
    "Committed to the incumbent vendor for three more years",
    "Unresponsive after six touches",
    "Outside the regions we serve",
    "Left the company",
)

NURTURE_REASONS = (
    "Not ready to buy: project is 6+ months out",
    "Asked to reconnect next quarter",
    "Interested but no budget until next year",
    "Early research only",
    "Champion on leave; revisit later",
)

BACKWARD_REASONS = {
    "mql>lead": (
        "Score fell below the MQL threshold after decay",
        "Marketing re-scored: not in the target segment",
    ),
    "sal>mql": (
        "Returned by sales: no reply to outreach",
        "Returned by sales: wrong persona, needs a new contact",
    ),
    "sql>sal": (
        "Qualification gap: budget not confirmed",
        "Qualification gap: no authority to sign",
        "Timeline slipped beyond two quarters",
    ),
}

REOPEN_REASONS = (
    "Re-engaged: new budget cycle",
    "Re-engaged after a leadership change",
    "Disqualified by mistake",
)

CHURN_REASONS = (
    "Did not renew: budget cut",
    "Moved to a competitor at renewal",
    "Acquired; the parent company standardised on another platform",
    "Project cancelled after a reorganisation",
    "Low adoption: the team never rolled it out widely",
)

USE_CASES = (
    "Platform rollout",
    "Data pipeline modernisation",
    "Security analytics",
    "Observability expansion",
    "Cloud migration",
    "Customer 360",
    "Workflow automation",
    "Self-service analytics",
    "Disaster recovery",
    "API management",
    "Identity consolidation",
    "Real-time reporting",
)

COMPELLING_EVENTS = (
    "Current vendor contract ends at the end of the quarter",
    "Data-centre lease expires; everything must move by year end",
    "New data-residency rules take effect in six months",
    "Board mandate to cut infrastructure cost by 20%",
    "Product launch depends on the new platform",
    "Audit finding must be remediated before the next audit",
    "Merger integration: two stacks must become one",
    "Peak season starts in four months",
    "Outage last quarter cost a major customer",
)

COMPETITORS = (
    "Vendaro",
    "Stackwell",
    "Quillon",
    "Brightforge Cloud",
    "Orbisphere",
    "Tessaline",
    "an in-house build",
    "the status quo",
)

NEXT_STEPS = {
    "discovery": (
        "Discovery call with the platform team",
        "Send discovery questionnaire",
        "Meet the champion's manager",
    ),
    "technical_validation": (
        "Architecture review with their lead engineer",
        "Tailored demo of the integration flow",
        "Security questionnaire due",
    ),
    "proof_of_concept": (
        "POC mid-point review",
        "Load test with production-like data",
        "POC read-out to the steering group",
    ),
    "proposal": (
        "Walk the economic buyer through the proposal",
        "Send revised pricing",
        "Business case review with finance",
    ),
    "negotiation": (
        "Redlines back from legal",
        "Procurement call on payment terms",
        "Signature expected after board approval",
    ),
}

LOST_REASONS = {
    "discovery": (
        "No compelling event",
        "No budget",
        "Not a priority this year",
        "No decision: the status quo won",
    ),
    "technical_validation": (
        "Technical fit: needs an on-premises deployment",
        "Integration gap with their data warehouse",
        "Lost to {competitor} on technical fit",
    ),
    "proof_of_concept": (
        "POC success criteria not met",
        "Lost to {competitor} after a competing POC",
        "POC stalled: the customer team had no time",
    ),
    "proposal": (
        "Price above budget",
        "Lost to {competitor}",
        "No decision: project postponed",
    ),
    "negotiation": (
        "Legal terms not agreed",
        "Procurement chose {competitor} on price",
        "Project frozen by the board",
    ),
}

DEFAULT_LOST_REASONS = ("No decision: project postponed", "Lost to {competitor}")
