"""Techwin: the open-source presales platform."""

__version__ = "0.1.0"
