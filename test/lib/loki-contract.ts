/**
 * Loki's configuration reference as a contract: test/contracts/loki-config-v3.7.6.json
 * holds the documented field names and types of the top-level blocks loki.yaml uses,
 * carried over from grafana/loki docs/sources/shared/configuration.md (source, tag and
 * commit are recorded in the file). No Loki binary installs here, so loki.yaml is
 * checked field by field against it: an unknown or misspelt field, or a value of the
 * wrong type, is a problem.
 */
import * as fs from 'fs';
import * as path from 'path';

type Contract = string | { $list: Contract } | { [k: string]: Contract };

export const LOKI_CONTRACT_FILE = path.join(__dirname, '..', 'contracts', 'loki-config-v3.7.6.json');
export const LOKI_CONTRACT = JSON.parse(fs.readFileSync(LOKI_CONTRACT_FILE, 'utf8')) as { source: Record<string, string>; blocks: Record<string, Contract> };

const GO_DURATION = /^(\d+(\.\d+)?(ns|us|µs|ms|s|m|h))+$|^0$/;
const BYTES = /^\d+(B|KB|MB|GB|KiB|MiB|GiB)?$/;

function typeProblem(type: string, v: unknown): string | undefined {
  switch (type) {
    case 'boolean': return typeof v === 'boolean' ? undefined : 'expected a boolean';
    case 'int': return (typeof v === 'number' && Number.isInteger(v)) || (typeof v === 'string' && BYTES.test(v)) ? undefined : 'expected an int (or a byte size)';
    case 'float': return typeof v === 'number' ? undefined : 'expected a number';
    case 'duration': return typeof v === 'string' && GO_DURATION.test(v) ? undefined : 'expected a Go duration such as 5m';
    case 'daytime': return typeof v === 'string' && /^\d{4}-\d{2}-\d{2}$/.test(v) ? undefined : 'expected a date YYYY-MM-DD';
    case 'list of strings': return Array.isArray(v) && v.every((x) => typeof x === 'string') ? undefined : 'expected a list of strings';
    case 'map of string to string': return v !== null && typeof v === 'object' && !Array.isArray(v) ? undefined : 'expected a map';
    case 'string': case 'url': return typeof v === 'string' ? undefined : 'expected a string';
    default: return typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean' ? undefined : `expected ${type}`;
  }
}

/** Every field of `config` not in the contract, or with a value of another type. */
export function lokiContractProblems(config: unknown, contract: Contract = LOKI_CONTRACT.blocks, at = ''): string[] {
  if (typeof contract === 'string') {
    const p = typeProblem(contract, config);
    return p ? [`${at}: ${p}, found ${JSON.stringify(config)}`] : [];
  }
  if ('$list' in contract) {
    if (!Array.isArray(config)) return [`${at}: expected a list`];
    return config.flatMap((item, i) => lokiContractProblems(item, (contract as { $list: Contract }).$list, `${at}[${i}]`));
  }
  if (config === null || typeof config !== 'object' || Array.isArray(config)) return [`${at}: expected a block`];
  return Object.entries(config as Record<string, unknown>).flatMap(([k, v]) => {
    const c = (contract as Record<string, Contract>)[k];
    if (c === undefined) return [`${at ? `${at}.` : ''}${k}: not a field of the Loki ${LOKI_CONTRACT.source.tag} configuration reference`];
    return lokiContractProblems(v, c, at ? `${at}.${k}` : k);
  });
}
