// Offline verifier (and demo signer) for Data Integrity eddsa-rdfc-2022 OpenBadgeCredentials.
//   node verify_vc.mjs verify credential.json     -> exit 0 + "VERIFIED" or exit 1 + errors
//   node verify_vc.mjs sign unsigned.json out.json [seedHex]  (demo: signs with the same library)
// Run with NODE_PATH-independent resolution: keep node_modules in /tmp/ob-research/node (symlinked below).
import {readFileSync, writeFileSync} from 'node:fs';
import {createRequire} from 'node:module';
const require = createRequire(new URL('./node/package.json', import.meta.url));
const load = async name => import(require.resolve(name));

const vc = await load('@digitalcredentials/vc');
const {DataIntegrityProof} = await load('@digitalcredentials/data-integrity');
const {cryptosuite} = await load('@digitalcredentials/eddsa-rdfc-2022-cryptosuite');
const Ed25519Multikey = await load('@digitalcredentials/ed25519-multikey');
const {securityLoader} = await load('@digitalcredentials/security-document-loader');

// Bundled contexts only (VC v1/v2, data-integrity v1/v2, OB 3.0.x, ...) + did:key/did:web resolver.
// fetchRemoteContexts=false => any other http(s) URL throws instead of going to the network.
const loader = securityLoader({fetchRemoteContexts: false});
const documentLoader = loader.build();

// Block all network access defensively.
globalThis.fetch = async url => { throw new Error(`network disabled: ${url}`); };

const [mode, inFile, outFile, seedHex] = process.argv.slice(2);
const doc = JSON.parse(readFileSync(inFile, 'utf8'));

if(mode === 'sign') {
  const seed = seedHex ? Uint8Array.from(Buffer.from(seedHex, 'hex')) : undefined;
  const kp = await Ed25519Multikey.generate(seed ? {seed} : {});
  const did = `did:key:${kp.publicKeyMultibase}`;
  kp.controller = did;
  kp.id = `${did}#${kp.publicKeyMultibase}`;
  doc.issuer = typeof doc.issuer === 'object' ? {...doc.issuer, id: did} : did;
  const suite = new DataIntegrityProof({signer: kp.signer(), cryptosuite});
  const signed = await vc.issue({credential: doc, suite, documentLoader});
  writeFileSync(outFile, JSON.stringify(signed, null, 2));
  console.log(`signed by ${kp.id}`);
} else if(mode === 'verify') {
  const suite = new DataIntegrityProof({cryptosuite});
  const result = await vc.verifyCredential({credential: doc, suite, documentLoader});
  if(result.verified) {
    console.log(`VERIFIED ${inFile} (proof by ${doc.proof?.verificationMethod})`);
    process.exit(0);
  }
  const errs = [result.error, ...(result.results || []).map(r => r.error)].filter(Boolean)
    .flatMap(e => e.errors || [e]);
  console.log(`NOT VERIFIED ${inFile}: ` + [...new Set(errs.map(e => `${e.name}: ${e.message}`))].join(' | '));
  process.exit(1);
} else {
  console.error('usage: verify_vc.mjs verify FILE | sign IN OUT [seedHex]');
  process.exit(2);
}
