/**
 * Folder-level cycle rule (issue 14 §4): no import cycle between the folders of core/.
 *
 * dependency-cruiser's `no-circular` rule sees files only, so two folders can depend on each other
 * through different files without it noticing. This script takes dependency-cruiser's JSON graph of
 * core/ (same config as `npm run deps:check`), collapses every file to its folder (`core/<folder>/`)
 * and fails, listing each cycle and the imports that make each of its edges.
 *
 * What is counted, and why:
 * - test files (`*.test.ts`) are left out: a test may import from any folder it exercises;
 * - files directly under core/ (today only `unit-of-work.ts`) are not a folder: they aggregate the
 *   repository ports of every folder for the store to implement, so following them would make every
 *   folder that opens a transaction depend on every other. They must stay type-only, which this
 *   script checks, so they carry no behaviour that could hide a dependency.
 */
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

/** The part of a dependency-cruiser JSON module this rule reads. */
export type CruisedModule = {
  source: string;
  dependencies: ReadonlyArray<{ resolved: string; dependencyTypes?: readonly string[] }>;
};

/** folder → folder it imports → the file imports ("a.ts → b.ts") that make that edge. */
export type FolderGraph = Map<string, Map<string, string[]>>;

const FOLDER = /^core\/([^/]+)\//;
const ROOT_FILE = /^core\/[^/]+\.ts$/;
const TEST_FILE = /\.test\.ts$/;

/** The core folder a file belongs to; undefined for files outside core/, at its root, or tests. */
export function folderOf(path: string): string | undefined {
  if (TEST_FILE.test(path)) {
    return undefined;
  }
  return FOLDER.exec(path)?.[1];
}

/** Collapses the file graph to core folders, keeping which file imports make each edge. */
export function folderGraph(modules: readonly CruisedModule[]): FolderGraph {
  const graph: FolderGraph = new Map();
  for (const module of modules) {
    const from = folderOf(module.source);
    if (from === undefined) {
      continue;
    }
    const edges = graph.get(from) ?? new Map<string, string[]>();
    graph.set(from, edges);
    for (const dependency of module.dependencies) {
      const to = folderOf(dependency.resolved);
      if (to === undefined || to === from) {
        continue;
      }
      const witnesses = edges.get(to) ?? [];
      witnesses.push(`${module.source} → ${dependency.resolved}`);
      edges.set(to, witnesses);
    }
  }
  return graph;
}

/** Shortest path of folders from `start` to `goal` (both included), breadth first. */
function shortestPath(graph: FolderGraph, start: string, goal: string): string[] | undefined {
  const previous = new Map<string, string>([[start, start]]);
  const queue = [start];
  for (let index = 0; index < queue.length; index += 1) {
    const folder = queue[index];
    if (folder === undefined) {
      break;
    }
    if (folder === goal) {
      const path = [goal];
      for (let at = goal; at !== start; ) {
        at = previous.get(at) ?? start;
        path.unshift(at);
      }
      return path;
    }
    for (const next of [...(graph.get(folder)?.keys() ?? [])].sort()) {
      if (!previous.has(next)) {
        previous.set(next, folder);
        queue.push(next);
      }
    }
  }
  return undefined;
}

/** Rotates a cycle so it starts at its smallest folder: the same cycle is then written once. */
function canonical(cycle: readonly string[]): string[] {
  const smallest = [...cycle].sort()[0];
  const at = smallest === undefined ? 0 : cycle.indexOf(smallest);
  return [...cycle.slice(at), ...cycle.slice(0, at)];
}

/**
 * The cycles between folders: for every edge a → b that lies on a cycle, the shortest cycle through
 * it (a, b, …, back to a), each cycle listed once. Empty when the folders form a DAG.
 */
export function folderCycles(graph: FolderGraph): string[][] {
  const seen = new Set<string>();
  const cycles: string[][] = [];
  for (const from of [...graph.keys()].sort()) {
    for (const to of [...(graph.get(from)?.keys() ?? [])].sort()) {
      const back = shortestPath(graph, to, from);
      if (back === undefined) {
        continue;
      }
      const cycle = canonical([from, ...back.slice(0, -1)]);
      const key = cycle.join(' → ');
      if (!seen.has(key)) {
        seen.add(key);
        cycles.push(cycle);
      }
    }
  }
  return cycles;
}

/** Imports of files at core/'s root that are not type-only (they would hide a real dependency). */
export function runtimeImportsOfRootFiles(modules: readonly CruisedModule[]): string[] {
  return modules
    .filter((module) => ROOT_FILE.test(module.source))
    .flatMap((module) =>
      module.dependencies
        .filter((dependency) => !dependency.dependencyTypes?.includes('type-only'))
        .map((dependency) => `${module.source} → ${dependency.resolved}`),
    );
}

/** The report printed when the rule fails; empty when it holds. */
export function describeViolations(modules: readonly CruisedModule[]): string[] {
  const graph = folderGraph(modules);
  const lines: string[] = [];
  for (const cycle of folderCycles(graph)) {
    lines.push(`cycle between core folders: ${[...cycle, cycle[0]].join(' → ')}`);
    cycle.forEach((from, index) => {
      const to = cycle[(index + 1) % cycle.length] ?? from;
      for (const witness of graph.get(from)?.get(to) ?? []) {
        lines.push(`    ${witness}`);
      }
    });
  }
  for (const runtime of runtimeImportsOfRootFiles(modules)) {
    lines.push(`file at core/'s root imports more than types (move it into a folder): ${runtime}`);
  }
  return lines;
}

function cruiseCore(): CruisedModule[] {
  const result = spawnSync(
    'node_modules/.bin/depcruise',
    ['core', '--config', '.dependency-cruiser.cjs', '--output-type', 'json'],
    { encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 },
  );
  if (result.error !== undefined) {
    throw result.error;
  }
  const parsed: { modules: CruisedModule[] } = JSON.parse(result.stdout);
  return parsed.modules;
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const modules = cruiseCore();
  const violations = describeViolations(modules);
  if (violations.length > 0) {
    console.error(violations.join('\n'));
    console.error(`\n${folderCycles(folderGraph(modules)).length} cycle(s) between core folders.`);
    process.exitCode = 1;
  } else {
    console.log(`✔ no import cycle between core folders (${folderGraph(modules).size} folders)`);
  }
}
