import { spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { loadTypeDefs } from '../src/graphql/server';

// What a Relay frontend meets first: relay-compiler, Meta's client compiler, on typical documents
// (tests/relay/: a paginated @connection both ways, @refetchable fragments on Device and User, a
// mutation updating a device) against the API's own SDL. It refuses a schema Relay cannot build on.
/** The platform's relay-compiler binary, shipped inside the npm package (null on a platform it has none for); the package has no types. */
const binary = createRequire(__filename)('relay-compiler') as string | null;

/** Runs relay-compiler on tests/relay/ against `sdl` in a scratch project; what it printed, and the artifacts it wrote. */
function compile(sdl: string): { status: number | null; output: string; wrote: (artifact: string) => boolean } {
  const dir = mkdtempSync(path.join(tmpdir(), 'aquamind-relay-'));
  try {
    cpSync(path.join(__dirname, 'relay'), path.join(dir, 'src'), { recursive: true });
    writeFileSync(path.join(dir, 'schema.graphql'), sdl);
    writeFileSync(
      path.join(dir, 'relay.config.json'),
      JSON.stringify({
        src: './src',
        schema: './schema.graphql',
        language: 'typescript',
        customScalarTypes: { DateTime: 'string', Date: 'string', Decimal: 'string' },
      }),
    );
    const run = spawnSync(binary!, [], { cwd: dir, encoding: 'utf8', timeout: 60_000 });
    const found = new Set<string>();
    for (const name of ['DashboardPaginationQuery', 'DeviceReadingsPaginationQuery', 'DeviceCardRefetchQuery', 'UserCardRefetchQuery', 'RenameDeviceMutation']) {
      if (existsSync(path.join(dir, 'src', '__generated__', `${name}.graphql.ts`))) found.add(name);
    }
    return { status: run.status, output: `${run.stdout}${run.stderr}`, wrote: (artifact) => found.has(artifact) };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** The API's SDL in one document, as a client downloads it (common.graphql first: it defines Query and Mutation). */
function sdl(): string {
  const files = loadTypeDefs();
  return files.sort((a, b) => Number(b.includes('type Query\n')) - Number(a.includes('type Query\n'))).join('\n');
}

describe('relay-compiler', () => {
  it('compiles a frontend’s documents against the SDL with no error: connections both ways, refetchable fragments, a mutation', () => {
    expect(binary).not.toBeNull();
    const result = compile(sdl());
    expect({ status: result.status, output: result.output }).toEqual({ status: 0, output: expect.not.stringMatching(/\[ERROR\]|error:/i) });
    for (const artifact of ['DashboardPaginationQuery', 'DeviceReadingsPaginationQuery', 'DeviceCardRefetchQuery', 'UserCardRefetchQuery', 'RenameDeviceMutation']) {
      expect({ artifact, written: result.wrote(artifact) }).toEqual({ artifact, written: true });
    }
  });

  it('refuses the schema without PageInfo.startCursor (the check can fail)', () => {
    const broken = sdl().replace(/\n\s*"The cursor of the first item on this page; null when the page is empty\."\n\s*startCursor: String/, '');
    expect(broken).not.toMatch(/^\s*startCursor:/m);
    const result = compile(broken);
    expect(result.status).not.toBe(0);
    expect(result.output).toMatch(/startCursor/);
  });
});
