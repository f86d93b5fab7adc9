#pragma once
// Pre-signature look at a warrant or stack, for verifiers that can refuse early.

#include <tenuo/bytes.hpp>
#include <tenuo/export.hpp>
#include <tenuo/public_key.hpp>
#include <tenuo/result.hpp>
#include <tenuo/warrant.hpp>

#include <cstdint>
#include <functional>
#include <optional>
#include <span>
#include <vector>

namespace tenuo::detail {

// Pre-signature look at a warrant or stack (§10.2 step 5 before step 8). Nothing here checks a
// signature, so a key read here proves nothing by itself; it only lets a verifier refuse an
// untrusted root without verifying anything.

// The links of a SignedWarrant (one, `stack` false) or a WarrantStack, as exact byte ranges.
struct Links {
  std::vector<ByteView> items;
  bool stack = false;
};
// `cbor` split into its links after the same strict structural check decode_warrants applies;
// nullopt when that fails, or when the stack is empty or longer than kMaxChainLength.
[[nodiscard]] TENUO_EXPORT std::optional<Links> split_links(ByteView cbor);
// Each link decoded and its signature verified, with decode_warrants' errors (chain_index, and
// for a stack the "warrant i of the chain" prefix): decode_warrants(cbor) once split.
[[nodiscard]] TENUO_EXPORT Result<std::vector<Warrant>> decode_links(const Links& links,
                                                                     std::optional<std::int64_t> now);
// The issuer that link 0's payload claims, when `is_trusted` refuses it and every link parses
// and validates as decode_warrant would (signatures aside), ids are unique and none is issued
// after `now` + tolerance: nothing §10.2 ranks before trust is wrong, so the chain may be denied
// as untrusted before any signature is verified. nullopt otherwise. Link 0 is read once, and a
// trusted root costs only that read. `links` are split_links' items: each one's CBOR is already
// strictly validated, so only its envelope's shape is read again.
[[nodiscard]] TENUO_EXPORT std::optional<PublicKey> untrusted_root_claim(
    std::span<const ByteView> links, std::int64_t now,
    const std::function<bool(const PublicKey&)>& is_trusted);

// FOR DIAGNOSIS ONLY (explain.cpp), never for authorizing: the links of `cbor` decoded as
// decode_warrants would, except that a link whose issuer signature does not verify is still
// decoded (signature_valid false) instead of failing. It yields no Warrant, so nothing read
// here can reach verify_chain() or authorize(); signature_valid is true exactly when
// decode_warrant() accepts the link. Errors: decode_warrants' for anything but a bad signature.
// Not exported: only the library's diagnosis may read unverified payloads.
struct UnverifiedLink {
  Payload payload;
  Sha256Digest payload_hash{};
  Bytes envelope;
  bool signature_valid = false;
};
[[nodiscard]] Result<std::vector<UnverifiedLink>> decode_unverified_for_diagnosis(ByteView cbor);

}  // namespace tenuo::detail
