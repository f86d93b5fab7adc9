#pragma once
// Chain verification (WIRE.md §10.2): trust, every link invariant, expiry, revocation.
// VerifiedChain is a type only verify_chain() can produce: holding one means every check
// below passed at `VerifyOptions::now`. It authorizes nothing by itself (see authorize.hpp).
// Thread-safety: a VerifiedChain is immutable once made: its const members may be used from any
// number of threads. verify_chain and check_link are pure functions of their arguments, safe
// to call concurrently: key checks use a per-thread cache, and attenuation checks of Cel
// constraints reach only the mutex-guarded CEL compile cache. TrustedRoots and VerifyOptions
// are plain values.

#include <tenuo/bytes.hpp>
#include <tenuo/export.hpp>
#include <tenuo/public_key.hpp>
#include <tenuo/result.hpp>
#include <tenuo/warrant.hpp>

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <vector>

namespace tenuo {

struct TrustedRoots {
  std::vector<PublicKey> keys;
  [[nodiscard]] bool contains(const PublicKey& k) const noexcept {
    for (const auto& r : keys)
      if (r == k) return true;
    return false;
  }
};

enum class SessionCheck : std::uint8_t { Off, Strict };

struct VerifyOptions {
  std::int64_t now = 0;                      // evaluation instant (unix seconds)
  std::vector<std::string> revoked_ids;      // prefixed ids ("tnu_wrt_…"), exact match
  SessionCheck session = SessionCheck::Off;  // Strict: every link carries the root's session id
  std::optional<std::uint64_t> lifetime_ceiling;  // max expires_at - issued_at per warrant
  std::uint64_t link_expiry_tolerance = 30;  // non-leaf links expire at expires_at + this
};

class TENUO_EXPORT VerifiedChain {
 public:
  [[nodiscard]] std::span<const Warrant> links() const noexcept { return m_links; }
  [[nodiscard]] const Warrant& root() const noexcept { return m_links.front(); }
  [[nodiscard]] const Warrant& leaf() const noexcept { return m_links.back(); }
  [[nodiscard]] std::int64_t verified_at() const noexcept { return m_now; }

 private:
  friend TENUO_EXPORT Result<VerifiedChain> verify_chain(std::vector<Warrant> chain,
                                                         const TrustedRoots& roots,
                                                         const VerifyOptions& opts);
  VerifiedChain(std::vector<Warrant> links, std::int64_t now) : m_links(std::move(links)), m_now(now) {}
  std::vector<Warrant> m_links;
  std::int64_t m_now = 0;
};

// Verifies `chain` (root first; signatures already checked by decoding) against `roots`:
// empty (1405), revoked (1800), duplicate ids (1405), structure (1405), untrusted root (1406),
// 0.3.1 root rules (1405), lone-warrant expiry (1300), every link per §10.2 step 9, strict
// session ids, lifetime ceiling (1303). Errors carry the failing chain index.
[[nodiscard]] TENUO_EXPORT Result<VerifiedChain> verify_chain(std::vector<Warrant> chain,
                                                              const TrustedRoots& roots,
                                                              const VerifyOptions& opts);
// Decodes `cbor` (a warrant or a stack) at `opts.now`, then verifies it.
[[nodiscard]] TENUO_EXPORT Result<VerifiedChain> verify_chain(ByteView cbor,
                                                              const TrustedRoots& roots,
                                                              const VerifyOptions& opts);

// The link rules of §10.2 step 9 (items 2-7, 9, 10) for `child` under `parent`, without the
// clock. Shared by verify_chain() and the grant builder, so both refuse with the same code.
[[nodiscard]] TENUO_EXPORT Result<void> check_link(const Payload& parent, const Sha256Digest& parent_hash,
                                                   const Payload& child);

}  // namespace tenuo
