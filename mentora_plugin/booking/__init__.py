"""
Mentoring booking: trainers publish availability, learners book 1:1 or group sessions that can never double-book.

``api.py`` is the only door; ``slots.py`` holds the pure time arithmetic (weekly rules in the trainer's zone, exact
across daylight-saving changes); exclusion under concurrency comes from a row lock on the trainer's calendar.
"""
