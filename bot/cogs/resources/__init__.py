"""/resources: crisis lines, support services and self-help, by country and topic."""
