/**
 * The spec.webAuth Secret as a cluster mounts it (/etc/web-auth/<key>), made
 * in a temp dir with the values `npm run secrets` generates (a random password
 * and the bcryptjs web config, charts/app/secrets.ts), and the rewrite of the
 * mount path in synthesized configs and arguments.
 */
import * as fs from 'fs';
import * as path from 'path';
import { randomSecret, webConfig } from '../../charts/app/secrets';
import { WEB_AUTH_DIR } from '../../charts/core/web-auth';

export interface WebAuthFiles {
  readonly dir: string;
  readonly username: string;
  readonly password: string;
  /** `Authorization` header value for fetch. */
  readonly header: string;
}

/** The keys `npm run secrets` writes into the web-auth Secret, as files in `dir`. */
export function makeWebAuthSecret(dir: string, username = 'monitoring'): WebAuthFiles {
  fs.mkdirSync(dir, { recursive: true });
  const password = randomSecret();
  // Cost 10 rather than the command's 12: the same format, a quarter of the time per request in the tests.
  fs.writeFileSync(path.join(dir, 'web-config.yml'), webConfig(username, password, 10));
  fs.writeFileSync(path.join(dir, 'password'), password);
  return { dir, username, password, header: `Basic ${Buffer.from(`${username}:${password}`).toString('base64')}` };
}

/** `text` with the Secret's mount path pointing at `dir`. */
export function atWebAuthDir(text: string, dir: string): string {
  return text.split(`${WEB_AUTH_DIR}/`).join(`${dir}${path.sep}`);
}
