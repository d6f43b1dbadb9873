import { expect, it } from 'vitest';
import { sha256Hex } from './hash.ts';

it('sha256Hex hashes the UTF-8 bytes (vectors from Python hashlib)', () => {
  expect(sha256Hex('')).toBe('e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855');
  expect(sha256Hex('Да 😀')).toBe('f1779907ad61d17d22cf5866f08eb83177dea158a3a06462d0b40d5d2c1e4526');
});
