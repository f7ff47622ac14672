/**
 * The package root's API is on purpose: api/public-api.txt (generated from the compiler's view of charts/index.ts by
 * scripts/api-report.ts) is committed, so a change to the API shows in review; this test fails when it is stale.
 */
import * as fs from 'fs';
import { API_REPORT, apiReport } from '../../scripts/api-report';

describe('public API report (api/public-api.txt)', () => {
  const report = apiReport();

  test('is up to date (npm run api, then review the change)', () => {
    expect(fs.readFileSync(API_REPORT, 'utf8')).toBe(report);
  });

  test('exports the constructs with their props, the spec types and the loader; no internal constants', () => {
    for (const line of [
      'class NodeExporter ',
      'interface NodeExporterProps',
      'class MonitoringStack ',
      'type MonitoringStackSpec = ',
      'function parseSpecYaml(',
    ]) {
      expect(report).toContain(line);
    }
    for (const internal of ['COMPONENTS', 'JOBS', 'PORTS', 'COMPONENT_NAMES', 'NODE_EXPORTER_METRICS', 'specSections']) {
      expect(report).not.toMatch(new RegExp(`^\\w+ ${internal}\\b`, 'm'));
    }
  });
});
