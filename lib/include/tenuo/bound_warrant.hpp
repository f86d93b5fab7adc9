#pragma once
// BoundWarrant: a warrant together with its holder's key, for repeated calls (the SDK's
// warrant.bind(key)). It owns a clone of the key (wiped on destruction), so it is move-only
// and deliberately has no serialisation: ship `warrant()` and keep the key where it is.
// Thread-safety: const members (sign, headers, allows, why_denied, warrant, holder) may be called
// concurrently from any number of threads; moving from or destroying a BoundWarrant must not
// race with any other use of it. bind() is reentrant.

#include <tenuo/export.hpp>
#include <tenuo/result.hpp>
#include <tenuo/signing_key.hpp>
#include <tenuo/warrant.hpp>
#include <tenuo/warrant_use.hpp>

#include <cstdint>
#include <optional>
#include <span>
#include <string_view>

namespace tenuo {

class TENUO_EXPORT BoundWarrant {
 public:
  BoundWarrant(BoundWarrant&&) noexcept = default;
  BoundWarrant& operator=(BoundWarrant&&) noexcept = default;
  BoundWarrant(const BoundWarrant&) = delete;
  BoundWarrant& operator=(const BoundWarrant&) = delete;
  ~BoundWarrant() = default;

  [[nodiscard]] const Warrant& warrant() const noexcept { return m_warrant; }
  [[nodiscard]] const PublicKey& holder() const noexcept { return m_key.public_key(); }
  [[nodiscard]] Signature sign(std::string_view tool, const Object& args,
                               std::optional<std::int64_t> now = {}) const;
  [[nodiscard]] Headers headers(std::string_view tool, const Object& args,
                                std::optional<std::int64_t> now = {}) const;
  // With X-Tenuo-Approvals for a gated call (tenuo::headers with approvals).
  [[nodiscard]] Result<Headers> headers(std::string_view tool, const Object& args,
                                        std::span<const SignedApproval> approvals,
                                        std::optional<std::int64_t> now = {}) const;
  [[nodiscard]] bool allows(std::string_view tool, const Object& args) const;
  [[nodiscard]] Diagnosis why_denied(std::string_view tool, const Object& args,
                                     std::optional<std::int64_t> now = {}) const;

 private:
  friend TENUO_EXPORT Result<BoundWarrant> bind(const Warrant& w, const SigningKey& holder);
  BoundWarrant(Warrant w, SigningKey k) : m_warrant(std::move(w)), m_key(std::move(k)) {}
  Warrant m_warrant;
  SigningKey m_key;
};

// Binds `w` to `holder`, which must be the warrant's holder. Errors: InvalidIssuer (1400) when
// the key does not match payload().holder — a proof from it could never verify.
[[nodiscard]] TENUO_EXPORT Result<BoundWarrant> bind(const Warrant& w, const SigningKey& holder);

}  // namespace tenuo
