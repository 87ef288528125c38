"""
The "Mentora community" block: a forum (the Q&A, the announcements or a thematic forum) of the course's community
in a unit, with its latest threads and a form to ask a question or start a thread there.

Registered as ``mentora_community`` under the ``xblock.v1`` entry point (see ``setup.py``).
"""
from mentora_xblocks.community.block import CommunityXBlock

__all__ = ["CommunityXBlock"]
