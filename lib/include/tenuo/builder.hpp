#pragma once
// Builders for root warrants (mint) and attenuated children (grant). Every invariant is
// checked before anything is signed (I1 issuer = parent holder, I2 depth, I3 TTL, I4 capability
// ⊆ parent, I5 parent hash), with the protocol's error codes and a message naming what would
// widen. The result is signed, and re-verified against its parent before it is returned.
// Thread-safety: mint, grant and prepare_grant are reentrant (they read their arguments and
// draw fresh ids from libsodium's thread-safe RNG); one SigningKey may sign from several
// threads at once. MintRequest and GrantRequest are plain values.

#include <tenuo/export.hpp>
#include <tenuo/public_key.hpp>
#include <tenuo/result.hpp>
#include <tenuo/signing_key.hpp>
#include <tenuo/warrant.hpp>

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace tenuo {

struct MintRequest {
  WarrantType type = WarrantType::Execution;
  ToolMap tools;                          // execution warrants
  std::optional<PublicKey> holder;        // default: the issuer itself
  std::int64_t now = 0;                   // issued_at (unix seconds)
  std::optional<std::uint64_t> ttl;       // default 300 s; > 90 days refused (1303)
  std::optional<std::uint64_t> expires_at;  // instead of ttl
  std::uint8_t max_depth = 64;            // > 64 refused (1402)
  std::optional<WarrantId> id;            // default: a fresh UUIDv7
  std::optional<std::vector<std::string>> issuable_tools;  // issuer warrants (sorted on build)
  std::optional<std::uint32_t> max_issue_depth;
  std::optional<ConstraintSet> constraint_bounds;
  std::optional<std::uint8_t> clearance;
  std::vector<PublicKey> required_approvers;  // sorted by key bytes on build
  std::optional<std::uint32_t> min_approvals;
  std::optional<std::string> session_id;
  std::optional<std::string> agent_id;
  ExtensionMap extensions;
};

// Mints a root warrant signed by `issuer`.
[[nodiscard]] TENUO_EXPORT Result<Warrant> mint(const MintRequest& req, const SigningKey& issuer);

struct GrantRequest {
  ToolMap tools;                          // the child's complete tool map
  std::optional<PublicKey> holder;        // default: the parent's holder
  std::int64_t now = 0;
  std::optional<std::uint64_t> ttl;       // capped to the parent's expiry
  std::optional<std::uint64_t> expires_at;
  std::optional<std::uint8_t> max_depth;  // default: the parent's
  std::optional<WarrantId> id;
  std::optional<std::uint8_t> clearance;  // default: the parent's
};

// Delegates `parent` (the leaf of a chain) to a child signed by `signer`, which must be the
// parent's holder (InvalidIssuer 1400). Refuses terminal parents and depth beyond max_depth
// (1402), expired parents (1300), TTL beyond the parent's expiry when `expires_at` is explicit
// (1405), and any widening of tools or constraints (1502/1503).
// Everything grant() checks and builds, without signing (for --dry-run and previews).
[[nodiscard]] TENUO_EXPORT Result<Payload> prepare_grant(const Warrant& parent, const GrantRequest& req,
                                                         const PublicKey& signer);
[[nodiscard]] TENUO_EXPORT Result<Warrant> grant(const Warrant& parent, const GrantRequest& req,
                                                 const SigningKey& signer);

}  // namespace tenuo
