// Builds the widget into one script (dist/berufslotse-chat.js) next to the demo page, and fails
// when the script is bigger than the size budget (gzipped).
//
//   npm run build                              -> dist/, budget 40 KiB gzipped
//   node build.mjs --outdir /tmp/x --budget 1000
import { build, transform } from 'esbuild';
import { cp, mkdir, readFile, rm } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { gzipSync } from 'node:zlib';

const here = dirname(fileURLToPath(import.meta.url));
const { values } = parseArgs({
  options: {
    outdir: { type: 'string', default: join(here, 'dist') },
    budget: { type: 'string', default: String(40 * 1024) },
  },
});
const outdir = resolve(values.outdir);
const budget = Number(values.budget);
const bundle = join(outdir, 'berufslotse-chat.js');

// `import STYLES from './styles.css'` yields the minified stylesheet as a string.
const cssAsText = {
  name: 'css-as-text',
  setup(builder) {
    builder.onLoad({ filter: /\.css$/ }, async ({ path }) => {
      const { code } = await transform(await readFile(path, 'utf8'), { loader: 'css', minify: true });
      return { contents: `export default ${JSON.stringify(code.trim())};`, loader: 'js' };
    });
  },
};

await rm(outdir, { recursive: true, force: true });
await mkdir(outdir, { recursive: true });
await build({
  entryPoints: [join(here, 'src', 'index.js')],
  outfile: bundle,
  bundle: true,
  format: 'iife',
  minify: true,
  target: 'es2020', // every browser of the last years (custom elements, shadow DOM, fetch, ?.)
  legalComments: 'none',
  plugins: [cssAsText],
  logLevel: 'warning',
});
await cp(join(here, 'demo'), outdir, { recursive: true });

const raw = await readFile(bundle);
const gzipped = gzipSync(raw, { level: 9 }).length;
const line = `berufslotse-chat.js: ${raw.length} bytes, ${gzipped} bytes gzipped (budget ${budget} bytes)`;
if (gzipped > budget) {
  console.error(`${line}: OVER BUDGET`);
  process.exit(1);
}
console.log(line);
