"""/privacy: a member's choices, export and delete; removing a server's data after Haven leaves."""
