"""The trainers' pages."""
