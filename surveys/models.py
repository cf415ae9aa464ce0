"""Surveys (schouw): built in the surveys issue."""
