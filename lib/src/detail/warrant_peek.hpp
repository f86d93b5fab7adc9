#pragma once
// Pre-signature look at a warrant or stack, for verifiers that can refuse early.

#include <tenuo/bytes.hpp>
#include <tenuo/export.hpp>
#include <tenuo/public_key.hpp>

#include <optional>

namespace tenuo::detail {

// The issuer claimed by the first (root) warrant of `cbor` (a SignedWarrant or a WarrantStack),
// from a structural parse only: no signature is checked, so the key proves nothing by itself.
// nullopt whenever the input or the root payload does not parse and validate — the caller must
// then take the full decoding path, which reports the precise error.
[[nodiscard]] TENUO_EXPORT std::optional<PublicKey> peek_root_issuer(ByteView cbor);

}  // namespace tenuo::detail
