"""
What every Mentora REST endpoint shares: authentication, permissions, pagination, throttling, errors, schema.

Domain apps build their views on ``MentoraAPIView`` / ``MentoraGenericAPIView`` so that the whole of
``/api/mentora/v1/`` behaves the same, without touching the platform's global ``REST_FRAMEWORK`` settings.
"""
