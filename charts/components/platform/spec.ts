/** `spec.platform`: the Kubernetes distribution or managed service the stack runs on (profiles.ts). */
import { z } from 'zod';
import { describe } from '../../spec/formats';
import { PLATFORMS } from './profiles';

export const platformSchema = z
  .enum(PLATFORMS, {
    error: (i) => `expected one of ${PLATFORMS.join(', ')}, found ${describe(i.input)}`,
  })
  .default('generic')
  .describe(
    "where the stack runs: generic, k3s, gke, eks or aks. Sets, from that platform's documentation and wherever the spec " +
      'leaves them unset: the GPU node labels, RuntimeClass and taints (of the GPU exporter), the containerd paths and cAdvisor mode, ' +
      "kubelet certificate verification, the storage class, GKE's critical-pods ResourceQuota, and (k3s) sizes for one small server",
  );

export const specSections = { platform: platformSchema };
