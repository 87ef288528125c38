"""The ``mentora_project`` block: a practical project in a course unit."""
from mentora_xblocks.project.block import ProjectXBlock

__all__ = ["ProjectXBlock"]
