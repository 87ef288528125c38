"""The demo's cast and its course: who a newcomer can sign in as, and what each of them shows."""
from django.utils.translation import gettext_lazy as _

COURSE_KEY = "course-v1:MentoraDemo+MENT101+2026"
COURSE_TITLE = "Mentoring in Practice"
SECOND_COURSE_KEY = "course-v1:MentoraDemo+DATA201+2026"
SECOND_COURSE_TITLE = "Data Projects with a Mentor"

#: username -> (full name, what they are in the demo, platform staff?)
PEOPLE = {
    "alice": ("Alice Martin", _("Learner, enrolled (verified); has booked a project review and office hours"), False),
    "bruno": ("Bruno Leroy", _("Learner, enrolled (audit); waits for Tariq to approve a career conversation"), False),
    "chloe": ("Chloé Dubois", _("Learner who left the course; her trainer application was sent back by screening"),
              False),
    "tariq": ("Tariq Benali", _("Trainer at the Advanced level (set by staff); offers three kinds of sessions"), False),
    "nadia": ("Nadia Haddad", _("New trainer on probation (Beginner); a learner reported a missed session"), False),
    "marc": ("Marc Petit", _("Applicant to become a trainer, waiting in the skills check"), False),
    "sofia": ("Sofia Rossi", _("Course staff"), False),
    "ines": ("Inès Moreau", _("Course instructor"), False),
    "admin": ("Ada Admin", _("Platform staff: reviews trainer applications, levels and disputes"), True),
}
