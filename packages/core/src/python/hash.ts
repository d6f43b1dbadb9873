/** Hashes used for cache keys and file fingerprints. */
import { createHash } from 'node:crypto';

/** Python `hashlib.sha256(text.encode('utf-8')).hexdigest()`. */
export function sha256Hex(text: string): string {
  return createHash('sha256').update(text, 'utf8').digest('hex');
}
