"""
Communities at scale: the first page of a course forum holding 100,000 posts, and a search over them, on MariaDB,
side by side in the same run on the same data with openedx-forum 0.6.0 (the Open edX forum backend, MySQL storage).

Target (issue 7, "Measured"): faster than openedx-forum; /work/shared/PERFORMANCE.md aims at >= 100x for the first
page, with a constant number of queries whatever the forum's size.

How (three processes, one MariaDB server: ``scripts/mariadb.sh``, 127.0.0.1:3307, started unless it runs and then
stopped at the end only if this script started it):

1. the parent builds the peer's venv (``scripts/forum_peer.sh``: ``.cache/venv-forum-peer``, Python 3.12, never the
   project's .venv) and starts two children, each building the same corpus from the same seed
   (``benchmarks/communities_data.py``: ``--threads`` threads, ten posts per thread in all, 1,000 authors, the
   viewer's read marks, three planted search terms with known counts) and bulk-inserting it, untimed:

   - Mentora (the project's venv, ``tests.settings_mariadb``, database ``test_mentora_bench_communities``):
     the course's space (``access.space_for``) and one thematic forum, ``Thread`` rows with their ``reply_count``
     and ``last_activity_at``, ``Post`` rows (openings, replies, comments) with ``search_text``, the viewer's
     ``ThreadRead`` marks; the viewer and the authors enrolled through the host projection;
   - openedx-forum (its venv, ``benchmarks/forum_peer/settings.py``, database
     ``test_mentora_bench_forum_peer``): ``CommentThread`` rows (the opening post is the thread's body), ``Comment``
     rows (responses at depth 0, comments at depth 1 with ``parent``, ``child_count``, ``sort_key``), the viewer's
     ``ReadState`` and ``LastReadTime`` rows; the same ids, authors, texts and times;

2. after a warm-up of each call, the parent alternates the two sides, ``--runs`` rounds, each call timed in its own
   process (``perf_counter_ns``) with its SQL statements counted (a connection execute wrapper), each Mentora call
   starting with an empty request cache as a request does:

   - the first page (20 threads, pinned first then by last activity, with author, reply count and unread flag):
     Mentora ``listing.forum_page(viewer, forum_id, page=1, page_size=20)`` against
     ``forum.api.get_user_threads(course_id, user_id, sort_key="activity", page=1, per_page=20)``, the call the
     LMS's discussion API makes (``Thread.search`` without text) for a course's thread list with read states;
   - search, for each planted term: Mentora ``listing.search(viewer, course_key, term)`` (MariaDB FULLTEXT, first
     page of 20 threads) against ``forum.api.search_threads(text=term, user_id, course_id, sort_key="activity")``.
     openedx-forum finds the matching thread ids in a search server (Elasticsearch, Meilisearch or Typesense),
     none of which can run here; its MySQL backend has no text filter. It is measured twice
     (``benchmarks/forum_peer/search.py``): "ids given" hands it the matching thread ids at no cost (a search
     server answering in zero time: the forum's own MySQL and Python work, a lower bound of its search), and
     "MySQL LIKE" finds them in its own tables (``title``/``body`` ``LIKE '%term%'`` on threads and comments:
     what a MySQL-only deployment could do).

Each answer is checked: the first page's thread ids and unread flags are the corpus's own on both sides.

    .venv/bin/python benchmarks/bench_communities.py                   # 10,000 threads, 100,000 posts, 21 runs
    .venv/bin/python benchmarks/bench_communities.py --threads 1000 --runs 5   # a quick look
"""
from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from benchmarks import communities_data, mariadb_server  # noqa: E402 - after the path is set
from benchmarks.harness import StatementCounter, figures, log  # noqa: E402

MENTORA_DATABASE = "test_mentora_bench_communities"
PEER_DATABASE = "test_mentora_bench_forum_peer"
BATCH = 2_000
PEER_SEARCH_CAP = 1_000  # FORUM_MAX_DEEP_SEARCH_COMMENT_COUNT: the most hits the forum asks its search server for


# --- the parent ------------------------------------------------------------------------------------------------------


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n", 1)[0])
    parser.add_argument("--threads", type=int, default=10_000, help="threads (ten posts per thread in all)")
    parser.add_argument("--runs", type=int, default=21, help="timed rounds after a warm-up; medians reported")
    parser.add_argument("--seed", type=int, default=2026)
    parser.add_argument("--json", help="also write the figures to this file")
    parser.add_argument("--child", choices=("mentora", "peer"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        child(args)
        return
    with mariadb_server.running():
        peer_python = subprocess.run([str(ROOT / "scripts" / "forum_peer.sh")], cwd=ROOT, check=True,
                                     stdout=subprocess.PIPE, text=True).stdout.strip().splitlines()[-1]
        results = compare(args, peer_python)
    report(args, results)
    if args.json:
        Path(args.json).write_text(json.dumps(results, indent=2, default=str), encoding="utf-8")


class Child:
    """A child process answering one JSON line per command on its standard output."""

    def __init__(self, name: str, python: str, args) -> None:
        self.name = name
        command = [python, str(Path(__file__).resolve()), f"--child={name}", f"--threads={args.threads}",
                   f"--seed={args.seed}"]
        self.process = subprocess.Popen(command, cwd=ROOT, stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True,
                                        env={**os.environ, "PYTHONUNBUFFERED": "1"})

    def read(self) -> dict:
        line = self.process.stdout.readline()
        if not line:
            raise SystemExit(f"the {self.name} child ended (exit {self.process.wait()})")
        return json.loads(line)

    def call(self, command: str) -> dict:
        self.process.stdin.write(command + "\n")
        self.process.stdin.flush()
        return self.read()

    def close(self) -> None:
        if self.process.poll() is None:
            try:
                self.process.stdin.write("quit\n")
                self.process.stdin.flush()
                self.process.wait(timeout=120)
            except (BrokenPipeError, subprocess.TimeoutExpired):
                self.process.kill()


def compare(args, peer_python: str) -> dict:
    corpus = communities_data.build(args.threads, args.seed)
    terms = [term for term, _share in communities_data.SEARCH_TERMS]
    calls = {"page": ("page", "page")}
    for term in terms:
        calls[f"search {term}"] = (f"search {term}", f"search-given {term}")
        calls[f"search {term} (peer: MySQL LIKE)"] = (None, f"search-like {term}")
    load_before = os.getloadavg()[0]
    mentora = Child("mentora", sys.executable, args)
    peer = Child("peer", peer_python, args)
    try:
        ready = {"mentora": mentora.read(), "peer": peer.read()}
        for side, answer in ready.items():
            log(f"[{side}] {answer['server']}: loaded {answer['threads']} threads, {answer['posts']} posts "
                f"in {answer['load_seconds']:.0f} s")
        timings = {name: {"mentora": ([], []), "peer": ([], [])} for name in calls}
        answers = {name: {} for name in calls}
        for round_ in range(args.runs + 1):   # round 0 is the warm-up
            for name, (mentora_command, peer_command) in calls.items():
                sides = [("mentora", mentora, mentora_command), ("peer", peer, peer_command)]
                if round_ % 2:
                    sides.reverse()
                for side, process, command in sides:
                    if command is None:
                        continue
                    answer = process.call(command)
                    if round_:
                        timings[name][side][0].append(answer["ns"])
                        timings[name][side][1].append(answer["statements"])
                    answers[name][side] = answer["answer"]
            log(f"round {round_}/{args.runs} done")
        load_after = os.getloadavg()[0]
        # Untimed, once: each call's statements as SQL (in the --json file), to see where the time goes.
        statements = {name: {side: process.call("sql " + command)["answer"]
                             for side, process, command in (("mentora", mentora, mentora_command),
                                                            ("peer", peer, peer_command)) if command}
                      for name, (mentora_command, peer_command) in calls.items()}
    finally:
        mentora.close()
        peer.close()

    checks = check_answers(corpus, answers, terms)
    return {
        "threads": args.threads,
        "posts": len(corpus.posts),
        "runs": args.runs,
        "servers": {side: ready[side]["server"] for side in ready},
        "load_seconds": {side: ready[side]["load_seconds"] for side in ready},
        "terms": {term: {"posts": len(corpus.term_posts[term]), "threads": len(corpus.term_threads[term])}
                  for term in terms},
        "figures": {
            name: {side: figures(*timings[name][side]) for side in ("mentora", "peer") if timings[name][side][0]}
            for name in calls
        },
        "answers": answers,
        "load_average": {"before": load_before, "after_timing": load_after},
        "checks": checks,
        "sql": statements,
    }


def check_answers(corpus: communities_data.Corpus, answers: dict, terms: list[str]) -> dict:
    """Whether each side answered what the corpus says (a wrong answer fast is no result): name -> verdict."""
    first = [corpus.threads[index] for index in corpus.first_page()]
    expected = {"ids": [thread.index + 1 for thread in first], "unread": [corpus.unread(thread) for thread in first],
                "replies": [thread.reply_count for thread in first],
                "authors": [communities_data.username(thread.author) for thread in first]}
    checks = {}
    for side in ("mentora", "peer"):
        page = answers["page"][side]
        checks[f"page {side}"] = all(page[key] == value for key, value in expected.items())
    for term in terms:
        matching = {index + 1 for index in corpus.term_threads[term]}
        want = min(len(matching), communities_data.PAGE_SIZE)
        for name, side in ((f"search {term}", "mentora"), (f"search {term}", "peer"),
                           (f"search {term} (peer: MySQL LIKE)", "peer")):
            answer = answers[name][side]
            checks[f"{name} {side}"] = len(answer["ids"]) == want and set(answer["ids"]) <= matching
    for name, verdict in checks.items():
        if not verdict:
            log(f"WARNING: {name} does not answer what the corpus says")
    return checks


def report(args, results: dict) -> None:
    print(f"\n{results['servers']['mentora']}; {results['threads']:,} threads, {results['posts']:,} posts; "
          f"{results['runs']} runs each, alternating; loaded in {results['load_seconds']['mentora']:.0f} s (Mentora), "
          f"{results['load_seconds']['peer']:.0f} s (openedx-forum)")
    print(f"  load average (1 min, {os.cpu_count()} cores): {results['load_average']['before']:.2f} before, "
          f"{results['load_average']['after_timing']:.2f} after the timed rounds")
    for term, counts in results["terms"].items():
        print(f"  term {term!r}: in {counts['posts']} posts of {counts['threads']} threads")
    print(f"\n{'call':<44} {'side':<14} {'median':>10} {'p90':>10} {'statements':>11} {'answer':>26}")
    for name, sides in results["figures"].items():
        for side, row in sides.items():
            answer = results["answers"][name][side]
            summary = f"{answer.get('items')} items" + (f", total {answer['total']}" if "total" in answer else "")
            label = "openedx-forum" if side == "peer" else "Mentora"
            print(f"{name:<44} {label:<14} {row['median_ms']:>8.2f}ms {row['p90_ms']:>8.2f}ms "
                  f"{row['statements']:>11} {summary:>26}")
        if len(sides) == 2:
            ratio = sides["peer"]["median_ms"] / sides["mentora"]["median_ms"]
            print(f"{'':<44} {'peer/Mentora':<14} {ratio:>9.1f}x")
    failed = [name for name, verdict in results["checks"].items() if not verdict]
    print("\nanswers checked against the corpus (first page: the same 20 threads, unread flags, reply counts and "
          "authors; search: a full page of threads that hold the term): "
          + ("all right" if not failed else "WRONG: " + ", ".join(failed)))


# --- the children ----------------------------------------------------------------------------------------------------


def child(args) -> None:
    corpus = communities_data.build(args.threads, args.seed)
    if args.child == "mentora":
        from benchmarks import harness

        harness.run_in_django("mariadb", MENTORA_DATABASE, lambda: MentoraSide(corpus).serve())
        return
    os.environ["DJANGO_SETTINGS_MODULE"] = "benchmarks.forum_peer.settings"
    os.environ["BENCH_FORUM_PEER_DATABASE"] = PEER_DATABASE
    mariadb_server.create_database(PEER_DATABASE)
    import django

    django.setup()
    try:
        PeerSide(corpus).serve()
    finally:
        from django.db import connections

        connections.close_all()
        mariadb_server.drop_database(PEER_DATABASE)


class Side:
    """What both children do: migrate, load (untimed), then answer timed calls until told to quit."""

    name = ""
    tables: tuple[str, ...] = ()

    def __init__(self, corpus: communities_data.Corpus) -> None:
        self.corpus = corpus

    def serve(self) -> None:
        from django.core.management import call_command
        from django.db import connection

        began = time.perf_counter()
        call_command("migrate", verbosity=0)
        self.load()
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE TABLE " + ", ".join(self.tables))
            cursor.fetchall()
            cursor.execute("SELECT VERSION()")
            server = f"MariaDB {cursor.fetchone()[0]}"
        self.say({"server": server, "threads": len(self.corpus.threads), "posts": len(self.corpus.posts),
                  "load_seconds": time.perf_counter() - began})
        counter = StatementCounter()
        for line in sys.stdin:
            command, _, argument = line.strip().partition(" ")
            if command == "quit":
                return
            if command == "sql":
                command, _, argument = argument.partition(" ")
                from django.test.utils import CaptureQueriesContext

                self.before_call()
                with CaptureQueriesContext(connection) as queries:
                    call = self.calls()[command]
                    call(argument) if argument else call()
                self.say({"answer": [query["sql"] for query in queries.captured_queries]})
                continue
            call = self.calls()[command]
            self.before_call()
            with connection.execute_wrapper(counter):
                before = counter.count
                began_ns = time.perf_counter_ns()
                result = call(argument) if argument else call()
                elapsed = time.perf_counter_ns() - began_ns
                statements = counter.count - before
            self.say({"ns": elapsed, "statements": statements, "answer": self.summary(command, result)})

    @staticmethod
    def say(payload: dict) -> None:
        sys.stdout.write(json.dumps(payload, default=str) + "\n")
        sys.stdout.flush()

    def before_call(self) -> None:
        pass

    def calls(self) -> dict:
        raise NotImplementedError

    def load(self) -> None:
        raise NotImplementedError

    def summary(self, command: str, result) -> dict:
        raise NotImplementedError


class MentoraSide(Side):
    name = "mentora"
    tables = ("mentora_communities_thread", "mentora_communities_post", "mentora_communities_threadread",
              "mentora_communities_forum", "mentora_communities_space", "auth_user", "mentora_host_enrollment")

    def load(self) -> None:
        from html import escape

        from django.contrib.auth import get_user_model
        from django.utils import timezone

        from mentora_plugin.communities import access
        from mentora_plugin.communities.models import Forum, Post, Thread, ThreadRead
        from mentora_plugin.host import api as host_api
        from mentora_plugin.host.data import EnrollmentRecord

        corpus = self.corpus
        now = timezone.now()
        user_model = get_user_model()
        user_ids = range(1, communities_data.AUTHORS + 2)
        user_model.objects.bulk_create(
            [user_model(id=user_id, username=communities_data.username(user_id), first_name="Learner",
                        last_name=str(user_id), email=f"{communities_data.username(user_id)}@example.com")
             for user_id in user_ids], batch_size=BATCH)
        self.viewer = user_model.objects.get(pk=communities_data.VIEWER_ID)
        host_api.record_course(communities_data.COURSE_ID, now, title="Forum at scale")
        self.course = host_api.parse_course_key(communities_data.COURSE_ID)
        host_api.bulk_record_enrollments(
            [EnrollmentRecord(user_id=user_id, course_key=self.course, mode="verified", is_active=True)
             for user_id in user_ids], now)
        space = access.space_for(self.course)
        forum = Forum.objects.create(space=space, kind=Forum.Kind.DISCUSSION, title="Course discussion", position=2)
        self.forum_id = forum.pk
        Thread.objects.bulk_create(
            [Thread(id=thread.index + 1, forum=forum, author_id=thread.author, title=thread.title,
                    created=thread.created, last_activity_at=thread.last_activity_at,
                    reply_count=thread.reply_count, pinned=thread.pinned)
             for thread in corpus.threads], batch_size=BATCH)
        titles = {thread.index: thread.title for thread in corpus.threads}
        for start in range(0, len(corpus.posts), BATCH):
            Post.objects.bulk_create([
                Post(id=post.index + 1, thread_id=post.thread + 1,
                     parent_id=post.parent + 1 if post.parent is not None else None, author_id=post.author,
                     is_opening=post.opening, body=post.body, html=f"<p>{escape(post.body)}</p>",
                     search_text=f"{titles[post.thread]}\n{post.body}" if post.opening else post.body,
                     created=post.created)
                for post in corpus.posts[start:start + BATCH]])
        ThreadRead.objects.bulk_create(
            [ThreadRead(user_id=communities_data.VIEWER_ID, thread_id=index + 1, read_at=read_at)
             for index, read_at in corpus.reads.items()], batch_size=BATCH)

    def before_call(self) -> None:
        from edx_django_utils.cache import RequestCache

        RequestCache.clear_all_namespaces()  # each call as a new request: roles read again

    def calls(self) -> dict:
        from mentora_plugin.communities import listing

        return {
            "page": lambda: listing.forum_page(self.viewer, self.forum_id, page=1, page_size=20),
            "search": lambda term: listing.search(self.viewer, self.course, term),
        }

    def summary(self, command: str, result) -> dict:
        if command == "page":
            return {"items": len(result.threads), "ids": [thread.id for thread in result.threads],
                    "unread": [thread.unread for thread in result.threads],
                    "replies": [thread.reply_count for thread in result.threads],
                    "authors": [thread.author.username if thread.author else None for thread in result.threads]}
        return {"items": len(result.hits), "has_next": result.has_next,
                "ids": [hit.thread.id for hit in result.hits]}


class PeerSide(Side):
    name = "peer"
    tables = ("forum_commentthread", "forum_comment", "forum_readstate", "forum_lastreadtime", "auth_user")

    def load(self) -> None:
        from django.contrib.auth.models import User
        from forum.backends.mysql.models import Comment, CommentThread, Content, LastReadTime, ReadState

        corpus = self.corpus
        # Content.created_at / updated_at are auto_now(_add): switched off while loading, so the rows carry the
        # corpus's times (as a long-lived forum's do) rather than the loading time.
        for model in (Content, CommentThread, Comment):
            for name in ("created_at", "updated_at"):
                model._meta.get_field(name).auto_now = model._meta.get_field(name).auto_now_add = False
        User.objects.bulk_create(
            [User(id=user_id, username=communities_data.username(user_id), first_name="Learner",
                  last_name=str(user_id), email=f"{communities_data.username(user_id)}@example.com")
             for user_id in range(1, communities_data.AUTHORS + 2)], batch_size=BATCH)
        course = communities_data.COURSE_ID
        CommentThread.objects.bulk_create(
            [CommentThread(id=thread.index + 1, author_id=thread.author,
                           author_username=communities_data.username(thread.author), course_id=course,
                           body=thread.posts[0].body, title=thread.title, thread_type="discussion",
                           context="course", commentable_id=communities_data.TOPIC_ID, pinned=thread.pinned,
                           last_activity_at=thread.last_activity_at, created_at=thread.created,
                           updated_at=thread.last_activity_at)
             for thread in corpus.threads], batch_size=BATCH)
        # Comment ids in corpus order (openings are the threads themselves).
        comment_id: dict[int, int] = {}
        children: dict[int, int] = {}
        for post in corpus.posts:
            if not post.opening:
                comment_id[post.index] = len(comment_id) + 1
                if post.parent is not None:
                    children[post.parent] = children.get(post.parent, 0) + 1
        rows = []
        for post in corpus.posts:
            if post.opening:
                continue
            pk = comment_id[post.index]
            parent = comment_id[post.parent] if post.parent is not None else None
            rows.append(Comment(
                id=pk, comment_thread_id=post.thread + 1, parent_id=parent, depth=1 if parent else 0,
                child_count=children.get(post.index, 0), sort_key=f"{parent}-{pk}" if parent else str(pk),
                course_id=course, body=post.body, author_id=post.author,
                author_username=communities_data.username(post.author), created_at=post.created,
                updated_at=post.created))
            if len(rows) == BATCH:
                Comment.objects.bulk_create(rows)
                rows = []
        Comment.objects.bulk_create(rows)
        read_state = ReadState.objects.create(user_id=communities_data.VIEWER_ID, course_id=course)
        LastReadTime.objects.bulk_create(
            [LastReadTime(read_state=read_state, comment_thread_id=index + 1, timestamp=read_at)
             for index, read_at in corpus.reads.items()], batch_size=BATCH)
        from benchmarks.forum_peer import search

        search.GIVEN.update({
            term: [str(index + 1) for index in sorted(indexes, key=lambda i: -corpus.threads[i].last_activity_at
                                                       .timestamp())][:PEER_SEARCH_CAP]
            for term, indexes in corpus.term_threads.items()
        })

    def calls(self) -> dict:
        from forum import api as forum_api

        from benchmarks.forum_peer import search

        viewer = str(communities_data.VIEWER_ID)
        course = communities_data.COURSE_ID

        def page():
            return forum_api.get_user_threads(course_id=course, user_id=viewer, sort_key="activity", page="1",
                                              per_page="20")

        def searching(mode):
            def call(term):
                search.THREAD_IDS_FROM = mode
                return forum_api.search_threads(text=term, user_id=viewer, course_id=course, sort_key="activity",
                                                page=1, per_page=20)
            return call

        return {"page": page, "search-given": searching("given"), "search-like": searching("like")}

    def summary(self, command: str, result) -> dict:
        collection = result.get("collection", [])
        answer = {"items": len(collection), "ids": [int(thread["id"]) for thread in collection],
                  "total": result.get("thread_count")}
        if command == "page":
            answer.update({"unread": [not thread["read"] for thread in collection],
                           "replies": [thread.get("comments_count") for thread in collection],
                           "authors": [thread.get("username") for thread in collection]})
        return answer


if __name__ == "__main__":
    main()
