"""The badges REST API, version 1."""
