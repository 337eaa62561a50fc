/**
 * The `tensors` argument of the writers (saveSafetensors, saveNpz), checked once: a Map or a
 * plain object of Tensors with string names, else E_BAD_ARGUMENT naming the writer.
 */
import { badArgument } from '../errors.js';
import { Tensor } from '../tensor.js';

/**
 * The entries of a writer's `tensors` argument (a Map or a plain object of Tensors), in order;
 * anything else is E_BAD_ARGUMENT naming the writer. Shared by saveSafetensors and saveNpz.
 */
export function tensorEntries(api: string, tensors: unknown): [string, Tensor][] {
  const isRecord = typeof tensors === 'object' && tensors !== null && !Array.isArray(tensors) && !(tensors instanceof Tensor);
  if (!(tensors instanceof Map) && !isRecord) throw badArgument(`${api}(tensors)`, 'a Map or an object of Tensors', tensors);
  const entries: [unknown, unknown][] = tensors instanceof Map ? [...tensors.entries()] : Object.entries(tensors as object);
  for (const [name, t] of entries) {
    if (typeof name !== 'string') throw badArgument(`${api}(tensors)`, 'string tensor names', name);
    if (!(t instanceof Tensor)) throw badArgument(`${api}(tensors)[${JSON.stringify(name)}]`, 'a Tensor', t);
  }
  return entries as [string, Tensor][];
}

