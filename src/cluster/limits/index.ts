// The input limits of the manifest loader, in one place (the README's "Input limits" lists them).
// Each bounds what a hostile file can cost; each sits beyond what a real cluster's objects need.

/** One manifest file (or stdin). The largest benchmark input, 10k Services as JSON, is 51 MB. */
export const MAX_FILE_BYTES = 256 * 2 ** 20;
/** All inputs of one command together. */
export const MAX_TOTAL_BYTES = 512 * 2 ** 20;
/** YAML documents (`---`) in one file. */
export const MAX_DOCUMENTS_PER_FILE = 200_000;
/** Objects in one input set, after List expansion (a 10k-Service cluster with Pods is ~120k). */
export const MAX_OBJECTS = 1_000_000;
/** Nesting of mappings/sequences, as js-yaml's default maxDepth; JSON is held to the same. */
export const MAX_DEPTH = 100;
/** One string (a JSON string or a YAML scalar): the API server's request body limit, 3 MiB. */
export const MAX_STRING_LENGTH = 3 * 2 ** 20;
/** One array outside the fields with their own limit (a List's items). */
export const MAX_ARRAY_LENGTH = MAX_OBJECTS;

// Alias expansion, as go-yaml bounds it since CVE-2019-11253 (decode.go allowedAliasRatio): once a
// document has over 100 nodes from aliases and over 1000 nodes in all, the share of nodes that
// come from aliases may be 99% up to 400,000 nodes, falling linearly to 10% at 4,000,000.
export const ALIAS_MIN_ALIASED = 100;
export const ALIAS_MIN_NODES = 1000;
export const ALIAS_RATIO_LOW = 400_000;
export const ALIAS_RATIO_HIGH = 4_000_000;
/** Alias nodes (`*name`) in one document. */
export const MAX_ALIASES = 10_000;

/** The share of a document's nodes that may come from alias expansion, by its size so far. */
export function allowedAliasRatio(nodes: number): number {
  if (nodes <= ALIAS_RATIO_LOW) return 0.99;
  if (nodes >= ALIAS_RATIO_HIGH) return 0.1;
  return 0.99 - (0.89 * (nodes - ALIAS_RATIO_LOW)) / (ALIAS_RATIO_HIGH - ALIAS_RATIO_LOW);
}

// List lengths, from the API server's validation (pkg/apis/discovery/validation/validation.go:
// maxEndpoints, maxPorts, maxAddresses).
export const MAX_SLICE_ENDPOINTS = 1000;
export const MAX_SLICE_PORTS = 100;
export const MAX_ENDPOINT_ADDRESSES = 100;
/**
 * A Service's ports. The API server has no count check; what bounds them is etcd's 1.5 MiB object
 * limit (about 20 bytes a port once stored: ~78k ports) and the 3 MiB request body. 100,000 is
 * beyond both.
 */
export const MAX_SERVICE_PORTS = 100_000;
/** Legacy Endpoints: addresses of one subset, bounded like a Service's ports (no upstream count). */
export const MAX_SUBSET_ADDRESSES = 100_000;
