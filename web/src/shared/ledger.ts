/** Small helpers for the public record as the browser reads it. */

/** The tree size in a checkpoint note (its second line), or null when the text is not a checkpoint. */
export function checkpointSize(note: string): number | null {
  const line = note.split('\n')[1] ?? '';
  return /^\d+$/.test(line) ? Number(line) : null;
}

/** The canonical JSON an entry carries (base64 of UTF-8), or null when redacted or unreadable. */
export function entryContent<T>(content: string | null): T | null {
  if (!content) return null;
  try {
    const bytes = Uint8Array.from(atob(content), (c) => c.charCodeAt(0));
    return JSON.parse(new TextDecoder().decode(bytes)) as T;
  } catch {
    return null;
  }
}

export function inclusionProofUrl(index: number, treeSize: number): string {
  return `/api/v1/ledger/proofs/inclusion?index=${index}&tree_size=${treeSize}`;
}

export function entryUrl(index: number): string {
  return `/api/v1/ledger/entries?start=${index}&end=${index + 1}`;
}

export function reportPageUrl(id: string | number): string {
  return `/reports/${encodeURIComponent(String(id))}`;
}
