// shim until src/proxy moves to src/net
export {
  canonicalIPText,
  cidrContains,
  type IPFamily,
  type ParsedCIDR,
  type ParsedIP,
  parseCIDRSloppy,
  parseIPSloppy,
} from '../net/index.js';
