// What a call throws, as data: shared by every test that asserts error codes (tests
// assert `code` and `detail`, never message text).
import { isRnnportError, type RnnportError } from '../../src/errors.js';

/** The RnnportError `fn` throws; fails the test if it throws nothing or something else. */
export function errorOf(fn: () => unknown): RnnportError {
  try {
    fn();
  } catch (e) {
    if (isRnnportError(e)) return e;
    throw new Error(`expected an RnnportError, got ${String(e)}`);
  }
  throw new Error('expected an RnnportError, got none');
}

/** The code of the RnnportError `fn` throws, or 'no error' when it returns; other exceptions propagate. */
export function codeOf(fn: () => unknown): string {
  try {
    fn();
  } catch (e) {
    if (isRnnportError(e)) return e.code;
    throw e;
  }
  return 'no error';
}

/** `{ code, at }` of the RnnportError `fn` throws. */
export function codeAt(fn: () => unknown): { code: string; at?: string | undefined } {
  const e = errorOf(fn);
  return { code: e.code, at: e.detail.at };
}
