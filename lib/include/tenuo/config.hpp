#pragma once
// Configuration of a service that mints and enforces warrants: issuer key, enforcement mode,
// trusted roots, dev mode and the audit log. `Config` is an explicit, immutable value you pass
// around; `configure()` / `auto_configure()` install an opt-in process-wide one for code (guard,
// WarrantScope) that is not handed a Config. Nothing is global unless one of those is called.
// Thread-safety: a Config is immutable; its const members, record() included, may be called
// from any number of threads (record() appends through append_audit_line — one locked write
// per line — and calls the sink on the calling thread, so a sink used by concurrent guarded
// calls must be thread-safe). configure(), auto_configure(), current_config(),
// reset_configuration() and the mode queries are thread-safe: a mutex guards the installed
// shared_ptr, and a reader keeps the snapshot it got alive even if another thread reconfigures.
// Config::from_env(), auto_configure(), signing_key_for() and public_key_for() read the
// environment with getenv(): do not run them while another thread calls setenv/putenv/unsetenv.

#include <tenuo/audit_log.hpp>
#include <tenuo/export.hpp>
#include <tenuo/limits.hpp>
#include <tenuo/public_key.hpp>
#include <tenuo/result.hpp>
#include <tenuo/signing_key.hpp>
#include <tenuo/verify.hpp>

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace tenuo {

// Dev mode only allows a configuration without trusted roots (the issuer key is then the trust
// anchor); it never relaxes a verification step.
enum class DevMode : std::uint8_t { Off, On };

// What configure() / Config::create() accept; usable with designated initializers:
//   configure({.issuer_key = std::move(key), .mode = EnforcementMode::Audit, .dev_mode = DevMode::On})
struct ConfigOptions {
  std::optional<SigningKey> issuer_key;           // mints scoped warrants; optional for verifiers
  EnforcementMode mode = EnforcementMode::Enforce;
  std::vector<PublicKey> trusted_roots;           // required unless dev_mode is On
  DevMode dev_mode = DevMode::Off;
  std::optional<std::string> audit_log;           // path: one audit_log.hpp line per decision
  // Also called per decision (may be empty); called from the deciding thread, so it must be
  // thread-safe if guarded calls run on several threads.
  std::function<void(const AuditRecord&)> audit_sink;
  int pop_windows = kPopDefaultMaxWindows;        // 2..10
  std::chrono::seconds scope_ttl{300};            // lifetime of warrants minted by WarrantScope
};

// An immutable, copyable configuration (copies share the issuer key). Thread-safe to read.
class TENUO_EXPORT Config {
 public:
  // Validates `opts`. Errors: InvalidInput when there are no trusted roots and dev mode is off
  // (production refuses to start), when pop_windows is outside 2..10, or scope_ttl <= 0.
  static Result<Config> create(ConfigOptions opts);
  // Reads TENUO_ISSUER_KEY (seed base64/hex or PEM), TENUO_MODE (enforce|audit|permissive),
  // TENUO_TRUSTED_ROOTS (comma-separated public keys), TENUO_DEV_MODE (1/true/yes/on),
  // TENUO_AUDIT_LOG (path), then create(). Errors: InvalidInput naming the variable.
  static Result<Config> from_env();

  // nullptr when no issuer key was configured.
  [[nodiscard]] const SigningKey* issuer_key() const noexcept { return m_issuer.get(); }
  [[nodiscard]] EnforcementMode mode() const noexcept { return m_mode; }
  [[nodiscard]] DevMode dev_mode() const noexcept { return m_dev; }
  // The configured roots; in dev mode without roots, the issuer's public key (if any).
  [[nodiscard]] const TrustedRoots& trusted_roots() const noexcept { return m_roots; }
  [[nodiscard]] const std::optional<std::string>& audit_log() const noexcept { return m_audit_log; }
  [[nodiscard]] int pop_windows() const noexcept { return m_pop_windows; }
  [[nodiscard]] std::chrono::seconds scope_ttl() const noexcept { return m_scope_ttl; }

  [[nodiscard]] bool is_audit_mode() const noexcept { return m_mode == EnforcementMode::Audit; }
  [[nodiscard]] bool is_enforce_mode() const noexcept { return m_mode == EnforcementMode::Enforce; }
  // True exactly in enforce mode: a denial must stop the call.
  [[nodiscard]] bool should_block_violation() const noexcept { return is_enforce_mode(); }

  // Writes `record` to the audit log file and the sink. Errors: Io from append_audit_line.
  [[nodiscard]] Result<void> record(const AuditRecord& record) const;

 private:
  Config() = default;
  std::shared_ptr<const SigningKey> m_issuer;
  EnforcementMode m_mode = EnforcementMode::Enforce;
  DevMode m_dev = DevMode::Off;
  TrustedRoots m_roots;
  std::optional<std::string> m_audit_log;
  std::function<void(const AuditRecord&)> m_sink;
  int m_pop_windows = kPopDefaultMaxWindows;
  std::chrono::seconds m_scope_ttl{300};
};

// Named keys: TENUO_KEY_<id> (as `--key-id` reads them). Errors: InvalidInput.
[[nodiscard]] TENUO_EXPORT Result<SigningKey> signing_key_for(std::string_view id);
[[nodiscard]] TENUO_EXPORT Result<PublicKey> public_key_for(std::string_view id);

// ---- Opt-in process-wide configuration (thread-safe: readers get a shared snapshot) ----
// Installs Config::create(opts) as the process configuration. Errors as Config::create; on
// error the previous configuration stays.
[[nodiscard]] TENUO_EXPORT Result<void> configure(ConfigOptions opts);
// Installs Config::from_env().
[[nodiscard]] TENUO_EXPORT Result<void> auto_configure();
// Installs an existing Config.
TENUO_EXPORT void configure(Config config);
// The installed configuration, or nullptr when none was installed.
[[nodiscard]] TENUO_EXPORT std::shared_ptr<const Config> current_config();
// Removes the process configuration (tests).
TENUO_EXPORT void reset_configuration();
// The installed configuration's mode; with none installed, enforce (fail closed).
[[nodiscard]] TENUO_EXPORT bool is_audit_mode();
[[nodiscard]] TENUO_EXPORT bool is_enforce_mode();
[[nodiscard]] TENUO_EXPORT bool should_block_violation();

}  // namespace tenuo
