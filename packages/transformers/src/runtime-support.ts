/**
 * What `--model hf` can run before anything is loaded: the devices onnxruntime-node offers here,
 * and whether a model folder has the ONNX weights transformers.js needs. Both answer at once with
 * the alternatives, instead of failing deep inside a load.
 */
import { existsSync, readdirSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { LmEvalError } from '@lm-eval/core/light';

/** onnxruntime-node's native folder (it ships inside @huggingface/transformers' dependencies), or null. */
function onnxruntimeBinDir(): string | null {
  try {
    const fromTransformers = createRequire(createRequire(import.meta.url).resolve('@huggingface/transformers'));
    const main = fromTransformers.resolve('onnxruntime-node');
    const bin = path.join(path.dirname(main), '..', 'bin', 'napi-v6', process.platform, process.arch);
    return existsSync(bin) ? bin : null;
  } catch {
    return null;
  }
}

/** Whether onnxruntime-node's CUDA execution provider is installed (its libraries sit next to the binding). */
export function cudaProviderInstalled(): boolean {
  const bin = onnxruntimeBinDir();
  return bin !== null && readdirSync(bin).some((f) => f.startsWith('libonnxruntime_providers_cuda'));
}

/** Refuses a device this installation cannot run, naming the ones it can and the GPU alternatives. */
export function checkDevice(device: string): void {
  if (device === 'cpu') return;
  const gpuPaths =
    'For a GPU, serve the model with vLLM and use --model vllm (in-process) or --model local-completions ' +
    '(base_url=http://127.0.0.1:8000/v1/completions), or use --model gguf against llama.cpp\'s llama-server.';
  if (device === 'cuda') {
    if (cudaProviderInstalled()) return;
    throw new LmEvalError(
      '--model hf runs ONNX graphs with onnxruntime-node, which is installed here for the CPU only (the repository\'s .npmrc skips its CUDA download), so --device cuda cannot be used.',
      `Drop --device (the hf backend runs on cpu). ${gpuPaths} To run hf on CUDA, remove onnxruntime-node-install-cuda=skip from .npmrc and reinstall (needs CUDA 12 and cuDNN 9).`,
    );
  }
  throw new LmEvalError(`--model hf: --device ${device} is not supported; this backend runs on cpu (and on cuda where onnxruntime-node's CUDA provider is installed).`, `Drop --device. ${gpuPaths}`);
}

/** The ONNX files transformers.js loads from a model folder (onnx/model*.onnx). */
export function onnxFiles(dir: string): string[] {
  const onnx = path.join(dir, 'onnx');
  return existsSync(onnx) ? readdirSync(onnx).filter((f) => f.endsWith('.onnx')) : [];
}

/** The refusal for a model without ONNX weights: serve it elsewhere, or the exact export command. */
export function noOnnxError(pretrained: string, where: string): LmEvalError {
  const name = path.basename(pretrained.replace(/\/+$/, '')) || 'model';
  const out = `${name}-onnx`;
  return new LmEvalError(
    `--model hf: ${pretrained} has no ONNX weights (${where}); this backend runs ONNX exports through transformers.js, not PyTorch/safetensors weights.`,
    `Serve it instead: \`vllm serve ${pretrained}\` then --model local-completions --model_args model=${pretrained},base_url=http://127.0.0.1:8000/v1/completions ` +
      '(or convert it to GGUF, start `llama-server -m model.gguf --port 8080`, and use --model gguf --model_args base_url=http://127.0.0.1:8080); ' +
      `or export it to ONNX: \`optimum-cli export onnx --model ${pretrained} --task text-generation-with-past ${out} && mkdir -p ${out}/onnx && mv ${out}/model.onnx ${out}/onnx/\` ` +
      `(copy the tokenizer files along) and pass pretrained=${out}.`,
  );
}
