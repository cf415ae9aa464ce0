"""Work packages and framework agreements: built in the procurement issue."""
