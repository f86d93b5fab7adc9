#pragma once
// Authorizer: the enforcement point of a tool server. Holds trusted roots, the PoP window count
// and a revocation list; check() runs verify_chain() then authorize() (WIRE.md §10.2-§10.3) and
// returns a Decision carrying the protocol ErrorCode of the first failure.
// Thread-safety: check(), check_headers() and link_cache_stats() may run concurrently from any
// number of threads; revoke()/set_revoked() may run concurrently with them (a reader-writer
// lock guards the revocation list; the roots and PoP windows are fixed at construction). The
// verified-link cache has its own mutex, held only to look up or store a chain — decoding and
// signature checks run outside it. Destruction must not overlap any call. Not copyable or
// movable (hold it by reference or pointer). Decision, AuthorizerOptions and LinkCacheStats are
// plain values.

#include <tenuo/authorize.hpp>
#include <tenuo/bytes.hpp>
#include <tenuo/config.hpp>
#include <tenuo/export.hpp>
#include <tenuo/limits.hpp>
#include <tenuo/verify.hpp>
#include <tenuo/warrant.hpp>
#include <tenuo/warrant_use.hpp>

#include <cstdint>
#include <memory>
#include <optional>
#include <shared_mutex>
#include <span>
#include <string>
#include <vector>

namespace tenuo {

struct AuthorizerOptions {
  TrustedRoots roots;                       // must not be empty
  int pop_windows = kPopDefaultMaxWindows;  // 2..10
  std::vector<std::string> revoked_ids;     // "tnu_wrt_…"
  SessionCheck session = SessionCheck::Off;
  // Verified-link cache: chains whose signatures verified, keyed by their exact bytes, so a
  // chain presented again skips its Ed25519 checks (a pure function of those bytes). Trust,
  // revocation, time, links and the call's PoP are still decided on every call. At most this
  // many chains (and kLinkCacheBytes of chain bytes) are kept; 0 turns the cache off.
  std::size_t link_cache_entries = 1024;
};

// Upper bound on the chain bytes an Authorizer's verified-link cache holds.
inline constexpr std::size_t kLinkCacheBytes = 16 * 1024 * 1024;

struct LinkCacheStats {
  std::uint64_t hits = 0;
  std::uint64_t misses = 0;
  std::size_t entries = 0;
  std::size_t bytes = 0;
};

// The verdict for one call. `code`/`message`/`chain_index` are set exactly when denied.
struct Decision {
  bool allowed = false;
  std::optional<ErrorCode> code;
  std::string message;
  std::optional<std::size_t> chain_index;
  std::string matched_tool;               // allowed: the tools key that granted the call
  std::optional<std::string> warrant_id;  // leaf id when the chain decoded
  explicit operator bool() const noexcept { return allowed; }
};

class TENUO_EXPORT Authorizer {
 public:
  // Errors: InvalidInput for empty roots or pop_windows outside 2..10.
  [[nodiscard]] static Result<std::unique_ptr<Authorizer>> create(AuthorizerOptions opts);
  // Roots and PoP windows of `config`.
  [[nodiscard]] static std::unique_ptr<Authorizer> from_config(const Config& config);

  Authorizer(const Authorizer&) = delete;
  Authorizer& operator=(const Authorizer&) = delete;
  ~Authorizer();

  // Decodes `chain_cbor` (a warrant or a WarrantStack) at `now` and decides `call` (its PoP is
  // required). `now` defaults to the system clock.
  [[nodiscard]] Decision check(ByteView chain_cbor, const ToolCall& call,
                               std::optional<std::int64_t> now = {}) const;
  // Same for decoded warrants (root first).
  [[nodiscard]] Decision check(std::span<const Warrant> chain, const ToolCall& call,
                               std::optional<std::int64_t> now = {}) const;
  // From HTTP headers as headers() writes them (X-Tenuo-Warrant: any warrant text form;
  // X-Tenuo-PoP: base64/hex signature; optional X-Tenuo-Approvals: any parse_approvals() form).
  // Missing or unreadable headers deny with InvalidInput (warrant), SignatureInvalid (PoP) or
  // ApprovalInvalid (approvals).
  [[nodiscard]] Decision check_headers(const Headers& h, std::string_view tool, const Object& args,
                                       std::optional<std::int64_t> now = {}) const;

  // Adds `id` ("tnu_wrt_…") to the revocation list; later checks deny it with WarrantRevoked.
  void revoke(std::string id);
  // Replaces the revocation list (e.g. from a freshly verified SRL).
  void set_revoked(std::vector<std::string> ids);
  [[nodiscard]] const TrustedRoots& roots() const noexcept { return m_opts.roots; }
  // Counters of the verified-link cache (see AuthorizerOptions::link_cache_entries).
  [[nodiscard]] LinkCacheStats link_cache_stats() const;

 private:
  struct LinkCache;
  explicit Authorizer(AuthorizerOptions opts);
  // The decoded chain of `cbor` at `now`: from the cache, or decoded (signatures verified) and
  // remembered. Errors exactly as decode_warrants(cbor, now).
  [[nodiscard]] Result<std::shared_ptr<const std::vector<Warrant>>> decoded(ByteView cbor, std::int64_t now) const;
  AuthorizerOptions m_opts;  // revoked_ids guarded by m_mutex
  mutable std::shared_mutex m_mutex;
  std::unique_ptr<LinkCache> m_cache;
};

}  // namespace tenuo
