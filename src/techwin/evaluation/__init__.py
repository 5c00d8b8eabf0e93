"""The technical win: its status per deal, no-go decisions, proofs of concept with success
criteria, and competitors."""

from techwin.evaluation import gates as _gates  # noqa: F401 - registers the POC sign-off gate kind
