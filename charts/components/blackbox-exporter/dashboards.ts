/**
 * What this component gives the dashboards: its metric sources (the catalog
 * entries a panel may read) and the "Endpoints and certificates" dashboard.
 * Panels reading cert-manager's metrics ship only when cert-manager is
 * scraped (its source is enabled).
 */
import type { DashboardModule, MetricSource, Row } from '../../core/dashboard-model';
import { lowIsBad, neutral, upDown, upDownMappings, warnCrit } from '../../core/dashboard-model';
import type { Spec } from '../../spec-schema';
import { BLACKBOX_JOBS } from './construct';
import { certManagerEnabled } from './enabled';

export const catalog: MetricSource[] = [
  {
    id: BLACKBOX_JOBS.exporter,
    title: 'blackbox exporter (probe results of jobs blackbox-services and blackbox-ingress, and its own metrics)',
    metrics: [
      'probe_success',
      'probe_duration_seconds',
      'probe_http_status_code',
      'probe_http_duration_seconds',
      'probe_http_ssl',
      'probe_http_version',
      'probe_ssl_earliest_cert_expiry',
      'probe_ssl_last_chain_expiry_timestamp_seconds',
      'probe_tls_version_info',
      'probe_dns_lookup_time_seconds',
      'probe_ip_protocol',
      'blackbox_exporter_config_last_reload_successful',
      'blackbox_module_unknown_total',
    ],
  },
  {
    id: BLACKBOX_JOBS.certManager,
    title: 'cert-manager controller (Certificate readiness, expiry and renewal time; scraped when the stack uses cert-manager)',
    metrics: [
      'certmanager_certificate_ready_status',
      'certmanager_certificate_expiration_timestamp_seconds',
      'certmanager_certificate_renewal_timestamp_seconds',
      'certmanager_controller_sync_call_count',
    ],
    enabled: (spec: Spec) => certManagerEnabled(spec),
  },
];

const PROBES = `job=~"${BLACKBOX_JOBS.services}|${BLACKBOX_JOBS.ingress}"`;
const INGRESS = `job="${BLACKBOX_JOBS.ingress}"`;
const CM = `job="${BLACKBOX_JOBS.certManager}"`;

/** Probe results of the declared services and the Ingress hosts. */
function probesRow(): Row {
  return {
    title: 'Probes',
    panels: [
      {
        type: 'stat',
        title: 'Failing probes',
        unit: 'short',
        thresholds: warnCrit(1, 1),
        width: 6,
        description: 'Endpoints whose last probe failed (BlackboxProbeFailed fires after spec.blackboxExporter.alerts.downFor).',
        queries: [{ expr: `count(probe_success{${PROBES}} == 0) or vector(0)`, instant: true }],
      },
      {
        type: 'stat',
        title: 'Ingress hosts up',
        unit: 'short',
        thresholds: upDown(),
        mappings: upDownMappings(),
        width: 18,
        description: 'The last HTTPS probe of each Ingress host, through the ingress controller as a user reaches it.',
        queries: [{ expr: `probe_success{${INGRESS}}`, legend: '{{host}}', instant: true }],
      },
      {
        type: 'timeseries',
        title: 'Probe success',
        unit: 'percentunit',
        thresholds: lowIsBad(0.9, 0.99),
        min: 0,
        max: 1,
        description: 'Share of successful probes per endpoint over 5 minutes.',
        queries: [{ expr: `avg_over_time(probe_success{${PROBES}}[5m])`, legend: '{{instance}}' }],
      },
      {
        type: 'timeseries',
        title: 'Probe duration',
        unit: 's',
        thresholds: warnCrit(1, 5),
        description: 'Time the whole probe took (DNS, connect, TLS, first byte, body).',
        queries: [{ expr: `probe_duration_seconds{${PROBES}}`, legend: '{{instance}}' }],
      },
      {
        type: 'timeseries',
        title: 'HTTP status code',
        unit: 'short',
        thresholds: neutral(),
        description: 'Status code of the last answer (0: no answer).',
        queries: [{ expr: `probe_http_status_code{${PROBES}}`, legend: '{{instance}}' }],
      },
    ],
  };
}

/** Certificate expiry as the probes and cert-manager see it, coloured by the alert thresholds. */
function certificatesRow(a: Spec['blackboxExporter']['alerts']): Row {
  return {
    title: 'Certificates',
    panels: [
      {
        type: 'stat',
        title: 'Days until certificate expiry (Ingress hosts)',
        unit: 'd',
        width: 12,
        thresholds: [
          [null, 'red'],
          [a.certificateCriticalDays, 'orange'],
          [a.certificateWarningDays, 'green'],
        ],
        description: `Earliest expiry in the chain served for each host; TlsCertificateExpiringSoon warns under ${a.certificateWarningDays} days, is critical under ${a.certificateCriticalDays}.`,
        queries: [{ expr: `(probe_ssl_earliest_cert_expiry{${INGRESS}} - time()) / 86400`, legend: '{{host}}', instant: true }],
      },
      {
        type: 'stat',
        title: 'cert-manager Certificates not ready',
        unit: 'short',
        thresholds: warnCrit(1, 1),
        width: 6,
        description: 'Certificates whose Ready condition is not True (CertManagerCertificateNotReady).',
        queries: [
          {
            expr: `count(max by (namespace, name) (certmanager_certificate_ready_status{${CM}, condition!="True"}) == 1) or vector(0)`,
            instant: true,
          },
        ],
      },
      {
        type: 'stat',
        title: 'Days until expiry (cert-manager)',
        unit: 'd',
        width: 6,
        thresholds: [
          [null, 'red'],
          [a.certificateCriticalDays, 'orange'],
          [a.certificateWarningDays, 'green'],
        ],
        description: "Expiry of each Certificate as cert-manager sees it (the Secret's certificate).",
        queries: [
          {
            expr: `(certmanager_certificate_expiration_timestamp_seconds{${CM}} - time()) / 86400`,
            legend: '{{namespace}}/{{name}}',
            instant: true,
          },
        ],
      },
    ],
  };
}

export const probesDashboard: DashboardModule = {
  uid: 'probes',
  file: 'charts/components/blackbox-exporter/dashboards.ts',
  build: (ctx) => {
    const a = ctx.spec.blackboxExporter.alerts;
    return {
      uid: 'probes',
      title: 'Endpoints and certificates',
      description:
        "Blackbox probes of the declared services and the Ingress hosts (HTTP status, latency, TLS certificate expiry) and cert-manager's view of its Certificates.",
      folder: 'infrastructure',
      tags: ['blackbox', 'tls', 'cert-manager'],
      variables: [],
      rows: [probesRow(), certificatesRow(a)],
    };
  },
};
