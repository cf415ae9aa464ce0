"""Timeline entries of the connection plans."""
