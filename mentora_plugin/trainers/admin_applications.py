"""The admin of trainer applications (being written)."""
