/** Messages are one printable line whatever a file holds: fields clipped, control characters escaped. */
import { describe, expect, it } from 'vitest';
import { clip, escapeControl, fail, MAX_MESSAGE_FIELD } from '../../src/errors.js';

describe('escapeControl', () => {
  it('escapes C0, DEL, C1, line separators and bidi overrides, keeping other text', () => {
    expect(escapeControl('a\u001b[2Jb\nc\u0000d\u009be\u202ef\u2028g\u007fé✓')).toBe('a\\x1b[2Jb\\nc\\x00d\\x9be\\u{202e}f\\u{2028}g\\x7fé✓');
    expect(escapeControl('tab\there\r')).toBe('tab\\there\\r');
  });

  it('is idempotent', () => {
    const once = escapeControl('\u001b\n\u0000');
    expect(escapeControl(once)).toBe(once);
  });
});

describe('messages', () => {
  it('clip each field to MAX_MESSAGE_FIELD and escape it; detail keeps the data', () => {
    const name = `\u001b[2J${'x'.repeat(5000)}`;
    const e = fail('E_MISSING_PARAMETER', { what: `parameter ${name}`, expected: 'a\nb', got: 'no such key', at: name });
    expect(e.detail.at).toBe(name);
    expect(e.message).not.toMatch(/[\u0000-\u001f]/);
    expect(e.message.length).toBeLessThan(3 * MAX_MESSAGE_FIELD);
    expect(e.message).toContain('(4004 more characters)');
  });

  it('never split a surrogate pair when clipping', () => {
    expect(clip(`${'a'.repeat(9)}😀`, 10)).toBe(`${'a'.repeat(9)}… (2 more characters)`);
  });
});
