/** Every text of the about page, in one place for translation. */
export const t = {
  pageTitle: (site: string) => `About · ${site}`,
  heading: (site: string) => `About ${site}`,
  lead: (site: string) =>
    `${site} collects observations from anyone, has them checked by several independent volunteers, shows them on a map and publishes them as open data. Every change to what is public is an entry in a signed, append-only record that anyone can copy and check.`,
  dataHeading: 'Open data',
  license: 'Published reports are licensed under',
  noLicense: 'The licence could not be loaded.',
  downloads: 'Download them as',
  apiDocs: 'The whole API is described at',
  recordHeading: 'The public record',
  recordLead:
    'This deployment signs its record with the Ed25519 key below. Keep a copy of the verifier key: if it ever changes, ask why.',
  origin: 'Origin',
  algorithm: 'Algorithm',
  keyName: 'Key name',
  keyId: 'Key ID',
  publicKey: 'Public key (base64)',
  verifierKey: 'Verifier key',
  keyError: 'The key could not be loaded.',
  checkpointHeading: 'Latest checkpoint',
  treeSize: (n: number) =>
    n === 1 ? 'The record holds 1 entry.' : `The record holds ${n.toLocaleString()} entries.`,
  checkpointLead: 'The checkpoint names the size of the record and the root of its Merkle tree, signed:',
  checkpointError: 'The checkpoint could not be loaded.',
  refresh: 'Fetch the latest checkpoint',
  loading: 'Loading…',
  network: 'The server could not be reached. Check your connection and try again.',
  unknown: 'Something went wrong.',
  verifyHeading: 'How to verify',
  verifyLead:
    'Nothing here needs Tally’s code: SHA-256, Ed25519 and base64 are enough. These commands use this deployment’s own address.',
  steps: {
    key: 'Fetch the key. The verifier key is the key name, the key ID in hex and base64 of 0x01 followed by the 32-byte public key.',
    checkpoint:
      'Fetch the checkpoint. Its text is the lines up to the blank line: the origin, the tree size and the base64 root hash. After the blank line comes the signature line, “— name signature”. Decode the signature from base64: the first 4 bytes are the key ID, the other 64 bytes are an Ed25519 signature of the text.',
    keyIdBefore: 'Check that the key ID is the first 4 bytes of SHA-256(',
    keyIdAfter: ' ‖ 0x0A ‖ 0x01 ‖ public key), then check the signature with the public key.',
    entries:
      'Fetch the entries, at most 1000 at a time. For each one, decode “leaf” from base64 and hash it as SHA-256(0x00 ‖ leaf). The leaf is JSON naming the action, the actor, the subject, the time and content_sha256.',
    content:
      'Unless the entry is redacted, decode “content” from base64 and check that its SHA-256, in hex, equals content_sha256 in the leaf. A redacted entry keeps its leaf, so the tree still adds up.',
    tree: 'Rebuild the Merkle tree as RFC 9162 describes: a node is SHA-256(0x01 ‖ left ‖ right), and a tree of n entries splits at the largest power of two smaller than n. The root must equal the checkpoint’s root.',
    consistency:
      'Keep the checkpoints you have checked. Later, ask for a consistency proof between the size you kept and the new size: it shows that the new record only adds to the old one and rewrites nothing.',
    inclusion:
      'To check that one entry, such as a report’s publication, is in the record, ask for its inclusion proof.',
    tools:
      'Or let Tally do it all: “tally mirror” copies a deployment, checks every entry and every checkpoint, and refuses a rewritten history; “tally ledger verify” recomputes the whole record of a deployment from its database and names the first entry that does not match.',
  },
} as const;
