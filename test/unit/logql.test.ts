/**
 * Every LogQL expression the stack ships parses (@grafana/lezer-logql), and
 * a broken one fails the synth naming where it lives: the query catalog, the
 * ruler rules (spec field), the collectors' JSON match selectors.
 */
import { checkLogQL, QueryError } from '../../charts/core/query-check';
import { jsonSelectors, STREAM_LABELS } from '../../charts/logs/pipeline';
import { checkLogQueries, DASHBOARD_LOG_QUERIES, LOG_QUERIES, logQuery, SEED_LOG_QUERIES, type LogQuery } from '../../charts/logs/queries';
import { errorRateRule, logRuleFile } from '../../charts/components/loki/ruler';
import { lokiRulerSchema } from '../../charts/components/loki/spec';
import { synth } from '../lib/synth';

describe('LogQL catalog', () => {
  test.each(LOG_QUERIES.map((q) => [q.id, q.expr]))('%s parses: %s', (id, expr) => {
    expect(() => checkLogQL(expr, id)).not.toThrow();
  });

  test('dashboard stream selectors use only the labels both collectors attach', () => {
    for (const q of DASHBOARD_LOG_QUERIES) {
      const selector = /\{[^}]*\}/.exec(q.expr)?.[0] ?? '';
      const labels = [...selector.matchAll(/([a-z_]+)\s*(=~|!~|!=|=)\s*"/g)].map((m) => m[1]);
      expect(labels.length).toBeGreaterThan(0);
      expect(labels.filter((l) => !([...STREAM_LABELS, 'stream'] as string[]).includes(l))).toEqual([]);
    }
  });

  test("every seed query of the users' documents is in the catalog", () => {
    const exprs = SEED_LOG_QUERIES.map((q) => q.expr);
    expect(exprs).toContain('sum(rate({container=~"gateway|worker|analysis"} |= "error" [1m])) by (container)');
    expect(exprs).toContain('{container="gateway"} | json | level="ERROR"');
    expect(exprs).toContain('{container="whisperx-worker"} |~ "Job|Transcription|Loading"');
    expect(logQuery('container-errors').kind).toBe('logs');
    expect(() => logQuery('nope')).toThrow(/no LogQL query "nope"/);
  });

  test('a broken query in a catalog fails naming the file and the query id', () => {
    const broken: LogQuery[] = [
      ...LOG_QUERIES,
      { id: 'broken-panel', kind: 'metric', title: 'x', description: 'x', expr: 'sum(rate({container="x"} |= "error"))' },
    ];
    expect(() => checkLogQueries(broken)).toThrow(QueryError);
    expect(() => checkLogQueries(broken)).toThrow(/charts\/logs\/queries\.ts query "broken-panel": invalid LogQL near character \d+/);
    expect(() => checkLogQueries([LOG_QUERIES[0], LOG_QUERIES[0]])).toThrow(/two queries have the id/);
  });

  test.each(['{container="x"', '{}', '{container="worker"} [5m]', '{a="b"} |= error', '{a="b"} | json | level=', 'rate({a="b"}[1m]) by'])(
    'rejects %s',
    (expr) => {
      expect(() => checkLogQL(expr, 'test')).toThrow(/^test: invalid LogQL near character \d+/);
    },
  );
});

describe('LogQL the stack generates', () => {
  test('the error-rate alert parses for unusual spec values (quotes, backslashes in regexes)', () => {
    const r = lokiRulerSchema.parse({ errorRate: { containers: 'a\\d+|b"c', filter: 'err(or)?\\b' } });
    expect(() => checkLogQL(errorRateRule(r.errorRate).expr, 'test')).not.toThrow();
    expect(() => logRuleFile(r)).not.toThrow();
  });

  test('JSON match selectors parse and escape regex metacharacters in names', () => {
    const s = jsonSelectors({ jsonNamespaces: ['ai', 'team-a'], jsonApps: ['api.v2'] });
    expect(s).toEqual(['{namespace=~"ai|team-a"}', '{app=~"api\\\\.v2", namespace!~"ai|team-a"}']);
    for (const x of s) expect(() => checkLogQL(x, 'test')).not.toThrow();
  });

  test('the spec rejects a broken user rule before anything is built', () => {
    const r = lokiRulerSchema.safeParse({ enabled: true, rules: [{ alert: 'X', expr: '{app="a"} |=', summary: 's', description: 'd' }] });
    expect(r.success).toBe(false);
    expect(r.error?.issues[0].path).toEqual(['rules', 0, 'expr']);
  });

  test('the synthesized stack ships only parseable LogQL (ruler enabled, JSON parsing on)', () => {
    expect(() =>
      synth({
        loki: { ruler: { enabled: true, errorRate: { containers: 'gateway|worker|analysis' } } },
        logs: { jsonNamespaces: ['ai'], jsonApps: ['gateway'] },
      }),
    ).not.toThrow();
  });
});
