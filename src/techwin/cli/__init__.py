"""The operator's command line: `techwin …`."""
