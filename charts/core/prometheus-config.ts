/**
 * Typed subset of the Prometheus configuration file
 * (https://prometheus.io/docs/prometheus/latest/configuration/configuration/).
 * Fields of Prometheus 3.5.0 (the deployed image, and the binary the tests
 * run: TOOL_PINS).
 */

export type RelabelAction =
  'replace' | 'keep' | 'drop' | 'keepequal' | 'dropequal' | 'hashmod' | 'labelmap' | 'labeldrop' | 'labelkeep' | 'lowercase' | 'uppercase';

export interface RelabelConfig {
  source_labels?: string[];
  separator?: string;
  regex?: string;
  modulus?: number;
  target_label?: string;
  replacement?: string;
  action?: RelabelAction;
}

export type KubernetesRole = 'node' | 'pod' | 'service' | 'endpoints' | 'endpointslice' | 'ingress';

export interface KubernetesSdConfig {
  role: KubernetesRole;
  namespaces?: { names?: string[]; own_namespace?: boolean };
  selectors?: { role: KubernetesRole; label?: string; field?: string }[];
  attach_metadata?: { node?: boolean };
}

export interface TlsConfig {
  ca_file?: string;
  cert_file?: string;
  key_file?: string;
  server_name?: string;
  insecure_skip_verify?: boolean;
}

/** Basic auth of a client config; the password always from a file (a mounted Secret). */
export interface BasicAuthConfig {
  username: string;
  password_file: string;
}

export interface ScrapeConfig {
  job_name: string;
  honor_labels?: boolean;
  honor_timestamps?: boolean;
  scrape_interval?: string;
  scrape_timeout?: string;
  metrics_path?: string;
  scheme?: 'http' | 'https';
  params?: Record<string, string[]>;
  authorization?: { type?: string; credentials_file?: string };
  basic_auth?: BasicAuthConfig;
  tls_config?: TlsConfig;
  kubernetes_sd_configs?: KubernetesSdConfig[];
  static_configs?: { targets: string[]; labels?: Record<string, string> }[];
  relabel_configs?: RelabelConfig[];
  metric_relabel_configs?: RelabelConfig[];
  sample_limit?: number;
  label_limit?: number;
  target_limit?: number;
}

export interface AlertmanagerConfig {
  scheme?: 'http' | 'https';
  path_prefix?: string;
  timeout?: string;
  api_version?: 'v2';
  basic_auth?: BasicAuthConfig;
  kubernetes_sd_configs?: KubernetesSdConfig[];
  static_configs?: { targets: string[] }[];
  relabel_configs?: RelabelConfig[];
}

export interface PrometheusConfig {
  global: {
    scrape_interval: string;
    scrape_timeout: string;
    evaluation_interval?: string;
    external_labels?: Record<string, string>;
  };
  rule_files?: string[];
  alerting?: { alert_relabel_configs?: RelabelConfig[]; alertmanagers: AlertmanagerConfig[] };
  /** Typed in charts/components/prometheus/remote-write.ts (RemoteWriteConfig). */
  remote_write?: object[];
  /** Globs of files holding more `scrape_configs` (relative paths: against the folder of prometheus.yml). */
  scrape_config_files?: string[];
  scrape_configs: ScrapeConfig[];
  /** OTLP receiver settings (with --web.enable-otlp-receiver). */
  otlp?: { translation_strategy: string; promote_resource_attributes?: string[]; keep_identifying_resource_attributes?: boolean };
  storage?: { tsdb?: { out_of_order_time_window?: string } };
}
