/**
 * Values left from the example spec: host names, e-mail addresses and URLs
 * under the domains reserved for documentation (RFC 2606: example.com,
 * example.net, example.org, *.example). synth warns once per field, naming
 * the field and what to set; `--strict` refuses them. An ACME production
 * issuer with an example address gets its own text: Let's Encrypt refuses to
 * register an account whose contact is under example.com, so no certificate
 * would ever be issued.
 */
const EXAMPLE_DOMAIN = /(?:^|\.)(?:example\.(?:com|net|org)|example)$/i;

export interface Placeholder {
  /** The field, e.g. spec.ingress.domain or spec.services[2].url. */
  readonly field: string;
  readonly value: string;
  readonly message: string;
}

function hostOf(value: string): string | undefined {
  const email = /^[^@\s]+@([^@\s]+)$/.exec(value);
  if (email) return email[1];
  if (/^[a-z][a-z0-9+.-]*:\/\//i.test(value)) {
    try { return new URL(value).hostname; } catch { return undefined; }
  }
  return /^[a-z0-9.-]+$/i.test(value) && value.includes('.') ? value : undefined;
}

function fixFor(field: string, value: string, spec: any): string {
  const leaf = field.replace(/\[\d+\]/g, '').split('.').pop() ?? '';
  if (/createClusterIssuer\.email$/.test(field)) {
    const server = spec?.ingress?.tls?.createClusterIssuer?.server ?? 'production';
    return `the ACME account e-mail of the Let's Encrypt ${server} ClusterIssuer: Let's Encrypt refuses example addresses, so no certificate would be issued; set an address your team reads`;
  }
  if (value.includes('@')) return 'set an address your team reads';
  if (leaf === 'repoURL') return 'set the URL of the Git repository Argo CD syncs dist/ from';
  if (leaf === 'domain' || leaf === 'host' || leaf === 'hostname') return 'set a DNS name of yours that points at your ingress controller or Gateway';
  return 'set the real address';
}

/** Every string in the spec whose host or e-mail domain is a documentation example, once per field. */
export function placeholders(spec: { spec?: unknown } & Record<string, unknown>): Placeholder[] {
  const out: Placeholder[] = [];
  const walk = (v: unknown, at: string) => {
    if (typeof v === 'string') {
      const host = hostOf(v);
      if (host && EXAMPLE_DOMAIN.test(host)) {
        out.push({ field: at, value: v, message: `${at} is "${v}", a placeholder from the example spec: ${fixFor(at, v, (spec as any).spec)}` });
      }
    } else if (Array.isArray(v)) v.forEach((x, i) => walk(x, `${at}[${i}]`));
    else if (v && typeof v === 'object') for (const [k, x] of Object.entries(v)) walk(x, at ? `${at}.${k}` : k);
  };
  walk(spec.spec, 'spec');
  return out;
}
