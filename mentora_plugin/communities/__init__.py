"""
Mentora's per-course communities: a private space per course (announcements, thematic forums led by trainers,
Q&A with priority questions), group projects supervised by a trainer, moderation and notifications.
"""
