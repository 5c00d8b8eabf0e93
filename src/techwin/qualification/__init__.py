"""Qualification: frameworks such as BANT and MEDDPICC, assessments, and the gates they feed."""

from techwin.qualification import gates as _gates  # noqa: F401 - registers the gate kind
