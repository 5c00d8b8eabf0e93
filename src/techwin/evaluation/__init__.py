"""The technical win: its status per deal, no-go decisions, proofs of concept with success
criteria, and competitors."""
