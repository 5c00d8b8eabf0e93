"""CSV import (with Salesforce, HubSpot and generic presets) and full-table export."""
