"""VC-JWT (OB 3.0 §8.2.4.1 native: payload = credential + iss/nbf/jti[/sub]) signed with PyJWT EdDSA,
verified by openbadgeslib.ob3.verifier.OB3Verifier (independent code path)."""
import base64, json, time, jwt
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from cryptography.hazmat.primitives import serialization
from openbadgeslib.ob3.verifier import OB3Verifier, OB3VerificationError

sk = Ed25519PrivateKey.generate()
pub_pem = sk.public_key().public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo)
cred = json.load(open("vc/unsigned.json"))
cred["issuer"]["id"] = "https://lms.example.org/openbadges/v3/issuers/example-university"
now = int(time.time())
payload = dict(cred, iss=cred["issuer"]["id"], nbf=now - 60, iat=now - 60, jti=cred["id"])
token = jwt.encode(payload, sk, algorithm="EdDSA", headers={"typ": "JWT"})

def check(label, tok, **kw):
    try:
        c = OB3Verifier(pub_pem).verify(tok, **kw)
        print("%-28s VERIFIED (%s)" % (label, type(c).__name__))
    except OB3VerificationError as e:
        print("%-28s REJECTED: %s" % (label, e))

check("jwt ok", token)
h, p, s = token.split(".")
d = json.loads(base64.urlsafe_b64decode(p + "=="))
d["credentialSubject"]["achievement"]["name"] = "Python 999"
p2 = base64.urlsafe_b64encode(json.dumps(d).encode()).rstrip(b"=").decode()
check("jwt tampered payload", ".".join([h, p2, s]))
check("jwt other key", jwt.encode(payload, Ed25519PrivateKey.generate(), algorithm="EdDSA"))
check("jwt expired", jwt.encode(dict(payload, exp=now - 10), sk, algorithm="EdDSA"))
