"""/checkin: mood check-ins now or on a schedule by DM, history and export."""
