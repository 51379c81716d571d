// @ts-check
/**
 * Compiles the two programs people run — the bot (`bot/main.ts`) and the operator CLI
 * (`scripts/cli.ts`) — into plain JavaScript under dist/, so `npm start` and `npm run cli` run under
 * plain node instead of tsx's loader (issue 14 §7: faster start, less memory).
 *
 * Plain JavaScript on purpose: it runs before anything is compiled, from `postinstall` (after
 * `db:generate`) and, through scripts/ensure-build.mjs, from `npm start` / `npm run cli`, where
 * starting tsx would cost what we save.
 *
 * - `node scripts/build.mjs` builds (`--at-install`: a failure is a warning, not a failed install);
 *   `--if-stale` builds only when a source file the last build
 *   read (esbuild's metafile, kept in dist/build-info.json) is newer than it, is gone, or this
 *   script changed. New files need no list: the bundle follows the imports, and a new file is only
 *   reached through an edited one.
 * - Each entry becomes one ES module bundle; packages stay outside (resolved from node_modules as
 *   before), and so do the generated Prisma clients (CommonJS that loads its WebAssembly query
 *   compiler from its own folder).
 * - `import.meta.url`, `.dirname` and `.filename` in our sources keep meaning the source file: they
 *   are rewritten relative to the bundle, so files found next to a source (prisma/migrations, the
 *   schema files) are found from dist/ too, and "am I the program that was started?" checks stay
 *   false inside the bundle.
 * - Written to a temporary name and renamed, so a bot starting while another process rebuilds
 *   never loads half a file.
 */
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = path.dirname(path.dirname(fileURLToPath(import.meta.url)));
export const DIST = path.join(ROOT, 'dist');
const INFO = path.join(DIST, 'build-info.json');
const SELF = fileURLToPath(import.meta.url);

/** Source entry → bundle name under dist/. */
export const ENTRIES = { 'bot/main.ts': 'main.js', 'scripts/cli.ts': 'cli.js' };

/** True when dist/ is missing a bundle or a source the last build read is newer than it. */
export function isStale() {
  let info;
  try {
    info = JSON.parse(fs.readFileSync(INFO, 'utf8'));
  } catch {
    return true;
  }
  const builtAt = info.builtAt;
  if (typeof builtAt !== 'number' || !Array.isArray(info.inputs)) {
    return true;
  }
  const outputs = Object.values(ENTRIES).map((name) => path.join(DIST, name));
  if (outputs.some((file) => !fs.existsSync(file))) {
    return true;
  }
  const sources = [SELF, ...info.inputs.map((/** @type {string} */ file) => path.join(ROOT, file))];
  return sources.some((file) => {
    const stat = fs.statSync(file, { throwIfNoEntry: false });
    return stat === undefined || stat.mtimeMs > builtAt;
  });
}

const META = /(?<![\w$'"`.])import\.meta\.(url|dirname|filename)\b/g;

/**
 * The expression standing for `import.meta.<what>` of the source file `file` inside a bundle that
 * lives in dist/.
 * @param {string} file
 * @param {string} what
 */
function sourceMeta(file, what) {
  const rel = JSON.stringify(path.relative(DIST, file).split(path.sep).join('/'));
  const url = `new URL(${rel}, import.meta.url)`;
  if (what === 'url') {
    return `${url}.href`;
  }
  const filename = `__buildFileUrlToPath(${url})`;
  return what === 'filename' ? filename : `__buildDirname(${filename})`;
}

/**
 * Packages bundled in rather than imported from node_modules at run time: plain ES modules spread
 * over hundreds of small files, whose loading (one resolution and one compile per file) costs more
 * at start than the code does (kysely ≈ 100 ms of CPU and 12 MB). Every other package, and
 * whatever is not in package.json, stays outside, loaded as node would without the bundle.
 */
const INLINE = new Set(['kysely', 'zod']);

/** The packages left outside the bundles: every dependency but INLINE, with its subpaths. */
function externalPackages() {
  const pkg = JSON.parse(fs.readFileSync(path.join(ROOT, 'package.json'), 'utf8'));
  const names = Object.keys({ ...pkg.dependencies, ...pkg.devDependencies }).filter((n) => !INLINE.has(n));
  return names.flatMap((name) => [name, `${name}/*`]);
}

/**
 * @param {typeof import('esbuild')} esbuild
 * @param {string} tmp the folder to write to
 */
function bundle(esbuild, tmp) {
  return esbuild.build({
    absWorkingDir: ROOT,
    entryPoints: Object.entries(ENTRIES).map(([input, output]) => ({
      in: input,
      out: output.replace(/\.js$/, ''),
    })),
    outdir: tmp,
    bundle: true,
    splitting: true,
    // Chunks beside the entries: every output is in dist/ itself, so a path relative to dist/
    // (the generated clients, a source file's own location) is right from any of them.
    chunkNames: '[name]-[hash]',
    platform: 'node',
    format: 'esm',
    target: 'node20',
    external: externalPackages(),
    sourcemap: 'linked',
    metafile: true,
    logLevel: 'warning',
    banner: {
      js: "import { fileURLToPath as __buildFileUrlToPath } from 'node:url'; import { dirname as __buildDirname } from 'node:path';",
    },
    plugins: [
      {
        name: 'generated-prisma-clients',
        setup(b) {
          // Generated CommonJS with a WebAssembly file beside it: imported from where it is.
          b.onResolve({ filter: /\/generated\// }, (args) => {
            const target = path.resolve(args.resolveDir, args.path);
            if (!target.startsWith(path.join(ROOT, 'prisma', 'generated') + path.sep)) {
              return undefined;
            }
            return { path: path.relative(DIST, target).split(path.sep).join('/'), external: true };
          });
        },
      },
      {
        name: 'source-import-meta',
        setup(b) {
          b.onLoad({ filter: /\.ts$/ }, async (args) => {
            if (args.path.includes(`${path.sep}node_modules${path.sep}`)) {
              return undefined;
            }
            const source = await fs.promises.readFile(args.path, 'utf8');
            return {
              contents: source.replace(META, (_, what) => sourceMeta(args.path, what)),
              loader: 'ts',
            };
          });
        },
      },
    ],
  });
}

/** @returns {Promise<string[]>} the source files the bundles read, relative to the repository */
export async function build() {
  const esbuild = await import('esbuild');
  const startedAt = Date.now();
  const tmp = `${DIST}.tmp-${process.pid}`;
  fs.rmSync(tmp, { recursive: true, force: true });
  const result = await bundle(esbuild, tmp).catch((/** @type {unknown} */ error) => {
    fs.rmSync(tmp, { recursive: true, force: true });
    throw error;
  });
  const inputs = Object.keys(result.metafile.inputs).filter((f) => !f.includes('node_modules/'));
  fs.writeFileSync(
    path.join(tmp, 'build-info.json'),
    `${JSON.stringify({ builtAt: startedAt, inputs }, null, 1)}\n`,
  );
  replaceDist(tmp);
  return inputs;
}

/** Chunks of older builds are kept this long: a bot started on such a build may still import one lazily. */
const OLD_CHUNKS_KEPT_MS = 7 * 24 * 3600 * 1000;

/**
 * Moves the new build into place: the chunks first (content-hashed names: nothing imports a new
 * one yet), then the entries by rename, then the info.
 * @param {string} tmp
 */
function replaceDist(tmp) {
  fs.mkdirSync(DIST, { recursive: true });
  const entries = new Set(Object.values(ENTRIES).flatMap((name) => [name, `${name}.map`]));
  const written = fs.readdirSync(tmp);
  const order = [
    ...written.filter((name) => !entries.has(name) && name !== 'build-info.json'),
    ...written.filter((name) => entries.has(name)),
    'build-info.json',
  ];
  for (const name of order) {
    fs.renameSync(path.join(tmp, name), path.join(DIST, name));
  }
  fs.rmSync(tmp, { recursive: true, force: true });
  // Chunks only older builds import: a process started on one of them may import its chunks
  // lazily (an Excel export, a chart) long after it started, so they go only when old.
  for (const name of fs.readdirSync(DIST)) {
    const file = path.join(DIST, name);
    if (!written.includes(name) && Date.now() - fs.statSync(file).mtimeMs > OLD_CHUNKS_KEPT_MS) {
      fs.rmSync(file, { recursive: true, force: true });
    }
  }
}

if (process.argv[1] === SELF) {
  const ifStale = process.argv.includes('--if-stale');
  // From postinstall: a source that does not compile must not make `npm install` fail (nothing
  // else could be installed to fix it); `npm start` builds again and stops on the error.
  const atInstall = process.argv.includes('--at-install');
  if (!ifStale || isStale()) {
    const started = performance.now();
    try {
      const inputs = await build();
      const ms = Math.round(performance.now() - started);
      process.stderr.write(`Built dist/ from ${inputs.length} source files in ${ms} ms\n`);
    } catch (error) {
      if (!atInstall) {
        throw error;
      }
      process.stderr.write(
        `dist/ was not built (${error instanceof Error ? error.message.split('\n')[0] : error}); npm start and npm run cli will try again\n`,
      );
    }
  }
}
