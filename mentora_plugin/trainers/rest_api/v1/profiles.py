"""
Trainers REST API (v1): the skill taxonomy, one's own profile, public profiles, trainer search, and ratings. Paths
are relative to ``/api/mentora/v1/trainers/``.

Thin views: serializers check types and shapes; what values mean (a known skill, a language code, an http link, an
image that opens) is decided by ``profiles`` and ``ratings``, so the API and the pages refuse the same things with
the same codes. Lists are paginated (``page``, ``page_size``) over lazy results: a page costs a fixed number of
queries whatever its size.
"""
from __future__ import annotations

from typing import Any

from django.contrib.auth import get_user_model
from django.urls import path
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse
from rest_framework import serializers, status
from rest_framework.parsers import FormParser, MultiPartParser
from rest_framework.response import Response

from mentora_plugin.rest.views import document
from mentora_plugin.trainers import profiles, ratings
from mentora_plugin.trainers.common import not_found
from mentora_plugin.trainers.rest_api.v1.common import TrainersAPIView, TrainersGenericAPIView, validated

PROFILES = ["trainers: profiles"]
RATINGS = ["trainers: ratings"]
USERNAME = OpenApiParameter("username", str, OpenApiParameter.PATH, description="The trainer's username.")
RATING_ID = OpenApiParameter("rating_id", int, OpenApiParameter.PATH, description="A rating id.")
ITEM_ID = OpenApiParameter("item_id", int, OpenApiParameter.PATH, description="A portfolio item id.")
#: How many of the newest ratings a profile carries; the rest are paginated at profiles/<username>/ratings/.
RECENT_RATINGS = 10


# --- output serializers ---------------------------------------------------------------------------------------------


class SkillInfoSerializer(serializers.Serializer):
    """An entry of the skill taxonomy (shared with badges)."""

    slug = serializers.CharField()
    name = serializers.CharField()
    description = serializers.CharField()
    parent_slug = serializers.CharField(allow_null=True, help_text="The broader skill it belongs to.")
    is_active = serializers.BooleanField()


class TrainerSkillInfoSerializer(serializers.Serializer):
    """A skill on a profile: declared by the trainer, possibly validated by a reviewer (levels 1-4)."""

    slug = serializers.CharField()
    name = serializers.CharField()
    parent_slug = serializers.CharField(allow_null=True)
    is_specialisation = serializers.BooleanField()
    declared_level = serializers.IntegerField(help_text="1 beginner, 2 intermediate, 3 advanced, 4 expert.")
    declared_level_name = serializers.CharField()
    validated_level = serializers.IntegerField(allow_null=True)
    validated_level_name = serializers.CharField()
    validated_at = serializers.DateTimeField(allow_null=True)


class ProfileLinkSerializer(serializers.Serializer):
    """A link on a profile."""

    label = serializers.CharField(allow_blank=True, required=False, max_length=100)
    url = serializers.CharField(max_length=500, help_text="http or https only.")


class ProfileLanguageSerializer(serializers.Serializer):
    code = serializers.CharField()
    name = serializers.CharField(help_text="In the requester's language.")


class PortfolioItemInfoSerializer(serializers.Serializer):
    """A piece of work with its evidence (a link, a file, or both)."""

    id = serializers.IntegerField()
    title = serializers.CharField()
    description = serializers.CharField(help_text="Markdown.")
    description_html = serializers.CharField(help_text="Sanitised HTML.")
    url = serializers.CharField()
    evidence_url = serializers.CharField(help_text="The stored file's address; empty without a file.")
    evidence_name = serializers.CharField()
    skills = serializers.ListField(child=serializers.CharField(), help_text="Skill slugs.")
    created = serializers.DateTimeField()


class OwnProfileSerializer(serializers.Serializer):
    """One's own profile, whatever its status, with the Markdown as written."""

    user_id = serializers.IntegerField()
    username = serializers.CharField()
    status = serializers.CharField(help_text="applicant, onboarding, active or suspended.")
    headline = serializers.CharField()
    bio = serializers.CharField()
    experience_years = serializers.IntegerField()
    experience = serializers.CharField()
    languages = serializers.ListField(child=serializers.CharField())
    time_zone = serializers.CharField()
    photo_url = serializers.CharField()
    links = ProfileLinkSerializer(many=True)
    skills = TrainerSkillInfoSerializer(many=True)
    portfolio = PortfolioItemInfoSerializer(many=True)
    level = serializers.CharField()
    level_name = serializers.CharField()
    rating_count = serializers.IntegerField()
    rating_average = serializers.FloatField(allow_null=True)
    rating_score = serializers.FloatField(help_text="The Bayesian average that search sorts by; 0 without ratings.")
    modified = serializers.DateTimeField()


class TrainerRatingSummarySerializer(serializers.Serializer):
    """Visible ratings in figures."""

    count = serializers.IntegerField()
    average = serializers.FloatField(allow_null=True)
    bayesian = serializers.FloatField()
    distribution = serializers.DictField(child=serializers.IntegerField(), help_text="Ratings per stars, 1 to 5.")


class TrainerRatingSerializer(serializers.Serializer):
    """A rating with the trainer's answer. The moderation fields come to moderators only."""

    id = serializers.IntegerField()
    activity_kind = serializers.CharField(help_text="session, review or answer.")
    activity_kind_name = serializers.CharField()
    trainer_id = serializers.IntegerField()
    learner_name = serializers.CharField(help_text='The learner\'s display name; "A learner" once they left.')
    course_key = serializers.CharField(allow_null=True)
    stars = serializers.IntegerField()
    comment = serializers.CharField()
    comment_html = serializers.CharField()
    response = serializers.CharField()
    response_html = serializers.CharField()
    responded_at = serializers.DateTimeField(allow_null=True)
    created = serializers.DateTimeField()
    is_hidden = serializers.BooleanField(required=False, help_text="Moderators only.")
    moderation_reason = serializers.CharField(required=False, help_text="Moderators only: the latest decision's.")
    moderated_at = serializers.DateTimeField(allow_null=True, required=False, help_text="Moderators only.")

    MODERATION = ("is_hidden", "moderation_reason", "moderated_at")

    def to_representation(self, instance: Any) -> dict:
        data = super().to_representation(instance)
        if not self.context.get("moderator"):
            for name in self.MODERATION:
                data.pop(name, None)
        return data


class PublicTrainerProfileSerializer(serializers.Serializer):
    """A trainer's profile as others see it, with the summary and the newest ratings."""

    user_id = serializers.IntegerField()
    username = serializers.CharField()
    display_name = serializers.CharField()
    status = serializers.CharField()
    is_public = serializers.BooleanField(help_text="False: only its owner and staff can see it (not active).")
    headline = serializers.CharField()
    bio_html = serializers.CharField(help_text="Sanitised HTML of the Markdown biography.")
    experience_years = serializers.IntegerField()
    experience_html = serializers.CharField()
    languages = ProfileLanguageSerializer(many=True)
    time_zone = serializers.CharField()
    photo_url = serializers.CharField()
    links = ProfileLinkSerializer(many=True)
    skills = TrainerSkillInfoSerializer(many=True)
    portfolio = PortfolioItemInfoSerializer(many=True)
    level = serializers.CharField()
    level_name = serializers.CharField()
    rating = TrainerRatingSummarySerializer()
    recent_ratings = serializers.SerializerMethodField(help_text=f"The {RECENT_RATINGS} newest ratings.")

    def get_recent_ratings(self, instance: Any) -> list[dict]:
        return TrainerRatingSerializer(instance.ratings[:RECENT_RATINGS], many=True, context=self.context).data


class TrainerSearchResultSerializer(serializers.Serializer):
    """A search result."""

    user_id = serializers.IntegerField()
    username = serializers.CharField()
    display_name = serializers.CharField()
    headline = serializers.CharField()
    photo_url = serializers.CharField()
    languages = serializers.ListField(child=serializers.CharField())
    language_names = serializers.ListField(child=serializers.CharField(), help_text="In the requester's language.")
    skills = TrainerSkillInfoSerializer(many=True)
    level = serializers.CharField()
    level_name = serializers.CharField()
    rating_count = serializers.IntegerField()
    rating_average = serializers.FloatField(allow_null=True)
    rating_score = serializers.FloatField()


class RateableActivitySerializer(serializers.Serializer):
    """An interaction the learner may rate."""

    id = serializers.IntegerField()
    kind = serializers.CharField()
    kind_name = serializers.CharField()
    trainer_id = serializers.IntegerField()
    trainer_username = serializers.CharField()
    trainer_name = serializers.CharField()
    course_key = serializers.CharField(allow_null=True)
    occurred_at = serializers.DateTimeField()


# --- input serializers ----------------------------------------------------------------------------------------------


class TrainerSearchParamsSerializer(serializers.Serializer):
    query = serializers.CharField(required=False, allow_blank=True, max_length=200)
    skill = serializers.CharField(required=False, allow_blank=True, max_length=100)
    language = serializers.CharField(required=False, allow_blank=True, max_length=35)
    course_id = serializers.CharField(required=False, allow_blank=True, max_length=255)
    min_rating = serializers.FloatField(required=False, allow_null=True, min_value=0, max_value=5)
    order = serializers.ChoiceField(choices=profiles.SEARCH_ORDERS, required=False, default="rating")


SEARCH_PARAMETERS = [
    OpenApiParameter("query", str, description="Words in the headline, biography, username or name."),
    OpenApiParameter("skill", str, description="A skill slug; its sub-skills match too."),
    OpenApiParameter("language", str, description="A language code, e.g. fr."),
    OpenApiParameter("course_id", str, description="Only trainers of this course."),
    OpenApiParameter("min_rating", float, description="A minimum Bayesian score, 0 to 5."),
    OpenApiParameter("order", str, enum=list(profiles.SEARCH_ORDERS), description="rating (default) or name."),
]


class TaxonomySkillCreateSerializer(serializers.Serializer):
    slug = serializers.CharField(max_length=100)
    name = serializers.CharField(max_length=255)
    description = serializers.CharField(required=False, allow_blank=True, default="")
    parent_slug = serializers.CharField(required=False, allow_null=True, allow_blank=True, default=None)


class OwnProfileUpdateSerializer(serializers.Serializer):
    """Any of the fields; unknown fields are refused (``unknown_field``)."""

    headline = serializers.CharField(required=False, allow_blank=True, trim_whitespace=False)
    bio = serializers.CharField(required=False, allow_blank=True, trim_whitespace=False, help_text="Markdown.")
    experience_years = serializers.IntegerField(required=False)
    experience = serializers.CharField(required=False, allow_blank=True, trim_whitespace=False)
    languages = serializers.ListField(child=serializers.CharField(), required=False, help_text="Language codes.")
    time_zone = serializers.CharField(required=False, help_text="An IANA zone, e.g. Europe/Paris.")
    links = ProfileLinkSerializer(many=True, required=False)


class ProfileSkillEntrySerializer(serializers.Serializer):
    skill = serializers.CharField(help_text="A skill slug.")
    declared_level = serializers.IntegerField(default=1, help_text="1 to 4.")
    is_specialisation = serializers.BooleanField(default=False)


class ProfileSkillsUpdateSerializer(serializers.Serializer):
    skills = ProfileSkillEntrySerializer(many=True, help_text="The whole list: skills left out are removed.")


class ProfileSkillsSerializer(serializers.Serializer):
    skills = TrainerSkillInfoSerializer(many=True)


class ProfilePhotoUploadSerializer(serializers.Serializer):
    photo = serializers.FileField(help_text="PNG, JPEG or WebP; at most 2 MB and 4096 pixels a side.")


class PortfolioItemCreateSerializer(serializers.Serializer):
    title = serializers.CharField(max_length=255)
    description = serializers.CharField(required=False, allow_blank=True, default="")
    url = serializers.CharField(required=False, allow_blank=True, default="", max_length=500)
    evidence = serializers.FileField(required=False, allow_null=True, default=None,
                                     help_text="pdf, png, jpg, jpeg, zip, txt or md; at most 10 MB.")
    skills = serializers.ListField(child=serializers.CharField(), required=False, default=list)


class TrainerRateSerializer(serializers.Serializer):
    activity_id = serializers.IntegerField()
    stars = serializers.IntegerField(help_text="1 to 5.")
    comment = serializers.CharField(required=False, allow_blank=True, default="", trim_whitespace=False)


class RatingResponseTextSerializer(serializers.Serializer):
    text = serializers.CharField(allow_blank=True, help_text="Markdown; empty removes the answer.")


class RatingModerationReasonSerializer(serializers.Serializer):
    reason = serializers.CharField(required=False, allow_blank=True, default="", help_text="Required.")


# --- views ----------------------------------------------------------------------------------------------------------


def _is_moderator(request: Any) -> bool:
    return request.user.has_perm("mentora_trainers.moderate_rating")


class SearchView(TrainersGenericAPIView):
    """Active trainers, by skill, language, course and rating."""

    serializer_class = TrainerSearchResultSerializer

    @document(parameters=SEARCH_PARAMETERS, responses=TrainerSearchResultSerializer(many=True), tags=PROFILES)
    def get(self, request) -> Response:
        """Search active trainers (rating order: Bayesian score, then number of ratings). Paginated."""
        params = validated(TrainerSearchParamsSerializer, request.query_params)
        found = profiles.search_trainers(
            query=params.get("query", ""),
            skill=params.get("skill") or None,
            language=params.get("language") or None,
            course_key=params.get("course_id") or None,
            min_rating=params.get("min_rating"),
            order=params["order"],
        )
        page = self.paginate_queryset(found)
        return self.get_paginated_response(self.get_serializer(page, many=True).data)


class SkillsView(TrainersGenericAPIView):
    """The skill taxonomy."""

    serializer_class = SkillInfoSerializer

    @document(
        parameters=[OpenApiParameter("include_inactive", bool, description="Also retired skills.")],
        responses=SkillInfoSerializer(many=True),
        tags=PROFILES,
    )
    def get(self, request) -> Response:
        """Skills by name. Paginated."""
        include_inactive = request.query_params.get("include_inactive", "").lower() in ("1", "true")
        page = self.paginate_queryset(profiles.list_skills(include_inactive=include_inactive))
        return self.get_paginated_response(self.get_serializer(page, many=True).data)

    @document(request=TaxonomySkillCreateSerializer, responses={201: SkillInfoSerializer}, tags=PROFILES)
    def post(self, request) -> Response:
        """Add a skill (staff: ``mentora_trainers.manage_application``)."""
        data = validated(TaxonomySkillCreateSerializer, request.data)
        skill = profiles.create_skill(request.user, data["slug"], data["name"], data["description"],
                                      data["parent_slug"] or None)
        return Response(SkillInfoSerializer(skill).data, status=status.HTTP_201_CREATED)


class MyProfileView(TrainersAPIView):
    """The requester's own trainer profile."""

    @document(responses=OwnProfileSerializer, tags=PROFILES)
    def get(self, request) -> Response:
        """One's profile, whatever its status; 404 (``profile_not_found``) before the first edit."""
        profile = profiles.get_profile(request.user)
        if profile is None:
            raise not_found("profile")
        return Response(OwnProfileSerializer(profile).data)

    @document(request=OwnProfileUpdateSerializer, responses=OwnProfileSerializer, tags=PROFILES)
    def patch(self, request) -> Response:
        """Change some fields (the profile is created if needed). Nothing is saved if any field is refused."""
        fields = dict(validated(OwnProfileUpdateSerializer, request.data, partial=True))
        allowed = set(OwnProfileUpdateSerializer().fields)
        fields.update({name: request.data[name] for name in request.data if name not in allowed})
        if isinstance(fields.get("links"), list):
            fields["links"] = [dict(link) if isinstance(link, dict) else link for link in fields["links"]]
        return Response(OwnProfileSerializer(profiles.update_profile(request.user, **fields)).data)


class MySkillsView(TrainersAPIView):
    """The skills on the requester's profile."""

    @document(request=ProfileSkillsUpdateSerializer, responses=ProfileSkillsSerializer, tags=PROFILES)
    def put(self, request) -> Response:
        """Replace the list (at most 20 skills, 5 specialisations); skills that stay keep their validated level."""
        data = validated(ProfileSkillsUpdateSerializer, request.data)
        skills = profiles.set_skills(request.user, [dict(entry) for entry in data["skills"]])
        return Response({"skills": TrainerSkillInfoSerializer(skills, many=True).data})


class MyPhotoView(TrainersAPIView):
    """The requester's profile photo (multipart)."""

    parser_classes = (MultiPartParser, FormParser)

    @document(
        request={"multipart/form-data": ProfilePhotoUploadSerializer}, responses=OwnProfileSerializer, tags=PROFILES
    )
    def post(self, request) -> Response:
        """Upload a photo (``photo``), replacing the earlier one."""
        profile = profiles.set_photo(request.user, request.FILES.get("photo"))
        return Response(OwnProfileSerializer(profile).data)

    @document(responses=OwnProfileSerializer, tags=PROFILES)
    def delete(self, request) -> Response:
        """Remove the photo."""
        return Response(OwnProfileSerializer(profiles.remove_photo(request.user)).data)


class MyPortfolioView(TrainersAPIView):
    """The requester's portfolio (multipart, for the evidence file)."""

    parser_classes = (MultiPartParser, FormParser)

    @document(
        request={"multipart/form-data": PortfolioItemCreateSerializer}, responses={201: PortfolioItemInfoSerializer},
        tags=PROFILES,
    )
    def post(self, request) -> Response:
        """Add a piece of work: a ``url``, an ``evidence`` file, or both; ``skills`` repeated for several."""
        data = validated(PortfolioItemCreateSerializer, request.data)
        item = profiles.add_portfolio_item(
            request.user, data["title"], data["description"], data["url"], data["evidence"], tuple(data["skills"])
        )
        return Response(PortfolioItemInfoSerializer(item).data, status=status.HTTP_201_CREATED)


class MyPortfolioItemView(TrainersAPIView):
    """One piece of work of the requester's portfolio."""

    @document(parameters=[ITEM_ID], responses={204: OpenApiResponse(description="Removed.")}, tags=PROFILES)
    def delete(self, request, item_id: int) -> Response:
        """Remove it and its stored file; someone else's is 404."""
        profiles.remove_portfolio_item(request.user, item_id)
        return Response(status=status.HTTP_204_NO_CONTENT)


class ProfileDetailView(TrainersAPIView):
    """A trainer's public profile."""

    @document(parameters=[USERNAME], responses=PublicTrainerProfileSerializer, tags=PROFILES)
    def get(self, request, username: str) -> Response:
        """Active trainers' profiles (owners and staff also see others); 404 ``trainer_not_found`` otherwise."""
        profile = profiles.get_public_profile(username, request.user)
        context = {"moderator": _is_moderator(request)}
        return Response(PublicTrainerProfileSerializer(profile, context=context).data)


class ProfileRatingsView(TrainersGenericAPIView):
    """A trainer's ratings."""

    serializer_class = TrainerRatingSerializer

    @document(parameters=[USERNAME], responses=TrainerRatingSerializer(many=True), tags=RATINGS)
    def get(self, request, username: str) -> Response:
        """Newest first, with the trainer's answers; hidden ones for moderators only. Paginated."""
        profile = profiles.get_public_profile(username, request.user)
        page = self.paginate_queryset(profile.ratings)
        context = {**self.get_serializer_context(), "moderator": _is_moderator(request)}
        return self.get_paginated_response(TrainerRatingSerializer(page, many=True, context=context).data)


class RatingsView(TrainersAPIView):
    """Rating a trainer after an interaction (sessions are rated in booking)."""

    @document(request=TrainerRateSerializer, responses={201: TrainerRatingSerializer}, tags=RATINGS)
    def post(self, request) -> Response:
        """Rate one of one's delivered interactions, once: 1-5 stars, an optional comment."""
        data = validated(TrainerRateSerializer, request.data)
        rating = ratings.rate_trainer(request.user, data["activity_id"], data["stars"], data["comment"])
        return Response(TrainerRatingSerializer(rating).data, status=status.HTTP_201_CREATED)


class RateableView(TrainersGenericAPIView):
    """What the requester may still rate."""

    serializer_class = RateableActivitySerializer

    @document(
        parameters=[OpenApiParameter("trainer", str, description="Only this trainer's (a username).")],
        responses=RateableActivitySerializer(many=True),
        tags=RATINGS,
    )
    def get(self, request) -> Response:
        """Delivered interactions not rated yet (not sessions: those are rated in booking), latest first."""
        trainer = None
        username = request.query_params.get("trainer")
        if username:
            trainer = get_user_model().objects.filter(username=username).values_list("pk", flat=True).first()
            if trainer is None:
                raise not_found("trainer")
        page = self.paginate_queryset(ratings.rateable_activities(request.user, trainer))
        return self.get_paginated_response(self.get_serializer(page, many=True).data)


class RatingResponseView(TrainersAPIView):
    """The rated trainer's public answer."""

    @document(
        parameters=[RATING_ID], request=RatingResponseTextSerializer, responses=TrainerRatingSerializer, tags=RATINGS
    )
    def post(self, request, rating_id: int) -> Response:
        """Answer, or change the answer; empty text removes it. The rated trainer only (others: 404)."""
        data = validated(RatingResponseTextSerializer, request.data)
        return Response(TrainerRatingSerializer(ratings.respond_to_rating(request.user, rating_id, data["text"])).data)


class _ModerationView(TrainersAPIView):
    hide = True

    def post(self, request, rating_id: int) -> Response:
        data = validated(RatingModerationReasonSerializer, request.data)
        act = ratings.hide_rating if self.hide else ratings.unhide_rating
        rating = act(request.user, rating_id, data["reason"])
        return Response(TrainerRatingSerializer(rating, context={"moderator": True}).data)


class RatingHideView(_ModerationView):
    """Hide an abusive rating (moderators; a reason is required)."""

    @document(
        parameters=[RATING_ID], request=RatingModerationReasonSerializer, responses=TrainerRatingSerializer,
        tags=RATINGS,
    )
    def post(self, request, rating_id: int) -> Response:
        """It stops showing and counting; the reason is kept."""
        return super().post(request, rating_id)


class RatingUnhideView(_ModerationView):
    """Show a hidden rating again (moderators; a reason is required)."""

    hide = False

    @document(
        parameters=[RATING_ID], request=RatingModerationReasonSerializer, responses=TrainerRatingSerializer,
        tags=RATINGS,
    )
    def post(self, request, rating_id: int) -> Response:
        """It shows and counts again; the reason is kept."""
        return super().post(request, rating_id)


urlpatterns = [
    path("", SearchView.as_view(), name="api-profiles-search"),
    path("skills/", SkillsView.as_view(), name="api-profiles-skills"),
    path("me/profile/", MyProfileView.as_view(), name="api-profiles-me"),
    path("me/skills/", MySkillsView.as_view(), name="api-profiles-my-skills"),
    path("me/photo/", MyPhotoView.as_view(), name="api-profiles-my-photo"),
    path("me/portfolio/", MyPortfolioView.as_view(), name="api-profiles-my-portfolio"),
    path("me/portfolio/<int:item_id>/", MyPortfolioItemView.as_view(), name="api-profiles-my-portfolio-item"),
    path("profiles/<str:username>/", ProfileDetailView.as_view(), name="api-profiles-detail"),
    path("profiles/<str:username>/ratings/", ProfileRatingsView.as_view(), name="api-profiles-ratings"),
    path("ratings/", RatingsView.as_view(), name="api-ratings"),
    path("ratings/rateable/", RateableView.as_view(), name="api-ratings-rateable"),
    path("ratings/<int:rating_id>/response/", RatingResponseView.as_view(), name="api-ratings-response"),
    path("ratings/<int:rating_id>/hide/", RatingHideView.as_view(), name="api-ratings-hide"),
    path("ratings/<int:rating_id>/unhide/", RatingUnhideView.as_view(), name="api-ratings-unhide"),
]
