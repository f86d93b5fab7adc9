#include <tenuo/verify.hpp>

#include <tenuo/approval.hpp>
#include <tenuo/attenuation.hpp>

#include "detail/warrant_peek.hpp"

#include <fmt/format.h>

#include <algorithm>

namespace tenuo {
namespace {

Unexpected at(Error e, std::size_t index) {
  e.chain_index = index;
  return Unexpected{std::move(e)};
}

Unexpected broken(std::string msg) { return fail(ErrorCode::ChainBroken, std::move(msg)); }

bool lists_tool(const std::vector<std::string>& tools, std::string_view name) {
  return std::find(tools.begin(), tools.end(), name) != tools.end() ||
         std::find(tools.begin(), tools.end(), "*") != tools.end();
}

// Clearance may only stay or fall. A child that introduces a clearance its parent lacks is
// refused too (the reference verifier allows it; its builders never produce it).
Result<void> check_clearance(const Payload& parent, const Payload& child) {
  if (!child.clearance) return {};
  if (!parent.clearance)
    return fail(ErrorCode::CapabilityExpansion,
                fmt::format("the child introduces clearance {} that its parent does not have",
                            *child.clearance));
  if (*child.clearance > *parent.clearance)
    return fail(ErrorCode::CapabilityExpansion,
                fmt::format("clearance {} exceeds the parent's {}", *child.clearance, *parent.clearance));
  return {};
}

Result<void> check_tools_attenuate(const Payload& parent, const Payload& child) {
  // Stricter than the reference, which skips this when either tool map is empty: a child may
  // never hold a tool its parent does not grant.
  for (const auto& [name, cs] : child.tools) {
    const ConstraintSet* p = parent.tool(name);
    if (p == nullptr) p = parent.tool("*");
    if (p == nullptr)
      return fail(ErrorCode::CapabilityExpansion,
                  fmt::format("tool '{}' is not granted by the parent", name));
    auto r = check_attenuation(*p, cs);
    if (!r) {
      Error e = std::move(r).error();
      e.message = fmt::format("tool '{}': {}", name, e.message);
      return Unexpected{std::move(e)};
    }
  }
  return {};
}

Result<void> check_type_transition(const Payload& p, const Payload& c) {
  using T = WarrantType;
  if (p.type == T::Execution && c.type == T::Execution) {
    TENUO_TRY(check_tools_attenuate(p, c));
    return check_clearance(p, c);
  }
  if (p.type == T::Issuer && c.type == T::Issuer) {
    for (const auto& t : c.issuable_tools.value_or(std::vector<std::string>{}))
      if (!lists_tool(p.issuable_tools.value_or(std::vector<std::string>{}), t))
        return fail(ErrorCode::CapabilityExpansion,
                    fmt::format("issuable tool '{}' is not issuable by the parent", t));
    if (p.constraint_bounds) {
      // Stricter than the reference: a child may not drop the parent's bounds.
      if (!c.constraint_bounds)
        return fail(ErrorCode::CapabilityExpansion, "the child drops the parent's constraint_bounds");
      TENUO_TRY(check_attenuation(*p.constraint_bounds, *c.constraint_bounds));
    }
    return check_clearance(p, c);
  }
  if (p.type == T::Issuer && c.type == T::Execution) {
    for (const auto& [name, cs] : c.tools) {
      if (!lists_tool(p.issuable_tools.value_or(std::vector<std::string>{}), name))
        return fail(ErrorCode::InvalidAttenuation,
                    fmt::format("tool '{}' is not in the issuer warrant's issuable_tools", name));
      if (p.constraint_bounds) {
        auto r = check_attenuation(*p.constraint_bounds, cs);
        if (!r) {
          Error e = std::move(r).error();
          e.message = fmt::format("tool '{}' vs constraint_bounds: {}", name, e.message);
          return Unexpected{std::move(e)};
        }
      }
    }
    TENUO_TRY(check_clearance(p, c));
    if (c.holder == p.holder || c.holder == p.issuer)
      return fail(ErrorCode::InvalidIssuer,
                  "an issuer warrant may not issue an execution warrant to its own holder or issuer");
    return {};
  }
  return fail(ErrorCode::InvalidAttenuation, "an execution warrant cannot delegate an issuer warrant");
}

Result<void> check_approval_gates(const Payload& p, const Payload& c) {
  // Gate monotonicity (§5.6): this verifier accepts only an unchanged gate map under a gated
  // parent (any gate map under an ungated parent only adds gates). Stricter than the reference,
  // which also accepts narrowing edits ("all" replacing a gate, a whole-tool gate for a
  // per-argument one, a constraint gate its parent's accepts as an attenuation, dropping the
  // gates of tools the child no longer has). Kept on purpose: every reference builder copies
  // the map verbatim on delegation (§4.2), so honest chains pass, whereas a full comparator
  // would be a second attenuation engine whose every mistake silently weakens a gate.
  const auto pg = p.extension(kApprovalGatesExtension);
  if (!pg) return {};
  const auto cg = c.extension(kApprovalGatesExtension);
  if (!cg || *cg != *pg)
    return broken("the child changes or drops the parent's approval gates");
  return {};
}

bool same_keys(const std::optional<std::vector<PublicKey>>& a, const std::optional<std::vector<PublicKey>>& b) {
  const std::size_t na = a ? a->size() : 0;
  const std::size_t nb = b ? b->size() : 0;
  if (na != nb) return false;
  if (na == 0) return true;
  for (const auto& k : *a)
    if (std::find(b->begin(), b->end(), k) == b->end()) return false;
  for (const auto& k : *b)
    if (std::find(a->begin(), a->end(), k) == a->end()) return false;
  return true;
}

Result<void> check_approvers(const Payload& p, const Payload& c) {
  // Under a gated parent (or one naming approvers) the child keeps exactly the parent's
  // approvers and at least its threshold. The reference enforces approver monotonicity only in
  // its builders (§12.3: approvers may be added, min_approvals may only rise), not when it
  // verifies a chain, so a delegate could name its own key as an approver and approve its own
  // gated calls; adding approvers at the same threshold would weaken the gate the same way.
  // Every builder copies both fields on delegation, so honest chains pass.
  if (!p.extension(kApprovalGatesExtension) && !p.required_approvers) return {};
  if (!same_keys(p.required_approvers, c.required_approvers))
    return broken(fmt::format("warrant {} changes its parent's required approvers", id_text(c.id)));
  if (approval_threshold(c) < approval_threshold(p))
    return broken(fmt::format("warrant {} lowers its parent's approval threshold ({} < {})", id_text(c.id),
                              approval_threshold(c), approval_threshold(p)));
  return {};
}

}  // namespace

Result<void> check_link(const Payload& p, const Sha256Digest& parent_hash, const Payload& c) {
  if (c.issuer != p.holder)
    return broken(fmt::format("warrant {} is signed by {}, not by its parent's holder {}",
                              id_text(c.id), c.issuer.fingerprint(), p.holder.fingerprint()));
  if (!c.parent_hash || *c.parent_hash != parent_hash)
    return broken(fmt::format("warrant {} does not carry its parent's payload hash", id_text(c.id)));
  if (c.depth != p.depth + 1)
    return broken(fmt::format("warrant {} has depth {}, expected {}", id_text(c.id), c.depth, p.depth + 1));
  if (c.depth > p.max_depth || c.max_depth > p.max_depth || c.depth > c.max_depth)
    return broken(fmt::format("warrant {} (depth {}, max_depth {}) exceeds its parent's max_depth {}",
                              id_text(c.id), c.depth, c.max_depth, p.max_depth));
  if (c.expires_at > p.expires_at)
    return broken(fmt::format("warrant {} expires after its parent ({} > {})", id_text(c.id),
                              c.expires_at, p.expires_at));
  if (c.issued_at < p.issued_at)
    return broken(fmt::format("warrant {} is issued before its parent ({} < {})", id_text(c.id),
                              c.issued_at, p.issued_at));
  TENUO_TRY(check_type_transition(p, c));
  TENUO_TRY(check_approval_gates(p, c));
  TENUO_TRY(check_approvers(p, c));
  return {};
}

Result<VerifiedChain> verify_chain(std::vector<Warrant> chain, const TrustedRoots& roots,
                                   const VerifyOptions& opts) {
  if (chain.empty()) return broken("the chain is empty");
  if (chain.size() > kMaxChainLength)
    return fail(ErrorCode::ChainTooLong,
                fmt::format("the chain has {} warrants (limit {})", chain.size(), kMaxChainLength));
  const auto now = opts.now;
  const auto unow = static_cast<std::uint64_t>(std::max<std::int64_t>(now, 0));

  // Revocation first, over the whole chain (§10.2 step 2), before any other finding.
  if (!opts.revoked_ids.empty())
    for (std::size_t i = 0; i < chain.size(); ++i) {
      const std::string id = chain[i].id_text();
      if (std::find(opts.revoked_ids.begin(), opts.revoked_ids.end(), id) != opts.revoked_ids.end())
        return at(Error{ErrorCode::WarrantRevoked, fmt::format("warrant {} is revoked", id)}, i);
    }
  for (std::size_t i = 0; i < chain.size(); ++i) {
    for (std::size_t j = 0; j < i; ++j)
      if (chain[j].id() == chain[i].id())
        return at(Error{ErrorCode::ChainBroken,
                        fmt::format("warrant id {} appears twice", chain[i].id_text())},
                  i);
    if (chain[i].payload().issued_at > unow + kClockToleranceSeconds)
      return at(Error{ErrorCode::IssuedInFuture,
                      fmt::format("warrant {} is issued at {}, more than {} s after now ({})", chain[i].id_text(),
                                  chain[i].payload().issued_at, kClockToleranceSeconds, now)},
                i);
  }
  const Payload& root = chain.front().payload();
  if (!roots.contains(root.issuer))
    return at(Error{ErrorCode::UntrustedRoot,
                    fmt::format("the root warrant's issuer {} is not a trusted root",
                                root.issuer.fingerprint())},
              0);
  if (chain.size() >= 2 && (root.depth != 0 || root.parent_hash))
    return at(Error{ErrorCode::ChainBroken,
                    "a chain must start at a depth-0 warrant without a parent hash"},
              0);
  for (std::size_t i = 1; i < chain.size(); ++i) {
    auto r = check_link(chain[i - 1].payload(), chain[i - 1].payload_hash(), chain[i].payload());
    if (!r) return at(std::move(r).error(), i);
    const Payload& c = chain[i].payload();
    const bool is_leaf = i + 1 == chain.size();
    if (!is_leaf && unow > c.expires_at + opts.link_expiry_tolerance)
      return at(Error{ErrorCode::WarrantExpired,
                      fmt::format("warrant {} expired at {}", chain[i].id_text(), c.expires_at)},
                i);
  }
  // The leaf (a lone warrant included) is expired once now >= expires_at, without tolerance.
  const Payload& leaf = chain.back().payload();
  if (unow >= leaf.expires_at)
    return at(Error{ErrorCode::WarrantExpired,
                    fmt::format("warrant {} expired at {} ({} s ago)", chain.back().id_text(),
                                leaf.expires_at, unow - leaf.expires_at)},
              chain.size() - 1);
  if (opts.session == SessionCheck::Strict)
    for (std::size_t i = 1; i < chain.size(); ++i)
      if (chain[i].payload().session_id != root.session_id)
        return at(Error{ErrorCode::ChainBroken,
                        fmt::format("warrant {} does not carry the root's session id",
                                    chain[i].id_text())},
                  i);
  if (opts.lifetime_ceiling)
    for (std::size_t i = 0; i < chain.size(); ++i) {
      const Payload& p = chain[i].payload();
      if (p.expires_at - p.issued_at > *opts.lifetime_ceiling)
        return at(Error{ErrorCode::TtlExceeded,
                        fmt::format("warrant {} lives {} s, more than the ceiling of {} s",
                                    chain[i].id_text(), p.expires_at - p.issued_at,
                                    *opts.lifetime_ceiling)},
                  i);
    }
  return VerifiedChain(std::move(chain), now);
}

Result<VerifiedChain> verify_chain(ByteView cbor, const TrustedRoots& roots, const VerifyOptions& opts) {
  // Cheap denial: an untrusted root (§10.2 step 5) is refused from a structural parse, before
  // any of the chain's signatures (step 8) is verified. Only when no revocation list is given,
  // so a revoked id (step 2) keeps its precedence, and only once every link parses and
  // validates with unique ids and no future issue time, so steps 3-4 keep theirs. Either way
  // the chain is denied: the root is untrusted whether or not its signature verifies. The
  // root's claimed issuer is read first; only an untrusted one pays for checking the other
  // links, so a trusted chain is not parsed twice before its signatures.
  const auto links = detail::split_links(cbor);
  if (links && opts.revoked_ids.empty())
    if (auto issuer = detail::untrusted_root_claim(
            links->items, opts.now, [&roots](const PublicKey& k) { return roots.contains(k); }))
      return at(Error{ErrorCode::UntrustedRoot,
                      fmt::format("the root warrant's issuer {} is not a trusted root",
                                  issuer->fingerprint())},
                0);
  // Decoded without the clock: verify_chain() checks issued_at itself, after revocation. The
  // split is reused; an input that does not split takes decode_warrants for its exact error.
  TENUO_TRY_ASSIGN(auto chain, links ? detail::decode_links(*links, std::nullopt) : decode_warrants(cbor));
  return verify_chain(std::move(chain), roots, opts);
}

}  // namespace tenuo
