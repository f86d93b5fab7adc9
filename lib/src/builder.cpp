#include <tenuo/builder.hpp>

#include <tenuo/approval.hpp>
#include <tenuo/limits.hpp>
#include <tenuo/verify.hpp>

#include "detail/warrant_factory.hpp"

#include <fmt/format.h>

#include <algorithm>

namespace tenuo {
namespace {

Result<void> check_tool_names(const ToolMap& tools) {
  for (std::size_t i = 0; i < tools.size(); ++i) {
    const auto& name = tools[i].first;
    if (name.empty()) return fail(ErrorCode::InvalidPayloadStructure, "a tool name may not be empty");
    if (name.starts_with("tenuo:"))
      return fail(ErrorCode::InvalidPayloadStructure,
                  fmt::format("tool name '{}' uses the reserved 'tenuo:' prefix", name));
    if (name.size() > 256)
      return fail(ErrorCode::InvalidPayloadStructure, fmt::format("tool name of {} bytes exceeds 256", name.size()));
    if (i > 0 && !(tools[i - 1].first < name))
      return fail(ErrorCode::InvalidPayloadStructure, "tool names must be unique");
  }
  return {};
}

ToolMap sorted(ToolMap tools) {
  std::stable_sort(tools.begin(), tools.end(), [](const auto& a, const auto& b) { return a.first < b.first; });
  return tools;
}

}  // namespace

Result<Warrant> mint(const MintRequest& req, const SigningKey& issuer) {
  if (req.now < 0) return fail(ErrorCode::InvalidInput, "issued_at may not be negative");
  const auto now = static_cast<std::uint64_t>(req.now);
  Payload p(req.holder.value_or(issuer.public_key()), issuer.public_key());
  p.id = req.id.value_or(new_warrant_id(req.now * 1000));
  p.type = req.type;
  p.tools = sorted(req.tools);
  TENUO_TRY(check_tool_names(p.tools));
  if (req.max_depth > kMaxDelegationDepth)
    return fail(ErrorCode::DepthExceeded,
                fmt::format("max_depth {} exceeds the limit of {}", req.max_depth, kMaxDelegationDepth));
  p.max_depth = req.max_depth;
  p.issued_at = now;
  if (req.expires_at) {
    if (*req.expires_at <= now)
      return fail(ErrorCode::InvalidPayloadStructure, "expires_at must be after issued_at");
    p.expires_at = *req.expires_at;
  } else {
    p.expires_at = now + req.ttl.value_or(kDefaultTtlSeconds);
  }
  if (p.expires_at - now > kMaxTtlSeconds)
    return fail(ErrorCode::TtlExceeded,
                fmt::format("a lifetime of {} s exceeds the 90-day limit", p.expires_at - now));
  if (req.issuable_tools) {
    auto t = *req.issuable_tools;
    std::sort(t.begin(), t.end());
    t.erase(std::unique(t.begin(), t.end()), t.end());
    p.issuable_tools = std::move(t);
  }
  p.max_issue_depth = req.max_issue_depth;
  if (req.constraint_bounds && !req.constraint_bounds->empty()) p.constraint_bounds = req.constraint_bounds;
  p.clearance = req.clearance;
  if (!req.required_approvers.empty()) {
    bool gated = false;
    for (const auto& [k, v] : req.extensions) gated = gated || k == kApprovalGatesExtension;
    if (!gated)
      return fail(ErrorCode::InvalidPayloadStructure,
                  "required approvers need a tenuo.approval_gates extension to have any effect");
    auto a = req.required_approvers;
    std::sort(a.begin(), a.end());
    p.required_approvers = std::move(a);
  }
  p.min_approvals = req.min_approvals;
  if (p.min_approvals && (!p.required_approvers || *p.min_approvals > p.required_approvers->size()))
    return fail(ErrorCode::InvalidPayloadStructure, "min_approvals exceeds the number of approvers");
  p.session_id = req.session_id;
  p.agent_id = req.agent_id;
  p.extensions = req.extensions;
  std::sort(p.extensions.begin(), p.extensions.end(), [](const auto& a, const auto& b) { return a.first < b.first; });
  for (const auto& [k, v] : p.extensions) {
    if (k.size() > kMaxExtensionKeyBytes)
      return fail(ErrorCode::InvalidPayloadStructure, fmt::format("extension key of {} bytes exceeds 255", k.size()));
    if (k == kSessionIdExtension || k == kAgentIdExtension)
      return fail(ErrorCode::InvalidPayloadStructure, fmt::format("set {} through its own field", k));
    // A gate map no verifier can read would deny every call of the warrant.
    if (k == kApprovalGatesExtension)
      if (auto g = decode_approval_gates(v); !g)
        return fail(ErrorCode::InvalidPayloadStructure, g.error().message);
  }
  p.depth = 0;
  return WarrantFactory::sign(std::move(p), issuer);
}

Result<Payload> prepare_grant(const Warrant& parent_w, const GrantRequest& req, const PublicKey& signer) {
  const Payload& parent = parent_w.payload();
  if (signer != parent.holder)
    return fail(ErrorCode::InvalidIssuer,
                fmt::format("the signing key {} is not the parent's holder {}",
                            signer.fingerprint(), parent.holder.fingerprint()));
  if (req.now < 0) return fail(ErrorCode::InvalidInput, "issued_at may not be negative");
  const auto now = static_cast<std::uint64_t>(req.now);
  if (now >= parent.expires_at)
    return fail(ErrorCode::WarrantExpired,
                fmt::format("the parent warrant {} expired at {}", parent_w.id_text(), parent.expires_at));
  if (parent.depth >= parent.max_depth)
    return fail(ErrorCode::DepthExceeded,
                fmt::format("the parent warrant is terminal (depth {} = max_depth {})", parent.depth,
                            parent.max_depth));
  // The verifier reads at most kMaxChainLength links (depth 0..63), so a child at depth 64 —
  // allowed by a max_depth of 64 — would make a chain that no verifier here accepts.
  if (parent.depth + 2 > kMaxChainLength)
    return fail(ErrorCode::DepthExceeded,
                fmt::format("a child at depth {} would make a chain of {} warrants (limit {})",
                            parent.depth + 1, parent.depth + 2, kMaxChainLength));
  if (parent.type != WarrantType::Execution)
    return fail(ErrorCode::InvalidAttenuation,
                "issuing from an issuer warrant is not supported by grant; mint an execution warrant");
  Payload c(req.holder.value_or(parent.holder), parent.holder);
  c.id = req.id.value_or(new_warrant_id(req.now * 1000));
  c.type = WarrantType::Execution;
  c.tools = sorted(req.tools);
  TENUO_TRY(check_tool_names(c.tools));
  c.issued_at = now;  // a child issued before its parent is refused by check_link (1405)
  if (req.expires_at) {
    if (*req.expires_at > parent.expires_at)
      return fail(ErrorCode::ChainBroken,
                  fmt::format("expires_at {} is after the parent's expiry {}", *req.expires_at,
                              parent.expires_at));
    c.expires_at = *req.expires_at;
  } else if (req.ttl) {
    c.expires_at = std::min(now + *req.ttl, parent.expires_at);
  } else {
    c.expires_at = parent.expires_at;
  }
  if (c.expires_at <= c.issued_at)
    return fail(ErrorCode::InvalidPayloadStructure, "the child would expire before it is issued");
  c.max_depth = req.max_depth.value_or(parent.max_depth);
  if (c.max_depth > parent.max_depth)
    return fail(ErrorCode::DepthExceeded,
                fmt::format("max_depth {} exceeds the parent's {}", c.max_depth, parent.max_depth));
  c.depth = parent.depth + 1;
  c.parent_hash = parent_w.payload_hash();
  c.clearance = req.clearance ? req.clearance : parent.clearance;
  c.session_id = parent.session_id;
  c.agent_id = parent.agent_id;
  c.required_approvers = parent.required_approvers;
  c.min_approvals = parent.min_approvals;
  if (auto gates = parent.extension(kApprovalGatesExtension))
    c.extensions.emplace_back(std::string(kApprovalGatesExtension), *gates);
  // I1-I5 with the verifier's own rules, before signing.
  TENUO_TRY(check_link(parent, parent_w.payload_hash(), c));
  TENUO_TRY(validate_payload(c));
  return c;
}

Result<Warrant> grant(const Warrant& parent, const GrantRequest& req, const SigningKey& signer) {
  TENUO_TRY_ASSIGN(Payload c, prepare_grant(parent, req, signer.public_key()));
  TENUO_TRY_ASSIGN(Warrant w, WarrantFactory::sign(std::move(c), signer));
  // minisign's habit: check what was produced before handing it out.
  TENUO_TRY(check_link(parent.payload(), parent.payload_hash(), w.payload()));
  return w;
}

}  // namespace tenuo
