"""
The skills portfolio: current awards grouped by skill (with "Other badges" for awards aligned to none), expired and
revoked awards left out; privacy (the owner and platform staff only; everyone else, signed in or not, gets the same
404 as for a person who does not exist); sharing by an unguessable link that works only while sharing is on and dies
when sharing starts again; and the pages: the owner's (sharing form with CSRF, Post/Redirect/Get, downloads and
"Add to LinkedIn") and the public one (no sign-in, noindex, no owner-only links).
"""
from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from mentora_plugin.badges import api
from mentora_plugin.badges.models import PortfolioSettings
from mentora_plugin.trainers.models import Skill
from tests import test_badges_classes as class_tests
from tests.test_badges_classes import make_class

pytestmark = pytest.mark.django_db

cast = class_tests.cast
BASE = "http://127.0.0.1:8000"
EVIDENCE = [{"url": "https://example.org/capstone", "name": "Capstone report", "narrative": "Reviewed twice."}]


@pytest.fixture(autouse=True)
def _base_url(settings):
    settings.MENTORA_BADGES_BASE_URL = BASE


@pytest.fixture
def awards(cast):
    """The learner's awards: Python (python), Full stack (python + writing), Team player (no skill), one expired
    (writing) and one revoked (python); another learner's award of Python too."""
    Skill.objects.filter(slug="python").update(description="Writes and tests Python programs.")
    staff, trainer, learner = cast["course_staff"], cast["trainer"], cast["learner"]
    python = make_class(staff, name="Python basics", skills=["python"])
    full = make_class(staff, name="Full stack", skills=["writing", "python"], kind="competency")
    team = make_class(staff, name="Team player", kind="certificate")
    old = make_class(staff, name="Old writing", skills=["writing"], expiry="duration", valid_days=30)
    gone = make_class(staff, name="Gone python", skills=["python"])
    made = {
        "python": api.award_badge(trainer, python.id, learner, evidence=EVIDENCE),
        "full": api.award_badge(staff, full.id, learner),
        "team": api.award_badge(trainer, team.id, learner),
        "expired": api.award_badge(trainer, old.id, learner, now=timezone.now() - timedelta(days=60)),
        "revoked": api.award_badge(trainer, gone.id, learner),
        "other_learner": api.award_badge(trainer, python.id, cast["learner2"]),
    }
    api.revoke_award(staff, made["revoked"].id, "Given by mistake.")
    return made


def names(entries) -> list[str]:
    return [entry.name for entry in entries]


def refused(call, *args) -> api.BadgesError:
    with pytest.raises(api.BadgesError) as error:
        call(*args)
    return error.value


# --- grouping ---------------------------------------------------------------------------------------------------------


class TestGrouping:
    def test_current_awards_by_skill_then_other_badges(self, cast, awards):
        portfolio = api.get_portfolio(cast["learner"], cast["learner"])
        assert [skill.name for skill in portfolio.skills] == ["Python", "Writing"]
        python, writing = portfolio.skills
        assert python.description == "Writes and tests Python programs." and writing.description == ""
        assert python.url == f"{BASE}/badges/skills/python/"
        assert names(python.awards) == ["Full stack", "Python basics"]  # newest first
        assert names(writing.awards) == ["Full stack"]  # an award aligned to two skills shows under both
        assert names(portfolio.other) == ["Team player"]
        assert portfolio.owner_name == "Lea Rner" and portfolio.public is False

    def test_each_award_says_what_a_verifier_needs(self, cast, awards):
        portfolio = api.get_portfolio(cast["learner"], cast["learner"])
        entry = next(entry for entry in portfolio.skills[0].awards if entry.name == "Python basics")
        assert entry.kind_label == "Badge" and entry.issued_by_name == "Tara Iner"
        assert entry.issued_on == awards["python"].issued_on
        assert [(item.url, item.name) for item in entry.evidence] == [("https://example.org/capstone",
                                                                       "Capstone report")]
        assert entry.verify_url == f"{BASE}/badges/assertions/{awards['python'].public_id}/verify/"
        assert entry.image_url == f"{BASE}/badges/classes/{entry.badge_class_public_id}/image"
        full = portfolio.skills[1].awards[0]
        assert full.kind_label == "Competency" and full.issued_by_name == "Stella"

    def test_expired_and_revoked_awards_are_left_out(self, cast, awards):
        portfolio = api.get_portfolio(cast["learner"], cast["learner"])
        every = {name for skill in portfolio.skills for name in names(skill.awards)} | set(names(portfolio.other))
        assert every == {"Python basics", "Full stack", "Team player"}
        assert "Old writing" not in every and "Gone python" not in every

    def test_a_person_without_awards_has_an_empty_portfolio(self, cast):
        portfolio = api.get_portfolio(cast["outsider"], cast["outsider"])
        assert portfolio.is_empty and portfolio.skills == () and portfolio.other == ()


# --- privacy ----------------------------------------------------------------------------------------------------------


class TestPrivacy:
    @pytest.mark.parametrize("who", ["learner2", "trainer", "course_staff", "outsider"])
    def test_nobody_else_sees_it_even_while_it_is_shared(self, cast, awards, who):
        assert refused(api.get_portfolio, cast["learner"], cast[who]).code == "portfolio_not_found"
        api.set_portfolio_sharing(cast["learner"], True)
        error = refused(api.get_portfolio, cast["learner"], cast[who])
        assert (error.code, error.status) == ("portfolio_not_found", 404)

    def test_anonymous_and_nobody_get_the_same_404(self, cast, awards):
        from django.contrib.auth.models import AnonymousUser

        for viewer in (None, AnonymousUser()):
            assert refused(api.get_portfolio, cast["learner"], viewer).code == "portfolio_not_found"

    def test_an_unknown_person_answers_like_a_private_one(self, cast, awards):
        private = refused(api.get_portfolio, cast["learner"], cast["outsider"])
        unknown = refused(api.get_portfolio, 987654, cast["outsider"])
        assert (unknown.code, unknown.status, str(unknown)) == (private.code, private.status, str(private))

    def test_platform_staff_may_see_it(self, cast, awards):
        portfolio = api.get_portfolio(cast["learner"], cast["platform_staff"])
        assert [skill.name for skill in portfolio.skills] == ["Python", "Writing"]
        assert api.get_portfolio(cast["learner"].pk, cast["platform_staff"]).owner_id == cast["learner"].pk


# --- sharing ----------------------------------------------------------------------------------------------------------


class TestSharing:
    def test_private_until_shared_then_the_link_works(self, cast, awards):
        learner = cast["learner"]
        assert api.get_portfolio_sharing(learner).public is False
        sharing = api.set_portfolio_sharing(learner, True)
        assert sharing.public and len(sharing.token) == 32 and re.fullmatch(r"[A-Za-z0-9_-]+", sharing.token)
        assert sharing.url == f"{BASE}/badges/portfolio/{sharing.token}/"
        shared = api.get_shared_portfolio(sharing.token)
        assert shared.owner_name == "Lea Rner" and shared.public
        assert names(shared.other) == ["Team player"]
        assert api.get_portfolio(learner, learner).public is True
        assert api.set_portfolio_sharing(learner, True).token == sharing.token  # on again: the same link

    def test_turning_it_off_kills_the_link_and_sharing_again_makes_a_new_one(self, cast, awards):
        learner = cast["learner"]
        first = api.set_portfolio_sharing(learner, True).token
        off = api.set_portfolio_sharing(learner, False)
        assert off.public is False and off.url == "" and off.token == ""
        assert PortfolioSettings.objects.get(user=learner).public is False  # the row stays, private
        assert refused(api.get_shared_portfolio, first).code == "portfolio_not_found"
        second = api.set_portfolio_sharing(learner, True).token
        assert second != first
        assert refused(api.get_shared_portfolio, first).status == 404  # the old link stays dead
        assert api.get_shared_portfolio(second).owner_id == learner.pk

    def test_stopping_before_ever_sharing_keeps_it_private(self, cast):
        sharing = api.set_portfolio_sharing(cast["outsider"], False)
        row = PortfolioSettings.objects.get(user=cast["outsider"])
        assert sharing.public is False and row.public is False
        assert refused(api.get_shared_portfolio, row.share_token).code == "portfolio_not_found"

    @pytest.mark.parametrize("token", ["", "x" * 65, None, 12, "not-a-token"])
    def test_bad_tokens_get_a_404(self, cast, awards, token):
        api.set_portfolio_sharing(cast["learner"], True)
        assert refused(api.get_shared_portfolio, token).code == "portfolio_not_found"

    def test_a_closed_account_is_not_shown(self, cast, awards):
        token = api.set_portfolio_sharing(cast["learner"], True).token
        cast["learner"].is_active = False
        cast["learner"].save()
        assert refused(api.get_shared_portfolio, token).status == 404

    def test_refusals(self, cast):
        from django.contrib.auth.models import AnonymousUser

        assert refused(api.set_portfolio_sharing, AnonymousUser(), True).code == "permission_denied"
        assert refused(api.set_portfolio_sharing, cast["learner"], "yes").code == "invalid_public"
        assert not PortfolioSettings.objects.exists()


# --- pages ------------------------------------------------------------------------------------------------------------


def client_for(user, enforce_csrf: bool = False) -> Client:
    client = Client(enforce_csrf_checks=enforce_csrf)
    client.force_login(user)
    return client


MINE = "/mentora/badges/portfolio/"


class TestPages:
    def test_urls(self):
        assert reverse("mentora-badges:portfolio") == MINE
        assert reverse("mentora-badges:portfolio-shared", kwargs={"token": "abc"}) == "/badges/portfolio/abc/"

    def test_the_owner_sees_skills_links_and_the_sharing_form(self, cast, awards):
        response = client_for(cast["learner"]).get(MINE)
        html = response.content.decode()
        assert response.status_code == 200
        assert re.search(r"<h2 id=\"portfolio-group-1\">Python</h2>", html)
        assert "<h2 id=\"portfolio-group-3\">Other badges</h2>" in html
        assert "Writes and tests Python programs." in html and "Capstone report" in html
        assert "Old writing" not in html and "Gone python" not in html
        python = awards["python"]
        assert f'href="{BASE}/badges/assertions/{python.public_id}/verify/"' in html
        assert f'href="{BASE}/badges/assertions/{python.public_id}/baked.png" download' in html
        assert "https://www.linkedin.com/profile/add?" in html and f"certId={python.public_id}" in html
        assert 'name="csrfmiddlewaretoken"' in html and 'name="public" value="1"' in html
        assert "Your portfolio is private" in html and 'href="http://127.0.0.1:8000/badges/portfolio/' not in html

    def test_sharing_posts_redirect_and_show_the_link(self, cast, awards):
        client = client_for(cast["learner"])
        response = client.post(MINE, {"public": "1"})
        assert response.status_code == 302 and response["Location"] == MINE
        token = PortfolioSettings.objects.get(user=cast["learner"]).share_token
        html = client.get(MINE).content.decode()
        assert f'value="{BASE}/badges/portfolio/{token}/"' in html and 'name="public" value="0"' in html
        assert "Your portfolio is shared: anyone with its link can see it." in html  # the message after redirect

        response = client.post(MINE, {"public": "0"})
        assert response.status_code == 302
        assert Client().get(f"/badges/portfolio/{token}/").status_code == 404

    def test_the_form_needs_its_csrf_token_and_a_yes_or_no(self, cast):
        assert client_for(cast["learner"], enforce_csrf=True).post(MINE, {"public": "1"}).status_code == 403
        assert client_for(cast["learner"]).post(MINE, {"public": "maybe"}).status_code == 400
        assert not PortfolioSettings.objects.exists()

    def test_nobody_signed_in_is_sent_to_sign_in(self, cast):
        assert Client().get(MINE).status_code == 302
        assert Client().post(MINE, {"public": "1"}).status_code == 302
        assert not PortfolioSettings.objects.exists()

    def test_the_shared_page_for_anyone_without_owner_links(self, cast, awards):
        token = api.set_portfolio_sharing(cast["learner"], True).token
        response = Client().get(f"/badges/portfolio/{token}/")
        html = response.content.decode()
        assert response.status_code == 200
        assert '<meta name="robots" content="noindex, nofollow">' in html
        assert response["X-Robots-Tag"] == "noindex, nofollow"
        assert "<h1>Skills portfolio of Lea Rner</h1>" in html
        assert "Python basics" in html and "Team player" in html and "Old writing" not in html
        assert f"/badges/assertions/{awards['python'].public_id}/verify/" in html
        assert "linkedin.com" not in html and "baked.png" not in html and "csrfmiddlewaretoken" not in html

    def test_a_private_or_unknown_portfolio_page_is_a_404_without_the_name(self, cast, awards):
        token = api.set_portfolio_sharing(cast["learner"], True).token
        api.set_portfolio_sharing(cast["learner"], False)
        for url in (f"/badges/portfolio/{token}/", "/badges/portfolio/nothing-here/"):
            response = client_for(cast["trainer"]).get(url)
            assert response.status_code == 404 and "Lea Rner" not in response.content.decode()

    def test_my_badges_links_the_portfolio(self, cast):
        html = client_for(cast["learner"]).get(reverse("mentora-badges:pages-mine")).content.decode()
        assert f'<a href="{MINE}">My portfolio</a>' in html
