"""
Badges and certifications: badge classes that trainers and staff issue, awards verifiable as Open Badges 2.0 (hosted)
and 3.0 (signed), automatic awards from events, learners' skill portfolios and badges for excellent trainers.
"""
