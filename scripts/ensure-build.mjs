// @ts-check
/**
 * Loaded before the program by `npm start` and `npm run cli` (`node --import`): rebuilds dist/
 * when a source is newer than the last build (scripts/build.mjs), so what runs is never older than
 * the sources. In the same process as the program rather than a `prestart` script: one node start
 * less (≈ 0.1 s), and the check itself reads only the build's list of sources (a few ms).
 */
import { build, isStale } from './build.mjs';

if (isStale()) {
  const started = performance.now();
  const inputs = await build();
  process.stderr.write(
    `Built dist/ from ${inputs.length} source files in ${Math.round(performance.now() - started)} ms\n`,
  );
}
