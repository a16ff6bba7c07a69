"""`GET /search/?q=`: the search box's results, scoped like every list (an owner or manager
token: the workspace; a freelancer token: that freelancer's engagements)."""

from django.urls import path
from drf_spectacular.utils import extend_schema, inline_serializer
from rest_framework import serializers
from rest_framework.response import Response
from rest_framework.views import APIView

from engagements.selectors.search import KINDS, Scope, search

from .models import TokenRole
from .permissions import IsWorkspaceMember, token_of
from .schema import errors


class SearchQuerySerializer(serializers.Serializer):
    q = serializers.CharField(max_length=200, help_text="Words; each matches as a prefix. Names also match "
                                                        "when misspelt a little (PostgreSQL).")


class HitSerializer(serializers.Serializer):
    type = serializers.ChoiceField(choices=KINDS)
    id = serializers.IntegerField()
    title = serializers.CharField()
    snippet = serializers.CharField()
    url = serializers.URLField(help_text="The page in the browser (the owner's, or the portal's for a freelancer).")


SearchSerializer = inline_serializer("SearchResults", fields={"results": HitSerializer(many=True)})


class SearchView(APIView):
    permission_classes = [IsWorkspaceMember]

    @extend_schema(operation_id="search", summary="Search by words",
                   description="At most 10 results of each type, grouped by type in the order "
                               "freelancer, engagement, milestone, brief, status_update, message.",
                   parameters=[SearchQuerySerializer], responses={200: SearchSerializer, **errors(400, 404)})
    def get(self, request):
        query = SearchQuerySerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        token = token_of(request)
        freelancer = token.freelancer if token.role == TokenRole.FREELANCER else None
        results = search(q=query.validated_data["q"], scope=Scope(workspace=token.workspace, freelancer=freelancer))
        hits = [{"type": hit.type, "id": hit.id, "title": hit.title, "snippet": hit.snippet,
                 "url": request.build_absolute_uri(hit.url)} for hits in results.values() for hit in hits]
        return Response({"results": HitSerializer(hits, many=True).data})


urlpatterns = [path("search/", SearchView.as_view(), name="search")]
