/**
 * The Teams chain with real programs, on 127.0.0.1: Prometheus (TOOL_PINS
 * version) evaluates the synthesized rules and fires TargetDown when a real
 * node-exporter stops; Alertmanager v0.28.1 with the synthesized
 * alertmanager.yml delivers it through its native `msteamsv2` integration
 * (Teams Workflows) to a loopback HTTP server standing in for the Workflows
 * endpoint. The posted Adaptive Card must carry the alert name, severity,
 * summary, description, runbook link, cluster and namespace; restarting the
 * exporter must post the resolved card.
 *
 * What a cluster does for us is redone here, nothing else: discovery becomes
 * static targets with the discovery labels, in-cluster addresses become
 * loopback ports, rule_files points where the rules were written, and the
 * webhook URL Secret is the file the synthesized `webhook_url_file` names.
 *
 * The bridge path (msteams receivers -> prometheus-msteams) is
 * test/e2e/e2e-teams-bridge.test.ts: it needs a hand-built binary, since the Go
 * module proxy refuses every prometheus-msteams version (see TOOL_PINS), and is
 * skipped without one; test/config/msteams-contract.test.ts checks the bridge's
 * flags and card against v1.5.4's source either way.
 */
import * as fs from 'fs';
import * as http from 'http';
import * as os from 'os';
import * as path from 'path';
import { parse } from 'yaml';
import { configMapData } from '../lib/dist';
import { authorizeRequests, freePort, get, Procs, promQuery, staticPod } from '../lib/procs';
import { atWebAuthDir, makeWebAuthSecret } from '../lib/web-auth';
import { find, synth } from '../lib/synth';
import { tool } from '../lib/tools';
import {
  startAlertmanagerAndPrometheus,
  teamsE2eSpec,
  workflowsEndpoint,
  writeLoopbackPrometheus,
  writeRuleFiles,
  type Posted,
} from '../lib/teams-e2e';

jest.setTimeout(180_000);
const NODE = 'e2e-node';

interface Card {
  type: string;
  attachments: {
    contentType: string;
    content: { type: string; version: string; body: { type: string; text: string }[]; msteams?: { width: string } };
  }[];
}

describe('Teams Workflows end to end: Prometheus -> Alertmanager msteamsv2 -> loopback Workflows endpoint', () => {
  const procs = new Procs();
  let posts: Posted<Card>[] = [];
  const ports = { prometheus: 0, alertmanager: 0, nodeExporter: 0, teams: 0 };
  let server: http.Server | undefined;
  let tmp = '';
  let nodeExporter: ReturnType<Procs['start']>;
  const startNodeExporter = () =>
    procs.start('node-exporter', tool('prometheus-node-exporter'), [
      `--web.listen-address=127.0.0.1:${ports.nodeExporter}`,
      '--collector.disable-defaults',
      '--collector.loadavg',
    ]);

  beforeAll(async () => {
    tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'e2e-teams-'));
    for (const k of Object.keys(ports) as (keyof typeof ports)[]) ports[k] = await freePort();
    const endpoint = await workflowsEndpoint<Card>(ports.teams);
    server = endpoint.server;
    posts = endpoint.posts;

    const { objects } = synth(
      teamsE2eSpec({
        name: 'teams-workflows',
        type: 'msteamsv2',
        webhookUrlSecretRef: { name: 'alertmanager-teams', key: 'workflow-url' },
      }),
    );
    const rulesDir = writeRuleFiles(tmp, objects);

    // The web-auth Secret (spec.webAuth), made as README says and "mounted" here instead of /etc/web-auth.
    const auth = makeWebAuthSecret(path.join(tmp, 'web-auth'));
    authorizeRequests(auth.header);
    const webConfig = `--web.config.file=${path.join(auth.dir, 'web-config.yml')}`;
    const prom = parse(atWebAuthDir(configMapData(objects, 'prometheus-config')['prometheus.yml'], auth.dir));
    const targets: Record<string, ReturnType<typeof staticPod>> = {
      prometheus: staticPod(`127.0.0.1:${ports.prometheus}`, 'web', 'monitoring', 'prometheus-0', NODE),
      'node-exporter': staticPod(`127.0.0.1:${ports.nodeExporter}`, 'metrics', 'monitoring-agents', 'node-exporter-e2e01', NODE),
      alertmanager: staticPod(`127.0.0.1:${ports.alertmanager}`, 'web', 'monitoring', 'alertmanager-0', NODE),
    };
    // No bridge job: no receiver goes through prometheus-msteams.
    expect(prom.global.external_labels).toEqual({ cluster: 'e2e-cluster' });
    expect(writeLoopbackPrometheus(tmp, prom, targets, `127.0.0.1:${ports.alertmanager}`, rulesDir)).toEqual(Object.keys(targets).sort());

    // alertmanager.yml exactly as synthesized; the Secret's file is where webhook_url_file points.
    const amText = Buffer.from(find(objects, 'Secret', 'alertmanager-config').data['alertmanager.yml'], 'base64').toString('utf8');
    const am = parse(amText);
    const v2 = am.receivers.flatMap((r: any) => r.msteamsv2_configs ?? []);
    expect(v2.length).toBeGreaterThan(0);
    const urlFile = v2[0].webhook_url_file as string;
    expect(urlFile).toBe('/etc/alertmanager/secrets/alertmanager-teams/workflow-url');
    const standIn = path.join(tmp, 'secrets', 'workflow-url');
    fs.mkdirSync(path.dirname(standIn), { recursive: true });
    fs.writeFileSync(standIn, `http://127.0.0.1:${ports.teams}/workflows/e2e/triggers/manual/paths/invoke\n`);
    fs.writeFileSync(path.join(tmp, 'alertmanager.yml'), amText.split(urlFile).join(standIn));

    nodeExporter = startNodeExporter();
    startAlertmanagerAndPrometheus(procs, tmp, ports, webConfig);
    await procs.waitFor('Alertmanager ready', async () =>
      (await get(`http://127.0.0.1:${ports.alertmanager}/-/ready`)).status === 200 ? true : undefined,
    );
    await procs.waitFor('Prometheus ready', async () =>
      (await get(`http://127.0.0.1:${ports.prometheus}/-/ready`)).status === 200 ? true : undefined,
    );
    await procs.waitFor('node-exporter scraped', async () =>
      (await promQuery(ports.prometheus, 'up{job="node-exporter"} == 1')).length === 1 ? true : undefined,
    );
  });

  afterAll(async () => {
    await procs.stopAll();
    await new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve()));
    if (tmp) fs.rmSync(tmp, { recursive: true, force: true });
  });

  const cardText = (c: Card) => c.attachments.flatMap((a) => a.content.body.map((b) => b.text)).join('\n');

  test('an outage posts an Adaptive Card with name, severity, summary, description, runbook, cluster and namespace', async () => {
    await procs.stop(nodeExporter);
    const firing = await procs.waitFor('a firing TargetDown card', () =>
      posts.find((p) => /FIRING/.test(cardText(p.card)) && cardText(p.card).includes('alertname = TargetDown')),
    );

    console.log(`msteamsv2 card as posted (firing):\n${JSON.stringify(firing.card, null, 2)}`);
    expect(firing.path).toBe('/workflows/e2e/triggers/manual/paths/invoke');
    expect(firing.contentType).toMatch(/^application\/json/);
    expect(firing.card.type).toBe('message');
    expect(firing.card.attachments).toHaveLength(1);
    const [att] = firing.card.attachments;
    expect(att.contentType).toBe('application/vnd.microsoft.card.adaptive');
    expect(att.content.type).toBe('AdaptiveCard');
    const [title, text] = att.content.body.map((b) => b.text);
    expect(title).toMatch(/^\[FIRING:1\] TargetDown /);
    expect(title).toContain(NODE);
    for (const line of [
      'alertname = TargetDown',
      'severity = critical',
      'cluster = e2e-cluster',
      'namespace = monitoring-agents',
      `summary = Scrape target node-exporter/${NODE} is down`,
      `description = Prometheus has failed to scrape node-exporter target ${NODE} for more than 3s (up = 0).`,
      'runbook_url = https://github.com/cdk8s-ai/cdk8s-ai-monitoring/blob/main/docs/runbooks.md#targetdown',
    ])
      expect(text).toContain(`- ${line}`);
  });

  test('recovery posts the resolved card', async () => {
    nodeExporter = startNodeExporter();
    const resolved = await procs.waitFor('a resolved TargetDown card', () =>
      posts.find((p) => /^\[RESOLVED\] TargetDown/.test(p.card.attachments[0]?.content.body[0]?.text ?? '')),
    );

    console.log(`msteamsv2 card as posted (resolved):\n${JSON.stringify(resolved.card, null, 2)}`);
    const text = cardText(resolved.card);
    expect(text).toContain('# Alerts Resolved:');
    expect(text).not.toContain('# Alerts Firing:');
    expect(text).toContain('- alertname = TargetDown');
    expect(text).toContain('- cluster = e2e-cluster');
  });
});
