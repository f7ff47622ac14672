/**
 * Pushes GenAI semantic-convention histograms with the OpenTelemetry JS SDK to an OTLP/HTTP metrics URL
 * (argv[2]), twice a few seconds apart, then exits 0 (1 when an export failed). Run as its own Node process
 * by test/e2e/otlp-genai.test.ts: the exporter loads its transport with a dynamic import(), which jest's VM
 * refuses without --experimental-vm-modules.
 */
import { diag, DiagLogLevel } from '@opentelemetry/api';
import { OTLPMetricExporter } from '@opentelemetry/exporter-metrics-otlp-http';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { MeterProvider, PeriodicExportingMetricReader } from '@opentelemetry/sdk-metrics';
import { GENAI_INSTRUMENTS } from '../../charts/components/genai/metrics';

async function main(url: string): Promise<void> {
  let failed = false;
  diag.setLogger({
    error: (m) => { failed = true; process.stderr.write(`${m}\n`); }, warn: (m) => process.stderr.write(`${m}\n`),
    info: () => undefined, debug: () => undefined, verbose: () => undefined,
  }, DiagLogLevel.WARN);
  const provider = new MeterProvider({
    resource: resourceFromAttributes({
      'service.name': 'chat-api', 'service.namespace': 'ai', 'service.instance.id': 'chat-api-0',
      'k8s.namespace.name': 'ai', 'k8s.pod.name': 'chat-api-0', 'k8s.container.name': 'api',
    }),
    readers: [new PeriodicExportingMetricReader({ exporter: new OTLPMetricExporter({ url }), exportIntervalMillis: 3_600_000 })],
  });
  const meter = provider.getMeter('genai-test');
  const seconds = (name: string, bounds: number[]) => meter.createHistogram(name, { unit: 's', advice: { explicitBucketBoundaries: bounds } });
  // Bucket boundaries the GenAI semantic conventions advise for each instrument.
  const ttft = seconds(GENAI_INSTRUMENTS.ttft, [0.001, 0.005, 0.01, 0.02, 0.04, 0.06, 0.08, 0.1, 0.25, 0.5, 0.75, 1, 2.5, 5, 7.5, 10]);
  const tpot = seconds(GENAI_INSTRUMENTS.tpot, [0.01, 0.025, 0.05, 0.075, 0.1, 0.15, 0.2, 0.3, 0.4, 0.5, 0.75, 1, 2.5]);
  const duration = seconds(GENAI_INSTRUMENTS.requestDuration, [0.01, 0.02, 0.04, 0.08, 0.16, 0.32, 0.64, 1.28, 2.56, 5.12, 10.24, 20.48, 40.96, 81.92]);
  const tokens = meter.createHistogram(GENAI_INSTRUMENTS.tokenUsage, { unit: '{token}', advice: { explicitBucketBoundaries: [1, 4, 16, 64, 256, 1024, 4096, 16384, 65536] } });
  const record = (n: number) => {
    for (let i = 0; i < n; i++) {
      for (const model of ['llama-3.1-8b', 'qwen2.5-7b']) {
        const base = { 'gen_ai.request.model': model, 'gen_ai.system': 'vllm', 'gen_ai.operation.name': 'chat' };
        ttft.record(0.2 + i * 0.01, base);
        tpot.record(0.03, base);
        duration.record(1.5, i % 10 === 0 ? { ...base, 'error.type': 'timeout' } : base);
        tokens.record(120, { ...base, 'gen_ai.token.type': 'input' });
        tokens.record(300, { ...base, 'gen_ai.token.type': 'output' });
      }
    }
  };
  // Two pushes some seconds apart: rate() over 1m needs two samples of each series.
  record(20);
  await provider.forceFlush();
  await new Promise((r) => setTimeout(r, 3_000));
  record(20);
  await provider.forceFlush();
  await provider.shutdown();
  process.exit(failed ? 1 : 0);
}

void main(process.argv[2]);
