/**
 * Compile-time only (tsc in `npm test`): both ONNX Runtime packages' module objects are accepted
 * by onnxModule as users import them, with no cast.
 */
import type { RecurrentModule } from '../../dist/index.js';
import { onnxModule, type OnnxModule } from '../../dist/onnx.js';

declare const ortNode: typeof import('onnxruntime-node');
declare const ortWeb: typeof import('onnxruntime-web');

export function acceptsBoth(m: RecurrentModule): [Promise<OnnxModule>, Promise<OnnxModule>] {
  return [onnxModule(m, ortNode, { intraOpNumThreads: 1 }), onnxModule(m, ortWeb)];
}
