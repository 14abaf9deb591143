// The layers of docs/ARCHITECTURE.md as rules: `npm run lint` (and so CI) fails when an import breaks one.
// Data flows top to bottom, never back up: http → graphql → services → auth → db → entities.

/** What each layer (a folder of src/) may import besides itself and the kernel below. */
const LAYERS = {
  http: ['graphql', 'auth', 'db'],
  graphql: ['services', 'auth', 'db', 'entities'],
  services: ['auth', 'db', 'entities'],
  auth: ['db', 'entities'],
  db: ['entities'],
  entities: [],
};

/**
 * The kernel: what every layer may import, and which imports no layer. The configuration, the one
 * logger and the one metrics registry, and src/shared/ (the errors a client can act on, which any
 * layer may raise, and small helpers with no rule of their own).
 */
const KERNEL = ['^src/shared/', '^src/(config|logger|metrics)\\.ts$'];

const layerRules = Object.entries(LAYERS).map(([layer, allowed]) => ({
  name: `${layer}-imports-only-below`,
  comment: `src/${layer}/ may import ${allowed.length ? allowed.map((name) => `src/${name}/`).join(', ') : 'no other layer'} and the kernel (ARCHITECTURE.md, "Layers").`,
  severity: 'error',
  from: { path: `^src/${layer}/` },
  to: { path: '^src/', pathNot: [`^src/(${[layer, ...allowed].join('|')})/`, ...KERNEL] },
}));

/** @type {import('dependency-cruiser').IConfiguration} */
module.exports = {
  forbidden: [
    ...layerRules,
    {
      name: 'kernel-imports-no-layer',
      comment: 'The kernel is below every layer: it imports none of them (the logger reads the configuration).',
      severity: 'error',
      from: { path: KERNEL },
      to: { path: '^src/', pathNot: KERNEL },
    },
    {
      name: 'main-is-imported-by-nobody',
      comment: 'src/main.ts is the only place that listens, handles signals and exits: nothing imports it.',
      severity: 'error',
      from: {},
      to: { path: '^src/main\\.ts$' },
    },
    {
      name: 'orm-cli-config',
      comment:
        "mikro-orm.config.ts is what the mikro-orm CLI reads: the configuration, the entities, and the app's own ORM options (src/db/orm.ts), so that the CLI and the app cannot differ.",
      severity: 'error',
      from: { path: '^mikro-orm\\.config\\.ts$' },
      to: { path: '^src/', pathNot: ['^src/entities/', '^src/config\\.ts$', '^src/db/orm\\.ts$'] },
    },
    {
      name: 'no-circular',
      comment: 'No circle of imports, type-only ones included.',
      severity: 'error',
      from: { path: '^src/' },
      to: { circular: true },
    },
    {
      name: 'no-orphans',
      comment: 'A module nothing imports is dead code, unless it is an entry point (main, a CLI) or the generated types.',
      severity: 'error',
      from: {
        orphan: true,
        path: '^src/',
        pathNot: ['^src/main\\.ts$', '\\.cli\\.ts$', '\\.d\\.ts$'],
      },
      to: {},
    },
    {
      name: 'not-to-unresolvable',
      comment: 'Every import resolves to a module or a package.',
      severity: 'error',
      from: {},
      to: { couldNotResolve: true },
    },
    {
      name: 'not-to-dev-dependency',
      comment: 'What the API runs must not depend on a package installed for development only (the Docker image has none).',
      severity: 'error',
      from: { path: '^src/', pathNot: ['^src/db/embedded-postgres\\.ts$'] },
      to: { dependencyTypes: ['npm-dev'] },
    },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    // Type-only imports count: a circle through types is still a circle.
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
    enhancedResolveOptions: { exportsFields: ['exports'], conditionNames: ['import', 'require', 'node', 'default', 'types'] },
  },
};
