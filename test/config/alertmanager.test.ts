/**
 * Alertmanager and the Teams bridge as synthesized: the real amtool (v0.28.1,
 * the deployed release, from TOOL_PINS) checks the config exactly as written into the Secret, `amtool config
 * routes test` proves where alerts go, and the bridge's init script renders
 * its connectors file from the environment.
 */
import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';
import { parse, stringify } from 'yaml';
import { RENDER_SCRIPT } from '../../charts/components/prometheus-msteams/construct';
import { findSecretLiterals } from '../../charts/spec/secrets';
import { allProblems } from '../lib/checks';
import { run, tempFiles } from '../lib/promtool';
import { find, synth, synthFile } from '../lib/synth';

function amConfigText(objects: any[]): string {
  const secret = find(objects, 'Secret', 'alertmanager-config');
  return Buffer.from(secret.data['alertmanager.yml'], 'base64').toString('utf8');
}

function amtool(args: string[], configText: string) {
  const dir = tempFiles({ 'alertmanager.yml': configText });
  const r = run('amtool', [...args.map((a) => a.replace('{config}', path.join(dir, 'alertmanager.yml')))]);
  return { ...r, out: r.stdout + r.stderr };
}

const checkConfig = (text: string) => amtool(['check-config', '{config}'], text);
const routeTo = (text: string, receiver: string, labels: string[]) =>
  amtool(['config', 'routes', 'test', '--config.file={config}', `--verify.receivers=${receiver}`, ...labels], text);

const FULL_SPEC = {
  alerting: {
    receivers: [
      { name: 'teams', type: 'msteams', webhookUrlSecretRef: { name: 'teams-webhooks', key: 'ops' } },
      { name: 'teams-oncall', type: 'msteams', channel: 'oncall', webhookUrlSecretRef: { name: 'teams-webhooks', key: 'oncall' } },
      {
        name: 'mail',
        type: 'email',
        to: 'ops@example.com',
        from: 'alertmanager@example.com',
        smarthost: 'smtp.example.com:587',
        authUsername: 'alertmanager',
        authPasswordSecretRef: { name: 'smtp', key: 'password' },
      },
      { name: 'teams-native', type: 'msteamsv2', webhookUrlSecretRef: { name: 'teams-workflows', key: 'url' } },
      { name: 'discord', type: 'webhook', urlSecretRef: { name: 'discord', key: 'url' } },
    ],
    route: { criticalReceivers: ['teams-oncall', 'mail', 'teams-native'], warningReceivers: ['teams', 'discord'] },
    maintenanceWindows: [
      {
        name: 'weekly-upgrade',
        timeIntervals: [{ weekdays: ['sunday'], times: [{ startTime: '02:00', endTime: '04:00' }], location: 'Europe/Paris' }],
      },
      {
        name: 'ai-retraining',
        matchers: ['namespace="ai"'],
        timeIntervals: [{ daysOfMonth: ['1'], times: [{ startTime: '00:00', endTime: '06:00' }] }],
      },
    ],
  },
};

describe('Alertmanager config of monitoring.yaml (dist/)', () => {
  const { objects } = synthFile();
  const text = amConfigText(objects);

  test('amtool check-config accepts it', () => {
    const r = checkConfig(text);
    expect(r.out).toContain('SUCCESS');
    expect(r.status).toBe(0);
  });

  test('amtool rejects a route to an undeclared receiver (the check is real)', () => {
    const r = checkConfig(text.replace('receiver: warning', 'receiver: nobody'));
    expect(r.status).not.toBe(0);
    expect(r.out).toMatch(/undefined receiver "nobody"/);
  });

  test('the seed route settings: group_by alertname/job/instance, 10s, 2m, 4h', () => {
    const c = parse(text);
    expect(c.route).toMatchObject({
      group_by: ['alertname', 'job', 'instance'],
      group_wait: '10s',
      group_interval: '2m',
      repeat_interval: '4h',
    });
  });

  test.each([
    ['critical', ['severity=critical', 'alertname=TargetDown', 'job=node-exporter']],
    ['warning', ['severity=warning', 'alertname=HostHighCpuUsage', 'instance=node-1']],
    // No severity at all: delivered as critical rather than lost.
    ['critical', ['alertname=SomethingNew']],
  ])('amtool routes %s <- %j', (receiver, labels) => {
    const r = routeTo(text, receiver, labels);
    expect(r.stdout.trim()).toBe(receiver);
    expect(r.status).toBe(0);
  });

  test('amtool notices a wrong expectation (the routes test is real)', () => {
    expect(routeTo(text, 'warning', ['severity=critical']).status).not.toBe(0);
  });

  test('critical inhibits warning of the same alert and target; a down target inhibits its other alerts', () => {
    const c = parse(text);
    expect(c.inhibit_rules).toEqual(
      expect.arrayContaining([
        expect.objectContaining({
          source_matchers: ['severity="critical"'],
          target_matchers: ['severity="warning"'],
          equal: expect.arrayContaining(['alertname', 'instance']),
        }),
        expect.objectContaining({ source_matchers: ['alertname=~"TargetDown|ServiceDown"'], equal: ['job', 'instance'] }),
      ]),
    );
  });

  test('the Secret holds no secret: only the in-cluster bridge URL', () => {
    expect(findSecretLiterals(parse(text))).toEqual([]);
    expect(text.match(/https?:\/\/[^\s"]+/g)).toEqual([
      'http://prometheus-msteams.monitoring.svc:2000/teams',
      'http://prometheus-msteams.monitoring.svc:2000/teams',
    ]);
  });

  test('Prometheus sends to every Alertmanager replica and scrapes Alertmanager and the bridge', () => {
    const prom = parse(find(objects, 'ConfigMap', 'prometheus-config').data['prometheus.yml']);
    expect(prom.alerting.alertmanagers[0].static_configs[0].targets).toEqual(['alertmanager-0.alertmanager-headless.monitoring.svc:9093']);
    expect(prom.scrape_configs.map((j: any) => j.job_name)).toEqual(expect.arrayContaining(['alertmanager', 'prometheus-msteams']));
  });

  test('StatefulSet: PVC for silences, probes, non-root, config checksum', () => {
    const sts = find(objects, 'StatefulSet', 'alertmanager');
    const c = sts.spec.template.spec.containers[0];
    expect(sts.spec.volumeClaimTemplates[0].metadata.name).toBe('data');
    expect(c.volumeMounts).toEqual(expect.arrayContaining([{ name: 'data', mountPath: '/alertmanager' }]));
    // Alertmanager enforces basic auth (spec.webAuth): authenticated exec readiness, TCP liveness.
    expect(c.args).toContain('--web.config.file=/etc/web-auth/web-config.yml');
    expect(c.readinessProbe.exec.command.join(' ')).toContain('http://127.0.0.1:9093/-/ready');
    expect(c.livenessProbe.tcpSocket.port).toBe('web');
    expect(sts.spec.template.spec.securityContext.runAsNonRoot).toBe(true);
    expect(sts.spec.template.metadata.annotations['checksum/config']).toMatch(/^[0-9a-f]{64}$/);
    expect(c.args).toContain('--cluster.listen-address=');
  });
});

describe('every receiver type, maintenance windows, three replicas', () => {
  const { objects } = synth({ ...FULL_SPEC, alerting: { ...FULL_SPEC.alerting, alertmanager: { replicas: 3 } } });
  const text = amConfigText(objects);
  const config = parse(text);

  test('amtool at the deployed release (TOOL_PINS) accepts the config exactly as synthesized', () => {
    // msteamsv2_configs (>= 0.28), webhook url_file (>= 0.26), email auth_password_file, routes,
    // time_intervals and inhibition, all as written into the Secret.
    const r = checkConfig(text);
    expect(r.out).toContain('SUCCESS');
    expect(r.status).toBe(0);
  });

  test('msteamsv2 and webhook receivers read their URLs from mounted Secret files', () => {
    const critical = config.receivers.find((r: any) => r.name === 'critical');
    const warning = config.receivers.find((r: any) => r.name === 'warning');
    expect(critical.msteamsv2_configs).toEqual([
      { webhook_url_file: '/etc/alertmanager/secrets/teams-workflows/url', send_resolved: true },
    ]);
    expect(critical.email_configs[0].auth_password_file).toBe('/etc/alertmanager/secrets/smtp/password');
    expect(warning.webhook_configs).toEqual(
      expect.arrayContaining([{ url_file: '/etc/alertmanager/secrets/discord/url', send_resolved: true }]),
    );
    const sts = find(objects, 'StatefulSet', 'alertmanager');
    const mounts = sts.spec.template.spec.containers[0].volumeMounts.map((m: any) => m.mountPath);
    const volumes = sts.spec.template.spec.volumes;
    for (const file of [
      '/etc/alertmanager/secrets/teams-workflows/url',
      '/etc/alertmanager/secrets/smtp/password',
      '/etc/alertmanager/secrets/discord/url',
    ]) {
      const [, , , , secret, key] = file.split('/');
      expect(mounts).toContain(`/etc/alertmanager/secrets/${secret}`);
      expect(volumes.find((v: any) => v.secret?.secretName === secret).secret.items).toEqual(expect.arrayContaining([{ key, path: key }]));
    }
    expect(findSecretLiterals(config)).toEqual([]);
  });

  test('routes: critical and warning to their receivers; a scoped maintenance window catches its alerts', () => {
    const checked = text;
    const c = parse(text);
    expect(routeTo(checked, 'critical', ['severity=critical', 'alertname=MySQLDown', 'namespace=data']).stdout.trim()).toBe('critical');
    expect(routeTo(checked, 'warning', ['severity=warning', 'alertname=ContainerHighCpu', 'namespace=data']).stdout.trim()).toBe('warning');
    const tree = amtool(
      ['config', 'routes', 'test', '--config.file={config}', '--tree', 'severity=warning', 'namespace=ai', 'alertname=ServiceHighLatency'],
      checked,
    );
    expect(tree.status).toBe(0);
    expect(tree.stdout).toMatch(/\{namespace="ai"\}\s*\n\s*└── \{severity="warning"\}\s+receiver: warning/);
    // The branch for namespace="ai" mutes during both windows; the others during the global one only.
    const [aiBranch, critical, warning] = c.route.routes;
    expect(aiBranch.matchers).toEqual(['namespace="ai"']);
    expect(aiBranch.routes.map((r: any) => r.mute_time_intervals)).toEqual([
      ['weekly-upgrade', 'ai-retraining'],
      ['weekly-upgrade', 'ai-retraining'],
    ]);
    expect([critical.mute_time_intervals, warning.mute_time_intervals]).toEqual([['weekly-upgrade'], ['weekly-upgrade']]);
    expect(c.time_intervals).toEqual([
      {
        name: 'weekly-upgrade',
        time_intervals: [{ times: [{ start_time: '02:00', end_time: '04:00' }], weekdays: ['sunday'], location: 'Europe/Paris' }],
      },
      {
        name: 'ai-retraining',
        time_intervals: [{ times: [{ start_time: '00:00', end_time: '06:00' }], days_of_month: ['1'], location: 'UTC' }],
      },
    ]);
  });

  test('every object is strictly valid (PDB, secret volumes, init container included)', () => {
    expect(allProblems(objects)).toEqual([]);
  });

  test('three replicas gossip through the headless Service', () => {
    const args: string[] = find(objects, 'StatefulSet', 'alertmanager').spec.template.spec.containers[0].args;
    expect(args.filter((a) => a.startsWith('--cluster.peer='))).toEqual(
      [0, 1, 2].map((i) => `--cluster.peer=alertmanager-${i}.alertmanager-headless.monitoring.svc:9094`),
    );
    expect(find(objects, 'PodDisruptionBudget', 'alertmanager').spec.maxUnavailable).toBe(1);
  });

  test('the bridge serves one path per Teams channel, URLs from the Secrets through env', () => {
    const cm = find(objects, 'ConfigMap', 'prometheus-msteams');
    const connectors = parse(cm.data['connectors.yaml.tmpl']).connectors_with_custom_templates;
    expect(connectors.map((c: any) => [c.request_path, c.webhook_url])).toEqual([
      ['/teams', '${TEAMS_WEBHOOK_URL_0}'],
      ['/oncall', '${TEAMS_WEBHOOK_URL_1}'],
    ]);
    const pod = find(objects, 'Deployment', 'prometheus-msteams').spec.template.spec;
    expect(pod.initContainers[0].env).toEqual([
      { name: 'TEAMS_WEBHOOK_URL_0', valueFrom: { secretKeyRef: { name: 'teams-webhooks', key: 'ops' } } },
      { name: 'TEAMS_WEBHOOK_URL_1', valueFrom: { secretKeyRef: { name: 'teams-webhooks', key: 'oncall' } } },
    ]);
    expect(pod.containers[0].env).toEqual([{ name: 'WORKFLOW_WEBHOOK', value: 'true' }]);
    expect(cm.data['card.tmpl']).toContain('application/vnd.microsoft.card.adaptive');
    // Probes must not use /config: it echoes the webhook URLs.
    expect(pod.containers[0].readinessProbe.httpGet.path).toBe('/metrics');
    expect(pod.volumes.find((v: any) => v.name === 'run').emptyDir.medium).toBe('Memory');
  });
});

describe('the bridge init script', () => {
  function render(env: Record<string, string>) {
    const dir = tempFiles({
      'etc/connectors.yaml.tmpl': stringify(
        {
          connectors_with_custom_templates: [
            { request_path: '/teams', webhook_url: '${TEAMS_WEBHOOK_URL_0}' },
            { request_path: '/oncall', webhook_url: '${TEAMS_WEBHOOK_URL_1}' },
          ],
        },
        { defaultStringType: 'QUOTE_DOUBLE', defaultKeyType: 'PLAIN' },
      ),
    });
    fs.mkdirSync(path.join(dir, 'run'));
    const script = RENDER_SCRIPT.replace('/etc/prometheus-msteams', `${dir}/etc`).replace('/run/prometheus-msteams', `${dir}/run`);
    const r = spawnSync('sh', ['-c', script], { env: { PATH: process.env.PATH, ...env }, encoding: 'utf8' });
    const out = path.join(dir, 'run', 'connectors.yaml');
    return { status: r.status, stderr: r.stderr, text: fs.existsSync(out) ? fs.readFileSync(out, 'utf8') : '' };
  }

  test('substitutes each URL verbatim (Workflows URLs carry ?, & and %)', () => {
    const url0 =
      'https://prod-01.westeurope.logic.azure.com:443/workflows/abc/triggers/manual/paths/invoke?api-version=2016-06-01&sp=%2Ftriggers%2Fmanual%2Frun&sv=1.0&sig=x_Y-z';
    const url1 = 'https://example.webhook.office.com/webhookb2/a@b/IncomingWebhook/c/d';
    const r = render({ TEAMS_WEBHOOK_URL_0: url0, TEAMS_WEBHOOK_URL_1: url1 });
    expect(r.status).toBe(0);
    expect(parse(r.text).connectors_with_custom_templates.map((c: any) => c.webhook_url)).toEqual([url0, url1]);
  });

  test('fails the pod with a clear message when a Secret key is empty', () => {
    const r = render({ TEAMS_WEBHOOK_URL_0: 'https://x.example/hook' });
    expect(r.status).not.toBe(0);
    expect(r.stderr).toContain('TEAMS_WEBHOOK_URL_1 is empty');
  });
});

describe('spec.alerting errors', () => {
  test.each([
    [
      { route: { criticalReceivers: ['pager'] } },
      'spec.alerting.route.criticalReceivers[0]: unknown receiver "pager"; declared receivers: teams',
    ],
    [
      {
        receivers: [
          { name: 'a', type: 'msteams', channel: 'ops', webhookUrlSecretRef: { name: 's', key: 'a' } },
          { name: 'b', type: 'msteams', channel: 'ops', webhookUrlSecretRef: { name: 's', key: 'b' } },
        ],
      },
      'spec.alerting.receivers[1].channel: two msteams receivers use the bridge path "/ops"',
    ],
    [
      { receivers: [{ name: 'x', type: 'slack' }] },
      'spec.alerting.receivers[0].type: expected a receiver with type msteams, msteamsv2, email or webhook, found "slack"',
    ],
    [
      { receivers: [{ name: 'x', type: 'webhook', url: 'https://hooks.slack.com/services/T0/B0/xyz' }] },
      'spec.alerting.receivers[0].url: unknown field; did you mean "urlSecretRef"? (a required field)',
    ],
    [{ thresholds: { hostCpu: { warning: 95 } } }, 'spec.alerting.thresholds.hostCpu: warning must be lower than critical'],
    [
      { maintenanceWindows: [{ name: 'w', matchers: ['namespace=ai'], timeIntervals: [{ weekdays: ['sunday'] }] }] },
      'spec.alerting.maintenanceWindows[0].matchers[0]: expected an Alertmanager matcher',
    ],
  ])('%j', (alerting, message) => {
    expect(() => synth({ alerting })).toThrow(message);
  });

  test('alerting disabled: no Alertmanager, no bridge, rules still loaded', () => {
    const { objects } = synth({ alerting: { enabled: false } });
    expect(objects.some((o) => o.metadata?.name === 'alertmanager')).toBe(false);
    expect(objects.some((o) => o.metadata?.name === 'prometheus-msteams')).toBe(false);
    expect(Object.keys(find(objects, 'ConfigMap', 'prometheus-rules').data)).toContain('availability.yaml');
  });
});
