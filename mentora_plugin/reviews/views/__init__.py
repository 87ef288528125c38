"""The reviews pages."""
