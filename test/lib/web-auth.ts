/**
 * The spec.webAuth Secret as a cluster mounts it (/etc/web-auth/<key>), made
 * in a temp dir with the commands README tells users to run (htpasswd -nbB
 * from apache2-utils: a bcrypt hash), and the rewrite of the mount path in
 * synthesized configs and arguments.
 */
import { spawnSync } from 'child_process';
import * as crypto from 'crypto';
import * as fs from 'fs';
import * as path from 'path';
import { WEB_AUTH_DIR } from '../../charts/core/web-auth';

export interface WebAuthFiles {
  readonly dir: string;
  readonly username: string;
  readonly password: string;
  /** `Authorization` header value for fetch. */
  readonly header: string;
}

/** docs/operations.md "Secrets" commands, run into `dir` (the Secret's keys become files). */
export function makeWebAuthSecret(dir: string, username = 'monitoring'): WebAuthFiles {
  fs.mkdirSync(dir, { recursive: true });
  const password = crypto.randomBytes(24).toString('hex');
  const r = spawnSync('bash', ['-c', `set -euo pipefail
printf 'basic_auth_users:\\n  %s: %s\\n' "$USER_NAME" "$(htpasswd -nbB "$USER_NAME" "$PASSWORD" | cut -d: -f2)" > web-config.yml
printf '%s' "$PASSWORD" > password`], { cwd: dir, encoding: 'utf8', env: { ...process.env, USER_NAME: username, PASSWORD: password } });
  if (r.status !== 0) throw new Error(`making the web-auth Secret failed (is htpasswd from apache2-utils installed? npm run test:all installs it): ${r.stderr}`);
  return { dir, username, password, header: `Basic ${Buffer.from(`${username}:${password}`).toString('base64')}` };
}

/** `text` with the Secret's mount path pointing at `dir`. */
export function atWebAuthDir(text: string, dir: string): string {
  return text.split(`${WEB_AUTH_DIR}/`).join(`${dir}${path.sep}`);
}
