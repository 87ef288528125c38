"""
The corpus of ``bench_communities.py``: one course forum, deterministic from a seed, pure Python (no Django), so that
Mentora's process and openedx-forum's process each build exactly the same data.

``--threads`` threads (10,000 by default) and ten times as many posts in all (100,000): each thread's opening post
and, on average, 9 replies and comments (0 to 18 per thread, a third of them comments on an earlier reply). Authors
are 1,000 learners; the viewer (user id 1) never posted and has read 30 % of the threads (a fifth of those before
their last activity, so unread again). Two threads are pinned. Times spread over 300 days.

Texts are sentences of an everyday course-discussion vocabulary; three search terms that are not in it are planted
into a known number of posts (``SEARCH_TERMS``): a rare one, a medium one and a common one, so that each side's
search can be checked against the same expected counts.
"""
from __future__ import annotations

import random
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

COURSE_ID = "course-v1:BenchOrg+FORUM101+2026"
TOPIC_ID = "bench-discussion"  # the forum's commentable id on openedx-forum's side
VIEWER_ID = 1
AUTHORS = 1_000
PAGE_SIZE = 20
BASE_TIME = datetime(2026, 1, 1, tzinfo=UTC)

# Planted search terms: (term, share of posts that contain it). Not in the vocabulary below.
SEARCH_TERMS = (("kaleidoscope", 0.0002), ("photosynthesis", 0.003), ("spreadsheet", 0.03))

_VOCABULARY = """
the a an and or but so because if when while after before since until although though this that these those
i you we they he she it my your our their his her its me us them what which who how why where there here
is are was were be been being have has had do does did can could would should will shall may might must
not no yes very really quite just also only still even again already almost always never often sometimes
course lesson module unit chapter week assignment exercise quiz exam project deadline grade score feedback
question answer reply comment thread topic discussion forum post example problem solution idea point step
learner student trainer teacher mentor group team classmate everyone someone anyone people friend
read write think understand explain show help try start finish submit check review compare test solve
learn study practice remember forget miss need want like prefer suggest agree disagree wonder hope
video slide note reading article book chapter page section figure table chart graph diagram formula
data value number result method approach process model theory concept definition rule case reason
first second third last next previous final main simple clear hard easy difficult interesting useful
good better best great nice wrong right correct different same similar important possible likely
time day hour minute today tomorrow yesterday morning evening weekend schedule session meeting call
share link source reference file upload download version draft copy format template summary outline
thanks thank please sorry hello hi welcome congratulations great job well done good luck cheers
"""
_WORDS = _VOCABULARY.split()


@dataclass
class Post:
    index: int          # 0-based over the whole corpus; Mentora's Post id is index + 1
    thread: int         # thread index; the thread's id on both sides is thread + 1
    author: int         # user id
    body: str
    created: datetime
    opening: bool = False
    parent: int | None = None   # the replied-to post's index, for a comment


@dataclass
class Thread:
    index: int
    author: int
    title: str
    created: datetime
    last_activity_at: datetime
    pinned: bool
    posts: list[Post] = field(default_factory=list)   # opening first, then replies and comments by time

    @property
    def reply_count(self) -> int:
        return len(self.posts) - 1


@dataclass
class Corpus:
    threads: list[Thread]
    posts: list[Post]
    reads: dict[int, datetime]          # thread index -> when the viewer last read it
    term_posts: dict[str, set[int]]     # term -> indexes of the posts containing it
    term_threads: dict[str, set[int]]   # term -> indexes of the threads with a post containing it

    def first_page(self) -> list[int]:
        """The thread indexes of the first page: pinned first, then by last activity (the newest first)."""
        ordered = sorted(self.threads, key=lambda thread: (not thread.pinned, -thread.last_activity_at.timestamp(),
                                                           -thread.index))
        return [thread.index for thread in ordered[:PAGE_SIZE]]

    def unread(self, thread: Thread) -> bool:
        read = self.reads.get(thread.index)
        return read is None or read < thread.last_activity_at


def _sentence(rng: random.Random) -> str:
    words = rng.choices(_WORDS, k=rng.randint(6, 16))
    return " ".join(words).capitalize() + rng.choice(".?!.")


def _text(rng: random.Random, sentences: tuple[int, int]) -> str:
    return " ".join(_sentence(rng) for _ in range(rng.randint(*sentences)))


def build(threads: int, seed: int = 2026) -> Corpus:
    """The corpus for ``threads`` threads (ten posts per thread on average, opening included)."""
    rng = random.Random(seed)
    extra = [rng.randint(0, 18) for _ in range(threads)]
    # Exactly nine replies and comments per thread on average: trim or pad at random threads.
    target = 9 * threads
    while sum(extra) != target:
        index = rng.randrange(threads)
        if sum(extra) > target and extra[index] > 0:
            extra[index] -= 1
        elif sum(extra) < target and extra[index] < 18:
            extra[index] += 1
    pinned = set(rng.sample(range(threads), min(2, threads)))
    corpus_threads: list[Thread] = []
    posts: list[Post] = []
    span = 300 * 24 * 60
    for index in range(threads):
        created = BASE_TIME + timedelta(minutes=rng.randrange(span))
        author = 2 + rng.randrange(AUTHORS)
        title = " ".join(rng.choices(_WORDS, k=rng.randint(4, 10))).capitalize() + "?"
        thread = Thread(index, author, title, created, created, index in pinned)
        opening = Post(len(posts), index, author, _text(rng, (2, 6)), created, opening=True)
        posts.append(opening)
        thread.posts.append(opening)
        at = created
        replies: list[int] = []
        for _ in range(extra[index]):
            at += timedelta(minutes=rng.randint(1, 3 * 24 * 60))
            parent = rng.choice(replies) if replies and rng.random() < 1 / 3 else None
            post = Post(len(posts), index, 2 + rng.randrange(AUTHORS), _text(rng, (1, 5)), at, parent=parent)
            if parent is None:
                replies.append(post.index)
            posts.append(post)
            thread.posts.append(post)
        thread.last_activity_at = at
        corpus_threads.append(thread)

    term_posts: dict[str, set[int]] = {}
    for term, share in SEARCH_TERMS:
        chosen = set(rng.sample(range(len(posts)), max(1, round(share * len(posts)))))
        for post_index in chosen:
            post = posts[post_index]
            words = post.body.split(" ")
            words.insert(rng.randrange(len(words) + 1), term)
            post.body = " ".join(words)
        term_posts[term] = chosen
    term_threads = {term: {posts[index].thread for index in chosen} for term, chosen in term_posts.items()}

    reads: dict[int, datetime] = {}
    for index in rng.sample(range(threads), round(0.3 * threads)):
        thread = corpus_threads[index]
        if rng.random() < 0.2 and thread.reply_count:
            reads[index] = thread.posts[-1].created - timedelta(minutes=1)   # read before the last reply: unread
        else:
            reads[index] = thread.last_activity_at
    return Corpus(corpus_threads, posts, reads, term_posts, term_threads)


def username(user_id: int) -> str:
    return "viewer" if user_id == VIEWER_ID else f"learner{user_id - 2:04d}"
