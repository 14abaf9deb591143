import { execFile } from 'node:child_process';
import path from 'node:path';
import { promisify } from 'node:util';
import { CREATE_USER, newUserInput } from './support/documents';
import { createTestApi, type TestApi } from './support/test-api';

// `npm run set-password -- <username>`: the way back in when the admin password is lost (start-up
// never changes an existing admin's), and the way to sign in as a demo user.
const ROOT = path.resolve(__dirname, '..');
let api: TestApi;
beforeAll(async () => {
  api = await createTestApi();
});
afterAll(async () => api.close());

async function setPassword(...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  const { DATABASE_URL: _, ...env } = process.env;
  try {
    const { stdout, stderr } = await promisify(execFile)('npm', ['run', '--silent', 'set-password', '--', ...args], {
      cwd: ROOT,
      env: { ...env, DATABASE_URL: api.db.url, NODE_ENV: 'test', LOG_LEVEL: 'error' },
    });
    return { code: 0, stdout, stderr };
  } catch (error) {
    const failed = error as { code: number; stdout: string; stderr: string };
    return { code: failed.code, stdout: failed.stdout, stderr: failed.stderr };
  }
}

const LOGIN = 'mutation ($input: LoginInput!) { login(input: $input) { user { id } } }';

describe('npm run set-password', () => {
  it('gives the user a new password, printed once, with which they sign in; the old one stops working', async () => {
    const input = newUserInput();
    const created = await api.gql(CREATE_USER, { input });
    const id = created.data!.createUser.user.id as string;
    const [before] = await api.db.sql<{ version: number }>('select version from users where id = $1', [id]);

    const { code, stdout } = await setPassword(input.username);
    expect(code).toBe(0);
    const password = /New password of "[^"]+": (\S+)/.exec(stdout)?.[1];
    expect(password).toMatch(/^(?=.*[A-Z])(?=.*[a-z])(?=.*\d)[A-Za-z0-9_-]{16}$/);

    const signedIn = await api.gql(LOGIN, { input: { username: input.username, password } }, { authorization: '' });
    expect(signedIn.data).toEqual({ login: { user: { id } } });
    const old = await api.gql(LOGIN, { input: { username: input.username, password: input.password } }, { authorization: '' });
    expect(old.errors?.[0]?.extensions?.code).toBe('UNAUTHENTICATED');
    // A change like any other: the version went up.
    expect(await api.db.sql('select version from users where id = $1', [id])).toEqual([{ version: before!.version + 1 }]);
  }, 60_000);

  it('fails with a message for an unknown user, and shows its usage without one', async () => {
    const unknown = await setPassword('nobody_here');
    expect(unknown.code).toBe(1);
    expect(unknown.stdout + unknown.stderr).toContain('There is no user "nobody_here"');
    const usage = await setPassword();
    expect(usage.code).toBe(2);
    expect(usage.stderr).toContain('usage: npm run set-password -- <username>');
  }, 60_000);
});
