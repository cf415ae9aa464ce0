"""The connection plan (aansluitplan): rendering, versions, downloads."""
