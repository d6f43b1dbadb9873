// Preloaded into the benchmarked CLI (node --import): writes the process's peak RSS (KiB) and its
// CPU time (user + system, µs, all threads) at exit.
import { writeFileSync } from 'node:fs';

process.on('exit', () => {
  const u = process.resourceUsage();
  if (process.env.BENCH_RSS_FILE) writeFileSync(process.env.BENCH_RSS_FILE, `${u.maxRSS} ${u.userCPUTime + u.systemCPUTime}`);
});
