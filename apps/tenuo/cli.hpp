#pragma once
// Shared plumbing of the `tenuo` verbs: the pending action, input resolution, clock, output.

#include <tenuo/audit_log.hpp>  // rfc3339_utc, the one RFC 3339 writer
#include <tenuo/error.hpp>
#include <tenuo/public_key.hpp>
#include <tenuo/result.hpp>
#include <tenuo/signing_key.hpp>
#include <tenuo/warrant.hpp>

#include <CLI/CLI.hpp>

#include <cstdint>
#include <functional>
#include <optional>
#include <span>
#include <vector>
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
  bool json = false;         // the verb prints one JSON document, also on failure
  bool decode_only = false;  // any failure is an input failure (exit 3): inspect
};

// Exit code for an error (CLI.md §1): input/parse problems 3, bugs 70, outcomes 1.
[[nodiscard]] int exit_code_for(ErrorCode code) noexcept;
// Prints `e` (stderr line, or one JSON document on stdout when `json`) and returns its exit code.
int report(const Error& e, bool json, bool decode_only = false);
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

// A signing key from `spec` (any form of CLI.md §1, via read_input; a path to an existing file
// is read too), else from environment variable `env_default` when `spec` is empty.
[[nodiscard]] Result<SigningKey> load_signing_key(const std::string& spec, const char* env_default,
                                                  std::string_view flag);
// A public key from `spec`; "self" means `self` when given.
[[nodiscard]] Result<PublicKey> load_public_key(const std::string& spec,
                                                const PublicKey* self = nullptr);
// Trusted roots from the flags, else TENUO_TRUSTED_ROOTS (comma-separated). Errors when none.
[[nodiscard]] Result<std::vector<PublicKey>> load_trusted_roots(const std::vector<std::string>& specs);
// A warrant or chain from `spec` ("" or "-" = stdin), decoded (signatures checked, not trust).
[[nodiscard]] Result<std::vector<Warrant>> load_warrants(const std::string& spec);
// The CBOR of a warrant or chain from `spec`, read as load_warrants reads it but not decoded.
[[nodiscard]] Result<Bytes> load_warrant_cbor(const std::string& spec);

// Applies `-c [TOOL.]ARG=TYPE:VALUE` flags to `tools` (capabilities.cpp).
[[nodiscard]] Result<void> apply_constraint_flags(ToolMap& tools, const std::vector<std::string>& specs);
// --ttl / --expires-at (at most one) into `ttl` / `expires_at`. Errors: InvalidInput.
[[nodiscard]] Result<void> parse_lifetime(const std::string& ttl_flag, const std::string& expires_flag,
                                          std::optional<std::uint64_t>& ttl,
                                          std::optional<std::uint64_t>& expires_at);
// Clearance names (untrusted … system) or 0..255.
[[nodiscard]] Result<std::uint8_t> parse_clearance(std::string_view s);
// Writes `chain` in `format` (b64|pem|tenuo|json) to `out` ("" = stdout).
[[nodiscard]] Result<void> emit_warrants(std::span<const Warrant> chain, const std::string& format,
                                         const std::string& out);

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
// Only the verb named on the command line, or add_all() when none is (see verbs.cpp).
void add_verbs_for(CLI::App& app, Pending& pending, int argc, const char* const* argv);

}  // namespace tenuo::cli
