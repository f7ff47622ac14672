import { canonicalQuantity } from '../../charts/core/quantity';

// Expected values: what kube-apiserver 1.36.3 wrote back for each as a container request (measured with
// `kubectl create --dry-run=server`; the control-plane tests, test/cluster/stack.ts, compare what the server writes back).
describe("canonicalQuantity: the API server's form of a quantity", () => {
  it.each([
    ['1024Mi', '1Gi'],
    ['2048Ki', '2Mi'],
    ['1536Mi', '1536Mi'],
    ['1.5Gi', '1536Mi'],
    ['0.5Gi', '512Mi'],
    ['0.5Ki', '512'],
    ['1Ki', '1Ki'],
    ['1000Ki', '1000Ki'],
    ['10Gi', '10Gi'],
    ['64Mi', '64Mi'],
    ['1048576Ki', '1Gi'],
    ['1.25Ki', '1280'],
    ['0.001Ki', '1024m'],
    ['1.50Gi', '1536Mi'],
    ['3Mi', '3Mi'],
    ['1025', '1025'],
    ['1000m', '1'],
    ['1500m', '1500m'],
    ['0.5', '500m'],
    ['1.5', '1500m'],
    ['0.1', '100m'],
    ['100m', '100m'],
    ['2', '2'],
    ['2000', '2k'],
    ['1500', '1500'],
    ['1000000', '1M'],
    ['1000k', '1M'],
    ['1G', '1G'],
    ['0', '0'],
    ['0Mi', '0'],
    ['0m', '0'],
    ['1e3', '1e3'],
    ['1000e0', '1e3'],
    ['10e2', '1e3'],
    ['5e1', '50'],
    ['1e-3', '1e-3'],
    ['1.5e3', '1500'],
    ['1.0', '1'],
    ['0.0000000001', '1m'],
    ['0.0001', '1m'],
    ['1500u', '2m'],
    ['0.0015', '2m'],
    [110, '110'],
    ['.5', '500m'],
  ])('%s → %s', (input, expected) => {
    expect(canonicalQuantity(input)).toBe(expected);
  });

  it('is idempotent', () => {
    for (const q of ['1024Mi', '1000m', '0.5', '1.5Gi', '2000', '1e3'])
      expect(canonicalQuantity(canonicalQuantity(q))).toBe(canonicalQuantity(q));
  });

  it.each(['', 'Mi', '1.2.3', '1 Gi', '1gi', 'ten', '1Mb'])('refuses %j', (bad) => {
    expect(() => canonicalQuantity(bad)).toThrow(/not a Kubernetes quantity/);
  });
});
