"""
The demo's project reviews, through ``mentora_plugin.reviews.api`` as people would do it: a graded capstone project
in the demo course whose approved work may still be improved (``resubmit_after_approval``); Alice's work reviewed by
Tariq, approved, featured in the gallery with her consent (so she may submit an improved version); Bruno's work
waiting in Tariq's review queue. (The workbench's own project block is there for trying it out.) Safe to run again.
"""
from __future__ import annotations

from typing import Any

from opaque_keys.edx.keys import CourseKey

from mentora_plugin.reviews import api

RUBRIC = [
    {
        "key": "correctness", "title": "Correctness", "description": "The figures are right and checked.",
        "weight": 2,
        "levels": [
            {"points": 0, "label": "Wrong", "description": "The figures are wrong or missing."},
            {"points": 2, "label": "Partly right", "description": "Some figures are right."},
            {"points": 4, "label": "Right", "description": "Every figure is right and checked."},
        ],
    },
    {
        "key": "explanation", "title": "Explanation", "description": "The choices are explained.",
        "weight": 1,
        "levels": [
            {"points": 0, "label": "Missing", "description": "No explanation."},
            {"points": 2, "label": "Clear", "description": "Each choice is explained."},
        ],
    },
]

ALICE_TEXT = (
    "I read the bus punctuality CSV with pandas, dropped the 312 rows without a timestamp, and computed the three "
    "figures per line: the share of buses on time, the median delay and the worst hour. Line 4 is late most often "
    "between 8 and 9 am."
)
BRUNO_TEXT = "My pipeline reads the CSV and prints the figures. I was not sure how to treat the missing timestamps."


def seed_reviews(users: dict[str, Any], course: CourseKey, out: Any) -> None:
    """Everything the reviews domain shows in the demo (see the module docstring)."""
    usage_key = course.make_usage_key("mentora_project", "capstone")
    api.sync_project(usage_key, course, {
        "title": "Capstone: the bus punctuality report",
        "brief": "Compute **three figures** from the open bus data and explain your choices.",
        "rubric": RUBRIC, "accepts_text": True, "accepts_links": True, "graded": True, "points_possible": 100,
        "max_resubmissions": 2, "resubmit_after_approval": True, "target_turnaround_hours": 48,
    })
    tariq, alice, bruno = users["tariq"], users["alice"], users["bruno"]
    mine = api.get_learner_submission(alice, usage_key)
    if not mine.versions:
        api.save_draft(alice, usage_key, text=ALICE_TEXT, links=["https://code.example.org/alice/bus-report"])
        mine = api.submit(alice, usage_key)
        claim = api.claim_submission(tariq, mine.id)
        api.save_review(
            tariq, mine.id,
            scores={"correctness": {"level": 2, "comment": "Every figure checks out."},
                    "explanation": {"level": 1, "comment": "Clear reasons for dropping rows."}},
            feedback="A **solid** report. Next time, plot the worst hour per line.",
            inline_comments=[{"quote": "dropped the 312 rows without a timestamp",
                              "comment": "Good: and you said how many."}],
        )
        api.release_review(tariq, claim.review_id, "approved")
        entry = api.feature_submission(tariq, mine.id, skills=["python", "data-viz"])
        api.set_gallery_consent(alice, mine.id, True)
        out.write(f"  reviews: Alice's capstone approved and featured (gallery entry {entry.id})\n")
    if not api.get_learner_submission(bruno, usage_key).versions:
        api.save_draft(bruno, usage_key, text=BRUNO_TEXT)
        api.submit(bruno, usage_key)
        out.write("  reviews: Bruno's capstone waits in Tariq's queue\n")
