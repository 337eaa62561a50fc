/**
 * The demo page (examples/browser/) in Chromium, used as a newcomer would: drop a file, read the
 * module summary, run, look at the picture. Full-page screenshots go to test-artifacts/.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ARTIFACTS, startBrowserEnv, type BrowserEnv } from './helpers.js';

const GOLDEN = join(import.meta.dirname, '../../golden');
const PT_FIXTURES = join(import.meta.dirname, '../fixtures/pt');

let env: BrowserEnv;
beforeAll(async () => {
  env = await startBrowserEnv();
});
afterAll(async () => {
  await env?.close();
});

async function openDemo(): Promise<{ page: Page; errors: string[] }> {
  const opened = await env.page();
  await opened.page.goto(`${env.url}/examples/browser/`);
  await opened.page.waitForSelector('body[data-ready="true"]');
  return opened;
}

/** Drops a file on the drop zone as a user's drag and drop does: a DataTransfer holding a File. */
async function dropFile(page: Page, path: string): Promise<void> {
  const name = path.split('/').at(-1) ?? path;
  const base64 = readFileSync(path).toString('base64');
  const transfer = await page.evaluateHandle(
    ([b64, fileName]) => {
      const bytes = Uint8Array.from(atob(b64), (c) => c.charCodeAt(0));
      const dt = new DataTransfer();
      dt.items.add(new File([bytes], fileName));
      return dt;
    },
    [base64, name] as const,
  );
  await page.dispatchEvent('#drop', 'dragover', { dataTransfer: transfer });
  await page.dispatchEvent('#drop', 'drop', { dataTransfer: transfer });
}

const text = (page: Page, selector: string): Promise<string[]> => page.locator(selector).allInnerTexts();

describe('demo page', () => {
  it('shows tensors, the module, a timed forward pass and the picture for a dropped safetensors file', async () => {
    const { page, errors } = await openDemo();
    await page.screenshot({ path: join(ARTIFACTS, 'demo-start.png'), fullPage: true });
    await dropFile(page, join(GOLDEN, 'lstm_proj_bidir_l2_h0/weights.safetensors'));
    await page.waitForSelector('#picture svg');
    expect(await text(page, '.module .ctor')).toEqual(['nn.LSTM(3, 5, num_layers=2, bidirectional=True, proj_size=3)']);
    expect(await page.locator('#tensors tbody tr').count()).toBe(20);
    expect(await text(page, '#file-facts dd')).toEqual(['weights.safetensors', 'safetensors', '20 tensors, 3.2 KiB', 'format: pt']);
    expect(await text(page, '#run-facts dd')).toEqual(['(50, 4, 3) float32, uniform in [−1, 1)', '(50, 4, 6)', '(4, 4, 3)', '(4, 4, 5)']);
    expect(await text(page, '#timings tbody td:first-child')).toEqual(["WebAssembly SIMD (engine: 'fast')", "plain JavaScript (engine: 'reference')"]);
    expect(await text(page, '#timings .timing')).toEqual([expect.stringMatching(/^[\d.]+ (µs|ms)$/), expect.stringMatching(/^[\d.]+ (µs|ms)$/)]);
    expect(await page.locator('#agreement').textContent()).toMatch(/^The two engines agree to /);
    await page.screenshot({ path: join(ARTIFACTS, 'demo-lstm-safetensors.png'), fullPage: true });
    expect(errors).toEqual([]);
    await page.close();
  });

  it('lists both modules of a .pt training checkpoint from the file picker and runs the one chosen', async () => {
    const { page, errors } = await openDemo();
    await page.setInputFiles('#file', join(GOLDEN, 'multi_nested/weights.pt'));
    await page.waitForSelector('#picture svg');
    expect(await text(page, '.module .prefix')).toEqual(['decoder.rnn.', 'encoder.rnn.']);
    expect(await text(page, '.module .ctor')).toEqual(['nn.LSTM(8, 5, num_layers=2)', 'nn.GRU(3, 4, bidirectional=True)']);
    expect((await text(page, '#file-facts dd')).slice(1)).toEqual(['.pt (torch.save)', '19 tensors, 3.1 KiB', 'key "model" of a checkpoint']);
    await page.locator('.module').nth(1).click();
    await page.waitForFunction(() => document.querySelector('#run-facts dd:nth-of-type(2)')?.textContent === '(50, 4, 8)');
    expect(await text(page, '#run-facts dd')).toEqual(['(50, 4, 3) float32, uniform in [−1, 1)', '(50, 4, 8)', '(2, 4, 4)']);
    expect(await page.locator('#picture svg title').textContent()).toMatch(/^nn.GRU\(3, 4, bidirectional=True\)/);
    await page.screenshot({ path: join(ARTIFACTS, 'demo-checkpoint-pt.png'), fullPage: true });
    expect(errors).toEqual([]);
    await page.close();
  });

  it('opens a sample npz, and runs a cell without drawing a picture for it', async () => {
    const { page, errors } = await openDemo();
    await page.getByRole('button', { name: 'GRU (.npz)' }).click();
    await page.waitForSelector('#picture svg');
    expect(await text(page, '.module .ctor')).toEqual(['nn.GRU(3, 4, num_layers=2, bidirectional=True)']);
    expect((await text(page, '#file-facts dd'))[1]).toBe('npz (numpy)');
    await dropFile(page, join(GOLDEN, 'multi_encoder/weights.safetensors'));
    await page.waitForFunction(() => document.querySelectorAll('.module').length === 3);
    await page.locator('.module').nth(0).click();
    await page.waitForSelector('#picture p');
    expect(await text(page, '#run-facts dt')).toEqual(['input', 'h′', 'c′']);
    expect(await text(page, '#run-facts dd')).toEqual(['(4, 3) float32, uniform in [−1, 1)', '(4, 4)', '(4, 4)']);
    expect(await page.locator('#seq-control').isHidden()).toBe(true);
    expect(errors).toEqual([]);
    await page.close();
  });

  it('names the error code of a file it rejects, and asks for the key of an ambiguous checkpoint', async () => {
    const { page, errors } = await openDemo();
    await dropFile(page, join(import.meta.dirname, '../malformed/safetensors/offsets_overlap.safetensors'));
    await page.waitForSelector('#status.error');
    expect(await page.locator('#status .code').textContent()).toBe('E_OFFSET_MISMATCH');
    expect(await page.locator('#report').isHidden()).toBe(true);

    await dropFile(page, join(PT_FIXTURES, 'whole_module_t213.pt'));
    await page.waitForFunction(() => document.querySelector('#status .code')?.textContent === 'E_PICKLE_GLOBAL');
    await page.screenshot({ path: join(ARTIFACTS, 'demo-error.png') });

    await dropFile(page, join(PT_FIXTURES, 'two_models_t213.pt'));
    await page.waitForFunction(() => document.querySelector('#status .code')?.textContent === 'E_AMBIGUOUS_MODULE');
    await page.locator('#key').fill('decoder');
    await page.getByRole('button', { name: 'Open' }).click();
    await page.waitForSelector('#picture svg');
    expect(await page.locator('#key-form').isHidden()).toBe(true);
    expect((await text(page, '#file-facts dd'))[3]).toBe('key "decoder" of a checkpoint (it also holds encoder.rnn, head)');
    expect(errors).toEqual([]);
    await page.close();
  });
});
