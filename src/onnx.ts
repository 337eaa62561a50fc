/**
 * `rnnport/onnx`: export a recurrent module to ONNX with PyTorch's inputs, outputs and numbers
 * (`toOnnx`), and run modules through the caller's own ONNX Runtime (`onnxModule`). A subpath of
 * its own, so pages that only load and run weights do not carry the protobuf code.
 */
export { toOnnx, type OnnxSource } from './onnx/export.js';
export { DEFAULT_OPSET, type Lowering, type ToOnnxOptions } from './onnx/options.js';
export { onnxModule, type OnnxModule, type OnnxModuleOptions, type OnnxResult, type OrtLike, type OrtSessionLike, type OrtTensorLike } from './onnx/runtime.js';
