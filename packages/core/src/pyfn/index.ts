// Python `!function` helpers run in one worker process per run (see session.ts).
export { DatasetRows, encodeForPython, decodeFromPython } from './codec.ts';
export { PyfnWorker, PythonHelperError, pyfnWorkerScriptPath, PYFN_PROTOCOL_VERSION, tracebackTail, withTaskName } from './worker.ts';
export {
  callPython,
  closePythonHelpers,
  configurePythonHelpers,
  flushPython,
  isPending,
  isPythonCallable,
  mapBatched,
  newPython,
  pythonCallable,
  prestartPython,
  pythonHelperExecutable,
  pythonMetricCompute,
  PythonObject,
  pythonTargetOf,
  resolvePending,
  type PythonHelperOptions,
} from './session.ts';
export { pythonFilter } from './filter.ts';
export { setPythonHelpersEnabled } from './resolve.ts';
