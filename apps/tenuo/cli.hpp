#pragma once
// Shared plumbing of the `tenuo` verbs: the pending action, input resolution, clock, output.

#include <tenuo/error.hpp>
#include <tenuo/result.hpp>

#include <CLI/CLI.hpp>

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>

namespace tenuo::cli {

inline constexpr int kExitOk = 0;
inline constexpr int kExitDenied = 1;
inline constexpr int kExitUsage = 2;
inline constexpr int kExitInput = 3;
inline constexpr int kExitInternal = 70;

// What the parsed command line asked for; filled by a verb's callback, run by main.
struct Pending {
  std::function<Result<int>()> run;
  bool json = false;  // the verb prints one JSON document, also on failure
};

// Exit code for an error (CLI.md §1): input/parse problems 3, bugs 70, outcomes 1.
[[nodiscard]] int exit_code_for(ErrorCode code) noexcept;
// Prints `e` (stderr line, or one JSON document on stdout when `json`) and returns its exit code.
int report(const Error& e, bool json);
int report_internal(const std::exception& e, bool json);

// Resolves a flag value: literal, `@PATH`, `-` (stdin, once per process) or `env:NAME`.
// Errors: InvalidInput (missing file, unset variable, stdin used twice).
[[nodiscard]] Result<std::string> read_input(std::string_view spec);
// Reads all of stdin (once per process).
[[nodiscard]] Result<std::string> read_stdin();
// Writes `data` to `path` ("" or "-" = stdout). Errors: Io.
[[nodiscard]] Result<void> write_output(const std::string& path, std::string_view data);

// The command's clock: `--at` if given, else TENUO_NOW (announced on stderr once), else now.
// Accepts RFC 3339 or unix seconds. Errors: InvalidInput.
[[nodiscard]] Result<std::int64_t> resolve_now(const std::string& at);
[[nodiscard]] Result<std::int64_t> parse_time(std::string_view text);
// `30s`, `5m`, `1h`, `2d`, or bare seconds. Errors: InvalidInput.
[[nodiscard]] Result<std::uint64_t> parse_duration(std::string_view text);
[[nodiscard]] std::string format_rfc3339(std::int64_t unix_seconds);

// Verb registration; one file per verb.
void add_keygen(CLI::App& app, Pending& pending);
void add_pubkey(CLI::App& app, Pending& pending);
void add_mint(CLI::App& app, Pending& pending);
void add_grant(CLI::App& app, Pending& pending);
void add_sign(CLI::App& app, Pending& pending);
void add_verify(CLI::App& app, Pending& pending);
void add_why_denied(CLI::App& app, Pending& pending);
void add_audit_replay(CLI::App& app, Pending& pending);
void add_inspect(CLI::App& app, Pending& pending);
void add_env(CLI::App& app, Pending& pending);
void add_doctor(CLI::App& app, Pending& pending);
void add_all(CLI::App& app, Pending& pending);

}  // namespace tenuo::cli
