// The subset of Kubernetes object shapes kubeplane reads. Field names follow the API exactly so
// manifests from `kubectl get -o yaml` load as they are.

export interface ObjectMeta {
  name: string;
  namespace?: string;
  uid?: string;
  resourceVersion?: string;
  generation?: number;
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
  creationTimestamp?: string;
  deletionTimestamp?: string;
  ownerReferences?: { apiVersion?: string; kind: string; name: string; uid?: string; controller?: boolean }[];
}

export type Protocol = 'TCP' | 'UDP' | 'SCTP';

import type { IPFamily } from '../net/ip.js';

export type { IPFamily };

export interface ServicePort {
  name?: string;
  protocol?: Protocol;
  appProtocol?: string;
  port: number;
  targetPort?: number | string;
  nodePort?: number;
}

export type ServiceType = 'ClusterIP' | 'NodePort' | 'LoadBalancer' | 'ExternalName';

export interface Service {
  apiVersion: 'v1';
  kind: 'Service';
  metadata: ObjectMeta;
  spec: {
    type?: ServiceType;
    selector?: Record<string, string>;
    ports?: ServicePort[];
    clusterIP?: string;
    clusterIPs?: string[];
    ipFamilies?: IPFamily[];
    ipFamilyPolicy?: 'SingleStack' | 'PreferDualStack' | 'RequireDualStack';
    externalIPs?: string[];
    externalName?: string;
    externalTrafficPolicy?: 'Cluster' | 'Local';
    internalTrafficPolicy?: 'Cluster' | 'Local';
    healthCheckNodePort?: number;
    loadBalancerIP?: string;
    loadBalancerSourceRanges?: string[];
    sessionAffinity?: 'None' | 'ClientIP';
    sessionAffinityConfig?: { clientIP?: { timeoutSeconds?: number } };
    publishNotReadyAddresses?: boolean;
    allocateLoadBalancerNodePorts?: boolean;
    trafficDistribution?: string;
  };
  status?: {
    loadBalancer?: {
      ingress?: { ip?: string; hostname?: string; ipMode?: 'VIP' | 'Proxy' }[];
    };
  };
}

export interface EndpointConditions {
  ready?: boolean | null;
  serving?: boolean | null;
  terminating?: boolean | null;
}

export interface EndpointSliceEndpoint {
  addresses: string[];
  conditions?: EndpointConditions;
  hostname?: string;
  nodeName?: string;
  zone?: string;
  targetRef?: { kind?: string; namespace?: string; name?: string; uid?: string };
  hints?: { forZones?: { name: string }[]; forNodes?: { name: string }[] };
}

export interface EndpointPort {
  name?: string | null;
  protocol?: Protocol;
  port?: number | null;
  appProtocol?: string;
}

export interface EndpointSlice {
  apiVersion: 'discovery.k8s.io/v1';
  kind: 'EndpointSlice';
  metadata: ObjectMeta;
  addressType: 'IPv4' | 'IPv6' | 'FQDN';
  endpoints?: EndpointSliceEndpoint[] | null;
  ports?: EndpointPort[] | null;
}

/** Legacy v1 Endpoints; converted to EndpointSlices on load (see endpoints-mirror.ts). */
export interface Endpoints {
  apiVersion: 'v1';
  kind: 'Endpoints';
  metadata: ObjectMeta;
  subsets?: {
    addresses?: { ip: string; hostname?: string; nodeName?: string; targetRef?: EndpointSliceEndpoint['targetRef'] }[];
    notReadyAddresses?: {
      ip: string;
      hostname?: string;
      nodeName?: string;
      targetRef?: EndpointSliceEndpoint['targetRef'];
    }[];
    ports?: { name?: string; port: number; protocol?: Protocol; appProtocol?: string }[];
  }[];
}

export interface NodeAddress {
  type: 'InternalIP' | 'ExternalIP' | 'Hostname' | 'InternalDNS' | 'ExternalDNS';
  address: string;
}

export interface Node {
  apiVersion: 'v1';
  kind: 'Node';
  metadata: ObjectMeta;
  spec?: { podCIDR?: string; podCIDRs?: string[]; unschedulable?: boolean; providerID?: string; taints?: Taint[] };
  status?: { addresses?: NodeAddress[] };
}

export interface ContainerPort {
  name?: string;
  containerPort: number;
  protocol?: Protocol;
}

export interface Toleration {
  key?: string;
  operator?: 'Exists' | 'Equal';
  value?: string;
  effect?: 'NoSchedule' | 'PreferNoSchedule' | 'NoExecute';
}

export interface Taint {
  key: string;
  value?: string;
  effect: 'NoSchedule' | 'PreferNoSchedule' | 'NoExecute';
}

export interface PodSpec {
  nodeName?: string;
  hostname?: string;
  subdomain?: string;
  hostNetwork?: boolean;
  nodeSelector?: Record<string, string>;
  tolerations?: Toleration[];
  containers?: { name?: string; image?: string; ports?: ContainerPort[]; readinessProbe?: unknown }[];
}

export interface PodCondition {
  type: string;
  status: 'True' | 'False' | 'Unknown';
}

export interface Pod {
  apiVersion: 'v1';
  kind: 'Pod';
  metadata: ObjectMeta;
  spec?: PodSpec;
  status?: { podIP?: string; podIPs?: { ip: string }[]; phase?: string; conditions?: PodCondition[] };
}

export interface PodTemplate {
  metadata?: Partial<ObjectMeta>;
  spec?: PodSpec;
}

export interface LabelSelector {
  matchLabels?: Record<string, string>;
  matchExpressions?: { key: string; operator: 'In' | 'NotIn' | 'Exists' | 'DoesNotExist'; values?: string[] }[];
}

/** The workload kinds whose Pods kubeplane creates (control/workloads.ts). */
export interface Workload {
  apiVersion: 'apps/v1' | 'batch/v1';
  kind: 'Deployment' | 'ReplicaSet' | 'StatefulSet' | 'DaemonSet' | 'Job';
  metadata: ObjectMeta;
  spec: {
    replicas?: number;
    /** Job. */
    parallelism?: number;
    completions?: number;
    selector?: LabelSelector;
    /** StatefulSet: the headless Service giving Pods their hostname/subdomain. */
    serviceName?: string;
    template: PodTemplate;
  };
}

export const WORKLOAD_KINDS = ['Deployment', 'ReplicaSet', 'StatefulSet', 'DaemonSet', 'Job'] as const;

export interface Namespace {
  apiVersion: 'v1';
  kind: 'Namespace';
  metadata: ObjectMeta;
}

export interface ServiceCIDR {
  apiVersion: 'networking.k8s.io/v1';
  kind: 'ServiceCIDR';
  metadata: ObjectMeta;
  spec: { cidrs: string[] };
}

export interface KubeProxyConfiguration {
  apiVersion: 'kubeproxy.config.k8s.io/v1alpha1';
  kind: 'KubeProxyConfiguration';
  metadata?: Partial<ObjectMeta>;
  hostnameOverride?: string;
  /** Not a listen address since 1.29: a specified IP overrides the node IP of its family. */
  bindAddress?: string;
  clusterCIDR?: string;
  mode?: string;
  detectLocalMode?: '' | 'ClusterCIDR' | 'NodeCIDR' | 'BridgeInterface' | 'InterfaceNamePrefix';
  detectLocal?: { bridgeInterface?: string; interfaceNamePrefix?: string };
  nodePortAddresses?: string[];
  iptables?: {
    masqueradeBit?: number;
    masqueradeAll?: boolean;
    localhostNodePorts?: boolean;
    syncPeriod?: string;
    minSyncPeriod?: string;
  };
  nftables?: { masqueradeBit?: number; masqueradeAll?: boolean; syncPeriod?: string; minSyncPeriod?: string };
  ipvs?: {
    scheduler?: string;
    strictARP?: boolean;
    excludeCIDRs?: string[];
    syncPeriod?: string;
    minSyncPeriod?: string;
    tcpTimeout?: string;
    tcpFinTimeout?: string;
    udpTimeout?: string;
  };
  conntrack?: {
    maxPerCore?: number;
    min?: number;
    tcpEstablishedTimeout?: string;
    tcpCloseWaitTimeout?: string;
    tcpBeLiberal?: boolean;
    udpTimeout?: string;
    udpStreamTimeout?: string;
  };
  featureGates?: Record<string, boolean>;
}

export type ClusterObject = Service | EndpointSlice | Node | Pod | Namespace | ServiceCIDR | KubeProxyConfiguration;

export type ClusterKind = ClusterObject['kind'];

export const SERVICE_NAME_LABEL = 'kubernetes.io/service-name';
export const SERVICE_PROXY_NAME_LABEL = 'service.kubernetes.io/service-proxy-name';
export const HEADLESS_LABEL = 'service.kubernetes.io/headless';
export const ZONE_LABEL = 'topology.kubernetes.io/zone';

/** Key of a namespaced object: "namespace/name" (cluster-scoped objects: "name"). */
export function objectKey(o: { kind: string; metadata?: Partial<ObjectMeta> }): string {
  const ns = o.metadata?.namespace;
  return ns ? `${ns}/${o.metadata?.name ?? ''}` : (o.metadata?.name ?? '');
}
