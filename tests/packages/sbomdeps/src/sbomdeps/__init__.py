"""A Go library whose modules come under four licenses (a test fixture for SBOMs)."""
