#pragma once
// The decision audit log: one JSON object per line, one line per decision, appended atomically
// (`verify --audit-log`, read back by `audit-replay`). A line is
//   {"tenuo_audit":1,"time":"2024-01-01T00:00:00Z","unix":1704067200,"mode":"enforce",
//    "decision":"deny","enforced":true,"tool":"read_file","arguments":{...},
//    "warrant_id":"tnu_wrt_...","chain":"<std base64>","pop":"<std base64>",
//    "error":{"code":1501,"name":"constraint-violation","message":"..."}}
// followed by '\n'. Members after "enforced" appear only when known; readers ignore members
// they do not know. Every line written here parses back to an equal record.
// Thread-safety: AuditRecord and AuditError are plain values (concurrent reads are safe, writes
// need external synchronisation). mode_name, parse_mode, rfc3339_utc, to_json_line and
// parse_audit_line are pure. append_audit_line may run concurrently from any number of threads
// and processes on the same file: each call opens its own descriptor and appends under an
// exclusive flock(2), so lines never interleave (local filesystems; NFS gives no such
// guarantee). for_each_line is reentrant for files; two concurrent readers of "-" would share
// standard input and must not run at once.

#include <tenuo/bytes.hpp>
#include <tenuo/error.hpp>
#include <tenuo/export.hpp>
#include <tenuo/result.hpp>
#include <tenuo/value.hpp>

#include <cstddef>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>

namespace tenuo {

inline constexpr int kAuditSchemaVersion = 1;
// Longest line a reader accepts (a full stack in base64 plus the largest arguments fit).
inline constexpr std::size_t kMaxAuditLineBytes = 4 * 1024 * 1024;

// What a verifier does with a denial (CLI.md `--mode`); the verdict itself never changes.
enum class EnforcementMode : std::uint8_t { Enforce, Audit, Permissive };
[[nodiscard]] TENUO_EXPORT std::string_view mode_name(EnforcementMode mode) noexcept;
// "enforce" / "audit" / "permissive" (exact, lowercase); nullopt otherwise.
[[nodiscard]] TENUO_EXPORT std::optional<EnforcementMode> parse_mode(std::string_view text) noexcept;

enum class AuditDecision : std::uint8_t { Allow, Deny };

struct AuditError {
  ErrorCode code = ErrorCode::Internal;  // written as "code" (number) and "name" (kebab)
  std::string message;
  bool operator==(const AuditError&) const = default;
};

struct TENUO_EXPORT AuditRecord {
  std::int64_t time = 0;  // decision instant (unix seconds); "time" is its RFC 3339 UTC form
  EnforcementMode mode = EnforcementMode::Enforce;
  AuditDecision decision = AuditDecision::Allow;
  bool enforced = true;                       // false when a denial was let through
  std::optional<std::string> tool;            // absent for a warrant-only verification
  std::optional<Object> arguments;            // the parsed call arguments, as signed
  std::optional<std::string> arguments_text;  // raw text when it was not valid argument JSON
  std::optional<std::string> warrant_id;      // leaf id, "tnu_wrt_" + 32 lowercase hex
  std::optional<Bytes> chain;                 // WarrantStack CBOR as presented
  std::optional<Bytes> pop;                   // PoP signature bytes as presented
  std::optional<AuditError> error;            // present exactly when decision is Deny

  bool operator==(const AuditRecord& o) const;
};

// RFC 3339 UTC text of unix seconds `t`: "2024-01-01T00:00:00Z".
[[nodiscard]] TENUO_EXPORT std::string rfc3339_utc(std::int64_t t);

// The record as one JSON line ending in '\n'. Text fields that are not valid UTF-8 are written
// with U+FFFD in place of the bad bytes (the line stays valid JSON; such a record does not
// round-trip exactly).
[[nodiscard]] TENUO_EXPORT std::string to_json_line(const AuditRecord& record);

// Parses one complete line, which must end in '\n' — a last line without one is a torn write
// and is refused. Requires "tenuo_audit": 1, the fields above with their types, "time" equal to
// rfc3339_utc("unix"), "error" iff decision is "deny", a known code whose name matches, strict
// standard padded base64 for chain/pop, and arguments under the §8.1 rules.
// Errors: InvalidInput naming the problem.
[[nodiscard]] TENUO_EXPORT Result<AuditRecord> parse_audit_line(std::string_view line);

enum class SyncMode : std::uint8_t { None, Fsync };

// Appends `line` (exactly one line: ends in '\n', no other '\n') to the file at `path` with one
// write(2) on a descriptor opened O_WRONLY|O_APPEND|O_CREAT, creating it with mode 0600 (the log
// holds chains and arguments; the umask can only narrow that). On a local Linux filesystem an
// O_APPEND write to a regular file is performed under the inode lock, so concurrent appenders
// never interleave bytes, whatever the line length; a short write (disk full) is reported, never
// completed by a second write that another process could interleave with. NFS gives no such
// guarantee. Appenders hold an exclusive flock(2) for the write. If the file's last byte is
// not '\n' (a writer was killed mid-append), the write starts with a '\n', so the torn bytes stay a line of their own (readers report it as
// malformed) and this record stays whole. `sync` = Fsync flushes the file before returning.
// Errors: InvalidInput (not one line), Io (open, write, short write, fsync).
[[nodiscard]] TENUO_EXPORT Result<void> append_audit_line(const std::string& path,
                                                          std::string_view line,
                                                          SyncMode sync = SyncMode::None);

// Streams the file at `path` ("-" = standard input) line by line: `fn(line_no, line)` with
// 1-based numbers and `line` including its '\n'; a final line without '\n' is passed as is, and
// a line longer than `max_line` is passed cut to `max_line` bytes without its '\n' — so both
// fail parse_audit_line. Memory stays within `max_line`. `fn` returns false to stop early.
// Errors: Io.
[[nodiscard]] TENUO_EXPORT Result<void> for_each_line(
    const std::string& path, const std::function<bool(std::size_t, std::string_view)>& fn,
    std::size_t max_line = kMaxAuditLineBytes);

}  // namespace tenuo
