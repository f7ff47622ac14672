/**
 * Probe and certificate alerts (dist: blackbox.yaml): an endpoint that does
 * not answer, an Ingress certificate close to expiry (warning under
 * alerts.certificateWarningDays, critical under certificateCriticalDays),
 * and, when cert-manager is scraped, certificates it cannot make ready or
 * has not renewed. Tests: rules.test.yaml beside this file.
 */
import { alert, RuleAreaBuilder, seconds } from '../../core/rule-builder';
import type { RuleArea, RulesContext } from '../../core/rule-types';
import { BLACKBOX_JOBS } from './construct';
import { certManagerEnabled } from './enabled';

const SERVICES = `job="${BLACKBOX_JOBS.services}"`;
const INGRESS = `job="${BLACKBOX_JOBS.ingress}"`;
const CM = `job="${BLACKBOX_JOBS.certManager}"`;

type Add = RuleAreaBuilder['add'];
type Blackbox = RulesContext['spec']['blackboxExporter'];
type Alerts = Blackbox['alerts'];

export const blackboxRules: RuleArea = (ctx) => {
  const spec = ctx.spec.blackboxExporter;
  if (!spec.enabled) return undefined;
  const a = spec.alerts;
  const area = new RuleAreaBuilder();
  const add: Add = area.add.bind(area);

  probeAlerts(add, a);
  certificateAlerts(add, spec, certManagerEnabled(ctx.spec));

  return {
    fileName: 'blackbox.yaml',
    title: 'Endpoints and certificates (blackbox exporter, cert-manager)',
    groups: [{ name: 'blackbox', rules: area.rules }],
    runbooks: area.runbooks,
  };
};

/** Alerts on failing probes. */
function probeAlerts(add: Add, a: Alerts): void {
  add(
    {
      meaning:
        "The blackbox exporter cannot get a good HTTP answer from an endpoint: a declared service's pod (warning) or an Ingress host as users reach it (critical). The probe failed on DNS, the connection, the TLS handshake or certificate (expired, wrong host, unknown issuer) or the status code.",
      check:
        'Open the "Endpoints and certificates" dashboard for the failing phase; reproduce with `kubectl -n <namespace> port-forward svc/blackbox-exporter 9115` and `curl \'localhost:9115/probe?module=<module>&target=<url>&debug=true\'`, which prints every step of the probe.',
      fix: 'Fix what the debug output names: the pod (`kubectl describe pod`, its logs), the Ingress and its controller, DNS, or the certificate (`kubectl describe certificate -A`; cert-manager renews it when its issuer works).',
    },
    alert({
      name: 'BlackboxProbeFailed',
      expr: `probe_success{${SERVICES}} == 0`,
      for: a.downFor,
      severity: 'warning',
      summary: 'Service {{ $labels.service }} does not answer HTTP on {{ $labels.instance }}',
      description: `The probe of {{ $labels.instance }} (service {{ $labels.service }}, pod {{ $labels.pod }} in {{ $labels.namespace }}) has failed for ${a.downFor}.`,
    }),
    alert({
      name: 'BlackboxProbeFailed',
      expr: `probe_success{${INGRESS}} == 0`,
      for: a.downFor,
      severity: 'critical',
      summary: 'Ingress host {{ $labels.host }} is down',
      description: `The HTTPS probe of {{ $labels.instance }} through the ingress controller has failed for ${a.downFor}: users cannot reach it.`,
    }),
  );
}

/** Alerts on certificates: expiry and cert-manager readiness. */
function certificateAlerts(add: Add, spec: Blackbox, certManager: boolean): void {
  const a = spec.alerts;
  const daysLeft = `(probe_ssl_earliest_cert_expiry{${INGRESS}} - time()) / 86400`;
  add(
    {
      meaning:
        "The TLS certificate served for an Ingress host expires soon. cert-manager renews certificates 30 days before expiry (2/3 of a Let's Encrypt certificate's life), so a certificate this close to expiry was not renewed; once it expires, browsers and clients refuse the host.",
      check:
        '`kubectl get certificate,certificaterequest,order,challenge -A` and `kubectl describe certificate <secretName> -n <namespace>`; the cert-manager controller logs name the failing ACME step (HTTP-01 challenge unreachable, rate limit, issuer not ready).',
      fix: 'Fix the issuer or the challenge (the Ingress for /.well-known/acme-challenge must be reachable from the internet), then `cmctl renew <certificate> -n <namespace>` or delete the TLS Secret to force a new issuance.',
    },
    alert({
      name: 'TlsCertificateExpiringSoon',
      expr: `${daysLeft} < ${a.certificateWarningDays} and ${daysLeft} >= ${a.certificateCriticalDays}`,
      severity: 'warning',
      summary: 'The certificate of {{ $labels.host }} expires in {{ $value | humanize }} days',
      description: `The TLS certificate served for {{ $labels.instance }} expires in {{ $value | humanize }} days (warning under ${a.certificateWarningDays} days): it should have been renewed by now.`,
    }),
    alert({
      name: 'TlsCertificateExpiringSoon',
      expr: `${daysLeft} < ${a.certificateCriticalDays}`,
      severity: 'critical',
      summary: 'The certificate of {{ $labels.host }} expires in {{ $value | humanize }} days',
      description: `The TLS certificate served for {{ $labels.instance }} expires in {{ $value | humanize }} days (critical under ${a.certificateCriticalDays} days): renew it now or the host becomes unreachable.`,
    }),
  );

  if (certManager) {
    const cm = spec.certManager;
    add(
      {
        meaning:
          'cert-manager reports a Certificate whose Ready condition is not True: it could not issue or renew it, and the Secret holds an old, missing or mismatched certificate.',
        check:
          '`kubectl describe certificate {{ $labels.name }} -n {{ $labels.namespace }}` (its events and the CertificateRequest), then the Order and Challenge objects for ACME issuers.',
        fix: 'Fix the cause named in the events (issuer not ready, challenge failing, rate limit); cert-manager retries with back-off, `cmctl renew` retries at once.',
      },
      alert({
        name: 'CertManagerCertificateNotReady',
        expr: `max by (namespace, name) (certmanager_certificate_ready_status{${CM}, condition!="True"}) == 1`,
        for: '10m',
        severity: 'warning',
        summary: 'Certificate {{ $labels.namespace }}/{{ $labels.name }} is not ready',
        description: 'cert-manager has reported Certificate {{ $labels.namespace }}/{{ $labels.name }} as not ready for 10 minutes.',
      }),
    );
    add(
      {
        meaning:
          'A Certificate is past the time cert-manager planned to renew it and still carries the old certificate: renewal is failing, and expiry follows.',
        check:
          '`kubectl describe certificate {{ $labels.name }} -n {{ $labels.namespace }}` and its latest CertificateRequest; the cert-manager controller logs.',
        fix: 'Fix the issuer or challenge, then `cmctl renew {{ $labels.name }} -n {{ $labels.namespace }}`.',
      },
      alert({
        name: 'CertManagerCertificateNotRenewed',
        expr: `(time() - certmanager_certificate_renewal_timestamp_seconds{${CM}} > ${seconds(cm.renewalGrace)}) and certmanager_certificate_renewal_timestamp_seconds{${CM}} > 0`,
        severity: 'warning',
        summary: 'Certificate {{ $labels.namespace }}/{{ $labels.name }} was not renewed',
        description: `Certificate {{ $labels.namespace }}/{{ $labels.name }} is {{ $value | humanizeDuration }} past its renewal time (alert after ${cm.renewalGrace}).`,
      }),
    );
  }
}
