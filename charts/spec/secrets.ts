/**
 * Secret literals must never reach the spec (it is committed to Git and
 * rendered into dist/). Passwords, tokens and webhook URLs live in Kubernetes
 * Secrets that the spec references by name (`...SecretName`, `secretRef`).
 * This check runs on the raw spec, before defaults, and names each offending
 * field.
 */

/** Field names whose value is a secret when given inline. */
export const SECRET_KEY_RE = /(password|passwd|secret|token|apikey|api_key|webhook_?url|webhookurl|credentials?|private_?key)$/i;
/** Field names that reference a secret (allowed). */
export const REFERENCE_KEY_RE = /(secretname|secretref|secretkey|existingsecret|^key|name|file)$/i;

/** Values that are secrets wherever they appear. */
export const SECRET_VALUE_PATTERNS: { re: RegExp; what: string }[] = [
  { re: /^https:\/\/[^/]*\.webhook\.office\.com\//i, what: 'a Microsoft Teams webhook URL' },
  { re: /^https:\/\/[^/]*\.logic\.azure\.com[:/]/i, what: 'a Teams Workflows (Power Automate) webhook URL' },
  { re: /^https:\/\/[^/]*\.environment\.api\.powerplatform\.com[:/]/i, what: 'a Teams Workflows webhook URL' },
  { re: /^https:\/\/hooks\.slack\.com\//i, what: 'a Slack webhook URL' },
  { re: /^https:\/\/(?:\w+\.)?discord(?:app)?\.com\/api\/webhooks\//i, what: 'a Discord webhook URL' },
  { re: /^[a-z][a-z0-9+.-]*:\/\/[^/\s:@]+:[^/\s@]+@/i, what: 'a URL with an embedded password' },
  { re: /-----BEGIN [A-Z ]*PRIVATE KEY-----/, what: 'a private key' },
  {
    re: /^(?:gh[pousr]_[A-Za-z0-9]{30,}|xox[abpr]-[A-Za-z0-9-]{10,}|glpat-[A-Za-z0-9_-]{20,}|glsa_[A-Za-z0-9]{20,}_[A-Fa-f0-9]{8})$/,
    what: 'an access token',
  },
  { re: /^eyJ[A-Za-z0-9_-]{10,}\.eyJ[A-Za-z0-9_-]{10,}\.[A-Za-z0-9_-]*$/, what: 'a JSON Web Token' },
  { re: /^(?:AKIA|ASIA)[0-9A-Z]{16}$/, what: 'an AWS access key id' },
  { re: /^[^:\s]+:(?:\$apr1\$|\$2[aby]\$|\{SHA\}|\$[156]\$)\S+$/, what: 'an htpasswd entry (basic-auth password hash)' },
];

export function findSecretLiterals(input: unknown, path = ''): string[] {
  const out: string[] = [];
  if (Array.isArray(input)) {
    input.forEach((v, i) => out.push(...findSecretLiterals(v, `${path}[${i}]`)));
  } else if (input !== null && typeof input === 'object') {
    for (const [k, v] of Object.entries(input)) {
      const p = path ? `${path}.${k}` : k;
      if (typeof v === 'string' && v !== '' && SECRET_KEY_RE.test(k) && !REFERENCE_KEY_RE.test(k)) {
        out.push(
          `${p}: looks like a secret value written in the spec; store it in a Kubernetes Secret and reference the Secret by name instead (never commit secrets)`,
        );
      } else {
        out.push(...findSecretLiterals(v, p));
      }
    }
  } else if (typeof input === 'string') {
    const hit = SECRET_VALUE_PATTERNS.find((p) => p.re.test(input));
    if (hit)
      out.push(
        `${path}: holds ${hit.what}; store it in a Kubernetes Secret and reference the Secret by name instead (never commit secrets)`,
      );
  }
  return out;
}
