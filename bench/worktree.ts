import { execFile, spawn } from 'node:child_process';
import { mkdtemp, rm, symlink } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { log, type Teardown } from './cli';

const exec = promisify(execFile);

/** The API compiled at another git ref, for before/after comparisons in one run. */
export interface CompareBuild {
  /** The ref as given (`HEAD~1`, `main`, a sha). */
  readonly label: string;
  readonly sha: string;
  readonly subject: string;
  /** The worktree; its dist/src/main.js is the API at that ref. */
  readonly dir: string;
}

/**
 * Checks `ref` out into a temporary git worktree, links this tree's node_modules into it and compiles it
 * with its own tsconfig.build.json. The teardown removes the worktree.
 */
export async function buildAtRef(repoRoot: string, ref: string, teardown: Teardown): Promise<CompareBuild> {
  const git = async (...args: string[]) => (await exec('git', ['-C', repoRoot, ...args])).stdout.trim();
  const sha = await git('rev-parse', '--verify', `${ref}^{commit}`).catch(() => {
    throw new Error(`--compare ${ref}: not a commit in ${repoRoot}`);
  });
  const subject = await git('log', '-1', '--format=%s', sha);
  const dir = await mkdtemp(path.join(tmpdir(), 'aquamind-bench-compare-'));
  log(`--compare ${ref}: checking out ${sha.slice(0, 7)} ("${subject}") into ${dir}`);
  await git('worktree', 'add', '--detach', '--force', dir, sha);
  teardown.add(`remove the worktree of ${ref}`, async () => {
    await git('worktree', 'remove', '--force', dir).catch(() => undefined);
    await rm(dir, { recursive: true, force: true });
    await git('worktree', 'prune');
    log(`removed the worktree of ${ref}`);
  });
  await symlink(path.join(repoRoot, 'node_modules'), path.join(dir, 'node_modules'), 'dir');
  log(`--compare ${ref}: compiling (npx tsc -p tsconfig.build.json)`);
  await run('npx', ['tsc', '-p', 'tsconfig.build.json'], dir);
  return { label: ref, sha, subject, dir };
}

/** Runs a command in `cwd`; its output is shown only if it fails. */
function run(command: string, args: string[], cwd: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { cwd, stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString('utf8')));
    child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString('utf8')));
    child.once('error', reject);
    child.once('exit', (code) =>
      code === 0 ? resolve() : reject(new Error(`${command} ${args.join(' ')} failed in ${cwd} (exit ${code}):\n${output}`)),
    );
  });
}
