#pragma once
// Authorization of one tool call against a verified chain (WIRE.md §10.3): leaf type, tool
// lookup (exact name, then "*"), proof of possession by the leaf holder, closed-world
// constraint matching, approval gates and the approvals presented (approval.hpp). The chain
// must come from verify_chain(), so every decision here stands on verified signatures, links,
// trust and time.
// Thread-safety: authorize, check_constraints and lookup_tool are pure functions of their
// arguments; safe to call concurrently on a shared VerifiedChain. The only shared state they
// reach is the regex and CEL compile caches, each guarded by a mutex. ToolCall, AuthorizeOptions
// and Authorization are plain values.

#include <tenuo/approval.hpp>
#include <tenuo/export.hpp>
#include <tenuo/limits.hpp>
#include <tenuo/pop.hpp>
#include <tenuo/result.hpp>
#include <tenuo/value.hpp>
#include <tenuo/verify.hpp>

#include <cstdint>
#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace tenuo {

struct ToolCall {
  std::string tool;
  Object args;                     // as sent and signed (nulls kept)
  std::optional<Signature> pop;    // the holder's proof of possession
  std::vector<SignedApproval> approvals{};  // for a call an approval gate covers (§9)
};

// Skip is for diagnostics (`verify --no-pop`): the verdict then says nothing about possession.
enum class PopPolicy : std::uint8_t { Required, Skip };

struct AuthorizeOptions {
  int pop_windows = kPopDefaultMaxWindows;  // 2..10
  PopPolicy pop = PopPolicy::Required;
  // Minimum clearance per tool: exact name, else the longest "prefix*" pattern, else "*".
  std::vector<std::pair<std::string, std::uint8_t>> clearance_requirements;
};

struct Authorization {
  std::string matched_tool;                // the tools key that granted the call ("*" fallback)
  std::optional<PopVerification> pop;      // the window that verified (absent when skipped)
  bool gated = false;                      // an approval gate fired (and enough approvals verified)
  std::vector<std::string> approved_by;    // fingerprints of the approvals counted
};

// Decides `call` at the chain's verification instant. Denials: InvalidPayloadStructure (1201,
// issuer leaf), ToolNotAuthorized (1500), ToolNotAuthorized for clearance below requirement,
// SignatureInvalid (1100, PoP missing or not verifying), ConstraintViolation (1501) or the
// evaluation error's code; then, when an approval gate fires, the §9.3 codes of
// evaluate_approvals(): ApprovalRequired (1707), InsufficientApprovals (1700), ApprovalInvalid
// (1701); a malformed gate map is InvalidPayloadStructure (1201).
[[nodiscard]] TENUO_EXPORT Result<Authorization> authorize(const VerifiedChain& chain,
                                                           const ToolCall& call,
                                                           const AuthorizeOptions& opts = {});

// Closed-world matching of `args` (nulls already removed) against `set` (§10.3 step 7).
[[nodiscard]] TENUO_EXPORT Result<void> check_constraints(const ConstraintSet& set, const Object& args);

// The ConstraintSet `tool` resolves to in `p` (exact name, else "*"), with the key used.
[[nodiscard]] TENUO_EXPORT const std::pair<std::string, ConstraintSet>* lookup_tool(const Payload& p,
                                                                                   std::string_view tool);

}  // namespace tenuo
