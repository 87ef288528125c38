"""
The openedx-forum side of ``bench_communities.py``: Django settings for the peer (run with the interpreter of
``scripts/forum_peer.sh``, never the project's) and the search stand-ins its search call needs here.
"""
