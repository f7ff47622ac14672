/**
 * The blackbox exporter component as synthesized: its module config against
 * the upstream contract of the pinned version (test/config/contracts, field
 * names read from blackbox_exporter v0.28.0) and the pinned exporter's own
 * check (TOOL_PINS, built from the v0.28.0 module); which jobs, rules and panels ship for which spec; its spec errors.
 * The real probes and alerts: test/e2e/blackbox.test.ts.
 */
import * as fs from 'fs';
import * as path from 'path';
import { spawnSync } from 'child_process';
import { parse } from 'yaml';
import { blackboxConfig, MODULES, servicesProbeJobs } from '../../charts/components/blackbox-exporter';
import { IMAGES, imageVersion, TOOL_PINS } from '../../charts/core/images';
import { configMapData } from '../lib/dist';
import { specProblems } from '../lib/spec-problems';
import { synth } from '../lib/synth';
import { tool } from '../lib/tools';
import { allScrapeConfigs } from '../lib/prometheus-files';

const BLACKBOX = tool(TOOL_PINS.blackboxExporter.bins[0]);

const CONTRACT = JSON.parse(fs.readFileSync(path.join(__dirname, 'contracts', 'blackbox-exporter-v0.28.0.json'), 'utf8'));

/** Every job: prometheus.yml and the scrape config files (the services' probe jobs). */
const jobsOf = (objects: ReturnType<typeof synth>['objects']) => allScrapeConfigs(objects).map((j: { job_name: string }) => j.job_name);

describe('module config', () => {
  const config = blackboxConfig({ timeout: '5s' });

  test('the contract is the pinned version', () => {
    expect(`v${CONTRACT._source.match(/v(\d+\.\d+\.\d+) config/)[1]}`).toBe(imageVersion(IMAGES.blackboxExporter));
  });

  test('every field emitted exists in blackbox_exporter at the pinned tag', () => {
    const unknown: string[] = [];
    const check = (obj: object, allowed: string[], where: string) => {
      for (const k of Object.keys(obj)) if (!allowed.includes(k)) unknown.push(`${where}.${k}`);
    };
    check(config, CONTRACT.config, 'config');
    for (const [name, m] of Object.entries(config.modules)) {
      check(m, CONTRACT.module, name);
      expect(CONTRACT.probers).toContain(m.prober);
      check(m.http, CONTRACT.http, `${name}.http`);
      if (m.http.tls_config) check(m.http.tls_config, CONTRACT.tls_config, `${name}.http.tls_config`);
      if (m.http.preferred_ip_protocol) expect(CONTRACT.ip_protocols).toContain(m.http.preferred_ip_protocol);
    }
    expect(unknown).toEqual([]);
  });

  test('the contract check fails on a misspelt field', () => {
    expect(CONTRACT.http).not.toContain('fail_if_not_tls');
  });

  test('the pinned blackbox exporter accepts the synthesized blackbox.yml (--config.check) and refuses a broken one', () => {
    const { objects, dir } = synth({});
    const file = path.join(path.dirname(dir), 'blackbox.yml');
    try {
      fs.writeFileSync(file, configMapData(objects, 'blackbox-exporter-config')['blackbox.yml']);
      const ok = spawnSync(BLACKBOX, [`--config.file=${file}`, '--config.check'], { encoding: 'utf8' });
      expect([ok.status, ok.stderr + ok.stdout]).toEqual([0, expect.stringContaining('Config file is ok')]);
      fs.writeFileSync(file, 'modules:\n  m:\n    prober: http\n    http:\n      fail_if_not_tls: true\n');
      expect(spawnSync(BLACKBOX, [`--config.file=${file}`, '--config.check'], { encoding: 'utf8' }).status).not.toBe(0);
    } finally {
      fs.rmSync(path.dirname(dir), { recursive: true, force: true });
    }
  });

  test('Ingress hosts behind basic auth accept 401; the others need a 2xx over TLS', () => {
    expect(config.modules[MODULES.httpsAuth].http).toMatchObject({ fail_if_not_ssl: true, valid_status_codes: [200, 401] });
    expect(config.modules[MODULES.https].http.valid_status_codes).toBeUndefined();
    expect(config.modules[MODULES.https].http.fail_if_not_ssl).toBe(true);
  });
});

describe('what ships for which spec', () => {
  test('monitoring.yaml-like stack: probe jobs, the cert-manager job (a ClusterIssuer is used), rules and the dashboard', () => {
    const { objects, stack } = synth({
      ingress: { domain: 'example.com', tls: { clusterIssuer: 'letsencrypt' } },
      services: [{ name: 'vllm', kind: 'vllm', namespace: 'ai', selector: { app: 'vllm' }, port: 'http' }],
    });
    expect(jobsOf(objects)).toEqual(
      expect.arrayContaining(['blackbox-exporter', 'blackbox-services/ai/http', 'blackbox-ingress', 'cert-manager']),
    );
    const rules = parse(configMapData(objects, 'prometheus-rules')['blackbox.yaml']).groups[0].rules.map((r: { alert: string }) => r.alert);
    expect([...new Set(rules)]).toEqual([
      'BlackboxProbeFailed',
      'TlsCertificateExpiringSoon',
      'CertManagerCertificateNotReady',
      'CertManagerCertificateNotRenewed',
    ]);
    const built = stack.component<{ readonly jobs: string[] }>('blackbox-exporter');
    expect(built?.jobs).toContain('cert-manager');
    const probes = JSON.parse(configMapData(objects, 'grafana-dashboard-probes')['probes.json']);
    expect(JSON.stringify(probes)).toContain('certmanager_certificate_ready_status');
  });

  test('no cert-manager on the Ingresses: no cert-manager job, rules or panels', () => {
    const { objects } = synth({ ingress: { domain: 'example.com' } });
    expect(jobsOf(objects)).not.toContain('cert-manager');
    expect(configMapData(objects, 'prometheus-rules')['blackbox.yaml']).not.toContain('certmanager_');
    const probes = configMapData(objects, 'grafana-dashboard-probes')['probes.json'];
    expect(probes).toContain('probe_ssl_earliest_cert_expiry');
    expect(probes).not.toContain('certmanager_');
  });

  test('disabled: no workload, jobs, rules or dashboard', () => {
    const { objects } = synth({ blackboxExporter: { enabled: false }, ingress: { domain: 'example.com' } });
    expect(objects.filter((o) => o.metadata?.name?.startsWith('blackbox-exporter'))).toEqual([]);
    expect(jobsOf(objects).filter((j) => j.startsWith('blackbox') || j === 'cert-manager')).toEqual([]);
    expect(configMapData(objects, 'prometheus-rules')['blackbox.yaml']).toBeUndefined();
    expect(objects.some((o) => o.metadata?.name === 'grafana-dashboard-probes')).toBe(false);
  });

  test('probe jobs grow by group (namespace, port, scheme, path), not by service: 1,000 services, 3 jobs of constant size', () => {
    const svc = (i: number) => ({
      name: `s${i}`,
      kind: 'http' as const,
      namespace: `ns${i % 3}`,
      selector: { 'app.kubernetes.io/name': `s${i}` },
      port: 8000,
      path: '/metrics',
      scheme: 'http' as const,
    });
    const spec = { interval: '30s', timeout: '10s', servicePaths: {} };
    const ten = servicesProbeJobs(
      Array.from({ length: 10 }, (_, i) => svc(i)),
      spec,
      'x:9115',
    );
    const many = servicesProbeJobs(
      Array.from({ length: 1000 }, (_, i) => svc(i)),
      spec,
      'x:9115',
    );
    expect(many.map((j) => j.job_name)).toEqual(['blackbox-services/ns0/8000', 'blackbox-services/ns1/8000', 'blackbox-services/ns2/8000']);
    expect(many.map((j) => j.relabel_configs!.length)).toEqual(ten.map((j) => j.relabel_configs!.length));
    expect(Buffer.byteLength(JSON.stringify(many))).toBeLessThan(16 * 1024);
    // A service with its own probe path is its own group.
    expect(servicesProbeJobs([svc(0), svc(3)], { ...spec, servicePaths: { s3: '/health' } }, 'x:9115').map((j) => j.job_name)).toEqual([
      'blackbox-services/ns0/8000',
      'blackbox-services/ns0/8000/2',
    ]);
  });
});

describe('spec errors', () => {
  test('servicePaths must name a declared service', () => {
    expect(
      specProblems({
        blackboxExporter: { servicePaths: { vlm: '/health' } },
        services: [{ name: 'vllm', kind: 'vllm', namespace: 'ai', selector: { app: 'vllm' }, port: 'http' }],
      }),
    ).toEqual([expect.stringMatching(/blackboxExporter\.servicePaths\.vlm.*no service "vlm" in spec\.services \(declared: vllm\)/)]);
  });
  test('the critical threshold must be below the warning one; the timeout within the interval', () => {
    expect(specProblems({ blackboxExporter: { alerts: { certificateWarningDays: 3, certificateCriticalDays: 7 } } })).toEqual([
      expect.stringMatching(/blackboxExporter\.alerts\.certificateCriticalDays.*below alerts\.certificateWarningDays \(3\)/),
    ]);
    expect(specProblems({ blackboxExporter: { interval: '5s', timeout: '10s' } })).toEqual([
      expect.stringMatching(/blackboxExporter\.timeout.*must not exceed blackboxExporter\.interval \(5s\)/),
    ]);
  });
});
