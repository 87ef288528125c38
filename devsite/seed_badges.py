"""
The demo's badges, through ``mentora_plugin.badges.api`` as people would do it: Sofia (course staff) creates the
course's competency "Data pipeline builder" (a PNG, aligned to the trainers' Python and SQL skills) and its
certificate "Mentoring in Practice — completion" (an SVG); Ada (platform staff) creates the platform's trainers'
badge "Top-rated mentor". Tariq (advanced trainer: his level unlocks awarding) awards Alice the pipeline badge with
a note and her reviewed capstone as evidence; Bruno's was awarded too early and revoked by Sofia, with the reason;
Sofia awards Alice the completion certificate; Ada awards Tariq the trainers' badge. Safe to run again: the classes
are found by name and each award has its own source key, so a second run awards nothing new.

Award rules (``seed_rules``, what the class pages' "Automatic awards" show): Sofia's pipeline badge is awarded
automatically for the capstone scored at least 80 %; Ada's "Top-rated mentor" to trainers whose (Bayesian) average
rating is at least 4.5 over at least 2 ratings, as its criteria say. Tariq does not meet that rule (his four ratings
average 4.75, but 4.2 once pulled toward the platform's prior of 4.0 over 10 ratings): he holds the badge by Ada's
own award, which the page tells apart ("Awarded by").
"""
from __future__ import annotations

import io
from typing import Any

from django.conf import settings
from django.urls import reverse
from opaque_keys.edx.keys import CourseKey
from PIL import Image, ImageDraw, ImageFont

from mentora_plugin.badges import api
from mentora_plugin.reviews import api as reviews_api

PIPELINE = "Data pipeline builder"
#: The pipeline rule's least capstone score, and the trainers' rule's figures.
PIPELINE_MIN_PERCENT = 80
TOP_MENTOR_AVERAGE, TOP_MENTOR_RATINGS = 4.5, 2
COMPLETION = "Mentoring in Practice — completion"
TOP_MENTOR = "Top-rated mentor"

COMPLETION_SVG = """<svg xmlns="http://www.w3.org/2000/svg" width="240" height="240" viewBox="0 0 240 240">
<title>Mentoring in Practice — completion</title>
<rect x="8" y="8" width="224" height="224" rx="18" fill="#fdf6e3" stroke="#8a5a00" stroke-width="8"/>
<circle cx="120" cy="100" r="46" fill="#0a3055"/>
<text x="120" y="114" font-family="sans-serif" font-size="40" font-weight="bold" fill="#ffffff"
  text-anchor="middle">MP</text>
<text x="120" y="186" font-family="sans-serif" font-size="22" fill="#3d2a00" text-anchor="middle">Completed</text>
</svg>
"""


def circle_png(initials: str, colour: tuple[int, int, int], size: int = 256) -> bytes:
    """A badge image: a coloured disc with white initials on a transparent square (made here, no asset file)."""
    image = Image.new("RGBA", (size, size), (0, 0, 0, 0))
    draw = ImageDraw.Draw(image)
    draw.ellipse((8, 8, size - 8, size - 8), fill=(*colour, 255), outline=(255, 255, 255, 255), width=6)
    font = ImageFont.load_default(size=size // 3)
    draw.text((size / 2, size / 2), initials, fill=(255, 255, 255, 255), font=font, anchor="mm")
    out = io.BytesIO()
    image.save(out, format="PNG")
    return out.getvalue()


def _class(actor: Any, course_key: CourseKey | None, name: str, **fields: Any) -> api.BadgeClassInfo:
    """The class named ``name`` of the course (or of the platform), created by ``actor`` the first time."""
    for found in api.list_badge_classes(course_key=course_key, include_platform=False, active_only=False):
        if found.name == name:
            return found
    return api.create_badge_class(actor, name=name, course_key=course_key, **fields)


def seed_badges(users: dict[str, Any], course: CourseKey, out: Any) -> None:
    """Everything the badges domain shows in the demo (see the module docstring)."""
    sofia, ada, tariq = users["sofia"], users["admin"], users["tariq"]
    alice, bruno = users["alice"], users["bruno"]
    pipeline = _class(
        sofia, course, PIPELINE, kind="competency", skills=["python", "sql"], expiry="duration", valid_days=730,
        description="Builds a reproducible data pipeline: reads raw data, cleans it, and reports checked figures.",
        criteria="Have a capstone **approved** by a trainer, with:\n\n- the cleaning steps explained;\n"
                 "- every figure checked against the source.",
        image=circle_png("DP", (10, 48, 85)),
    )
    completion = _class(
        sofia, course, COMPLETION, kind="certificate",
        description="Completed the course Mentoring in Practice.",
        criteria="Complete every unit of the course and have the capstone approved.",
        image=COMPLETION_SVG.encode("utf-8"),
    )
    top = _class(
        ada, None, TOP_MENTOR, kind="badge", for_trainers=True,
        description="A trainer whom learners rate among the best of the platform.",
        criteria="An average rating of at least 4.5 over 20 sessions or more, and no upheld dispute.",
        image=circle_png("TM", (138, 90, 0)),
    )

    # Alice's reviewed capstone, the evidence of her competency (its page, for those who may see it).
    submission = reviews_api.get_learner_submission(alice, course.make_usage_key("mentora_project", "capstone"))
    base = str(getattr(settings, "MENTORA_BADGES_BASE_URL", "") or "http://127.0.0.1:8000").rstrip("/")
    evidence = []
    if submission.id:
        url = base + reverse("mentora-reviews:reviewing-submission", kwargs={"submission_id": submission.id})
        evidence = [{"url": url, "name": "Capstone: the bus punctuality report",
                     "narrative": "Approved by Tariq Benali, featured in the gallery."}]
    api.award_badge(
        tariq, pipeline.id, alice, source_key="demo:alice-pipeline", evidence=evidence,
        narrative="Alice's capstone cleans 312 broken rows **and says so**; every figure checks out.",
    )
    api.award_badge(sofia, completion.id, alice, source_key="demo:alice-completion",
                    narrative="Completed every unit; capstone approved.")
    early = api.award_badge(tariq, pipeline.id, bruno, source_key="demo:bruno-pipeline",
                            narrative="Pipeline reads the CSV and prints the figures.")
    if early.status != "revoked":
        api.revoke_award(sofia, early.id, "Awarded before the capstone was reviewed: it is still waiting for its "
                                          "review, so the criteria are not met yet.")
    api.award_badge(ada, top.id, tariq, source_key="demo:tariq-top-rated",
                    narrative="Rated 4.8 by his learners over two years of sessions.")
    api.set_portfolio_sharing(alice, True)  # her public portfolio link, for the demo (a new link only the first time)
    out.write(f"  badges: {PIPELINE} (Alice; Bruno's revoked), {COMPLETION} (Alice), {TOP_MENTOR} (Tariq)\n")
    seed_rules(sofia, ada, pipeline, top, course.make_usage_key("mentora_project", "capstone"), out)


def _rule(actor: Any, badge_class: api.BadgeClassInfo, conditions: list[dict], mode: str) -> bool:
    """
    Add the rule unless the class already has an active one with these conditions (given as the domain stores
    them, so that they compare equal); whether it was added.
    """
    if any(list(rule.conditions) == conditions and rule.mode == mode for rule in api.list_rules(badge_class.id)):
        return False
    api.create_rule(actor, badge_class.id, conditions, mode)
    return True


def seed_rules(sofia: Any, ada: Any, pipeline: api.BadgeClassInfo, top: api.BadgeClassInfo, capstone: Any,
               out: Any) -> None:
    """The demo's award rules (see the module docstring); a second run adds none."""
    added = _rule(sofia, pipeline, [
        {"kind": "project_score", "usage_key": str(capstone), "min_percent": PIPELINE_MIN_PERCENT},
    ], "all")
    added |= _rule(ada, top, [
        {"kind": "trainer_metric", "metric": "rating_average", "min": TOP_MENTOR_AVERAGE},
        {"kind": "trainer_metric", "metric": "rating_count", "min": TOP_MENTOR_RATINGS},
    ], "all")
    if added:
        out.write(f"  badges: rules on {PIPELINE} (capstone ≥ {PIPELINE_MIN_PERCENT} %) and {TOP_MENTOR} (rating "
                  f"≥ {TOP_MENTOR_AVERAGE} over ≥ {TOP_MENTOR_RATINGS} ratings)\n")
