"""
Trainers: becoming a trainer (an audited application pipeline), profiles and skills, progression levels that unlock
capabilities, ratings and disputes. Every other domain asks ``mentora_plugin.trainers.api``, and only it.
"""
