/**
 * MonitoringApp: a cdk8s App whose `synth()` writes what `npm run synth`
 * writes: one file per chart in the stack's apply order (00-namespaces.yaml,
 * 10-prometheus.yaml, ...), every object with its Argo CD sync wave, the
 * Kustomization listing them, the marker and the stack's identity, swapped in
 * atomically (charts/lib/swap.ts). A plain App would write hash-named files
 * in no order, without sync waves or Kustomization.
 *
 * Charts of your own added to the app (beside the stack) are written after
 * the stack's files, as `99-<chart id>.yaml`, with sync waves too. The Argo CD
 * Application (spec.gitops.argocd), if any, goes into the folder as
 * `argocd-application` (not *.yaml, so `kubectl apply -f` skips it), as
 * `npm run synth --out DIR` does.
 */
import { App, AppProps, Chart } from 'cdk8s';
import { renderCharts, renderGitops } from './output';
import { formatIdentity, stackIdentity } from '../lib/stack-metadata';
import { writeAtomically } from '../lib/swap';
import { MonitoringStack } from '../stack';

export class MonitoringApp extends App {
  constructor(props: AppProps = {}) {
    super(props);
  }

  /** The files synth() writes, by name (the same map `npm run synth` renders). */
  public render(): Map<string, string> {
    const stacks = this.node.children.filter((c): c is MonitoringStack => c instanceof MonitoringStack);
    if (stacks.length !== 1) {
      throw new Error(
        `MonitoringApp holds ${stacks.length} MonitoringStacks; it writes one stack per output folder: use one MonitoringApp (outdir) per stack`,
      );
    }
    const stack = stacks[0];
    const own = this.node.children.filter((c): c is Chart => c instanceof Chart).map((chart) => ({ file: `99-${chart.node.id}`, chart }));
    const files = renderCharts([...stack.charts, ...own]);
    for (const [f, t] of renderGitops(stack))
      files.set(
        f
          .split('/')
          .pop()!
          .replace(/\.yaml$/, ''),
        t,
      );
    return files;
  }

  public synth(): void {
    const stack = this.node.children.find((c): c is MonitoringStack => c instanceof MonitoringStack);
    const files = this.render();
    const id = stackIdentity(stack!.context.instance, stack!.context.namespace, undefined, this.outdir);
    writeAtomically(this.outdir, files, { marker: formatIdentity({ ...id, spec: '(library: MonitoringApp)' }) });
  }
}
