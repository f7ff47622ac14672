/** `spec.kubelet`: scraping the kubelets' volume stats (the schema lives beside kube-state-metrics', which shares its options). */
import { kubeletSchema } from '../kube-state-metrics/spec';

export { kubeletSchema, type KubeletSpec } from '../kube-state-metrics/spec';

export const specSections = { kubelet: kubeletSchema() };
