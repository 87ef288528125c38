"""
openedx-forum's search backend contract, stood in for: the forum finds the matching thread ids in a search server
(Elasticsearch, Meilisearch or Typesense; none can run here) and then reads those threads from MySQL
(``MySQLBackend.handle_threads_query``) and serialises them. ``THREAD_IDS_FROM`` chooses how the ids are found:

- ``"given"``: the ids the data generator knows contain the term, handed over at no cost: what remains is the
  forum's own MySQL and Python work after an instantaneous search server (a lower bound for the forum's search);
- ``"like"``: a search over the forum's own MySQL tables, what a MySQL-only deployment could do: threads whose
  title or body contains the term, and threads with a comment containing it (``LIKE '%term%'``, two queries; the
  forum's MySQL backend has no text filter of its own).

Documents are never indexed here (the benchmark bulk-inserts, which sends no signals).
"""
from __future__ import annotations

from django.db.models import Q
from forum.search import base

THREAD_IDS_FROM = "given"
GIVEN: dict[str, list[str]] = {}


class BenchThreadSearch(base.BaseThreadSearchBackend):
    """The thread ids of a search, from ``GIVEN`` or from MySQL ``LIKE`` (see the module's docstring)."""

    def get_thread_ids(self, context, group_ids, search_text, sort_criteria=None, commentable_ids=None,
                       course_id=None):
        if THREAD_IDS_FROM == "given":
            return list(GIVEN[search_text])
        from forum.backends.mysql.models import Comment, CommentThread

        threads = CommentThread.objects.filter(context=context)
        comments = Comment.objects.all()
        if course_id:
            threads = threads.filter(course_id=course_id)
            comments = comments.filter(course_id=course_id)
        if commentable_ids:
            threads = threads.filter(commentable_id__in=commentable_ids)
            comments = comments.filter(comment_thread__commentable_id__in=commentable_ids)
        ids = set(threads.filter(Q(title__icontains=search_text) | Q(body__icontains=search_text))
                  .values_list("pk", flat=True))
        ids.update(comments.filter(body__icontains=search_text).values_list("comment_thread_id", flat=True))
        return [str(pk) for pk in ids]

    def get_thread_ids_with_corrected_text(self, context, group_ids, search_text, sort_criteria=None,
                                           commentable_ids=None, course_id=None):
        return []

    def get_suggested_text(self, search_text):
        return None


class _NoDocuments(base.BaseDocumentSearchBackend):
    def index_document(self, index_name, doc_id, document):
        return None

    def update_document(self, index_name, doc_id, update_data):
        return None

    def delete_document(self, index_name, doc_id):
        return None


class _NoIndices(base.BaseIndexSearchBackend):
    def initialize_indices(self, force_new_index=False):
        return None


class BenchSearchBackend(base.BaseSearchBackend):
    DOCUMENT_SEARCH_CLASS = _NoDocuments
    INDEX_SEARCH_CLASS = _NoIndices
    THREAD_SEARCH_CLASS = BenchThreadSearch
