#pragma once
// Diagnosis of a call (or a chain alone): evaluates EVERY check instead of stopping at the
// first failure — trust, signatures, each chain link, time (with the skew observed),
// revocation, tool, every argument's constraint, PoP — and proposes a fix. Used by
// `tenuo why-denied` and by `tenuo verify --json`. A Diagnosis is advice for people; the
// verdict of record is verify_chain() + authorize(), which diagnose() agrees with.
// Thread-safety: diagnose(), diagnose_encoded() and the name functions are pure (diagnosing
// reaches only the mutex-guarded regex/CEL caches and the per-thread key cache); safe to call
// concurrently on a shared chain. The result and option types are plain values.

#include <tenuo/approval.hpp>
#include <tenuo/export.hpp>
#include <tenuo/limits.hpp>
#include <tenuo/result.hpp>
#include <tenuo/value.hpp>
#include <tenuo/verify.hpp>
#include <tenuo/warrant.hpp>

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <vector>

namespace tenuo {

enum class CheckStatus : std::uint8_t { Pass, Fail, Skip };

// One named check ("signature", "chain", "trust", "time", "revocation", "tool",
// "constraints", "pop", "approvals") with its outcome; a check may fail several times (one per
// link).
struct CheckResult {
  std::string check;
  CheckStatus status = CheckStatus::Pass;
  std::optional<ErrorCode> code;
  std::optional<std::size_t> chain_index;
  std::string detail;  // plain words
};

// A failing argument: what the user would write, the value, why, and where it was narrowed.
struct ArgumentFinding {
  std::string arg;
  std::string constraint;  // display form: Pattern("/data/*"), Range(max=15), … ("" if none)
  std::string value;       // display form of the value ("(missing)" when absent)
  std::string reason;
  ErrorCode code = ErrorCode::ConstraintViolation;
  // The first link whose constraint rejects the value (0 = root); absent for unknown arguments
  // rejected by closed-world matching at the leaf only.
  std::optional<std::size_t> introduced_at;
  std::string link;  // "root" or "link k: <issuer fp> -> <holder fp>"
};

enum class FixKind : std::uint8_t { None, Grant, NewRoot, Ttl, PopWindows, Resign, Other, Approve };

struct Fix {
  FixKind kind = FixKind::None;
  std::string summary;  // one plain sentence
  // An exact command, KEY placeholders only: `tenuo grant …` (Grant, Ttl), `tenuo sign …`
  // (Resign, for a missing or invalid proof of possession) or `tenuo approve …` (Approve, for
  // missing approvals); "" when there is none.
  std::string command;
  std::optional<std::size_t> from_link;  // the link a re-grant starts from
};

struct Diagnosis {
  bool allowed = false;
  std::optional<ErrorCode> first_code;  // what authorize() would report
  std::vector<CheckResult> checks;
  std::vector<ArgumentFinding> arguments;
  std::vector<Fix> fixes;
  std::size_t chain_length = 0;
  std::string leaf_id;  // the leaf's prefixed id ("" for an empty chain)
};

struct DiagnoseCall {
  std::string tool;
  Object args;
  std::optional<Signature> pop;
  std::vector<SignedApproval> approvals{};  // checked when an approval gate fires
};

struct DiagnoseOptions {
  std::int64_t now = 0;
  std::vector<std::string> revoked_ids;  // prefixed ids
  SessionCheck session = SessionCheck::Off;
  int pop_windows = kPopDefaultMaxWindows;
  bool pop_required = true;  // with a call: a missing signature is a failure
};

// Diagnoses `chain` (root first, as decoded) against `roots` (nullptr: trust not checked and
// reported as skipped; the result is then never "allowed"), and `call` when given.
[[nodiscard]] TENUO_EXPORT Diagnosis diagnose(std::span<const Warrant> chain, const TrustedRoots* roots,
                                              const DiagnoseOptions& opts, const DiagnoseCall* call);
// Diagnoses an encoded SignedWarrant or WarrantStack: diagnose() of decode_warrants(cbor), except
// that a link whose issuer signature does not verify is reported as a failing "signature" check
// at its chain index while every other check is still read from the payloads; such a
// diagnosis is never "allowed" and its first_code is SignatureInvalid. Errors: decode_warrants'
// when the input does not decode even without its signatures.
[[nodiscard]] TENUO_EXPORT Result<Diagnosis> diagnose_encoded(ByteView cbor, const TrustedRoots* roots,
                                                              const DiagnoseOptions& opts, const DiagnoseCall* call);

[[nodiscard]] TENUO_EXPORT std::string_view status_name(CheckStatus s) noexcept;
// The SDK's why_denied deny code for `code` ("TOOL_NOT_FOUND", "CONSTRAINT_MISMATCH",
// "WARRANT_EXPIRED", …).
[[nodiscard]] TENUO_EXPORT std::string_view sdk_deny_reason(ErrorCode code) noexcept;
[[nodiscard]] TENUO_EXPORT std::string_view fix_kind_name(FixKind k) noexcept;

}  // namespace tenuo
