/**
 * `ai-monitoring secrets [spec.yaml] [--dry-run] [--context NAME]
 *  [--from-file NAME/KEY=PATH] [--from-env NAME/KEY=VAR]`
 * (today `npm run secrets -- ...`): creates the Secrets the stack needs, the
 * ones synth lists as prerequisites (charts/lib/prerequisites.ts), from the
 * same spec synth reads.
 *
 * - Values the stack owns are generated: the web-auth password (spec.webAuth)
 *   and its web config (`basic_auth_users: {user: bcrypt hash}`, the hash
 *   computed with bcryptjs, cost 12; no htpasswd needed), Grafana's admin
 *   password and secret_key; the admin user name is "admin".
 * - Values only the user has (a Teams webhook URL, object-store keys, a
 *   remote-write password) come from a file or an environment variable,
 *   never from the command line (shell history, `ps`).
 * - Nothing secret is printed: only namespaces, Secret names and keys.
 * - An existing key is never overwritten: a Secret that exists gets only its
 *   missing keys (the object as read plus those keys, replaced with the
 *   resourceVersion read, so a concurrent change fails instead of being
 *   overwritten). A missing web config is derived from the password already
 *   stored.
 * - A key that would be empty fails the whole run before anything is written.
 *
 * Talks to the cluster through kubectl (the kubeconfig and context kubectl
 * uses), passing Secret bodies on stdin, never in arguments.
 */
import { spawnSync } from 'child_process';
import * as crypto from 'crypto';
import * as fs from 'fs';
import bcrypt from 'bcryptjs';
import { App } from 'cdk8s';
import { renderManifests } from './output';
import { parseManifestTexts } from '../lib/upgrade-check';
import { prerequisites, type SecretNeed } from '../lib/prerequisites';
import { DEFAULT_SPEC, readSpecFile, SpecError, validateSpec } from '../spec-load';
import type { MonitoringStackSpec } from '../spec-schema';
import { MonitoringStack } from '../stack';

export const SECRETS_USAGE =
  'usage: ai-monitoring secrets [spec.yaml] [--dry-run] [--context NAME] [--from-file NAME/KEY=PATH]... [--from-env NAME/KEY=VAR]...';

/** Where a key's value comes from. */
export type KeySource =
  | { readonly kind: 'random' }
  | { readonly kind: 'fixed'; readonly value: string; readonly why: string }
  | { readonly kind: 'web-config'; readonly user: string; readonly passwordKey: string }
  | { readonly kind: 'file'; readonly path: string }
  | { readonly kind: 'env'; readonly variable: string };

export interface PlannedSecret {
  readonly namespace: string;
  readonly name: string;
  readonly optional: boolean;
  readonly keys: { readonly key: string; readonly source?: KeySource }[];
}

interface Args {
  spec?: string;
  dryRun: boolean;
  context?: string;
  given: Map<string, KeySource>;
}

function parseArgs(argv: string[]): Args | string {
  const a: Args = { dryRun: false, given: new Map() };
  const positional: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    if (arg === '--dry-run') a.dryRun = true;
    else if (arg === '--context' || arg.startsWith('--context=')) {
      const v = arg === '--context' ? argv[++i] : arg.slice('--context='.length);
      if (!v) return '--context needs a kubeconfig context name';
      a.context = v;
    } else if (/^--from-(file|env)(=|$)/.test(arg)) {
      const opt = arg.startsWith('--from-file') ? '--from-file' : '--from-env';
      const v = arg.includes('=') ? arg.slice(arg.indexOf('=') + 1) : argv[++i];
      const m = v === undefined ? null : /^([a-z0-9][-a-z0-9.]*)\/([-._a-zA-Z0-9]+)=(.+)$/.exec(v);
      if (!m)
        return `${opt} needs NAME/KEY=${opt === '--from-file' ? 'PATH' : 'VARIABLE'} (the Secret's name, its key, and where the value is), found ${JSON.stringify(v ?? '')}`;
      a.given.set(`${m[1]}/${m[2]}`, opt === '--from-file' ? { kind: 'file', path: m[3] } : { kind: 'env', variable: m[3] });
    } else if (arg.startsWith('-')) return `unknown option ${arg}`;
    else positional.push(arg);
  }
  if (positional.length > 1) return `expected at most one spec file, found ${positional.length}`;
  a.spec = positional[0];
  return a;
}

/** The stack's objects, as synth renders them. */
function stackObjects(spec: MonitoringStackSpec): any[] {
  return parseManifestTexts(renderManifests(new MonitoringStack(new App(), 'stack', { spec })));
}

/** The Namespace objects of the stack (labels included), by name: created first when a Secret's namespace is missing. */
export function stackNamespaces(spec: MonitoringStackSpec): Map<string, any> {
  return new Map(
    stackObjects(spec)
      .filter((o) => o.kind === 'Namespace')
      .map((o) => [o.metadata.name, o]),
  );
}

/** The Secrets the stack reads and where each key's value comes from (undefined: nobody said). */
export function planSecrets(spec: MonitoringStackSpec, given: ReadonlyMap<string, KeySource> = new Map()): PlannedSecret[] {
  const needs: SecretNeed[] = prerequisites(stackObjects(spec)).secrets;
  const s = spec.spec;
  const webAuth = s.webAuth;
  const admin = s.grafana.adminSecret;
  const grafanaKey = s.grafana.secretKeyRef;
  return needs.map((n) => {
    const keys = (n.keys.length ? n.keys : []).map((key) => {
      const id = `${n.name}/${key}`;
      let source: KeySource | undefined = given.get(id);
      if (!source && n.namespace === s.namespace) {
        if (n.name === webAuth.secretName && key === webAuth.passwordKey) source = { kind: 'random' };
        else if (n.name === webAuth.secretName && key === webAuth.webConfigKey)
          source = { kind: 'web-config', user: webAuth.username, passwordKey: webAuth.passwordKey };
        else if (n.name === admin.name && key === admin.userKey) source = { kind: 'fixed', value: 'admin', why: 'Grafana admin user name' };
        else if (n.name === admin.name && key === admin.passwordKey) source = { kind: 'random' };
        else if (n.name === (grafanaKey.name ?? admin.name) && key === grafanaKey.key) source = { kind: 'random' };
      }
      return { key, source };
    });
    return { namespace: n.namespace, name: n.name, optional: n.optional, keys };
  });
}

/** What the run would do to each Secret, given what exists (key names only). */
export interface SecretAction {
  readonly namespace: string;
  readonly name: string;
  readonly create: boolean;
  readonly add: { key: string; source: KeySource }[];
  readonly kept: string[];
}

/** Problems that stop the run before anything is written: keys nobody can fill, files or variables that are empty. */
export function planProblems(
  plan: PlannedSecret[],
  existing: ReadonlyMap<string, ReadonlySet<string>>,
  env: NodeJS.ProcessEnv = process.env,
): string[] {
  const problems: string[] = [];
  for (const p of plan) {
    const have = existing.get(`${p.namespace}/${p.name}`) ?? new Set<string>();
    for (const k of p.keys) {
      if (have.has(k.key)) continue;
      const id = `${p.name}/${k.key}`;
      if (!k.source) {
        if (p.optional) continue;
        problems.push(
          `${p.namespace}/${id}: the stack cannot make this value (it is yours: a webhook URL, a credential of another system); give it with --from-file ${id}=PATH or --from-env ${id}=VARIABLE`,
        );
      } else if (k.source.kind === 'file') {
        let text: string | undefined;
        try {
          text = fs.readFileSync(k.source.path, 'utf8');
        } catch (e) {
          problems.push(`${p.namespace}/${id}: cannot read ${k.source.path} (${(e as NodeJS.ErrnoException).code})`);
          continue;
        }
        if (text.trim() === '')
          problems.push(`${p.namespace}/${id}: ${k.source.path} is empty, so the key would be empty; put the value in the file`);
      } else if (k.source.kind === 'env') {
        if ((env[k.source.variable] ?? '').trim() === '')
          problems.push(
            `${p.namespace}/${id}: the environment variable ${k.source.variable} is ${env[k.source.variable] === undefined ? 'not set' : 'empty'}, so the key would be empty; export it first`,
          );
      } else if (k.source.kind === 'web-config') {
        const from = k.source.passwordKey;
        if (!have.has(from) && !p.keys.some((x) => x.key === from && x.source))
          problems.push(`${p.namespace}/${id}: derived from ${from}, which is neither stored nor made`);
      }
    }
  }
  return problems;
}

export function planActions(plan: PlannedSecret[], existing: ReadonlyMap<string, ReadonlySet<string>>): SecretAction[] {
  const out: SecretAction[] = [];
  for (const p of plan) {
    const id = `${p.namespace}/${p.name}`;
    const have = existing.get(id);
    const add = p.keys.filter((k) => !have?.has(k.key) && k.source).map((k) => ({ key: k.key, source: k.source! }));
    if (!have && add.length === 0) continue; // an optional Secret nobody gave values for
    out.push({ namespace: p.namespace, name: p.name, create: !have, add, kept: p.keys.filter((k) => have?.has(k.key)).map((k) => k.key) });
  }
  return out;
}

/** One line per Secret, names and keys only (never a value). */
export function describeActions(actions: SecretAction[], dryRun: boolean): string[] {
  const how = (s: KeySource) =>
    s.kind === 'random'
      ? 'generated'
      : s.kind === 'fixed'
        ? s.why
        : s.kind === 'web-config'
          ? `bcrypt web config for user ${s.user}`
          : s.kind === 'file'
            ? `from ${s.path}`
            : `from $${s.variable}`;
  return actions.map((a) => {
    const verb = a.create ? (dryRun ? 'would create' : 'created') : a.add.length ? (dryRun ? 'would add to' : 'added to') : 'unchanged';
    const added = a.add.map((k) => `${k.key} (${how(k.source)})`).join(', ');
    const kept = a.kept.length ? `; kept ${a.kept.join(', ')} (existing keys are never overwritten)` : '';
    return `${verb} secret ${a.namespace}/${a.name}${added ? `: ${added}` : ''}${kept}`;
  });
}

export const randomSecret = (): string => crypto.randomBytes(24).toString('base64url');

/** The exporter-toolkit web config for one user (the servers read basic_auth_users). */
export function webConfig(user: string, password: string, cost = 12): string {
  return `basic_auth_users:\n  ${user}: ${bcrypt.hashSync(password, cost)}\n`;
}

function valueOf(source: KeySource, values: Record<string, string>, stored: Record<string, string>, env: NodeJS.ProcessEnv): string {
  switch (source.kind) {
    case 'random':
      return randomSecret();
    case 'fixed':
      return source.value;
    case 'file':
      return fs.readFileSync(source.path, 'utf8').replace(/\r?\n$/, '');
    case 'env':
      return env[source.variable] ?? '';
    case 'web-config':
      return webConfig(source.user, values[source.passwordKey] ?? stored[source.passwordKey]);
  }
}

/** kubectl with the Secret body on stdin; stdout is never shown (it could echo data). */
function kubectl(args: string[], context: string | undefined, input?: string) {
  const r = spawnSync('kubectl', [...(context ? ['--context', context] : []), ...args], {
    input,
    encoding: 'utf8',
    maxBuffer: 64 * 1024 * 1024,
  });
  if (r.error)
    throw new Error(`kubectl could not run (${(r.error as NodeJS.ErrnoException).code}): install kubectl and point it at your cluster`);
  return r;
}

/** A Secret as read: its decoded data, its resourceVersion and the object itself. */
interface StoredSecret {
  data: Record<string, string>;
  resourceVersion: string;
  object: any;
}

function readSecret(ns: string, name: string, context?: string): StoredSecret | undefined {
  const r = kubectl(['-n', ns, 'get', 'secret', name, '-o', 'json', '--ignore-not-found'], context);
  if (r.status !== 0) throw new Error(`kubectl get secret ${ns}/${name} failed: ${r.stderr.trim()}`);
  if (r.stdout.trim() === '') return undefined;
  const o = JSON.parse(r.stdout);
  const data = Object.fromEntries(Object.entries<string>(o.data ?? {}).map(([k, v]) => [k, Buffer.from(v, 'base64').toString('utf8')]));
  return { data, resourceVersion: o.metadata.resourceVersion, object: o };
}

/** The namespaces of the plan that do not exist yet (secrets before the first apply). */
function missingNamespaces(plan: PlannedSecret[], context: string | undefined): string[] {
  const missing: string[] = [];
  for (const ns of new Set(plan.map((p) => p.namespace))) {
    const r = kubectl(['get', 'namespace', ns, '-o', 'name', '--ignore-not-found'], context);
    if (r.status !== 0) throw new Error(`kubectl get namespace ${ns} failed: ${r.stderr.trim()}`);
    if (r.stdout.trim() === '') missing.push(ns);
  }
  return missing;
}

/** The planned Secrets that exist, by namespace/name (none is looked for in a missing namespace). */
function storedSecrets(plan: PlannedSecret[], missingNs: string[], context: string | undefined): Map<string, StoredSecret> {
  const stored = new Map<string, StoredSecret>();
  for (const p of plan) {
    if (missingNs.includes(p.namespace)) continue;
    const s = readSecret(p.namespace, p.name, context);
    if (s) stored.set(`${p.namespace}/${p.name}`, s);
  }
  return stored;
}

/** Create the missing namespaces as the stack defines them (labels included). */
function createNamespaces(missingNs: string[], namespaces: Map<string, any>, context: string | undefined): void {
  for (const ns of missingNs) {
    const body = namespaces.get(ns) ?? { apiVersion: 'v1', kind: 'Namespace', metadata: { name: ns } };
    const r = kubectl(['create', '-f', '-', '-o', 'name'], context, JSON.stringify(body));
    if (r.status !== 0 && !/AlreadyExists/.test(r.stderr)) throw new Error(`creating namespace ${ns} failed: ${r.stderr.trim()}`);
    console.log(`created namespace ${ns} (as the stack defines it)`);
  }
}

/** The values of the keys an action adds, web configs last (they hash a password made or stored); none may be empty. */
function addedValues(a: SecretAction, old: StoredSecret | undefined): Record<string, string> {
  const id = `${a.namespace}/${a.name}`;
  const values: Record<string, string> = {};
  for (const k of a.add.filter((x) => x.source.kind !== 'web-config'))
    values[k.key] = valueOf(k.source, values, old?.data ?? {}, process.env);
  for (const k of a.add.filter((x) => x.source.kind === 'web-config'))
    values[k.key] = valueOf(k.source, values, old?.data ?? {}, process.env);
  for (const [k, v] of Object.entries(values)) if (v === '') throw new Error(`${id} key ${k} would be empty; nothing more was written`);
  return values;
}

/** Create the Secret, or add its missing keys to the one stored (never overwriting a key). */
function writeSecret(a: SecretAction, old: StoredSecret | undefined, context: string | undefined): void {
  const id = `${a.namespace}/${a.name}`;
  const values = addedValues(a, old);
  const data = Object.fromEntries(Object.entries(values).map(([k, v]) => [k, Buffer.from(v, 'utf8').toString('base64')]));
  if (a.create) {
    const body = { apiVersion: 'v1', kind: 'Secret', type: 'Opaque', metadata: { name: a.name, namespace: a.namespace }, data };
    const r = kubectl(['create', '-f', '-', '-o', 'name'], context, JSON.stringify(body));
    if (r.status !== 0) throw new Error(`creating ${id} failed (nothing of it was written): ${r.stderr.trim()}`);
  } else if (a.add.length) {
    // The object as read plus the keys it lacked, on stdin; its resourceVersion makes a concurrent change
    // fail (Conflict) instead of being overwritten, so no key that exists is ever written.
    const body = { ...old!.object, data: { ...(old!.object.data ?? {}), ...data } };
    const r = kubectl(['replace', '-f', '-', '-o', 'name'], context, JSON.stringify(body));
    if (r.status !== 0)
      throw new Error(
        `adding keys to ${id} failed (it changed meanwhile, or access was refused; its keys were left as they were): ${r.stderr.trim()}`,
      );
  }
}

// eslint-disable-next-line @typescript-eslint/require-await -- the CLI awaits every command; this one runs kubectl synchronously
export async function runSecrets(argv: string[]): Promise<number> {
  if (argv.includes('--help') || argv.includes('-h')) {
    console.log(SECRETS_USAGE);
    return 0;
  }
  const args = parseArgs(argv);
  if (typeof args === 'string') {
    console.error(`${args}\n${SECRETS_USAGE}`);
    return 2;
  }
  try {
    const specPath = args.spec ?? (fs.existsSync('monitoring.yaml') ? 'monitoring.yaml' : undefined);
    const spec = specPath ? readSpecFile(specPath) : validateSpec(DEFAULT_SPEC, 'built-in default spec');
    const plan = planSecrets(spec, args.given);
    const unknown = [...args.given.keys()].filter((id) => !plan.some((p) => p.keys.some((k) => `${p.name}/${k.key}` === id)));
    if (unknown.length) {
      console.error(
        `secrets: the stack reads no ${unknown.join(', ')}; it reads ${plan.flatMap((p) => p.keys.map((k) => `${p.name}/${k.key}`)).join(', ')}`,
      );
      return 2;
    }
    // A Secret's namespace that does not exist yet (secrets before the first apply) is created as the stack defines it.
    const namespaces = stackNamespaces(spec);
    const missingNs = missingNamespaces(plan, args.context);
    const stored = storedSecrets(plan, missingNs, args.context);
    const existing = new Map([...stored].map(([id, s]) => [id, new Set(Object.keys(s.data))]));
    const problems = planProblems(plan, existing);
    if (problems.length) {
      console.error(
        `secrets: nothing was written; ${problems.length} problem${problems.length === 1 ? '' : 's'}:\n${problems.map((p) => `  - ${p}`).join('\n')}`,
      );
      return 1;
    }
    const actions = planActions(plan, existing);
    if (args.dryRun) {
      for (const ns of missingNs) console.log(`would create namespace ${ns} (as the stack defines it)`);
      for (const l of describeActions(actions, true)) console.log(l);
      return 0;
    }
    createNamespaces(missingNs, namespaces, args.context);
    for (const a of actions) writeSecret(a, stored.get(`${a.namespace}/${a.name}`), args.context);
    for (const l of describeActions(actions, false)) console.log(l);
    if (actions.length === 0) console.log('the stack reads no Secrets');
    return 0;
  } catch (e) {
    console.error(e instanceof SpecError ? e.message : `secrets failed: ${(e as Error).message}`);
    return 1;
  }
}

if (require.main === module) {
  void runSecrets(process.argv.slice(2)).then((code) => {
    process.exitCode = code;
  });
}
