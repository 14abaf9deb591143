// `npm run set-password -- <username>`: gives a user a new password and prints it once: the `admin`
// password lost, or a demo user to sign in as. Runs on the configured database (the embedded one when
// no DATABASE_URL is set: stop the API first, it holds that one).
import { randomBytes } from 'node:crypto';
import { hashPassword } from '../shared/password';
import { runWithOrm, TaskFailure } from './run-with-orm';

const USAGE = 'usage: npm run set-password -- <username>';

/** 16 random characters that meet the password rules (an upper-case letter, a lower-case letter, a digit). */
function newPassword(): string {
  for (;;) {
    const password = randomBytes(12).toString('base64url');
    if (/[A-Z]/.test(password) && /[a-z]/.test(password) && /\d/.test(password)) return password;
  }
}

const [username, ...extra] = process.argv.slice(2);
if (!username || extra.length > 0 || username.startsWith('-')) {
  process.stderr.write(`${USAGE}\n`);
  process.exit(2);
}

void runWithOrm(async (orm) => {
  const password = newPassword();
  const hash = await hashPassword(password);
  // A change like any other: the row's version goes up.
  const changed = await orm.em
    .getConnection()
    .execute<Array<{ id: string }>>('update users set password_hash = ?, version = version + 1, updated_at = now() where username = ? returning id', [hash, username]);
  if (changed.length === 0) throw new TaskFailure(`There is no user "${username}"`);
  process.stdout.write(`New password of "${username}": ${password}\n`);
});
