"""What the portal shows on the parties' pages."""
