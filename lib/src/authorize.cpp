#include <tenuo/authorize.hpp>

#include <tenuo/arguments.hpp>
#include <tenuo/evaluate.hpp>

#include <fmt/format.h>

#include <algorithm>

namespace tenuo {

const std::pair<std::string, ConstraintSet>* lookup_tool(const Payload& p, std::string_view tool) {
  const std::pair<std::string, ConstraintSet>* star = nullptr;
  for (const auto& entry : p.tools) {
    if (entry.first == tool) return &entry;
    if (entry.first == "*") star = &entry;
  }
  return star;
}

Result<void> check_constraints(const ConstraintSet& set, const Object& args) {
  if (set.empty()) return {};
  if (!set.allow_unknown)
    for (const auto& m : args)
      if (set.find(m.key) == nullptr)
        return fail(ErrorCode::ConstraintViolation,
                    fmt::format("argument '{}' is not allowed: the warrant constrains only named arguments", m.key));
  for (const auto& [arg, c] : set.constraints) {
    const auto it = std::lower_bound(args.begin(), args.end(), arg,
                                     [](const Member& m, const std::string& k) { return m.key < k; });
    if (it == args.end() || it->key != arg)
      return fail(ErrorCode::ConstraintViolation, fmt::format("missing required argument '{}'", arg));
    TENUO_TRY_ASSIGN(Match m, evaluate(c, it->value));
    if (!m.ok)
      return fail(ErrorCode::ConstraintViolation,
                  fmt::format("argument '{}' = {} violates {}: {}", arg, display(it->value), display(c), m.reason));
  }
  return {};
}

namespace {

std::optional<std::uint8_t> required_clearance(const AuthorizeOptions& o, std::string_view tool) {
  std::optional<std::uint8_t> star;
  std::size_t best = 0;
  std::optional<std::uint8_t> prefix_match;
  for (const auto& [pattern, level] : o.clearance_requirements) {
    if (pattern == tool) return level;
    if (pattern == "*") {
      star = level;
    } else if (pattern.ends_with('*')) {
      const std::string_view prefix(pattern.data(), pattern.size() - 1);
      if (tool.starts_with(prefix) && prefix.size() >= best) {
        best = prefix.size();
        prefix_match = level;
      }
    }
  }
  return prefix_match ? prefix_match : star;
}

}  // namespace

Result<Authorization> authorize(const VerifiedChain& chain, const ToolCall& call, const AuthorizeOptions& opts) {
  const Warrant& leaf = chain.leaf();
  const Payload& p = leaf.payload();
  if (auto need = required_clearance(opts, call.tool)) {
    const std::uint8_t have = p.clearance.value_or(0);
    if (have < *need)
      return fail(ErrorCode::ToolNotAuthorized,
                  fmt::format("tool '{}' requires clearance {}, the warrant has {}", call.tool, *need, have));
  }
  if (static_cast<std::uint64_t>(std::max<std::int64_t>(chain.verified_at(), 0)) >= p.expires_at)
    return fail(ErrorCode::WarrantExpired, fmt::format("warrant {} has expired", leaf.id_text()));
  if (p.type != WarrantType::Execution)
    return fail(ErrorCode::InvalidPayloadStructure, "an issuer warrant cannot authorize tool calls");
  const auto* entry = lookup_tool(p, call.tool);
  if (entry == nullptr)
    return fail(ErrorCode::ToolNotAuthorized,
                fmt::format("warrant {} does not authorize tool '{}'", leaf.id_text(), call.tool));
  Authorization out;
  out.matched_tool = entry->first;
  if (opts.pop == PopPolicy::Required) {
    if (!call.pop)
      return fail(ErrorCode::SignatureInvalid,
                  fmt::format("no proof-of-possession signature for tool '{}'", call.tool));
    TENUO_TRY_ASSIGN(PopVerification v, pop_verify(p.holder, p.id, call.tool, call.args, ByteView(*call.pop),
                                                   chain.verified_at(), opts.pop_windows));
    out.pop = v;
  }
  TENUO_TRY(check_constraints(entry->second, without_nulls(call.args)));
  // Step 8: approvals are hashed over the arguments as signed (nulls kept, §9.2).
  ApprovalReport ar = evaluate_approvals(p, call.tool, call.args, call.approvals, chain.verified_at());
  if (ar.error) return Unexpected{std::move(*ar.error)};
  out.gated = ar.gate.gated;
  out.approved_by = std::move(ar.approved_by);
  return out;
}

}  // namespace tenuo
