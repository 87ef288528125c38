"""
The "Mentora badges" block: the badges a course offers, which ones the viewer earned, and their progress.

Registered as ``mentora_badges`` under the ``xblock.v1`` entry point (see ``setup.py``).
"""
from mentora_xblocks.badges.block import BadgesXBlock

__all__ = ["BadgesXBlock"]
