"""
Mentora's XBlocks, one sub-package per block. Blocks are thin: they read the identity and the course from the
runtime (``identity``) and ask ``mentora_plugin.<domain>.api``; they never touch models.
"""
