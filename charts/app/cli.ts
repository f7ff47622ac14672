#!/usr/bin/env node
/**
 * `ai-monitoring <command>`: the package's command line (docs/cli.md).
 *
 *   synth [SPEC] [--out dir] [--stdout] [--allow-recreate]   write dist/ (the default command; main.ts)
 *   preflight [SPEC]                   what the cluster lacks; exit 0 only when nothing
 *   apply [SPEC] [--dry-run] [--prune-pvcs] [--allow-recreate]   server-side apply, then prune
 *   status [SPEC] [--since 15m]        rolled out, ready, bound; exit 1 when not healthy
 *   diff [SPEC]                        live vs desired, one line per drifted field; exit 1 on drift
 *   operator [--namespace NS] [--resync 60s] [--leader-elect] [--health-port N]   reconcile MonitoringStack resources
 *
 * Cluster commands read the kubeconfig like kubectl: --kubeconfig, else
 * $KUBECONFIG, else ~/.kube/config, else the in-cluster service account;
 * --context picks a context. SPEC defaults to ./monitoring.yaml, else the
 * built-in default spec.
 */
import * as fs from 'fs';
import { main as synthMain } from '../../main';
import { formatUnsafeChanges } from '../lib/upgrade-check';
import { DEFAULT_SPEC, SpecError } from '../spec-load';
import { synthesize, type SynthesisResult } from './synthesize';
import type { RunOptions } from './operator/controller';

const USAGE = `usage: ai-monitoring <command> [options]

commands:
  synth [SPEC] [--out dir] [--stdout] [--allow-recreate]   synthesize dist/ (the default)
  preflight [SPEC]        list what the cluster lacks for the stack; exit 0 only when nothing is missing
  apply [SPEC]            server-side apply in dependency order, then prune what the spec no longer emits
          --dry-run         print the plan, change nothing
          --prune-pvcs      also delete PersistentVolumeClaims the spec no longer emits
          --allow-recreate  apply changes the upgrade check refuses
  status [SPEC]           rollouts, pods, claims and recent warnings; exit 1 when not healthy
          --since 15m       how far back warning events count
  diff [SPEC]             live vs desired (server-side dry run); one line per drifted field; exit 1 on drift
  operator                reconcile MonitoringStack resources in the cluster
          --namespace NS    watch one namespace (default: all)
          --resync 60s      re-apply every stack this often (restores drift)
          --leader-elect    reconcile only while holding a Lease (run two replicas safely)
          --lease-name NAME --lease-namespace NS   the Lease (default ai-monitoring-operator in --namespace)
          --lease-duration 15s --renew-deadline 10s --retry-period 2s
          --health-port N   serve /healthz and /readyz on port N
  secrets [SPEC] [--dry-run] [--from-file NAME/KEY=PATH] [--from-env NAME/KEY=VAR]
                          create the Secrets the stack reads (generated passwords, bcrypt web config)

cluster options: --kubeconfig FILE, --context NAME (else $KUBECONFIG / ~/.kube/config / in-cluster)
SPEC defaults to ./monitoring.yaml, else the built-in default spec.`;

interface Common {
  spec?: string;
  kubeconfig?: string;
  context?: string;
  flags: Set<string>;
  values: Map<string, string>;
}

/** Parse `argv` of a cluster command: known boolean flags and valued options; at most one positional SPEC. */
function parse(argv: string[], booleans: string[], valued: string[]): Common | string {
  const c: Common = { flags: new Set(), values: new Map() };
  const positional: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    const eq = a.indexOf('=');
    const name = a.startsWith('--') && eq > 0 ? a.slice(0, eq) : a;
    const inline = a.startsWith('--') && eq > 0 ? a.slice(eq + 1) : undefined;
    if (['--kubeconfig', '--context', ...valued].includes(name)) {
      const v = inline ?? argv[++i];
      if (v === undefined || v === '') return `${name} needs a value`;
      if (name === '--kubeconfig') c.kubeconfig = v;
      else if (name === '--context') c.context = v;
      else c.values.set(name, v);
    } else if (booleans.includes(a)) c.flags.add(a);
    else if (a.startsWith('-') && a !== '-') return `unknown option ${a}`;
    else positional.push(a);
  }
  if (positional.length > 1) return `expected at most one spec file, found ${positional.length}`;
  c.spec = positional[0];
  return c;
}

/** The spec of a cluster command, synthesized; warnings on stderr. */
function load(c: Common): { result: SynthesisResult; source: string } {
  const file = c.spec ?? (fs.existsSync('monitoring.yaml') ? 'monitoring.yaml' : undefined);
  const source = file ?? 'built-in default spec';
  let text: string | undefined;
  if (file) {
    try {
      text = file === '-' ? fs.readFileSync(0, 'utf8') : fs.readFileSync(file, 'utf8');
    } catch {
      throw new SpecError(file, ['file not found']);
    }
  }
  const result = synthesize(text ?? DEFAULT_SPEC, { source });
  for (const w of result.warnings) console.error(`warning: ${w}`);
  return { result, source };
}

async function kube(c: Common) {
  const { Kube } = await import('./live/kube');
  return Kube.connect({ kubeconfig: c.kubeconfig, context: c.context });
}

/** "90s", "5m", "1h" or plain seconds -> milliseconds. */
export function durationMs(s: string): number | undefined {
  const m = /^(\d+(?:\.\d+)?)(ms|s|m|h)?$/.exec(s.trim());
  if (!m) return undefined;
  const n = Number(m[1]);
  return Math.round(n * ({ ms: 1, s: 1000, m: 60_000, h: 3_600_000 }[m[2] ?? 's'] as number));
}

async function preflightCmd(argv: string[]): Promise<number> {
  const c = parse(argv, [], []);
  if (typeof c === 'string') return usage(c);
  const { result, source } = load(c);
  const { preflight, formatFinding } = await import('./live/preflight');
  const findings = await preflight(await kube(c), result);
  for (const f of findings) console.log(formatFinding(f));
  console.log(
    findings.length === 0
      ? `preflight: the cluster has everything ${source} needs`
      : `preflight: ${findings.length} thing${findings.length === 1 ? '' : 's'} missing for ${source}; fix them and run preflight again`,
  );
  return findings.length === 0 ? 0 : 1;
}

async function applyCmd(argv: string[]): Promise<number> {
  const c = parse(argv, ['--dry-run', '--prune-pvcs', '--allow-recreate'], []);
  if (typeof c === 'string') return usage(c);
  const { result } = load(c);
  const { applyStack, summary } = await import('./live/apply');
  const dryRun = c.flags.has('--dry-run');
  const r = await applyStack(await kube(c), result, {
    dryRun,
    prunePvcs: c.flags.has('--prune-pvcs'),
    allowRecreate: c.flags.has('--allow-recreate'),
    log: (l) => console.log(l),
  });
  if (r.refused.length) {
    console.error(
      formatUnsafeChanges(r.refused, 'the cluster')
        .replace(/^synth refused/, 'apply refused')
        .replace(/Run the synth again[^\n]*$/, 'Run apply again with --allow-recreate once you have read the steps (nothing was applied).')
        .replace(/kubectl apply -f dist\//g, 'ai-monitoring apply'),
    );
    return 1;
  }
  for (const k of r.kept) console.log(`kept ${k}`);
  for (const f of r.failed) console.error(`failed: ${f}`);
  console.log(
    `apply${dryRun ? ' --dry-run' : ''}: ${summary(r, dryRun)}${r.failed.length && !dryRun ? ' (nothing pruned; fix the failures and apply again)' : ''}`,
  );
  return r.failed.length ? 1 : 0;
}

async function statusCmd(argv: string[]): Promise<number> {
  const c = parse(argv, [], ['--since']);
  if (typeof c === 'string') return usage(c);
  const since = c.values.has('--since') ? durationMs(c.values.get('--since')!) : 15 * 60_000;
  if (since === undefined) return usage(`--since ${c.values.get('--since')}: expected a duration like 15m`);
  const { result } = load(c);
  const { stackStatus } = await import('./live/status');
  const s = await stackStatus(await kube(c), result, { sinceMinutes: since / 60_000 });
  for (const l of s.ok) console.log(`ok: ${l}`);
  for (const l of s.problems) console.log(`not healthy: ${l}`);
  for (const l of s.events) console.log(`warning event: ${l}`);
  console.log(
    s.healthy
      ? `status: healthy (${s.ok.length} checks)`
      : `status: not healthy (${s.problems.length} problem${s.problems.length === 1 ? '' : 's'})`,
  );
  return s.healthy ? 0 : 1;
}

async function diffCmd(argv: string[]): Promise<number> {
  const c = parse(argv, [], []);
  if (typeof c === 'string') return usage(c);
  const { result } = load(c);
  const { diffStack } = await import('./live/diff');
  const lines = await diffStack(await kube(c), result);
  for (const l of lines) console.log(l.text);
  console.log(
    lines.length === 0
      ? 'diff: no drift'
      : `diff: ${lines.length} difference${lines.length === 1 ? '' : 's'} (ai-monitoring apply restores the desired state)`,
  );
  return lines.length === 0 ? 0 : 1;
}

/** The namespace of the in-cluster service account (where the pod runs), when there is one. */
function podNamespace(): string | undefined {
  try {
    return fs.readFileSync('/var/run/secrets/kubernetes.io/serviceaccount/namespace', 'utf8').trim() || undefined;
  } catch {
    return undefined;
  }
}

/** --leader-elect and its options: the Lease (name, namespace) and its durations. */
function leaderElectionOf(c: Common): { value?: RunOptions['leaderElection'] } | string {
  if (!c.flags.has('--leader-elect')) return {};
  const namespace = c.values.get('--lease-namespace') ?? c.values.get('--namespace') ?? podNamespace();
  if (!namespace) return '--leader-elect needs --lease-namespace (or --namespace) out of a cluster: the namespace of the Lease';
  const ms: Record<string, number> = {};
  for (const [flag, def] of [
    ['--lease-duration', '15s'],
    ['--renew-deadline', '10s'],
    ['--retry-period', '2s'],
  ]) {
    const v = durationMs(c.values.get(flag) ?? def);
    if (!v || v < 100) return `${flag} ${c.values.get(flag)}: expected a duration like ${def}`;
    ms[flag] = v;
  }
  if (!(ms['--retry-period'] < ms['--renew-deadline'] && ms['--renew-deadline'] < ms['--lease-duration']))
    return 'expected --retry-period < --renew-deadline < --lease-duration';
  return {
    value: {
      namespace,
      name: c.values.get('--lease-name') ?? 'ai-monitoring-operator',
      leaseDurationMs: ms['--lease-duration'],
      renewDeadlineMs: ms['--renew-deadline'],
      retryMs: ms['--retry-period'],
    },
  };
}

async function operatorCmd(argv: string[]): Promise<number> {
  const c = parse(
    argv,
    ['--leader-elect'],
    [
      '--namespace',
      '--resync',
      '--lease-name',
      '--lease-namespace',
      '--lease-duration',
      '--renew-deadline',
      '--retry-period',
      '--health-port',
    ],
  );
  if (typeof c === 'string') return usage(c);
  if (c.spec) return usage('operator takes no spec file: it reads MonitoringStack resources from the cluster');
  const resync = durationMs(c.values.get('--resync') ?? '60s');
  if (!resync || resync < 1000) return usage(`--resync ${c.values.get('--resync')}: expected a duration of at least 1s, like 60s`);
  const healthPort = c.values.has('--health-port') ? Number(c.values.get('--health-port')) : undefined;
  if (healthPort !== undefined && !(Number.isInteger(healthPort) && healthPort >= 0 && healthPort < 65536))
    return usage(`--health-port ${c.values.get('--health-port')}: expected a port number like 8081`);
  const leader = leaderElectionOf(c);
  if (typeof leader === 'string') return usage(leader);
  const { runOperator } = await import('./operator/controller');
  return runOperator(await kube(c), { namespace: c.values.get('--namespace'), resyncMs: resync, leaderElection: leader.value, healthPort });
}

/** `secrets`: charts/app/secrets.ts (creates the Secrets the stack reads; nothing secret printed). */
async function secretsCmd(argv: string[]): Promise<number> {
  const { runSecrets } = await import('./secrets');
  return runSecrets(argv);
}

function usage(problem?: string): number {
  if (problem) console.error(`${problem}\n`);
  (problem ? console.error : console.log)(USAGE);
  return problem ? 2 : 0;
}

const COMMANDS: Record<string, (argv: string[]) => Promise<number>> = {
  synth: (argv) => Promise.resolve(synthMain(argv)),
  preflight: preflightCmd,
  apply: applyCmd,
  status: statusCmd,
  diff: diffCmd,
  operator: operatorCmd,
  secrets: secretsCmd,
};

export async function cli(argv: string[]): Promise<number> {
  const [first, ...rest] = argv;
  if (first === 'help' || first === '--help' || first === '-h') return usage();
  // No command, or a spec file / synth option first: synth, today's behaviour.
  const cmd = first !== undefined && COMMANDS[first] ? first : 'synth';
  const args = cmd === first ? rest : argv;
  try {
    return await COMMANDS[cmd](args);
  } catch (e) {
    if (e instanceof SpecError) console.error(e.message);
    else console.error(`${cmd} failed: ${(e as Error).message}`);
    return 1;
  }
}

if (require.main === module) {
  cli(process.argv.slice(2)).then(
    (code) => {
      process.exitCode = code;
    },
    (e) => {
      console.error(e);
      process.exitCode = 1;
    },
  );
}
