#pragma once
// Audit replay (`tenuo audit-replay`): re-decides recorded authorization decisions under enforce
// mode and classifies each record as consistent, drifted or undecidable.
//
// Inputs, one record per line, detected per line (or forced): our own audit log lines
// (audit_log.hpp), the Tenuo Python SDK's audit events (JSON with "event_type", "@timestamp",
// "warrant_id", "tool", "action" and "constraints" = the call's arguments; warrants resolved
// through a WarrantIndex), and receipt v1 JSONL lines (receipt.hpp), whose signatures and hash
// chain are checked per input. Streaming: memory does not grow with the number of records
// (bounded queues and reorder window, bounded caches, bounded example lists), except the receipt
// completeness check, which keeps ~64 bytes per receipt (hash and line) to detect reordering.
//
// Classification rules (the contract the CLI documents):
// * Decision of record: tenuo lines "decision"; SDK events "event_type" (…success/…allow… →
//   allow, …failure/…deny… → deny), else "action" or "decision"/"outcome" (allow/allowed/
//   authorized/permit vs deny/denied/blocked/rejected/unauthorized); receipts key 4.
//   No decision: undecidable(no-decision); an SDK event that is not an authorization
//   (no tool and no decision, e.g. warrant_issued): undecidable(not-a-call).
// * Replay: verify_chain() + authorize() at the evaluation instant (the record's own time, or
//   ReplayOptions::at), enforce mode; the why-denied reason comes from diagnose().
//   A tenuo line without a tool is a warrant-only verification and is replayed as such.
// * PoP: re-checked at the record's own time (even when `at` is fixed) when the record carries
//   one (tenuo lines); skipped when the record has none (SDK events, `verify --no-pop` lines),
//   for receipts (no arguments to check it against), and under `against` (a proof made for the
//   recorded leaf cannot verify against a different warrant).
// * Arguments redacted or truncated → undecidable: any string value (any depth) equal, ignoring
//   ASCII case, to "[REDACTED]", "<REDACTED>", "***" or "[TRUNCATED]" or ending in "…" (U+2026)
//   or "...[truncated]"; or, for SDK events, a top-level flag "arguments_truncated",
//   "arguments_redacted", "constraints_truncated", "constraints_redacted", "truncated" or
//   "redacted" set to true. SDK events without "constraints" (or "arguments") →
//   undecidable(arguments-unavailable).
// * Receipts carry no arguments: chain, trust, time, leaf type and tool are re-decided; a deny
//   there is decided. When the call reaches the tool's constraints: an empty constraint set is
//   decided (any arguments pass it), a non-empty one is undecidable(arguments-unavailable).
//   A receipt whose signature or encoding fails is undecidable(receipt-rejected) and is also a
//   chain issue.
// * recorded allow + replay allow → consistent-allow; deny + deny → consistent-deny;
//   allow + deny → drift-allow-to-deny; deny + allow → drift-deny-to-allow, except when the
//   replay cannot see why it was denied: PoP skipped and the recorded code is absent or a PoP
//   code (1100, 16xx) → undecidable(pop-unavailable); recorded warrant-revoked (1800; the replay
//   has no revocation list) → undecidable(revocation-unknown). Recorded allow, replay
//   approval-required (1707: an approval gate fired, and records carry no approvals) →
//   undecidable(approvals-unavailable).
// * Warrants: a record's own chain (tenuo lines, receipts) wins; else its "warrant_id" in the
//   WarrantIndex; not found → undecidable(warrant-not-found); neither → undecidable(no-warrant).
//   Under `against` the candidate replaces every record's chain.
// Thread-safety: ReplayResult, ReplayOptions, ReplaySummary and the other structs are plain
// values. A WarrantIndex is NOT synchronised: add_chain/add_text/load need exclusive access;
// once loaded, its const members may be used from any number of threads. A Replayer's
// replay_line() may run concurrently (its caches are synchronised); run() is not const and
// must not overlap another run() or replay_line() on the same Replayer.

#include <tenuo/audit_log.hpp>
#include <tenuo/error.hpp>
#include <tenuo/export.hpp>
#include <tenuo/limits.hpp>
#include <tenuo/receipt.hpp>
#include <tenuo/result.hpp>
#include <tenuo/verify.hpp>
#include <tenuo/warrant.hpp>

#include <array>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace tenuo {

enum class ReplayFormat : std::uint8_t { Auto, Tenuo, Sdk, Receipts };
// "auto" / "tenuo" / "sdk" / "receipts"; nullopt otherwise.
[[nodiscard]] TENUO_EXPORT std::optional<ReplayFormat> parse_replay_format(std::string_view text) noexcept;

enum class RecordKind : std::uint8_t { Tenuo, Sdk, Receipt, Unknown };

enum class ReplayOutcome : std::uint8_t {
  ConsistentAllow,
  ConsistentDeny,
  DriftAllowToDeny,  // recorded allow, replay deny
  DriftDenyToAllow,  // recorded deny, replay allow
  Undecidable,
  Malformed,  // not a record: bad JSON, unknown shape, bad encoding
};
inline constexpr std::size_t kReplayOutcomeCount = 6;

enum class UndecidableReason : std::uint8_t {
  None,
  WarrantNotFound,
  NoWarrant,
  ArgumentsRedacted,
  ArgumentsTruncated,
  ArgumentsUnavailable,
  NoDecision,
  NotACall,
  ReceiptRejected,
  PopUnavailable,
  RevocationUnknown,
  ApprovalsUnavailable,
};

enum class PopReplay : std::uint8_t {
  NotApplicable,       // warrant-only verification, or never decided
  Verified,            // re-checked at the record's time: valid
  Failed,              // re-checked: does not verify (or is not 64 bytes)
  NotReached,          // the replay denied before the PoP step
  SkippedNotRecorded,  // the record carries no PoP
  SkippedAgainst,      // a candidate warrant replaced the recorded one
  SkippedNoArguments,  // receipts: no arguments to check the proof against
};

enum class FailOn : std::uint8_t { Deny, Drift, Any, None };
// "deny" / "drift" / "any" / "none"; nullopt otherwise.
[[nodiscard]] TENUO_EXPORT std::optional<FailOn> parse_fail_on(std::string_view text) noexcept;

// Stable kebab-case names used in JSON and text output.
[[nodiscard]] TENUO_EXPORT std::string_view outcome_name(ReplayOutcome o) noexcept;
[[nodiscard]] TENUO_EXPORT std::string_view undecidable_name(UndecidableReason r) noexcept;
[[nodiscard]] TENUO_EXPORT std::string_view pop_replay_name(PopReplay p) noexcept;
[[nodiscard]] TENUO_EXPORT std::string_view record_kind_name(RecordKind k) noexcept;

// The outcome of one input line.
struct ReplayResult {
  std::size_t input = 0;  // index into the run's inputs
  std::size_t line = 0;   // 1-based line number in that input
  RecordKind kind = RecordKind::Unknown;
  ReplayOutcome outcome = ReplayOutcome::Malformed;
  UndecidableReason undecidable = UndecidableReason::None;
  std::string tool;        // "" when none
  std::string warrant_id;  // leaf id text ("tnu_wrt_…"), or as recorded; "" when none
  std::optional<std::int64_t> event_time;  // the record's own decision instant
  std::optional<std::int64_t> at;          // the instant the replay evaluated at
  std::optional<AuditDecision> recorded;
  std::optional<ErrorCode> recorded_code;
  std::optional<AuditDecision> replayed;
  std::optional<ErrorCode> replay_code;    // set when replayed is Deny
  std::string replay_message;              // the verdict's own message (deny)
  PopReplay pop = PopReplay::NotApplicable;
  std::string reason;       // why denied (diagnose), why undecidable, or why malformed
  std::string fix;          // diagnose()'s first fix, when it proposes one
  std::vector<std::string> denied_arguments;  // arguments the replay rejects
  // Receipt lines: what verify_receipt() returned (fed to the input's chain checker).
  std::shared_ptr<const Result<Receipt>> receipt;
};

// Compact one-line JSON of `r` (no trailing newline), naming `file` as its input; `line_json`
// records carry "type":"record" and every field above that is set.
[[nodiscard]] TENUO_EXPORT std::string replay_result_json(const ReplayResult& r, std::string_view file);

// Warrants for records that name only a warrant id (SDK events). Accepts any warrant encoding
// (read_warrants): a whole file holding one warrant or chain, else one per line (blank lines and
// lines starting with '#' skipped). Each chain is indexed under its leaf id and, when not already
// present, every prefix under its own leaf id. Decoding checks signatures, not trust or time.
class TENUO_EXPORT WarrantIndex {
 public:
  WarrantIndex();
  ~WarrantIndex();
  WarrantIndex(WarrantIndex&&) noexcept;
  WarrantIndex& operator=(WarrantIndex&&) noexcept;

  // Adds the chain (root first). A second, different chain for an id already indexed is ignored
  // and noted in warnings().
  void add_chain(std::vector<Warrant> chain);
  // Adds what `text` holds; `source` names it in warnings. Returns the number of chains added.
  // Undecodable entries are skipped and noted in warnings() (never fatal).
  std::size_t add_text(std::string_view text, std::string_view source);
  // A file, or every regular file of a directory (sorted by name, not recursive, hidden files
  // skipped). Errors: Io (missing or unreadable path).
  Result<std::size_t> load(const std::string& path);

  [[nodiscard]] std::size_t size() const noexcept;
  [[nodiscard]] const std::vector<std::string>& warnings() const noexcept;
  // The chain indexed under `id` (root first), or nullptr.
  [[nodiscard]] const std::vector<Warrant>* find(const WarrantId& id) const noexcept;
  // Dense slot of `id` (0..size()-1) for per-run caches, or nullopt.
  [[nodiscard]] std::optional<std::size_t> slot(const WarrantId& id) const noexcept;
  [[nodiscard]] const std::vector<Warrant>& at_slot(std::size_t slot) const noexcept;

 private:
  struct Impl;
  std::unique_ptr<Impl> m_impl;
};

struct ReplayProgress {
  std::uint64_t bytes = 0;    // input bytes consumed so far
  std::uint64_t total_bytes = 0;  // sum of regular input file sizes (0 when unknown, e.g. stdin)
  std::uint64_t records = 0;  // non-blank lines delivered so far
};

struct ReplayOptions {
  TrustedRoots roots;  // required: no root, no allow
  ReplayFormat format = ReplayFormat::Auto;
  std::optional<std::int64_t> at;  // nullopt: each record's own time (`--at event`)
  std::optional<std::vector<Warrant>> against;  // candidate chain replacing every record's chain
  std::shared_ptr<const WarrantIndex> warrants;  // for records naming only a warrant id
  std::vector<PublicKey> receipt_signers;        // allowed receipt signers; empty = any
  int pop_windows = kPopDefaultMaxWindows;
  unsigned threads = 1;                  // worker threads; <= 1 decides on the calling thread
  std::size_t max_line = kMaxAuditLineBytes;
  std::size_t max_listed = 100;          // drifts / undecidable / malformed kept as examples
  std::size_t max_tools = 1000;          // distinct tools counted apart; the rest as "(other)"
  std::size_t chain_cache_bytes = 32u << 20;  // per generation of the chain cache (two kept)
  std::function<void(const ReplayProgress&)> progress;  // called on the calling thread
};

struct ToolStats {
  std::array<std::size_t, kReplayOutcomeCount> outcomes{};
};

struct DeniedPair {
  std::string tool;
  std::string argument;  // "" when the denial is not about an argument (e.g. tool, chain, time)
  std::size_t count = 0;
};

struct ReceiptStreamReport {
  std::size_t input = 0;
  ChainReport report;
};

struct TENUO_EXPORT ReplaySummary {
  std::vector<std::string> inputs;
  std::uint64_t lines = 0;  // every line read, blank ones included
  std::uint64_t blank = 0;
  std::array<std::uint64_t, kReplayOutcomeCount> outcomes{};
  std::map<UndecidableReason, std::uint64_t> undecidable;
  std::map<RecordKind, std::uint64_t> kinds;
  std::map<std::string, ToolStats, std::less<>> by_tool;  // at most max_tools names + "(other)"
  std::map<ErrorCode, std::uint64_t> by_code;  // replay denial codes
  std::map<PopReplay, std::uint64_t> pop;
  std::vector<DeniedPair> top_denied;  // most frequent first, at most 10
  std::vector<ReplayResult> drifts;    // first max_listed, input order
  std::uint64_t drifts_omitted = 0;
  std::vector<ReplayResult> undecided;  // first max_listed
  std::uint64_t undecided_omitted = 0;
  std::vector<ReplayResult> malformed;  // first max_listed
  std::uint64_t malformed_omitted = 0;
  std::vector<ReceiptStreamReport> receipt_chains;  // one per input that held receipts
  std::uint64_t chains_decoded = 0;  // distinct chains decoded and signature-checked
  std::uint64_t chains_in_cache = 0;  // chain cache hits

  [[nodiscard]] std::uint64_t records() const noexcept;  // non-blank lines
  [[nodiscard]] std::uint64_t drift_count() const noexcept;
  [[nodiscard]] std::uint64_t replay_denies() const noexcept;  // consistent deny + allow→deny
  [[nodiscard]] bool receipt_chains_ok() const noexcept;
  // Whether the findings match `fail_on` (exit 1): deny = any replay deny; drift = any drift;
  // any = any drift, replay deny, undecidable or malformed line. A broken or forged receipt
  // chain matches every policy except none.
  [[nodiscard]] bool fails(FailOn fail_on) const noexcept;
};

// Re-decides records. Thread-safe: replay_line() may run concurrently; run() drives the whole
// streaming pipeline.
class TENUO_EXPORT Replayer {
 public:
  // Errors: InvalidInput (no trusted root, pop_windows outside 2..10, an `against` chain that is
  // empty).
  static Result<Replayer> create(ReplayOptions opts);
  ~Replayer();
  Replayer(Replayer&&) noexcept;
  Replayer& operator=(Replayer&&) noexcept;

  // Re-decides one line (trailing '\n' optional except for tenuo lines, which require it).
  // nullopt for a blank line. `input`/`line` are copied into the result.
  [[nodiscard]] std::optional<ReplayResult> replay_line(std::string_view text, std::size_t input = 0,
                                                        std::size_t line = 0) const;

  // Streams `inputs` (paths; "-" = standard input, at most once) in order, calling `on_result`
  // for every non-blank line in input order on the calling thread, and returns the summary.
  // Errors: Io (an input cannot be opened or read; all are opened before any is read),
  // InvalidInput ("-" twice).
  Result<ReplaySummary> run(const std::vector<std::string>& inputs,
                            const std::function<void(const ReplayResult&)>& on_result = {});

  [[nodiscard]] const ReplayOptions& options() const noexcept;

 private:
  struct Impl;
  explicit Replayer(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> m_impl;
};

namespace detail {
// The closed clock interval [lo, hi] within which verify_chain(chain, roots, {now}) (no
// revocation list, session check off, no lifetime ceiling, 30 s link tolerance) performs no
// failing clock check, so that its verdict is the same at every instant inside. nullopt when
// empty. Exposed for the cross-check test against verify_chain.
struct ClockWindow {
  std::int64_t lo = 0;
  std::int64_t hi = 0;
};
[[nodiscard]] TENUO_EXPORT std::optional<ClockWindow> clock_window(std::span<const Warrant> chain) noexcept;
// RFC 3339 (fraction and offset optional; no offset = UTC) or ISO 8601 "YYYY-MM-DD HH:MM:SS"
// to unix seconds, fraction floored. Errors: InvalidInput.
[[nodiscard]] TENUO_EXPORT Result<std::int64_t> parse_timestamp(std::string_view text);
}  // namespace detail

}  // namespace tenuo
