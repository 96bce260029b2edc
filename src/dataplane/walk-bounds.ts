// Bounds on one packet's walk through a ruleset (issue 18: a dump from `trace --rules` may loop).
// The kernel refuses a ruleset whose chains loop when it is loaded (iptables: ELOOP from
// mark_source_chains; nftables: the jump stack of NFT_JUMP_STACK_SIZE, 16 frames, include/net/
// netfilter/nf_tables.h, EMLINK past it). The emulator walks dumps nobody loaded, so it stops the
// walk the same way instead of looping for ever.

/** Jump frames nftables keeps per packet (the base chain's own frame not counted). */
export const NFT_JUMP_STACK_SIZE = 16;
/** Rules one walk may evaluate: far beyond a loop-free 10k-Service ruleset (indexed chains, map lookups). */
export const MAX_WALK_STEPS = 200_000;
