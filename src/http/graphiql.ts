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
  'graphql-ws.js': { pkg: 'graphql-ws', file: 'umd/graphql-ws.min.js', type: 'text/javascript' },
  'graphiql.css': { pkg: 'graphiql', file: 'graphiql.min.css', type: 'text/css' },
};

/** A file of an installed package (these bundles are not in the packages' `exports`, so not `require.resolve`d). */
function packageFile(pkg: string, file: string): Buffer {
  return readFileSync(path.join(path.dirname(require.resolve(`${pkg}/package.json`)), file));
}

// Short lines: the editor does not wrap them.
const DEFAULT_QUERY = `# Welcome to the AquaMind API.
#
# 1. Sign in above. The admin's password is the one
#    the first \`npm start\` printed (lost it? run
#    \`npm run set-password -- admin\`).
# 2. Press the play button (or Ctrl-Enter).
#
# The Docs panel (the book icon) is the reference.
query Devices {
  devices(first: 5) {
    totalCount
    edges {
      node {
        id
        name
        owner { username }
        latestEvent { occurredAt consumption unit }
        consumption(granularity: MONTH, periods: 6) {
          start
          total
          unit
        }
      }
    }
  }
}
`;

/**
 * The page's script: GraphiQL, and the sign-in form above it. Signing in there keeps the token for the
 * browser tab (sessionStorage) and sends it as `Authorization: Bearer …` with every request, unless the
 * Headers tab names an Authorization of its own; subscriptions run over a WebSocket (graphql-ws)
 * signed in with the same token.
 */
const INIT_SCRIPT = `
const TOKEN = 'aquamind-token';
const WHO = 'aquamind-signed-in-as';
const form = document.getElementById('sign-in');
const status = document.getElementById('sign-in-status');
const signOut = document.getElementById('sign-out');

function showSignedIn() {
  const who = sessionStorage.getItem(WHO);
  status.textContent = who ? 'Signed in as ' + who + '.' : 'Not signed in: most fields answer UNAUTHENTICATED.';
  status.className = who ? 'ok' : '';
  form.classList.toggle('signed-in', Boolean(who));
}

form.addEventListener('submit', async (event) => {
  event.preventDefault();
  status.textContent = 'Signing in…';
  status.className = '';
  const input = { username: form.elements.username.value, password: form.elements.password.value };
  try {
    const response = await fetch('/graphql', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({
        query: 'mutation SignIn($input: LoginInput!) { login(input: $input) { token user { username role } } }',
        variables: { input },
      }),
    });
    const body = await response.json();
    const login = body.data && body.data.login;
    if (!login) throw new Error(body.errors && body.errors[0] ? body.errors[0].message : 'Sign-in failed (HTTP ' + response.status + ')');
    sessionStorage.setItem(TOKEN, login.token);
    sessionStorage.setItem(WHO, login.user.username + ' (' + login.user.role + ')');
    form.elements.password.value = '';
    connectFetcher();
    showSignedIn();
  } catch (error) {
    status.textContent = error.message;
    status.className = 'error';
  }
});

signOut.addEventListener('click', () => {
  sessionStorage.removeItem(TOKEN);
  sessionStorage.removeItem(WHO);
  connectFetcher();
  showSignedIn();
});

// Subscriptions go over a WebSocket (graphql-ws), signed in by connection_init with the form's token;
// signing in or out starts a new socket.
let wsClient;
let baseFetcher;
function connectFetcher() {
  if (wsClient) wsClient.dispose();
  wsClient = graphqlWs.createClient({
    url: (location.protocol === 'https:' ? 'wss://' : 'ws://') + location.host + '/graphql',
    lazy: true,
    connectionParams: () => {
      const token = sessionStorage.getItem(TOKEN);
      return token ? { authorization: 'Bearer ' + token } : {};
    },
  });
  baseFetcher = GraphiQL.createFetcher({ url: '/graphql', wsClient });
}
connectFetcher();

function fetcher(params, options) {
  const headers = Object.assign({}, options && options.headers);
  const token = sessionStorage.getItem(TOKEN);
  const named = Object.keys(headers).some((name) => name.toLowerCase() === 'authorization');
  if (token && !named) headers.Authorization = 'Bearer ' + token;
  return baseFetcher(params, Object.assign({}, options, { headers }));
}

showSignedIn();
const root = ReactDOM.createRoot(document.getElementById('graphiql'));
root.render(React.createElement(GraphiQL, {
  fetcher,
  defaultQuery: ${JSON.stringify(DEFAULT_QUERY)},
  defaultEditorToolsVisibility: true,
}));
`;

const STYLE = `
html, body { height: 100%; margin: 0; }
body { display: flex; flex-direction: column; font: 14px system-ui, sans-serif; }
#sign-in { display: flex; flex-wrap: wrap; align-items: center; gap: 8px; padding: 8px 12px; border-bottom: 1px solid #ddd; background: #f6f8fa; }
#sign-in strong { margin-right: 8px; }
#sign-in input { padding: 4px 6px; width: 11em; }
#sign-in.signed-in .when-out, #sign-in:not(.signed-in) .when-in { display: none; }
#sign-in-status.ok { color: #116611; }
#sign-in-status.error { color: #b00020; }
#graphiql { flex: 1; min-height: 0; }
`;

export const graphiqlPage = {
  html: `<!doctype html>
<html lang="en">
<head>
  <meta charset="utf-8">
  <meta name="viewport" content="width=device-width, initial-scale=1">
  <title>AquaMind API · GraphiQL</title>
  <link rel="stylesheet" href="/graphiql/graphiql.css">
  <style>${STYLE}</style>
</head>
<body>
  <form id="sign-in" autocomplete="on">
    <strong>AquaMind API</strong>
    <span class="when-out"><input name="username" value="admin" placeholder="username" autocomplete="username" aria-label="Username"></span>
    <span class="when-out"><input name="password" type="password" placeholder="password" autocomplete="current-password" aria-label="Password"></span>
    <button class="when-out" type="submit">Sign in</button>
    <span id="sign-in-status" role="status"></span>
    <button class="when-in" type="button" id="sign-out">Sign out</button>
  </form>
  <div id="graphiql">Loading GraphiQL…</div>
  <script src="/graphiql/react.js"></script>
  <script src="/graphiql/react-dom.js"></script>
  <script src="/graphiql/graphiql.js"></script>
  <script src="/graphiql/graphql-ws.js"></script>
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
