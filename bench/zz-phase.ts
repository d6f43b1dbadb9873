import { HuggingFaceTokenizer, encodePair } from '../packages/openai/src/index.ts';
import { longestFirst, truncateForScoring } from '../packages/openai/src/token-requests.ts';
const tok = await HuggingFaceTokenizer.load('/work/main/models/stories260k');
const WORDS = ['Once', 'upon', 'a', 'time', 'there', 'was', 'little', 'girl'];
const reqs = Array.from({ length: 10000 }, (_, i) => ({ context: `${WORDS[i % 8]} ${WORDS[(i * 3) % 8]} story ${i}`, continuation: ' a' }));
for (let r = 0; r < 3; r++) {
  const t0 = performance.now();
  const pairs = await Promise.all(reqs.map((q) => encodePair(tok, q.context, q.continuation, true, 1)));
  const t1 = performance.now();
  const order = longestFirst(pairs);
  const items = pairs.map((p) => truncateForScoring(p, 2047));
  const t2 = performance.now();
  console.log('encode(ms)', (t1 - t0).toFixed(1), 'sort+trunc(ms)', (t2 - t1).toFixed(1), order.length, items.length);
}
