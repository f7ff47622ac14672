import type { WebAuthRef } from './web-auth';

/** What every component needs to know about the stack it belongs to. */
export interface StackContext {
  /** The MonitoringStack's metadata.name: app.kubernetes.io/instance of every object and prefix of cluster-scoped names. */
  readonly instance: string;
  /** Namespace of the stack (Pod Security "restricted"). */
  readonly namespace: string;
  /** Namespace of node agents that need host access (Pod Security "privileged"). */
  readonly agentNamespace: string;
  /** spec.webAuth: the basic-auth Secret of Prometheus and Alertmanager. @default DEFAULT_WEB_AUTH (core/web-auth.ts) */
  readonly webAuth?: WebAuthRef;
}

/** What a server-side construct's props take from the stack: its namespace, instance and the basic-auth Secret. */
export function stackProps(ctx: StackContext): { readonly namespace: string; readonly instance: string; readonly webAuth?: WebAuthRef } {
  return { namespace: ctx.namespace, instance: ctx.instance, webAuth: ctx.webAuth };
}

/** A component reachable inside the cluster. */
export interface Endpoint {
  readonly serviceName: string;
  readonly namespace: string;
  readonly port: number;
  /** `http://<service>.<namespace>.svc:<port>` */
  readonly url: string;
}

export function serviceUrl(serviceName: string, namespace: string, port: number, scheme = 'http'): string {
  return `${scheme}://${serviceName}.${namespace}.svc:${port}`;
}
