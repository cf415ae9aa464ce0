"""Resident communication: built in the communication issue."""
