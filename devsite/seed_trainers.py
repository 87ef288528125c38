"""
The demo's trainers, seeded through ``mentora_plugin.trainers.api`` as people would do it: a skill taxonomy, trainers
who applied and went through the whole pipeline, an applicant waiting for review, another sent back by screening,
imported history with ratings, a staff level override, and an open dispute. Safe to run again.
"""
from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.utils import timezone
from opaque_keys.edx.keys import CourseKey

from mentora_plugin.host import api as host_api
from mentora_plugin.trainers import api

SKILLS = [
    ("data", "Data", None),
    ("python", "Python", "data"),
    ("sql", "SQL", "data"),
    ("data-viz", "Data visualisation", "data"),
    ("machine-learning", "Machine learning", "data"),
    ("career", "Career", None),
    ("interviewing", "Job interviews", "career"),
    ("portfolio-review", "Portfolio review", "career"),
    ("project-management", "Project management", None),
]

PROFILES = {
    "tariq": {
        "profile": {
            "headline": "Data engineer; ten years of mentoring data teams",
            "bio": "I help learners turn **course projects** into work they can show.\n\n"
                   "- pipelines and SQL that hold up\n- code reviews that teach\n- career moves into data",
            "experience_years": 10,
            "experience": "Lead data engineer at a public transport operator; evening lecturer in databases.",
            "languages": ["fr", "en", "ar"],
            "time_zone": "Europe/Paris",
            "links": [{"label": "Talks", "url": "https://talks.example.org/tariq"}],
        },
        "skills": [
            {"skill": "sql", "declared_level": 4, "is_specialisation": True},
            {"skill": "python", "declared_level": 3, "is_specialisation": True},
            {"skill": "interviewing", "declared_level": 3, "is_specialisation": False},
        ],
        "portfolio": ("Open data pipeline for bus punctuality", "https://code.example.org/tariq/bus-punctuality"),
    },
    "nadia": {
        "profile": {
            "headline": "Data visualisation designer, new to mentoring",
            "bio": "Charts that tell the truth. I review dashboards and help you explain your results.",
            "experience_years": 4,
            "languages": ["en", "fr"],
            "time_zone": "America/Montreal",
        },
        "skills": [
            {"skill": "data-viz", "declared_level": 4, "is_specialisation": True},
            {"skill": "python", "declared_level": 2, "is_specialisation": False},
        ],
        "portfolio": ("Election night dashboard", "https://gallery.example.org/nadia/election-night"),
    },
    "marc": {
        "profile": {
            "headline": "Machine-learning engineer who wants to mentor",
            "bio": "I build recommendation systems and would like to help learners with their first models.",
            "experience_years": 6,
            "languages": ["fr"],
            "time_zone": "Europe/Paris",
        },
        "skills": [{"skill": "machine-learning", "declared_level": 3, "is_specialisation": True}],
        "portfolio": ("Notebook: a recommender from scratch", "https://code.example.org/marc/recommender"),
    },
}


def seed_trainers(users: dict[str, Any], course: CourseKey, second: CourseKey, out: Any) -> None:
    """Everything the trainers domain shows in the demo (see the module docstring)."""
    admin = users["admin"]
    for slug, name, parent in SKILLS:
        if not any(skill.slug == slug for skill in api.list_skills(include_inactive=True)):
            api.create_skill(admin, slug, name, parent_slug=parent)
    for username, content in PROFILES.items():
        _fill_profile(users[username], content)

    # Tariq and Nadia applied and went through the whole pipeline; Ada (platform staff) reviewed them.
    _approve(users["tariq"], admin, "platform", motivation="I have mentored data teams for ten years.")
    _approve(users["nadia"], admin, "org", org=course.org, motivation="I want to teach data storytelling.")
    # Tariq's record predates Mentora: staff set his level, with the reason on record.
    if api.get_profile(users["tariq"]).level != "advanced":
        api.override_level(users["tariq"], "advanced", admin,
                           "Mentored on this platform for years before Mentora; his figures start today.")
    # Inès (instructor of the second course) makes Nadia a trainer there.
    host_api.grant_trainer_role(second, users["nadia"], granted_by=users["ines"], reason="Reviews our dashboards.")

    # Marc applied and waits in the skills check, with Ada assigned and one criterion scored.
    marc = users["marc"]
    application = api.current_application(marc)
    if application is None:
        application = api.start_application(marc, motivation="I would like to give back what mentors gave me.")
        api.submit_application(marc, application.id)
        api.screen_application(application.id)
        api.assign_reviewer(admin, application.id, admin)
        api.score_application(admin, application.id, {"expertise": 3}, {"expertise": "Solid portfolio."})
    # Chloé started an application with an empty profile: screening sent it back with what is missing.
    chloe = users["chloe"]
    if api.current_application(chloe) is None:
        draft = api.start_application(chloe, motivation="I enjoy helping classmates.")
        api.submit_application(chloe, draft.id)
        api.screen_application(draft.id)

    _history(users, course)
    summary = api.recompute_levels()
    out.write(f"  trainers: {summary.trainers} recomputed")


def _fill_profile(user: Any, content: dict[str, Any]) -> None:
    api.update_profile(user, **content["profile"])
    api.set_skills(user, content["skills"])
    title, url = content["portfolio"]
    profile = api.get_profile(user)
    if not any(item.title == title for item in profile.portfolio):
        api.add_portfolio_item(user, title, url=url, skill_slugs=[content["skills"][0]["skill"]])


def _approve(user: Any, reviewer: Any, scope: str, org: str = "", motivation: str = "") -> None:
    """Walk ``user``'s application from draft to active, as the applicant and the reviewer would."""
    if api.get_profile(user).status == "active":
        return
    application = api.current_application(user) or api.start_application(
        user, scope_kind=scope, org=org, motivation=motivation
    )
    if application.state == "draft":
        application = api.submit_application(user, application.id)
    if application.state == "submitted":  # the seed runs in one transaction: the screening task waits for its end
        api.screen_application(application.id)
    api.assign_reviewer(reviewer, application.id, reviewer)
    api.score_application(reviewer, application.id, {item.key: item.max for item in api.rubric()})
    api.move_to_decision(reviewer, application.id)
    api.vote(reviewer, application.id, "approve", "Strong portfolio and clear explanations.")
    for step in api.onboarding_status(user).steps:
        if not step.done:
            api.complete_onboarding_step(user, step.key)


def _history(users: dict[str, Any], course: CourseKey) -> None:
    """Past interactions (project reviews from before Mentora), the learners' ratings, and an open dispute."""
    tariq, nadia, alice, bruno = users["tariq"], users["nadia"], users["alice"], users["bruno"]
    now = timezone.now()
    reviews = [
        (alice, 40, 5, "Tariq found the flaw in my join in two minutes, then made me find the next one myself."),
        (bruno, 33, 4, "Precise feedback; I would have liked more time on the visualisation part."),
        (alice, 20, 5, ""),
        (bruno, 12, 5, "Clear and kind."),
    ]
    for number, (learner, days_ago, stars, comment) in enumerate(reviews, start=1):
        activity = api.record_activity("review", f"demo-tariq-{number}", tariq, learner, course,
                                       now - timedelta(days=days_ago), turnaround_seconds=(20 + number) * 3600)
        if activity.pk in {item.id for item in api.rateable_activities(learner, tariq)}:
            rating = api.rate_trainer(learner, activity.pk, stars, comment)
            if number == 2:
                api.respond_to_rating(tariq, rating.id, "Thank you, Bruno. Book a session and we will go deeper.")
    # Nadia did not come to a session with Bruno; Bruno reported it, and the case waits in the staff queue.
    missed = api.record_activity("session", "demo-nadia-1", nadia, bruno, course, now - timedelta(days=3),
                                 outcome="trainer_no_show")
    if not api.my_reports(bruno):
        api.report_problem(bruno, nadia, activity_id=missed.pk, category="no_show",
                           description="Nadia did not join our session and did not write.")
