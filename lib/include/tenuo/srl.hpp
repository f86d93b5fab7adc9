#pragma once
// Signed Revocation List (WIRE.md §13): a control-plane key's signed list of revoked warrant ids.
// Wire form: struct map {"payload": {"revoked_ids", "version", "issued_at", "issuer"},
// "signature": [1, h'64']}, signed over "tenuo-warrant-v1" || "tenuo-srl-v1" || CBOR(payload)
// where the payload is RE-ENCODED from its decoded fields (so a non-canonical issued_at text is
// normalised before verification, as the reference does).
// A SignedRevocationList returned by verify_srl is authentic and from an accepted issuer; its
// version is not older than the caller's minimum.
// Thread-safety: SrlPayload and SignedRevocationList are plain values (revokes() is const and
// safe concurrently); every function is pure (decode/verify/sign share no state), so safe to
// call concurrently.

#include <tenuo/bytes.hpp>
#include <tenuo/export.hpp>
#include <tenuo/public_key.hpp>
#include <tenuo/result.hpp>
#include <tenuo/signing_key.hpp>

#include <array>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace tenuo {

inline constexpr std::string_view kSrlContext = "tenuo-srl-v1";
// Largest SRL accepted (about 100 000 ids); checked before decoding.
inline constexpr std::size_t kMaxSrlBytes = 4 * 1024 * 1024;

struct TENUO_EXPORT SrlPayload {
  explicit SrlPayload(PublicKey issuer_key) : issuer(issuer_key) {}
  std::vector<std::string> revoked_ids;  // prefixed ids ("tnu_wrt_…"), matched by exact equality
  std::uint64_t version = 0;             // monotonic; rollback protection is the verifier's job
  std::int64_t issued_at = 0;            // unix seconds (UTC)
  std::uint32_t issued_at_nanos = 0;     // fractional second, 0..999 999 999
  PublicKey issuer;

  bool operator==(const SrlPayload&) const = default;
};

struct TENUO_EXPORT SignedRevocationList {
  SrlPayload payload;
  Signature signature{};
  std::array<std::uint8_t, 32> hash{};  // SHA-256 of the CBOR bytes as loaded (receipt key 13)

  // Whether `prefixed_id` ("tnu_wrt_" + 32 hex) is listed (exact string equality, §13).
  [[nodiscard]] bool revokes(std::string_view prefixed_id) const noexcept;
};

// RFC 3339 UTC text as the reference writes issued_at: "2024-01-01T00:00:00Z", with a fraction
// only when non-zero, in 3, 6 or 9 digits. Years outside 0000-9999 are clamped by the caller's
// data (never produced by decode_srl).
[[nodiscard]] TENUO_EXPORT std::string srl_time_text(std::int64_t unix_seconds, std::uint32_t nanos);
// Parses RFC 3339 (`T`, `t` or space; `Z`, `z` or ±HH:MM; up to 9 fraction digits) into UTC
// seconds and nanoseconds. Errors: SrlInvalid.
[[nodiscard]] TENUO_EXPORT Result<std::pair<std::int64_t, std::uint32_t>> parse_srl_time(std::string_view text);

// CBOR of the payload struct map, keys in declaration order, issued_at as srl_time_text().
[[nodiscard]] TENUO_EXPORT Bytes encode_srl_payload(const SrlPayload& payload);
// "tenuo-warrant-v1" || "tenuo-srl-v1" || encode_srl_payload(payload).
[[nodiscard]] TENUO_EXPORT Bytes srl_signing_message(const SrlPayload& payload);
// The complete SRL bytes, signed by `signer`. The payload's issuer is written as given (it
// should be the signer's key; a mismatch yields an SRL that verify_srl rejects).
[[nodiscard]] TENUO_EXPORT Bytes sign_srl(const SigningKey& signer, const SrlPayload& payload);

// Decodes the SRL structure without checking the signature. Errors: SrlInvalid (1801) for
// anything that is not a well-formed SRL (size, CBOR, missing/unknown/duplicate fields, types,
// issued_at text, weak issuer key).
[[nodiscard]] TENUO_EXPORT Result<SignedRevocationList> decode_srl(ByteView bytes);

// decode_srl, then: the issuer must be one of `accepted_issuers` (SrlInvalid), the signature
// must verify over the re-encoded payload (SrlInvalid), and with `min_version` the version must
// be >= it (SrlVersionRollback, 1802).
[[nodiscard]] TENUO_EXPORT Result<SignedRevocationList> verify_srl(
    ByteView bytes, std::span<const PublicKey> accepted_issuers,
    std::optional<std::uint64_t> min_version = std::nullopt);

// The CBOR bytes of an SRL file: raw CBOR (a map head), or hex / base64 text of it (whitespace
// ignored). Errors: SrlInvalid (unreadable or over kMaxSrlBytes).
[[nodiscard]] TENUO_EXPORT Result<Bytes> srl_bytes_from_any(ByteView file);

}  // namespace tenuo
