"""Techwin's benchmark harness (not part of the test suite): `python -m bench --help`."""
