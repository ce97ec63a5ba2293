import { type NoteSigner, type NoteVerifier, openNote, signNote } from './signed-note.js';

/** A tlog checkpoint (https://c2sp.org/tlog-checkpoint): which log, how many entries, and their root. */
export interface Checkpoint {
  origin: string;
  treeSize: number;
  rootHash: Uint8Array;
}

export function checkpointText(checkpoint: Checkpoint): string {
  if (!checkpoint.origin || checkpoint.origin.includes('\n'))
    throw new Error('an origin is one non-empty line');
  return `${checkpoint.origin}\n${checkpoint.treeSize}\n${Buffer.from(checkpoint.rootHash).toString('base64')}\n`;
}

export function signCheckpoint(checkpoint: Checkpoint, signer: NoteSigner): string {
  return signNote(checkpointText(checkpoint), signer);
}

/**
 * Reads a signed checkpoint, or returns null when it is not signed by `verifier`, names another origin, or is
 * not well formed. Extension lines after the root are allowed and ignored.
 */
export function openCheckpoint(note: string, verifier: NoteVerifier, origin: string): Checkpoint | null {
  const text = openNote(note, verifier);
  if (text === null) return null;
  const [line1, sizeLine, rootLine] = text.split('\n');
  if (line1 !== origin || !sizeLine || !/^(0|[1-9]\d{0,15})$/.test(sizeLine) || !rootLine) return null;
  const rootHash = Buffer.from(rootLine, 'base64');
  if (rootHash.length !== 32 || rootHash.toString('base64') !== rootLine) return null;
  return { origin, treeSize: Number(sizeLine), rootHash };
}
