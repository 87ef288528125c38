"""The badges pages: the public Open Badges URLs (``public``), and the signed-in pages."""
