"""
Mentora's default settings, for every environment.

Each default is set only when the operator has not set the name already, so the order in which the platform
applies its YAML overrides and the plugins' settings never matters. Code reads settings at call time
(``django.conf.settings``), never at import time.
"""
from datetime import timedelta
from typing import Any

#: Every Mentora setting with its default, annotated for the platform's settings report (code-annotations).
DEFAULTS: dict[str, Any] = {
    # .. setting_name: MENTORA_TRAINER_ROLES_FROM_PLATFORM
    # .. setting_default: []
    # .. setting_description: Platform course roles (from the COURSE_ACCESS_ROLE_* events, e.g. "staff",
    #   "instructor") whose holders are also Mentora trainers of the course. Empty: only explicit grants by course
    #   staff make trainers.
    "MENTORA_TRAINER_ROLES_FROM_PLATFORM": [],
    # .. setting_name: MENTORA_API_THROTTLE_RATES
    # .. setting_default: {"user": "120/minute", "anon": "30/minute", "write": "30/minute"}
    # .. setting_description: Rates of the Mentora REST API, in DRF's rate syntax: every request of a signed-in
    #   user ("user"), their writes on top of that ("write"), and requests without a user, per IP ("anon").
    "MENTORA_API_THROTTLE_RATES": {"user": "120/minute", "anon": "30/minute", "write": "30/minute"},
    # .. setting_name: MENTORA_API_PAGE_SIZE
    # .. setting_default: 20
    # .. setting_description: Page size of the Mentora REST API lists when the client does not ask for one.
    "MENTORA_API_PAGE_SIZE": 20,
    # .. setting_name: MENTORA_API_MAX_PAGE_SIZE
    # .. setting_default: 100
    # .. setting_description: The largest page a client may ask for with ?page_size=.
    "MENTORA_API_MAX_PAGE_SIZE": 100,
    # .. setting_name: MENTORA_PLATFORM_API_URL
    # .. setting_default: "http://localhost:18000"
    # .. setting_description: Base URL of the LMS whose REST APIs mentora_sync reads (and whose OAuth2 token
    #   endpoint it calls).
    "MENTORA_PLATFORM_API_URL": "http://localhost:18000",
    # .. setting_name: MENTORA_PLATFORM_OAUTH_CLIENT_ID
    # .. setting_default: ""
    # .. setting_description: OAuth2 client (client-credentials grant, with staff rights) that mentora_sync uses.
    "MENTORA_PLATFORM_OAUTH_CLIENT_ID": "",
    # .. setting_name: MENTORA_PLATFORM_OAUTH_CLIENT_SECRET
    # .. setting_default: ""
    # .. setting_description: The secret of MENTORA_PLATFORM_OAUTH_CLIENT_ID.
    # .. setting_warning: Keep it out of version control; set it from the operator's secrets.
    "MENTORA_PLATFORM_OAUTH_CLIENT_SECRET": "",
    # .. setting_name: MENTORA_SYNC_PAGE_SIZE
    # .. setting_default: 100
    # .. setting_description: How many rows mentora_sync asks the platform for per page. The LMS's enrollment list
    #   serves at most 100 per page whatever is asked, and throttles staff to 120 requests a minute.
    "MENTORA_SYNC_PAGE_SIZE": 100,
    # .. setting_name: MENTORA_SYNC_TIMEOUT_SECONDS
    # .. setting_default: 30
    # .. setting_description: HTTP timeout of each mentora_sync request to the platform.
    "MENTORA_SYNC_TIMEOUT_SECONDS": 30,
    # .. setting_name: MENTORA_PLATFORM_SERVICE_USERNAME
    # .. setting_default: ""
    # .. setting_description: Username of the user behind MENTORA_PLATFORM_OAUTH_CLIENT_ID (global staff).
    #   mentora_sync asks the platform's course list for the courses this user can see; left empty, the platform
    #   lists only the courses an anonymous visitor can see.
    "MENTORA_PLATFORM_SERVICE_USERNAME": "",
    # .. setting_name: MENTORA_SYNC_MAX_RETRIES
    # .. setting_default: 5
    # .. setting_description: How many times mentora_sync retries a request that failed transiently (connection
    #   error, HTTP 429, 500, 502, 503, 504) before it stops; a later run with --resume continues from that page.
    "MENTORA_SYNC_MAX_RETRIES": 5,
    # .. setting_name: MENTORA_SYNC_BACKOFF_SECONDS
    # .. setting_default: 1.0
    # .. setting_description: Backoff factor between those retries (urllib3's Retry: factor * 2 ** (retry - 1)
    #   seconds, at most 120); a Retry-After header from the platform's throttling is honoured instead.
    "MENTORA_SYNC_BACKOFF_SECONDS": 1.0,
    # .. setting_name: MENTORA_BOOKING_REMINDER_OFFSETS
    # .. setting_default: [1440, 60]
    # .. setting_description: When booking reminders go out, in minutes before a confirmed session starts (the
    #   default: 24 hours and 1 hour before). The periodic task mentora_plugin.booking.tasks.send_due_reminders
    #   (Celery beat) sends each reminder once, to the learner (and to the trainer of a 1:1 session); when several
    #   are due at once (the beat was down), only the one closest to the start goes out. Empty: no reminders.
    "MENTORA_BOOKING_REMINDER_OFFSETS": [1440, 60],
    # .. setting_name: MENTORA_BOOKING_EMAIL_FROM
    # .. setting_default: None
    # .. setting_description: The sender of booking emails (confirmations, changes, cancellations, reminders).
    #   None: the platform's DEFAULT_FROM_EMAIL.
    "MENTORA_BOOKING_EMAIL_FROM": None,
    # .. setting_name: MENTORA_CALENDAR_FEED_MAX_EVENTS
    # .. setting_default: 500
    # .. setting_description: The most sessions a user's calendar feed (/mentora/calendar/<token>.ics) lists: the
    #   next ones by start time.
    "MENTORA_CALENDAR_FEED_MAX_EVENTS": 500,
    # .. setting_name: MENTORA_BOOKING_WAITLIST_OFFER_HOURS
    # .. setting_default: 12
    # .. setting_description: How long a seat freed in a full group session is held for the first learner of its
    #   waitlist (status "offered") before it lapses and goes to the next one; never past the session's start. The
    #   periodic task mentora_plugin.booking.tasks.expire_booking_requests (Celery beat) lapses the offers.
    "MENTORA_BOOKING_WAITLIST_OFFER_HOURS": 12,
    # .. setting_name: MENTORA_TRAINER_LEVELS
    # .. setting_default: four levels, "beginner", "intermediate", "advanced", "expert" (see the README)
    # .. setting_description: The trainers' ladder, lowest first. Each level is {"key": ..., "criteria": {...}} with
    #   an optional "name" (shown as is; without it the built-in translated name of the key is used). Criteria are
    #   thresholds over MENTORA_TRAINER_LEVEL_WINDOW_DAYS: "sessions_delivered", "distinct_learners",
    #   "rating_count", "rating_average" (Bayesian, see MENTORA_TRAINER_RATING_PRIOR), "learner_success" (share of
    #   mentored learners who passed the course, 0-1) are minimums; "review_turnaround_hours" (median),
    #   "answer_response_hours" (median time to answer a priority question), "no_show_rate" (0-1) and
    #   "upheld_complaints" are maximums. The first level has no criteria: every new
    #   trainer starts there.
    "MENTORA_TRAINER_LEVELS": [
        {"key": "beginner", "criteria": {}},
        {
            "key": "intermediate",
            "criteria": {
                "sessions_delivered": 10, "distinct_learners": 5, "rating_count": 5, "rating_average": 4.0,
                "no_show_rate": 0.15, "upheld_complaints": 1,
            },
        },
        {
            "key": "advanced",
            "criteria": {
                "sessions_delivered": 40, "distinct_learners": 15, "rating_count": 20, "rating_average": 4.3,
                "learner_success": 0.5, "review_turnaround_hours": 72, "answer_response_hours": 24,
                "no_show_rate": 0.08, "upheld_complaints": 0,
            },
        },
        {
            "key": "expert",
            "criteria": {
                "sessions_delivered": 120, "distinct_learners": 40, "rating_count": 60, "rating_average": 4.6,
                "learner_success": 0.65, "review_turnaround_hours": 48, "answer_response_hours": 12,
                "no_show_rate": 0.04, "upheld_complaints": 0,
            },
        },
    ],
    # .. setting_name: MENTORA_TRAINER_CAPABILITIES
    # .. setting_default: by level key (see the README): max_active_mentees 3/8/15/25, group_session_size 4/8/15/30,
    #   host_live_sessions from intermediate, issue_badges, feature_projects and lead_forums from advanced,
    #   review_applications at expert.
    # .. setting_description: What each level unlocks, the one table every domain asks through
    #   mentora_plugin.trainers.api.can / limit. Numbers are limits (0 refuses), booleans are permissions. A level
    #   missing here, or a capability missing from a level, grants nothing.
    "MENTORA_TRAINER_CAPABILITIES": {
        "beginner": {
            "max_active_mentees": 3, "group_session_size": 4, "host_live_sessions": False, "issue_badges": False,
            "feature_projects": False, "lead_forums": False, "review_applications": False,
        },
        "intermediate": {
            "max_active_mentees": 8, "group_session_size": 8, "host_live_sessions": True, "issue_badges": False,
            "feature_projects": False, "lead_forums": False, "review_applications": False,
        },
        "advanced": {
            "max_active_mentees": 15, "group_session_size": 15, "host_live_sessions": True, "issue_badges": True,
            "feature_projects": True, "lead_forums": True, "review_applications": False,
        },
        "expert": {
            "max_active_mentees": 25, "group_session_size": 30, "host_live_sessions": True, "issue_badges": True,
            "feature_projects": True, "lead_forums": True, "review_applications": True,
        },
    },
    # .. setting_name: MENTORA_TRAINER_PROBATION_DAYS
    # .. setting_default: 30
    # .. setting_description: How long a newly active trainer is on probation, when MENTORA_TRAINER_PROBATION_LIMITS
    #   cap their level's capabilities.
    "MENTORA_TRAINER_PROBATION_DAYS": 30,
    # .. setting_name: MENTORA_TRAINER_PROBATION_LIMITS
    # .. setting_default: {"max_active_mentees": 2, "group_session_size": 3}
    # .. setting_description: Caps on capabilities during probation (the lower of the cap and the level's value).
    "MENTORA_TRAINER_PROBATION_LIMITS": {"max_active_mentees": 2, "group_session_size": 3},
    # .. setting_name: MENTORA_TRAINER_LEVEL_WINDOW_DAYS
    # .. setting_default: 180
    # .. setting_description: The rolling window over which the level criteria are measured.
    "MENTORA_TRAINER_LEVEL_WINDOW_DAYS": 180,
    # .. setting_name: MENTORA_TRAINER_RATING_PRIOR
    # .. setting_default: {"mean": 4.0, "weight": 10}
    # .. setting_description: The Bayesian average of ratings: (mean * weight + sum of stars) / (weight + count), so
    #   that a few five-star ratings do not outrank many 4.8s.
    "MENTORA_TRAINER_RATING_PRIOR": {"mean": 4.0, "weight": 10},
    # .. setting_name: MENTORA_TRAINER_DEMOTION_FLOOR
    # .. setting_default: 0.9
    # .. setting_description: A trainer keeps their level while their figures stay within this share of its
    #   thresholds (a minimum of 10 is still met at 9; a maximum of 0.10 at 0.111); below it they are warned, and
    #   demoted only if still below after MENTORA_TRAINER_DEMOTION_GRACE_DAYS.
    "MENTORA_TRAINER_DEMOTION_FLOOR": 0.9,
    # .. setting_name: MENTORA_TRAINER_DEMOTION_GRACE_DAYS
    # .. setting_default: 14
    # .. setting_description: Days between the warning and the demotion.
    "MENTORA_TRAINER_DEMOTION_GRACE_DAYS": 14,
    # .. setting_name: MENTORA_TRAINER_APPLICATION_RUBRIC
    # .. setting_default: expertise, teaching, communication, each scored 0-4
    # .. setting_description: The criteria reviewers score applications on: a list of {"key", "label", "max"}.
    "MENTORA_TRAINER_APPLICATION_RUBRIC": [
        {"key": "expertise", "label": "Expertise in the skills claimed", "max": 4},
        {"key": "teaching", "label": "Ability to explain and guide", "max": 4},
        {"key": "communication", "label": "Clarity and tone", "max": 4},
    ],
    # .. setting_name: MENTORA_TRAINER_MICRO_TASK
    # .. setting_default: ""
    # .. setting_description: An optional test micro-task (Markdown) every applicant answers during the skills
    #   check. Empty: no micro-task.
    "MENTORA_TRAINER_MICRO_TASK": "",
    # .. setting_name: MENTORA_TRAINER_REQUIRED_EVIDENCE
    # .. setting_default: 1
    # .. setting_description: How many portfolio items (a link or a file) an application needs to pass screening.
    "MENTORA_TRAINER_REQUIRED_EVIDENCE": 1,
    # .. setting_name: MENTORA_TRAINER_REJECTIONS_REQUIRED
    # .. setting_default: 1
    # .. setting_description: How many distinct reviewers must vote to reject before an application is rejected
    #   (2: no single reviewer can reject alone). One approval approves.
    "MENTORA_TRAINER_REJECTIONS_REQUIRED": 1,
    # .. setting_name: MENTORA_TRAINER_REAPPLY_COOLDOWN_DAYS
    # .. setting_default: 90
    # .. setting_description: How long a rejected applicant waits before applying again.
    "MENTORA_TRAINER_REAPPLY_COOLDOWN_DAYS": 90,
    # .. setting_name: MENTORA_TRAINER_ONBOARDING_STEPS
    # .. setting_default: a guide to the trainer pages, a course template, the code of conduct (see the README)
    # .. setting_description: The onboarding checklist a newly approved trainer completes before becoming active: a
    #   list of {"key", "title", "url"}; empty: approved trainers are active at once.
    "MENTORA_TRAINER_ONBOARDING_STEPS": [
        {"key": "guide", "title": "Read the trainer guide", "url": "/mentora/trainers/guide/"},
        {"key": "availability", "title": "Publish your availability", "url": "/mentora/booking/availability/"},
        {"key": "conduct", "title": "Accept the code of conduct", "url": "/mentora/trainers/guide/#conduct"},
    ],
    # .. setting_name: MENTORA_TRAINER_REVIEW_REMINDER_HOURS
    # .. setting_default: 48
    # .. setting_description: Reviewers are reminded of an application waiting for them this many hours after they
    #   were assigned (or last reminded), by the periodic task mentora_plugin.trainers.tasks.remind_reviewers.
    "MENTORA_TRAINER_REVIEW_REMINDER_HOURS": 48,
    # .. setting_name: MENTORA_TRAINERS_EMAIL_FROM
    # .. setting_default: None
    # .. setting_description: The sender of trainers' emails (application steps, reminders, level warnings). None:
    #   the platform's DEFAULT_FROM_EMAIL.
    "MENTORA_TRAINERS_EMAIL_FROM": None,
    # .. setting_name: MENTORA_REVIEWS_CLAIM_MINUTES
    # .. setting_default: 120
    # .. setting_description: How long a trainer's claim on a submission lasts before it frees itself (a claim is
    #   renewed each time the trainer saves the review).
    "MENTORA_REVIEWS_CLAIM_MINUTES": 120,
    # .. setting_name: MENTORA_REVIEWS_GRADE_POLICY
    # .. setting_default: "latest"
    # .. setting_description: Which released grade the gradebook keeps when a learner resubmits and is graded again:
    #   "latest" (the last released, even if lower) or "highest". Until a new review is released, the earlier grade
    #   stays, and a request for changes never touches it. It matters when a project lets learners improve approved
    #   work (the block's "Approved work may be improved", resubmit_after_approval), and after a staff override.
    "MENTORA_REVIEWS_GRADE_POLICY": "latest",
    # .. setting_name: MENTORA_REVIEWS_DUE_REMINDER_HOURS
    # .. setting_default: 48
    # .. setting_description: Learners who have not submitted are reminded this many hours before a project is due
    #   (the periodic task mentora_plugin.reviews.tasks.send_due_reminders); 0: no reminders.
    "MENTORA_REVIEWS_DUE_REMINDER_HOURS": 48,
    # .. setting_name: MENTORA_REVIEWS_EMAIL_FROM
    # .. setting_default: None
    # .. setting_description: The sender of reviews' emails. None: the platform's DEFAULT_FROM_EMAIL.
    "MENTORA_REVIEWS_EMAIL_FROM": None,
    # .. setting_name: MENTORA_BADGES_BASE_URL
    # .. setting_default: None
    # .. setting_description: The absolute origin (scheme and host) of badges' public Open Badges URLs: hosted
    #   assertions, badge classes, the issuer and verification pages. None: the platform's LMS_ROOT_URL.
    "MENTORA_BADGES_BASE_URL": None,
    # .. setting_name: MENTORA_BADGES_ISSUER
    # .. setting_default: {"name": None, "url": None, "email": None, "description": ""}
    # .. setting_description: The institution that issues Mentora's badges (the Open Badges Issuer profile). None
    #   for name: the platform's PLATFORM_NAME; for url: the base URL; for email: DEFAULT_FROM_EMAIL.
    "MENTORA_BADGES_ISSUER": {"name": None, "url": None, "email": None, "description": ""},
    # .. setting_name: MENTORA_COMMUNITIES_PRIORITY_WEEKLY_QUOTA
    # .. setting_default: 3
    # .. setting_description: How many questions a learner may mark as priority per course and week (Monday 00:00
    #   UTC to Monday); a space may set its own. 0: no priority questions.
    "MENTORA_COMMUNITIES_PRIORITY_WEEKLY_QUOTA": 3,
    # .. setting_name: MENTORA_COMMUNITIES_RESPONSE_TARGET_HOURS
    # .. setting_default: 24
    # .. setting_description: The response promise of a priority question: trainers answer within this many hours,
    #   or the question escalates to the course staff (the periodic task
    #   mentora_plugin.communities.tasks.escalate_overdue_questions). A space may set its own.
    "MENTORA_COMMUNITIES_RESPONSE_TARGET_HOURS": 24,
    # .. setting_name: MENTORA_COMMUNITIES_AUTO_HIDE_REPORTS
    # .. setting_default: 3
    # .. setting_description: A post reported by this many different people is hidden until a moderator looks at
    #   it. 0: never hidden automatically. A space may set its own.
    "MENTORA_COMMUNITIES_AUTO_HIDE_REPORTS": 3,
    # .. setting_name: MENTORA_COMMUNITIES_NEW_MEMBER_DAYS
    # .. setting_default: 3
    # .. setting_description: For this many days after their first post in a space, a learner is a new member:
    #   MENTORA_COMMUNITIES_NEW_MEMBER_LIMITS apply instead of MENTORA_COMMUNITIES_LIMITS.
    "MENTORA_COMMUNITIES_NEW_MEMBER_DAYS": 3,
    # .. setting_name: MENTORA_COMMUNITIES_LIMITS
    # .. setting_default: {"posts_per_hour": 60, "threads_per_day": 20, "links_per_post": 20}
    # .. setting_description: Writing limits of learners in a space (trainers, moderators and staff have none).
    "MENTORA_COMMUNITIES_LIMITS": {"posts_per_hour": 60, "threads_per_day": 20, "links_per_post": 20},
    # .. setting_name: MENTORA_COMMUNITIES_NEW_MEMBER_LIMITS
    # .. setting_default: {"posts_per_hour": 10, "threads_per_day": 3, "links_per_post": 2}
    # .. setting_description: The stricter limits of new members (see MENTORA_COMMUNITIES_NEW_MEMBER_DAYS).
    "MENTORA_COMMUNITIES_NEW_MEMBER_LIMITS": {"posts_per_hour": 10, "threads_per_day": 3, "links_per_post": 2},
    # .. setting_name: MENTORA_COMMUNITIES_DUPLICATE_WINDOW_HOURS
    # .. setting_default: 24
    # .. setting_description: A learner posting the same text again in a space within this many hours is refused
    #   (duplicate detection). 0: no check.
    "MENTORA_COMMUNITIES_DUPLICATE_WINDOW_HOURS": 24,
    # .. setting_name: MENTORA_COMMUNITIES_EMAIL_FROM
    # .. setting_default: None
    # .. setting_description: The sender of communities' emails (digests, escalations). None: DEFAULT_FROM_EMAIL.
    "MENTORA_COMMUNITIES_EMAIL_FROM": None,
}

#: Apps the REST API documentation needs (drf-spectacular templates, self-hosted Swagger UI files).
REQUIRED_APPS = ("drf_spectacular", "drf_spectacular_sidecar")

#: The object-permission backend that ``rules`` needs; the LMS already lists it, the demo and tests may not.
RULES_BACKEND = "rules.permissions.ObjectPermissionBackend"


def set_default(settings: Any, name: str, value: Any) -> None:
    """Set ``name`` on the settings module unless the operator already did."""
    if not hasattr(settings, name):
        setattr(settings, name, value)


#: Mentora's periodic tasks. Celery beat runs them where the operator runs a beat process for the LMS's app.
BEAT_SCHEDULE = {
    "mentora-booking-reminders": {
        "task": "mentora_plugin.booking.tasks.send_due_reminders",
        "schedule": timedelta(minutes=5),
    },
    "mentora-booking-expire-requests": {
        "task": "mentora_plugin.booking.tasks.expire_booking_requests",
        "schedule": timedelta(minutes=15),
    },
    "mentora-trainers-recompute-levels": {
        "task": "mentora_plugin.trainers.tasks.recompute_levels",
        "schedule": timedelta(days=1),
    },
    "mentora-trainers-remind-reviewers": {
        "task": "mentora_plugin.trainers.tasks.remind_reviewers",
        "schedule": timedelta(hours=6),
    },
    "mentora-reviews-due-reminders": {
        "task": "mentora_plugin.reviews.tasks.send_due_reminders",
        "schedule": timedelta(hours=1),
    },
    "mentora-reviews-queue-overdue": {
        "task": "mentora_plugin.reviews.tasks.flag_overdue_reviews",
        "schedule": timedelta(hours=1),
    },
    "mentora-reviews-release-expired-claims": {
        "task": "mentora_plugin.reviews.tasks.release_expired_claims",
        "schedule": timedelta(minutes=15),
    },
    "mentora-badges-trainer-recognition": {
        "task": "mentora_plugin.badges.tasks.award_trainer_badges",
        "schedule": timedelta(days=1),
    },
    "mentora-communities-escalate-questions": {
        "task": "mentora_plugin.communities.tasks.escalate_overdue_questions",
        "schedule": timedelta(minutes=15),
    },
    "mentora-communities-email-digests": {
        "task": "mentora_plugin.communities.tasks.send_digests",
        "schedule": timedelta(hours=1),
    },
}


def plugin_settings(settings: Any) -> None:
    """Inject Mentora's defaults into the platform's settings module."""
    for name, value in DEFAULTS.items():
        set_default(settings, name, value)

    # Add Mentora's periodic tasks to the platform's schedule, without replacing an entry the operator tuned.
    schedule = dict(getattr(settings, "CELERY_BEAT_SCHEDULE", None) or {})
    for name, entry in BEAT_SCHEDULE.items():
        schedule.setdefault(name, entry)
    settings.CELERY_BEAT_SCHEDULE = schedule

    installed = list(getattr(settings, "INSTALLED_APPS", []))
    missing = [app for app in REQUIRED_APPS if app not in installed]
    if missing:
        settings.INSTALLED_APPS = [*installed, *missing]

    backends = list(getattr(settings, "AUTHENTICATION_BACKENDS", ["django.contrib.auth.backends.ModelBackend"]))
    if RULES_BACKEND not in backends:
        settings.AUTHENTICATION_BACKENDS = [RULES_BACKEND, *backends]
