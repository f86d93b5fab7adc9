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

}  // namespace tenuo::detail
