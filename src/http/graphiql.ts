import { readFileSync } from 'node:fs';
import path from 'node:path';
import type { FastifyInstance } from 'fastify';

/**
 * GraphiQL served from this server itself (no CDN): the page, React and GraphiQL's bundles come from
 * node_modules, so it works offline and behind a firewall. The CSP forbids loading from anywhere else.
 */
const ASSETS: Record<string, { pkg: string; file: string; type: string }> = {
  'react.js': { pkg: 'react', file: 'umd/react.production.min.js', type: 'text/javascript' },
  'react-dom.js': { pkg: 'react-dom', file: 'umd/react-dom.production.min.js', type: 'text/javascript' },
  'graphiql.js': { pkg: 'graphiql', file: 'graphiql.min.js', type: 'text/javascript' },
  'graphiql.css': { pkg: 'graphiql', file: 'graphiql.min.css', type: 'text/css' },
};

/** A file of an installed package (these bundles are not in the packages' `exports`, so not `require.resolve`d). */
function packageFile(pkg: string, file: string): Buffer {
  return readFileSync(path.join(path.dirname(require.resolve(`${pkg}/package.json`)), file));
}

const DEFAULT_QUERY = `# Welcome to the AquaMind API. Press the play button (or Ctrl-Enter) to run.
# The Docs panel on the left is the API reference.
query Devices {
  devices(first: 5) {
    totalCount
    edges {
      node {
        name
        owner { username }
        latestEvent { occurredAt consumption unit }
        consumption(granularity: MONTH, periods: 6) { start total unit }
      }
    }
  }
}
`;

const INIT_SCRIPT = `
const fetcher = GraphiQL.createFetcher({ url: '/graphql' });
const root = ReactDOM.createRoot(document.getElementById('graphiql'));
root.render(React.createElement(GraphiQL, {
  fetcher,
  defaultQuery: ${JSON.stringify(DEFAULT_QUERY)},
  defaultEditorToolsVisibility: true,
}));
`;

export const graphiqlPage = {
  html: `<!doctype html>
<html lang="en">
<head>
  <meta charset="utf-8">
  <meta name="viewport" content="width=device-width, initial-scale=1">
  <title>AquaMind API · GraphiQL</title>
  <link rel="stylesheet" href="/graphiql/graphiql.css">
  <style>html, body, #graphiql { height: 100%; margin: 0; }</style>
</head>
<body>
  <div id="graphiql">Loading GraphiQL…</div>
  <script src="/graphiql/react.js"></script>
  <script src="/graphiql/react-dom.js"></script>
  <script src="/graphiql/graphiql.js"></script>
  <script src="/graphiql/init.js"></script>
</body>
</html>
`,
  headers: {
    'content-security-policy':
      "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; font-src 'self' data:; connect-src 'self'; worker-src 'self' blob:",
    'cache-control': 'no-cache',
  },
};

/** Serves GraphiQL's static files under /graphiql/. */
export function graphiqlAssetRoutes(app: FastifyInstance, _options: unknown, done: () => void): void {
  const files = new Map(
    Object.entries(ASSETS).map(([name, asset]) => [name, { body: packageFile(asset.pkg, asset.file), type: asset.type }]),
  );
  files.set('init.js', { body: Buffer.from(INIT_SCRIPT), type: 'text/javascript' });
  // Browsers ask for it on every page; answering keeps GraphiQL's console free of a 404.
  app.get('/favicon.ico', (_request, reply) => reply.code(204).send());
  app.get<{ Params: { name: string } }>('/graphiql/:name', (request, reply) => {
    const file = files.get(request.params.name);
    if (!file) return reply.callNotFound();
    return reply.type(`${file.type}; charset=utf-8`).header('cache-control', 'public, max-age=86400').send(file.body);
  });
  done();
}
