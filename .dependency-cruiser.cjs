/**
 * The layering (DESIGN.md §2): core/ knows no I/O library and no outer folder; prisma/ does not
 * know the bot. `npm run deps:check` fails on any violation; `npm test` runs it. The rule that no
 * two folders of core/ import each other (through any files) is not one dependency-cruiser can
 * state: `deps:check` runs scripts/check-folder-cycles.ts on this config's graph after it.
 */
module.exports = {
  forbidden: [
    {
      name: 'core-is-pure',
      comment: 'core/ must not import grammY, axios, fastify, node-cron, pino, Prisma or better-sqlite3',
      severity: 'error',
      from: { path: '^core/' },
      to: {
        path: [
          'node_modules/(grammy|@grammyjs|axios|fastify|@fastify|node-cron|pino|@prisma|prisma|better-sqlite3|pg)/',
          '^prisma/generated/',
        ],
      },
    },
    {
      name: 'core-knows-no-outer-layer',
      severity: 'error',
      from: { path: '^core/' },
      to: { path: '^(bot|prisma|scripts|test)/' },
    },
    {
      name: 'prisma-knows-no-bot',
      severity: 'error',
      from: { path: '^prisma/' },
      to: { path: '^(bot|scripts)/' },
    },
    {
      name: 'no-circular',
      severity: 'error',
      from: {},
      to: { circular: true },
    },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    exclude: { path: '(^prisma/generated|^data)' },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
    enhancedResolveOptions: {
      exportsFields: ['exports'],
      conditionNames: ['import', 'require', 'node', 'default'],
    },
  },
};
