#pragma once
// What `sign` and `verify` share about one tool call: argument loading, the verdict of record
// (verify_chain + authorize at one instant) and its check-by-check diagnosis.

#include "cli.hpp"

#include <tenuo/authorize.hpp>
#include <tenuo/explain.hpp>
#include <tenuo/value.hpp>
#include <tenuo/verify.hpp>

#include <nlohmann/json.hpp>

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <vector>

namespace tenuo::cli {

// Call arguments from `spec` (JSON text, @FILE, -, env:NAME; absent = {}), parsed strictly
// (WIRE.md §8.1.1). Errors: InvalidArguments (exit 3), InvalidInput for unreadable input.
[[nodiscard]] Result<Object> load_arguments(const std::optional<std::string>& spec);

// Trusted roots from flags, else TENUO_TRUSTED_ROOTS; an empty list when neither is set.
[[nodiscard]] Result<std::vector<PublicKey>> optional_trusted_roots(const std::vector<std::string>& specs);

enum class CheckList : std::uint8_t { Always, Never };

struct CallCheck {
  std::string tool;  // empty: verify the chain alone
  Object args;
  std::optional<Signature> pop;
  std::vector<SignedApproval> approvals;
  PopPolicy pop_policy = PopPolicy::Required;
  int pop_windows = kPopDefaultMaxWindows;
  std::vector<std::string> revoked_ids;
  SessionCheck session = SessionCheck::Off;
  // Whether the verdict also gets diagnose()'s full check list: needed for --json and receipts,
  // not for verify's one-line text output. It re-verifies the PoP, and for a PoP that fails it
  // searches ±120 windows (one Ed25519 verification each) to say what went wrong.
  CheckList check_list = CheckList::Always;
};

struct Verdict {
  std::optional<Error> error;            // absent = allowed / valid
  std::optional<PopVerification> pop;    // the window that verified
  bool gated = false;                    // allowed through an approval gate
  std::vector<std::string> approved_by;  // fingerprints of the approvals counted
  std::optional<std::size_t> chain_length;
  Diagnosis diagnosis;                   // every check, for --json and warnings
  [[nodiscard]] bool allowed() const noexcept { return !error.has_value(); }
};

// The verdict of record at `now`: verify_chain against `roots`, then authorize the call (when
// `c.tool` is set); plus diagnose() for the full check list (skipped with CheckList::Never
// when `roots` is set). With `roots` empty the chain is
// not verified: only the leaf's own time, tool, PoP and constraints are checked, as the
// reference CLI does without trusted issuers (advisory use only: `sign`'s precheck).
[[nodiscard]] Verdict decide(std::span<const Warrant> chain, std::span<const PublicKey> roots, std::int64_t now,
                             const CallCheck& c);

// {"check","status","code","name","chain_index","detail"} for each check, in order.
[[nodiscard]] nlohmann::json checks_json(const Diagnosis& d);
// {"code","name","message"}.
[[nodiscard]] nlohmann::json error_json(const Error& e);

}  // namespace tenuo::cli
