/**
 * The test command cannot install prometheus-msteams (the Go module proxy
 * refuses every version; test/e2e/e2e-teams-bridge.test.ts runs a hand-built
 * one when present), so what we emit for it is checked against the contract read from
 * its source at the pinned tag (contracts/prometheus-msteams/<tag>.json):
 * command-line flags, the environment variables ff maps onto them, the
 * connectors file keys, and the card envelope type each mode accepts.
 */
import * as fs from 'fs';
import * as path from 'path';
import { parse } from 'yaml';
import { IMAGES, imageVersion } from '../../charts/core/images';
import { configMapData } from '../lib/dist';
import { find, synth } from '../lib/synth';

const TAG = imageVersion(IMAGES.prometheusMsteams);
const CONTRACT_FILE = path.join(__dirname, '..', '..', 'contracts', 'prometheus-msteams', `${TAG}.json`);

interface MsteamsContract {
  source: { repository: string; tag: string };
  flags: Record<string, string>;
  cardType: { workflow: string; connector: string };
  connectorsFileKeys: string[];
  customTemplateConnectorKeys: string[];
}

/** Problems of the bridge's container and files against the contract. */
export function bridgeProblems(objects: any[], c: MsteamsContract, workflows: boolean): string[] {
  const out: string[] = [];
  const container = find(objects, 'Deployment', 'prometheus-msteams').spec.template.spec.containers.find(
    (x: any) => x.name === 'prometheus-msteams',
  );
  for (const a of container.args ?? []) {
    const m = /^--?([a-z0-9-]+)(=.*)?$/.exec(a);
    if (!m || !c.flags[m[1]]) out.push(`arg ${a}: no such flag in prometheus-msteams ${c.source.tag}`);
  }
  const envFlags = new Set<string>();
  for (const e of container.env ?? []) {
    const flag = e.name.toLowerCase().replace(/_/g, '-');
    if (!c.flags[flag]) out.push(`env ${e.name}: no flag ${flag} in prometheus-msteams ${c.source.tag}, so it is ignored`);
    else envFlags.add(flag);
  }
  if (
    workflows &&
    !envFlags.has('workflow-webhook') &&
    !(container.args ?? []).some((a: string) => /^--?workflow-webhook(=true)?$/.test(a))
  ) {
    out.push('workflows mode without -workflow-webhook: the bridge would post MessageCards');
  }
  const data = configMapData(objects, 'prometheus-msteams');
  const connectors = parse(data['connectors.yaml.tmpl']);
  for (const k of Object.keys(connectors)) if (!c.connectorsFileKeys.includes(k)) out.push(`connectors file key ${k} is unknown`);
  for (const conn of connectors.connectors_with_custom_templates ?? []) {
    for (const k of Object.keys(conn)) if (!c.customTemplateConnectorKeys.includes(k)) out.push(`connector key ${k} is unknown`);
  }
  // The envelope type: the first "type" (or "@type") the template writes.
  const type = /"@?type"\s*:\s*"([^"]+)"/.exec(data['card.tmpl'])?.[1];
  const want = workflows ? c.cardType.workflow : c.cardType.connector;
  if (type !== want)
    out.push(`card template type ${type}: the ${workflows ? 'workflow' : 'connector'} mode of ${c.source.tag} accepts only ${want}`);
  return out;
}

describe(`prometheus-msteams ${TAG} contract`, () => {
  test('a contract exists for the pinned image tag', () => {
    expect(fs.existsSync(CONTRACT_FILE)).toBe(true);
  });
  const contract = JSON.parse(fs.readFileSync(CONTRACT_FILE, 'utf8')) as MsteamsContract;

  test("the contract is the pinned tag's", () => {
    expect(contract.source).toMatchObject({ repository: 'github.com/prometheus-msteams/prometheus-msteams', tag: TAG });
  });

  test("Teams Workflows mode (default): flags, env, connectors file and Adaptive Card envelope are all the pinned version's", () => {
    expect(bridgeProblems(synth({}).objects, contract, true)).toEqual([]);
  });

  test('legacy connector mode: MessageCard envelope', () => {
    expect(bridgeProblems(synth({ alerting: { msteams: { workflows: false } } }).objects, contract, false)).toEqual([]);
  });

  test('the check catches what v1.5.2 would have done: no -workflow-webhook flag, so WORKFLOW_WEBHOOK is ignored', () => {
    const { 'workflow-webhook': _gone, ...flags152 } = contract.flags;
    const problems = bridgeProblems(
      synth({}).objects,
      { ...contract, flags: flags152, source: { ...contract.source, tag: 'v1.5.2' } },
      true,
    );
    expect(problems).toEqual(
      expect.arrayContaining([
        'env WORKFLOW_WEBHOOK: no flag workflow-webhook in prometheus-msteams v1.5.2, so it is ignored',
        'workflows mode without -workflow-webhook: the bridge would post MessageCards',
      ]),
    );
  });
});
