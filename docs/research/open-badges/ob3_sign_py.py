"""Sign an OpenBadgeCredential with eddsa-rdfc-2022 in pure Python (pyld URDNA2015/RDFC-1.0 +
cryptography Ed25519 + hand-written base58btc), issuer = did:key. Contexts served from local files.
usage: python ob3_sign_py.py unsigned.json out.json [seedHex]
"""
import datetime
import hashlib
import json
import os
import sys

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from cryptography.hazmat.primitives import serialization
from pyld import jsonld

CTX_DIR = os.path.join(os.path.dirname(os.path.abspath(__file__)), "contexts")
CTX_INDEX = json.load(open(os.path.join(CTX_DIR, "index.json")))


def local_loader(url, options=None):
    if url not in CTX_INDEX:
        raise jsonld.JsonLdError("offline: no local copy of %s" % url, "jsonld.LoadDocumentError",
                                 code="loading document failed")
    with open(os.path.join(CTX_DIR, CTX_INDEX[url])) as f:
        return {"contextUrl": None, "documentUrl": url, "document": json.load(f)}


B58 = "123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz"


def b58btc(data: bytes) -> str:
    n = int.from_bytes(data, "big")
    out = ""
    while n:
        n, r = divmod(n, 58)
        out = B58[r] + out
    return "1" * (len(data) - len(data.lstrip(b"\0"))) + out


def canon(doc):
    return jsonld.normalize(doc, {"algorithm": "URDNA2015", "format": "application/n-quads",
                                  "documentLoader": local_loader, "safe": True})


def sign(credential, sk: Ed25519PrivateKey):
    pub = sk.public_key().public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
    mb = "z" + b58btc(b"\xed\x01" + pub)               # multicodec ed25519-pub + base58btc
    did = "did:key:" + mb
    cred = json.loads(json.dumps(credential))
    if isinstance(cred.get("issuer"), dict):
        cred["issuer"]["id"] = did
    else:
        cred["issuer"] = did
    cred.pop("proof", None)
    proof_config = {
        "@context": cred["@context"],
        "type": "DataIntegrityProof",
        "cryptosuite": "eddsa-rdfc-2022",
        "created": datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ"),
        "verificationMethod": did + "#" + mb,
        "proofPurpose": "assertionMethod",
    }
    hash_data = (hashlib.sha256(canon(proof_config).encode()).digest()
                 + hashlib.sha256(canon(cred).encode()).digest())
    proof = {k: v for k, v in proof_config.items() if k != "@context"}
    proof["proofValue"] = "z" + b58btc(sk.sign(hash_data))
    cred["proof"] = proof
    return cred, sk


if __name__ == "__main__":
    src, dst = sys.argv[1], sys.argv[2]
    seed = bytes.fromhex(sys.argv[3]) if len(sys.argv) > 3 else os.urandom(32)
    sk = Ed25519PrivateKey.from_private_bytes(seed)
    signed, _ = sign(json.load(open(src)), sk)
    json.dump(signed, open(dst, "w"), indent=2)
    pem = sk.public_key().public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo)
    open(dst + ".pub.pem", "wb").write(pem)
    print("signed", dst, "by", signed["proof"]["verificationMethod"])
