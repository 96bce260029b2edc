// One IP/CIDR library for the whole project: strict (Go net.ParseIP) and sloppy (Kubernetes) readings
// over one (family, bigint) value type and one set of CIDR math.
export * from './cidr.js';
export * from './ip.js';
export * from './sloppy.js';
