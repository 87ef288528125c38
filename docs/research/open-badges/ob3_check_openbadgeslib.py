import json, sys, warnings
from openbadgeslib.ob3.ldp import OB3LdpVerifier
from openbadgeslib.ob3.verifier import OB3VerificationError
for f in sys.argv[1:]:
    try:
        cred = OB3LdpVerifier().verify(open(f).read())   # key resolved from did:key, offline
        print("openbadgeslib OK     ", f, type(cred).__name__)
    except Exception as e:
        print("openbadgeslib FAILED ", f, type(e).__name__, str(e)[:160])
