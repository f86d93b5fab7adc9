#pragma once
// Pre-signature look at a warrant or stack, for verifiers that can refuse early.

#include <tenuo/bytes.hpp>
#include <tenuo/export.hpp>
#include <tenuo/public_key.hpp>

#include <cstdint>
#include <optional>

namespace tenuo::detail {

// The issuer claimed by the first (root) warrant of `cbor` (a SignedWarrant or a WarrantStack),
// from a structural parse only: no signature is checked, so the key proves nothing by itself.
// nullopt whenever any link does not parse and validate, two links share an id, or a link is
// issued after `now` + tolerance — the caller must then take the full path, which reports the
// error §10.2 ranks before trust.
[[nodiscard]] TENUO_EXPORT std::optional<PublicKey> peek_root_issuer(ByteView cbor, std::int64_t now);

// The two halves of peek_root_issuer, so a verifier pays for the second only when the first
// names an untrusted key. claimed_root_issuer: the issuer field of the first link's payload
// (structural parse of the outer structure and of that link only); nullopt when unreadable.
// links_valid_before_trust: every link parses and validates, ids are unique, none is issued
// after `now` + tolerance.
[[nodiscard]] TENUO_EXPORT std::optional<PublicKey> claimed_root_issuer(ByteView cbor);
[[nodiscard]] TENUO_EXPORT bool links_valid_before_trust(ByteView cbor, std::int64_t now);

}  // namespace tenuo::detail
