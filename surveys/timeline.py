"""Timeline entries of the survey: visits."""
