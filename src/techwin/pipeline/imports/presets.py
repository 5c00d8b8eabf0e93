"""Column and value maps for the exports people actually have: Salesforce, HubSpot, Techwin."""

from __future__ import annotations

from typing import Any

SALESFORCE_LEAD_STATUS = {
    "Open - Not Contacted": "lead",
    "Working - Contacted": "sal",
    "Closed - Converted": "sql",
    "Closed - Not Converted": "disqualified",
    "Open": "lead",
    "Contacted": "mql",
    "Qualified": "sql",
    "Unqualified": "disqualified",
}

SALESFORCE_STAGES = {
    "Prospecting": "discovery",
    "Qualification": "discovery",
    "Needs Analysis": "discovery",
    "Value Proposition": "technical_validation",
    "Id. Decision Makers": "technical_validation",
    "Perception Analysis": "proof_of_concept",
    "Proposal/Price Quote": "proposal",
    "Negotiation/Review": "negotiation",
    "Closed Won": "closed_won",
    "Closed Lost": "closed_lost",
}

HUBSPOT_LIFECYCLE = {
    "subscriber": "lead",
    "lead": "lead",
    "marketingqualifiedlead": "mql",
    "salesqualifiedlead": "sql",
    "opportunity": "opportunity",
    "customer": "customer",
    "evangelist": "customer",
    "other": "nurture",
}

HUBSPOT_DEAL_STAGES = {
    "appointmentscheduled": "discovery",
    "qualifiedtobuy": "technical_validation",
    "presentationscheduled": "proof_of_concept",
    "decisionmakerboughtin": "proposal",
    "contractsent": "negotiation",
    "closedwon": "closed_won",
    "closedlost": "closed_lost",
}

SALESFORCE_DATES = [
    "%m/%d/%Y",
    "%m/%d/%Y %I:%M %p",
    "%Y-%m-%d",
    "%Y-%m-%dT%H:%M:%S.%fZ",
    "%Y-%m-%d %H:%M:%S",
]
HUBSPOT_DATES = ["%Y-%m-%d %H:%M", "%Y-%m-%d %H:%M:%S", "%Y-%m-%d", "%m/%d/%Y"]

PRESETS: dict[str, dict[str, dict[str, Any]]] = {
    "salesforce": {
        "contacts": {
            "columns": {
                "Lead ID": "external_id",
                "Contact ID": "external_id",
                "First Name": "first_name",
                "Last Name": "last_name",
                "Email": "email",
                "Phone": "phone",
                "Title": "title",
                "Company": "account",
                "Account Name": "account",
                "Lead Source": "source",
                "Lead Status": "lifecycle_stage",
                "Department": "department",
                "Lead Owner": "owner",
                "Contact Owner": "owner",
                "Created Date": "created_at",
                "Converted": "outcome",
            },
            "values": {"lifecycle_stage": SALESFORCE_LEAD_STATUS},
            "date_formats": SALESFORCE_DATES,
        },
        "accounts": {
            "columns": {
                "Account ID": "external_id",
                "Account Name": "name",
                "Website": "domain",
                "Industry": "industry",
                "Employees": "employee_count",
                "Billing Country": "region",
                "Account Owner": "owner",
                "Created Date": "created_at",
            },
            "values": {},
            "date_formats": SALESFORCE_DATES,
        },
        "opportunities": {
            "columns": {
                "Opportunity ID": "external_id",
                "Opportunity Name": "name",
                "Account Name": "account",
                "Stage": "stage",
                "Amount": "acv",
                "Close Date": "close_date",
                "Probability (%)": "probability",
                "Opportunity Owner": "owner",
                "Created Date": "created_at",
                "Next Step": "next_step",
                "Description": "description",
                "Won": "outcome",
            },
            "values": {"stage": SALESFORCE_STAGES},
            "date_formats": SALESFORCE_DATES,
        },
    },
    "hubspot": {
        "contacts": {
            "columns": {
                "Record ID": "external_id",
                "First Name": "first_name",
                "Last Name": "last_name",
                "Email": "email",
                "Phone Number": "phone",
                "Job Title": "title",
                "Company Name": "account",
                "Lifecycle Stage": "lifecycle_stage",
                "Contact owner": "owner",
                "Create Date": "created_at",
                "Original Source": "source",
            },
            "values": {"lifecycle_stage": HUBSPOT_LIFECYCLE},
            "date_formats": HUBSPOT_DATES,
        },
        "accounts": {
            "columns": {
                "Record ID": "external_id",
                "Company name": "name",
                "Company Domain Name": "domain",
                "Industry": "industry",
                "Number of Employees": "employee_count",
                "Country/Region": "region",
                "Company owner": "owner",
                "Create Date": "created_at",
            },
            "values": {},
            "date_formats": HUBSPOT_DATES,
        },
        "opportunities": {
            "columns": {
                "Record ID": "external_id",
                "Deal Name": "name",
                "Deal Stage": "stage",
                "Amount": "acv",
                "Close Date": "close_date",
                "Deal owner": "owner",
                "Create Date": "created_at",
                "Associated Company": "account",
                "Deal Description": "description",
            },
            "values": {"stage": HUBSPOT_DEAL_STAGES},
            "date_formats": HUBSPOT_DATES,
        },
    },
}


def generic_preset(entity: str, fields: list[str]) -> dict[str, Any]:
    """Techwin's own export: every column is named after its field; others become custom fields."""
    return {
        "columns": {f: f for f in fields},
        "values": {},
        "date_formats": ["%Y-%m-%d", "%Y-%m-%dT%H:%M:%S%z"],
    }
