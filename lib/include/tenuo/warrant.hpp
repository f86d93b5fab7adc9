#pragma once
// Warrant: a decoded SignedWarrant (WIRE.md §3-§4). A Warrant object is only ever produced by
// decode_warrant()/decode_warrants(), which verify the issuer's signature over the exact
// payload bytes BEFORE interpreting them, or by the builders (builder.hpp), which sign what
// they build. A Warrant is therefore authentic (signed by payload.issuer) but NOT trusted:
// trust, chain links, expiry and revocation are verify_chain()'s job (verify.hpp).
// Thread-safety: every Warrant member is const (a Warrant changes only by assignment), so one
// object may be read, used and copied from any number of threads at once; assigning to it must
// not race with other use. Copies are independent. Payload is a plain value. The free functions
// are reentrant: decoding checks key validity through a thread_local cache (no locking, nothing
// shared between threads).

#include <tenuo/bytes.hpp>
#include <tenuo/constraint.hpp>
#include <tenuo/export.hpp>
#include <tenuo/public_key.hpp>
#include <tenuo/result.hpp>
#include <tenuo/signing_key.hpp>
#include <tenuo/value.hpp>

#include <array>
#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace tenuo {

using WarrantId = std::array<std::uint8_t, 16>;
using Sha256Digest = std::array<std::uint8_t, 32>;

inline constexpr std::string_view kWarrantIdPrefix = "tnu_wrt_";
inline constexpr std::string_view kSessionIdExtension = "tenuo.session_id";
inline constexpr std::string_view kAgentIdExtension = "tenuo.agent_id";
inline constexpr std::string_view kApprovalGatesExtension = "tenuo.approval_gates";

// "tnu_wrt_" + 32 lowercase hex: display, SRL entries, approvals, messages.
[[nodiscard]] TENUO_EXPORT std::string id_text(const WarrantId& id);
// 32 lowercase hex without prefix: PoP challenges and dedup keys only.
[[nodiscard]] TENUO_EXPORT std::string id_hex(const WarrantId& id);
// Parses `tnu_wrt_` + 32 hex, a dashed UUID, or 32 hex (WIRE.md §2.1). Errors: InvalidInput.
[[nodiscard]] TENUO_EXPORT Result<WarrantId> parse_warrant_id(std::string_view text);
// A fresh UUIDv7 for `unix_ms`.
[[nodiscard]] TENUO_EXPORT WarrantId new_warrant_id(std::int64_t unix_ms);

enum class WarrantType : std::uint8_t { Execution = 0, Issuer = 1 };

// Defined by the headers that own them; Warrant's member spellings below return them.
class MintBuilder;   // builders.hpp
class GrantBuilder;  // builders.hpp
class BoundWarrant;  // bound_warrant.hpp
struct Diagnosis;    // explain.hpp
// HTTP headers of one call (X-Tenuo-Warrant, X-Tenuo-PoP), as headers() writes them.
using Headers = std::map<std::string, std::string, std::less<>>;

using ToolMap = std::vector<std::pair<std::string, ConstraintSet>>;  // byte-order keys
using ExtensionMap = std::vector<std::pair<std::string, Bytes>>;     // byte-order keys

// The signed payload (WIRE.md §4.1). `session_id`/`agent_id` are kept apart from the other
// extensions, as the reference does; encoding merges them back in byte order.
struct TENUO_EXPORT Payload {
  Payload(PublicKey holder_key, PublicKey issuer_key)
      : holder(holder_key), issuer(issuer_key) {}

  std::uint8_t version = 1;
  WarrantId id{};
  WarrantType type = WarrantType::Execution;
  ToolMap tools;
  PublicKey holder;
  PublicKey issuer;
  std::uint64_t issued_at = 0;
  std::uint64_t expires_at = 0;
  std::uint8_t max_depth = 64;
  std::optional<Sha256Digest> parent_hash;
  ExtensionMap extensions;
  std::optional<std::string> session_id;
  std::optional<std::string> agent_id;
  std::optional<std::vector<std::string>> issuable_tools;
  std::optional<std::uint32_t> max_issue_depth;
  std::optional<ConstraintSet> constraint_bounds;
  std::optional<std::vector<PublicKey>> required_approvers;
  std::optional<std::uint32_t> min_approvals;
  std::optional<std::uint8_t> clearance;
  std::uint32_t depth = 0;

  // Lookup in `tools` by exact name (no "*" fallback).
  [[nodiscard]] const ConstraintSet* tool(std::string_view name) const noexcept;
  // Lookup of a raw extension value (session/agent ids included, as raw UTF-8).
  [[nodiscard]] std::optional<Bytes> extension(std::string_view key) const;
};

// Canonical payload bytes (ascending integer keys, reference field encodings).
[[nodiscard]] TENUO_EXPORT Bytes encode_payload(const Payload& p);
// Structural + semantic checks of WIRE.md §10.1 step 3-4 except the clock check:
// constraint depth (1903), counts and extension limits (1201), type consistency (1201),
// expires_at > issued_at (1201), max_issue_depth <= max_depth (1402), approver threshold (1201).
[[nodiscard]] TENUO_EXPORT Result<void> validate_payload(const Payload& p);

class TENUO_EXPORT Warrant {
 public:
  [[nodiscard]] const Payload& payload() const noexcept { return m_payload; }
  [[nodiscard]] ByteView payload_bytes() const noexcept { return m_payload_bytes; }
  [[nodiscard]] const Signature& signature() const noexcept { return m_signature; }
  // The exact SignedWarrant bytes this warrant was decoded from (or built as).
  [[nodiscard]] ByteView envelope_bytes() const noexcept { return m_envelope; }
  [[nodiscard]] const WarrantId& id() const noexcept { return m_payload.id; }
  [[nodiscard]] std::string id_text() const { return tenuo::id_text(m_payload.id); }
  // SHA-256 of the payload bytes: what a child carries as parent_hash.
  [[nodiscard]] const Sha256Digest& payload_hash() const noexcept { return m_payload_hash; }

  // ---- The SDK's spellings. Each is the free function of the same name (builders.hpp,
  // warrant_use.hpp, bound_warrant.hpp) applied to this warrant, with the same contract and
  // errors; include that header to call it.
  // Starts a root warrant: Warrant::mint_builder().capability(…).holder(pk).ttl(3600s).mint(key).
  [[nodiscard]] static MintBuilder mint_builder();
  // Starts a delegation from this warrant: w.grant_builder().capability(…).holder(pk).grant(key).
  [[nodiscard]] GrantBuilder grant_builder() const;
  // The holder's PoP for one call (tenuo::sign).
  [[nodiscard]] Signature sign(const SigningKey& holder, std::string_view tool, const Object& args,
                               std::optional<std::int64_t> now = {}) const;
  // This warrant's own view of the call, without trust, time or PoP (tenuo::allows).
  [[nodiscard]] bool allows(std::string_view tool, const Object& args) const;
  // Every check for the call against this warrant alone (tenuo::why_denied).
  [[nodiscard]] Diagnosis why_denied(std::string_view tool, const Object& args,
                                     std::optional<std::int64_t> now = {}) const;
  // X-Tenuo-Warrant and X-Tenuo-PoP for one call (tenuo::headers).
  [[nodiscard]] Headers headers(const SigningKey& holder, std::string_view tool, const Object& args,
                                std::optional<std::int64_t> now = {}) const;
  // This warrant bound to its holder's key (tenuo::bind). Errors: InvalidIssuer (1400) when
  // `holder` is not payload().holder.
  [[nodiscard]] Result<BoundWarrant> bind(const SigningKey& holder) const;

 private:
  friend class WarrantFactory;  // lib/src/detail/warrant_factory.hpp: decoder and signer only
  Warrant(Payload p, Bytes payload_bytes, Signature sig, Bytes envelope);

  Payload m_payload;
  Bytes m_payload_bytes;
  Signature m_signature{};
  Bytes m_envelope;
  Sha256Digest m_payload_hash{};
};

// Decodes one SignedWarrant: size limit (1900), envelope shape (1202), issuer signature over
// "tenuo-warrant-v1" || 01 || payload (SignatureInvalid 1100) — checked before the payload is
// interpreted — then the payload (1202; version != 1 -> 1201) and validate_payload().
// With `now`, also rejects issued_at > now + 30 (1302).
[[nodiscard]] TENUO_EXPORT Result<Warrant> decode_warrant(ByteView envelope,
                                                          std::optional<std::int64_t> now = {});
// Decodes a SignedWarrant or a WarrantStack (root first), telling them apart by the first
// element. Errors as decode_warrant, plus WarrantTooLarge for stacks over kMaxStackBytes,
// ChainTooLong over kMaxChainLength links, ChainBroken (1405) for an empty stack; failures
// carry the chain index.
[[nodiscard]] TENUO_EXPORT Result<std::vector<Warrant>> decode_warrants(
    ByteView cbor, std::optional<std::int64_t> now = {});

// WarrantStack bytes for `chain` (root first).
[[nodiscard]] TENUO_EXPORT Bytes encode_stack(std::span<const Warrant> chain);

enum class TextFormat : std::uint8_t { Base64, Pem };
// Text forms: a single warrant as URL-safe base64 without padding or `TENUO WARRANT` PEM;
// several as the WarrantStack in URL-safe base64 or a `TENUO WARRANT CHAIN` PEM block.
[[nodiscard]] TENUO_EXPORT std::string to_text(std::span<const Warrant> chain, TextFormat format);

// Reads any accepted warrant input (encoding.hpp warrant_cbor_from_any) and decodes it.
[[nodiscard]] TENUO_EXPORT Result<std::vector<Warrant>> read_warrants(
    ByteView input, std::optional<std::int64_t> now = {});

// The signed message of a warrant: "tenuo-warrant-v1" || 01 || payload.
[[nodiscard]] TENUO_EXPORT Bytes warrant_signing_message(ByteView payload_bytes);

}  // namespace tenuo
