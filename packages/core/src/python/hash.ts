/** Hashes used for cache keys and file fingerprints. */
import crypto, { createHash } from 'node:crypto';

/** `crypto.hash` (Node >= 20.12): one call, without a Hash object per digest. */
const oneShot = (crypto as { hash?: (algorithm: string, data: string, encoding: 'hex') => string }).hash;

/** Python `hashlib.sha256(text.encode('utf-8')).hexdigest()`. */
export function sha256Hex(text: string): string {
  if (oneShot) return oneShot('sha256', text, 'hex');
  return createHash('sha256').update(text, 'utf8').digest('hex');
}
