"""Crisis escalation: scanning, alert cards and their buttons, the member's private reply, /crisis and /privacy."""
