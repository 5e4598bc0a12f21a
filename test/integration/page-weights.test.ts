import { gzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { LOCAL_PAGES } from '../../local/web-pages.ts';
import { buildWebPages } from '../../web/build.ts';

/** What a page may weigh, gzipped: a page that grows past it is a change to look at, not a number to raise blindly. */
const BUDGET_KB = { js: 16, css: 3 };

const kb = (bytes: number) => Math.round((bytes / 1024) * 10) / 10;

describe('the pages the runtime serves', () => {
  it('keep each page’s script and style, minified and gzipped, within their budget', () => {
    const files = new Map(buildWebPages(LOCAL_PAGES).map((file) => [file.path, file]));
    const weights = LOCAL_PAGES.map(({ path, name }) => ({ path, name })).flatMap(({ path, name }) =>
      (['js', 'css'] as const).map((kind) => {
        const body = files.get(`/assets/${name}.${kind}`)?.body;
        if (!body) throw new Error(`no ${kind} for ${path}`);
        return { page: path, kind, minifiedKb: kb(body.length), gzippedKb: kb(gzipSync(body).length) };
      }),
    );
    // The README's table of page weights comes from this output.
    console.info(
      weights.map((w) => `| ${w.page} | ${w.kind} | ${w.minifiedKb} | ${w.gzippedKb} |`).join('\n'),
    );
    for (const w of weights)
      expect(w.gzippedKb, `${w.page} ${w.kind}`).toBeLessThanOrEqual(BUDGET_KB[w.kind]);
  });
});
