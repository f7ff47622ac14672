/**
 * Grafana cannot run here, so what the stack gives it is checked against
 * contracts read from Grafana's source (contracts/config/grafana-ini.json:
 * conf/defaults.ini; grafana-provisioning.json: the provisioning structs and
 * the datasource plugins' jsonData): every grafana.ini section and key, every
 * GF_* variable of the container, every field of the datasource and
 * dashboard-provider files, for the default spec and every example.
 */
import * as fs from 'fs';
import * as path from 'path';
import { parse } from 'yaml';
import { IMAGES, imageVersion } from '../../charts/core/images';
import { configMapData } from '../lib/dist';
import {
  datasourcesProblems,
  envKey,
  envNames,
  envProblems,
  iniProblems,
  loadIniContract,
  loadProvisioningContract,
  parseIni,
  providersProblems,
} from '../lib/grafana-contract';
import { find, synth } from '../lib/synth';
import type { K8sObject } from '../lib/k8s-validate';

const EXAMPLES = path.join(__dirname, '..', '..', 'examples');
const ini = loadIniContract();
const prov = loadProvisioningContract();

/** What the stack hands Grafana in one synthesized spec. */
function grafanaInputs(objects: K8sObject[]) {
  const container = find(objects, 'Deployment', 'grafana').spec.template.spec.containers.find(
    (c: { name: string }) => c.name === 'grafana',
  );
  return {
    ini: parseIni(configMapData(objects, 'grafana-config')['grafana.ini']),
    env: (container.env ?? []).map((e: { name: string }) => e.name) as string[],
    datasources: parse(configMapData(objects, 'grafana-datasources')['datasources.yaml']),
    providers: parse(configMapData(objects, 'grafana-dashboard-providers')['providers.yaml']),
  };
}

/** Specs that reach every branch of grafana.ini and the datasources: the default, each example, and the central-store overrides. */
const SPECS: [string, Record<string, unknown>][] = [
  ['default spec', {}],
  ...fs
    .readdirSync(EXAMPLES)
    .filter((f) => f.endsWith('.yaml'))
    .sort()
    .map((f): [string, Record<string, unknown>] => [`examples/${f}`, parse(fs.readFileSync(path.join(EXAMPLES, f), 'utf8')).spec]),
  ['https domain, light theme, no persistence', { grafana: { domain: 'grafana.example.com', theme: 'light', persistence: false } }],
  [
    'central stores with tenant, bearer, basic auth and CA',
    {
      cluster: 'gpu-eu-1',
      grafana: {
        datasources: {
          prometheus: {
            url: 'https://mimir.example.com/prometheus',
            type: 'Mimir',
            tenant: 'a|b',
            auth: { bearer: { token: { name: 'mimir', key: 'token' } } },
            tls: { ca: { configMap: { name: 'ca', key: 'ca.crt' } } },
          },
          loki: {
            url: 'https://loki.example.com',
            tenant: 'logs',
            auth: { basic: { username: 'u', password: { name: 'loki', key: 'password' } } },
          },
          alertmanager: { url: 'https://mimir.example.com', implementation: 'mimir', tenant: 'a' },
        },
      },
    },
  ],
];

describe('the Grafana contracts', () => {
  test("are Grafana's, for the pinned image", () => {
    expect(ini.source.repository).toBe('github.com/grafana/grafana');
    expect(ini.source.tag).toBe(imageVersion(IMAGES.grafana));
    expect(prov.source.tag).toBe(imageVersion(IMAGES.grafana));
    expect(ini.source.commit).toMatch(/^[0-9a-f]{40}$/);
  });

  test('hold the whole of defaults.ini (keyCount matches the sections; the keys the stack relies on are there)', () => {
    expect(Object.values(ini.sections).reduce((n, s) => n + Object.keys(s).length, 0)).toBe(ini.keyCount);
    expect(ini.keyCount).toBeGreaterThan(800);
    expect(ini.sections.security.secret_key).toBeNull(); // the public built-in default is not copied
    expect(ini.sections.server.http_port).toBe('3000');
    expect(ini.sections['auth.anonymous'].enabled).toBe('false');
  });

  test('environment names follow Grafana\'s EnvKey: "." and "-" in the section become "_"', () => {
    expect(envKey('auth.anonymous', 'enabled')).toBe('GF_AUTH_ANONYMOUS_ENABLED');
    expect(envKey('plugin.grafana-image-renderer', 'rendering_mode')).toBe('GF_PLUGIN_GRAFANA_IMAGE_RENDERER_RENDERING_MODE');
    expect(envNames(ini).has('GF_SECURITY_ADMIN_PASSWORD')).toBe(true);
  });
});

describe.each(SPECS)('%s: Grafana gets only what its pinned version reads', (_name, spec) => {
  const { objects } = synth(spec);
  const g = grafanaInputs(objects);

  test('every grafana.ini section and key is in defaults.ini', () => {
    expect(Object.keys(g.ini).length).toBeGreaterThan(5);
    expect(iniProblems(ini, g.ini)).toEqual([]);
  });

  test('every GF_* variable of the container maps to a defaults.ini key', () => {
    expect(g.env.filter((n) => n.startsWith('GF_')).length).toBeGreaterThan(0);
    expect(envProblems(ini, g.env)).toEqual([]);
  });

  test("the datasources and dashboard providers files use only provisioning fields and the plugins' jsonData keys", () => {
    expect(g.datasources.datasources.length).toBeGreaterThan(0);
    expect(datasourcesProblems(prov, g.datasources)).toEqual([]);
    expect(providersProblems(prov, g.providers)).toEqual([]);
  });
});

describe('the checks catch what Grafana would ignore', () => {
  const g = grafanaInputs(
    synth({ cluster: 'c1', grafana: { datasources: { prometheus: { url: 'https://mimir.example.com/prometheus', tenant: 't' } } } })
      .objects,
  );

  test('a misspelt grafana.ini key or section, and an unknown GF_ variable', () => {
    const bad = structuredClone(g.ini);
    bad.server.http_prot = '3000';
    bad.analytics.reporting_enable = 'false';
    bad['auth.anonymus'] = { enabled: 'false' };
    bad['server.custom_response_headers'] = { 'X-Frame-Options': 'deny' }; // free-form: the user's header names
    expect(iniProblems(ini, bad).sort()).toEqual([
      "[analytics] reporting_enable: not a key of this section in Grafana's defaults.ini",
      "[auth.anonymus]: not a section of Grafana's defaults.ini",
      "[server] http_prot: not a key of this section in Grafana's defaults.ini",
    ]);
    expect(envProblems(ini, [...g.env, 'GF_SECURITY_ADMIN_PASSWORT', 'GF_AUTH_ANONYMOUS_ENABLED', 'OTHER_VAR'])).toEqual([
      "GF_SECURITY_ADMIN_PASSWORT: no [section] key of Grafana's defaults.ini maps to this variable",
    ]);
  });

  test('misspelt provisioning fields, jsonData keys, enum values and unpaired headers', () => {
    const ds = structuredClone(g.datasources);
    const p = ds.datasources.find((d: { type: string }) => d.type === 'prometheus');
    p.isDefualt = true;
    p.jsonData.httpMetod = 'POST';
    p.jsonData.prometheusType = 'Mimer';
    p.jsonData.httpHeaderName3 = 'X-Extra';
    delete p.secureJsonData.httpHeaderValue1;
    ds.pruen = true;
    expect(datasourcesProblems(prov, ds).sort()).toEqual([
      'datasources[0].isDefualt: not a field Grafana reads',
      'datasources[0].jsonData.httpHeaderName1: no secureJsonData.httpHeaderValue1',
      'datasources[0].jsonData.httpHeaderName3: Grafana stops at the first missing number (httpHeaderName2)',
      'datasources[0].jsonData.httpHeaderName3: no secureJsonData.httpHeaderValue3',
      'datasources[0].jsonData.httpMetod: not a field Grafana reads',
      'datasources[0].jsonData.prometheusType: "Mimer" is not one of Cortex, Mimir, Prometheus, Thanos',
      'file.pruen: not a field Grafana reads',
    ]);
    const pr = structuredClone(g.providers);
    pr.providers[0].allowUIUpdates = false;
    pr.providers[0].options.foldersFromFileStructure = false;
    expect(providersProblems(prov, pr).sort()).toEqual([
      'providers[0].allowUIUpdates: not a field Grafana reads',
      'providers[0].options.foldersFromFileStructure: not a field Grafana reads',
    ]);
  });

  test('a secret Grafana would not read: basicAuthPassword without basicAuth, tlsCACert without tlsAuthWithCACert', () => {
    const ds = structuredClone(
      grafanaInputs(
        synth({
          cluster: 'c1',
          grafana: {
            datasources: { loki: { url: 'https://loki.example.com', tls: { ca: { configMap: { name: 'ca', key: 'ca.crt' } } } } },
          },
        }).objects,
      ).datasources,
    );
    const loki = ds.datasources.find((d: { type: string }) => d.type === 'loki');
    const i = ds.datasources.indexOf(loki);
    expect(datasourcesProblems(prov, ds)).toEqual([]);
    delete loki.jsonData.tlsAuthWithCACert;
    loki.secureJsonData.basicAuthPassword = '$__file{/x}';
    expect(datasourcesProblems(prov, ds)).toEqual([
      `datasources[${i}].secureJsonData.basicAuthPassword: read only with basicAuth: true`,
      `datasources[${i}].secureJsonData.tlsCACert: read only with jsonData.tlsAuthWithCACert (or tlsAuth): true`,
    ]);
  });

  test('a Loki key on the Alertmanager datasource is caught (jsonData is checked per plugin)', () => {
    const ds = structuredClone(g.datasources);
    const am = ds.datasources.find((d: { type: string }) => d.type === 'alertmanager');
    am.jsonData.maxLines = 1000;
    expect(datasourcesProblems(prov, ds)).toEqual([
      `datasources[${ds.datasources.indexOf(am)}].jsonData.maxLines: not a field Grafana reads`,
    ]);
  });
});
