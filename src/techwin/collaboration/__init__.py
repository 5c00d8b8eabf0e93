"""Two in a box: AE/SE pods, the Rules of Engagement charter, SE requests, meetings with their
huddles and debriefs, and the stakeholder map of a deal."""
