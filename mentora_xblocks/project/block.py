"""(being written)"""
from xblock.core import XBlock


class ProjectXBlock(XBlock):
    """A practical project (being written)."""
