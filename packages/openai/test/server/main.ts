/**
 * Standalone test server:
 *
 *   node --import tsx packages/openai/test/server/main.ts --port 0 --model models/stories260k \
 *     [--mode vllm|llamacpp|llamacpp-silent|llamacpp-nobias] [--faults SPEC] [--max-model-len N] \
 *     [--error-envelope nested|flat] [--served-model-name NAME] [--tokenizer-info] \
 *     [--api-key KEY] [--reasoning none|inline|field]
 *
 * Prints its URL (`http://127.0.0.1:PORT`) as the first line of stdout, then serves until
 * SIGINT/SIGTERM. Endpoints: /v1/completions, /v1/chat/completions, /v1/models, /tokenize,
 * /detokenize, /health, /tokenizer_info (with --tokenizer-info), /__control/{stats,faults,reset}.
 */
import { startTestServer, type ServerMode } from './server.ts';

function parseArgs(argv: string[]): Record<string, string | true> {
  const out: Record<string, string | true> = {};
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (!a.startsWith('--')) throw new Error(`unexpected argument '${a}'`);
    const eq = a.indexOf('=');
    if (eq > 0) out[a.slice(2, eq)] = a.slice(eq + 1);
    else if (i + 1 < argv.length && !argv[i + 1].startsWith('--')) out[a.slice(2)] = argv[++i];
    else out[a.slice(2)] = true;
  }
  return out;
}

const KNOWN = ['port', 'model', 'mode', 'faults', 'max-model-len', 'error-envelope', 'served-model-name', 'tokenizer-info', 'api-key', 'reasoning'];

async function main(): Promise<void> {
  const args = parseArgs(process.argv.slice(2));
  for (const k of Object.keys(args)) if (!KNOWN.includes(k)) throw new Error(`unknown option --${k} (known: ${KNOWN.map((x) => '--' + x).join(', ')})`);
  if (typeof args.model !== 'string') throw new Error('--model <folder> is required (e.g. models/stories260k)');
  const str = (k: string) => (typeof args[k] === 'string' ? (args[k] as string) : undefined);
  const server = await startTestServer({
    model: args.model,
    port: Number(str('port') ?? 0),
    mode: (str('mode') ?? 'vllm') as ServerMode,
    faults: str('faults'),
    maxModelLen: str('max-model-len') ? Number(str('max-model-len')) : undefined,
    errorEnvelope: (str('error-envelope') ?? 'nested') as 'nested' | 'flat',
    servedModelName: str('served-model-name'),
    tokenizerInfo: args['tokenizer-info'] === true,
    apiKey: str('api-key'),
    reasoning: (str('reasoning') ?? 'none') as 'none' | 'inline' | 'field',
  });
  process.stdout.write(`${server.url}\n`);
  const stop = () => {
    void server.close().then(() => process.exit(0));
  };
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
}

main().catch((e) => {
  process.stderr.write(`test server: ${e instanceof Error ? e.message : String(e)}\n`);
  process.exit(1);
});
