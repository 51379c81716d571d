import { describe, expect, it } from 'vitest';
import {
  type CruisedModule,
  describeViolations,
  folderCycles,
  folderGraph,
  folderOf,
  runtimeImportsOfRootFiles,
} from './check-folder-cycles.ts';

function module(source: string, ...imports: string[]): CruisedModule {
  return { source, dependencies: imports.map((resolved) => ({ resolved, dependencyTypes: ['local'] })) };
}

/** messaging ← flows ← reports, exports → reports: every folder edge points one way. */
const acyclic: CruisedModule[] = [
  module('core/messaging/message.ts', 'core/shared/actor.ts'),
  module('core/flows/flow.ts', 'core/messaging/message.ts'),
  module('core/reports/report.ts', 'core/flows/flow.ts', 'core/reports/report-texts.ts'),
  module('core/reports/report-texts.ts', 'core/messaging/message.ts'),
  module('core/exports/progress-export.ts', 'core/reports/report.ts'),
  module('core/shared/actor.ts'),
];

describe('folder cycles in core/', () => {
  it('collapses files to their folder; root files, tests and outer folders are no folder', () => {
    expect(folderOf('core/households/duplicates.ts')).toBe('households');
    expect(folderOf('core/unit-of-work.ts')).toBeUndefined();
    expect(folderOf('core/households/duplicates.test.ts')).toBeUndefined();
    expect(folderOf('prisma/store.ts')).toBeUndefined();
  });

  it('finds none in a graph whose folders only import one way, though files import within a folder', () => {
    expect(folderCycles(folderGraph(acyclic))).toEqual([]);
    expect(describeViolations(acyclic)).toEqual([]);
  });

  it('finds a two-folder cycle made by different files and names the imports that make it', () => {
    const modules = [...acyclic, module('core/messaging/catalog.ts', 'core/exports/progress-export.ts')];
    // messaging → exports → reports → flows → messaging, and reports → messaging directly.
    expect(folderCycles(folderGraph(modules))).toEqual(
      expect.arrayContaining([
        ['exports', 'reports', 'flows', 'messaging'],
        ['exports', 'reports', 'messaging'],
      ]),
    );
    expect(folderCycles(folderGraph(modules))).toHaveLength(2);
    const report = describeViolations(modules);
    expect(report).toContain('cycle between core folders: exports → reports → messaging → exports');
    expect(report).toContain('    core/messaging/catalog.ts → core/exports/progress-export.ts');
    expect(report).toContain('    core/reports/report-texts.ts → core/messaging/message.ts');
  });

  it('lists a direct two-way dependency once, whichever folder it is found from', () => {
    const modules = [
      module('core/households/leaders-view.ts', 'core/people/people.repository.ts'),
      module('core/people/invite-flow.ts', 'core/households/leaders-view.ts'),
      module('core/people/people.repository.ts'),
    ];
    expect(folderCycles(folderGraph(modules))).toEqual([['households', 'people']]);
  });

  it('ignores imports from a test file, which may exercise any folder', () => {
    const modules = [...acyclic, module('core/messaging/message.test.ts', 'core/exports/progress-export.ts')];
    expect(folderCycles(folderGraph(modules))).toEqual([]);
  });

  it('lets a file at the root of core/ import only types', () => {
    const typeOnly: CruisedModule = {
      source: 'core/unit-of-work.ts',
      dependencies: [{ resolved: 'core/flows/flow.ts', dependencyTypes: ['local', 'type-only', 'import'] }],
    };
    expect(runtimeImportsOfRootFiles([typeOnly])).toEqual([]);
    const runtime = module('core/unit-of-work.ts', 'core/flows/flow.ts');
    expect(runtimeImportsOfRootFiles([runtime])).toEqual(['core/unit-of-work.ts → core/flows/flow.ts']);
    expect(describeViolations([runtime])).toHaveLength(1);
  });
});
