/** `spec.cadvisor`. */
import { z } from 'zod';
import { duration } from '../../spec/formats';
import { imageSchema, resourcesSchema } from '../../spec/common';
import { CADVISOR_RESOURCES, DEFAULT_CONTAINERD_ROOT, DEFAULT_CONTAINERD_SOCKET } from './construct';

export const cadvisorSchema = z
  .strictObject({
    enabled: z.boolean().default(true),
    mode: z
      .enum(['daemonset', 'kubelet'])
      .default('daemonset')
      .describe("daemonset: run cAdvisor on every node; kubelet: scrape the kubelet's built-in /metrics/cadvisor instead"),
    image: imageSchema().optional(),
    containerd: z
      .strictObject({
        socket: z
          .string()
          .regex(/^\/\S+$/)
          .default(DEFAULT_CONTAINERD_SOCKET)
          .describe('host path of the containerd socket (k3s: /run/k3s/containerd/containerd.sock); spec.platform sets it'),
        root: z
          .string()
          .regex(/^\/\S+$/)
          .default(DEFAULT_CONTAINERD_ROOT)
          .describe("host path of containerd's root directory (k3s: /var/lib/rancher/k3s/agent/containerd); spec.platform sets it"),
      })
      .prefault({})
      .describe("where the node's containerd lives (mode daemonset)"),
    housekeepingInterval: duration().default('30s').describe('how often cAdvisor refreshes container stats'),
    resources: resourcesSchema(CADVISOR_RESOURCES),
  })
  .prefault({});

export const specSections = { cadvisor: cadvisorSchema };
