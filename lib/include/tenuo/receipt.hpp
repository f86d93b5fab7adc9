#pragma once
// Signed authorization receipts v1 (WIRE.md §21): the payload codec, signing, authenticity
// checks, the JSONL stream form and the hash-chain completeness check.
// A Receipt returned by verify_receipt is authentic (its signer_key signed these bytes); it is
// evidence, never authority — whether that signer is trusted, and whether its claims hold
// against a chain, arguments or an SRL, is the caller's business (§21.4 step 2).
// Thread-safety: the payload/receipt types are plain values and every free function is pure,
// so verify_receipt may run on many threads at once. A ReceiptChainChecker is NOT thread-safe:
// feed it from one thread at a time (verify on workers, then pass the results to add_result()
// in input order on one thread).

#include <tenuo/bytes.hpp>
#include <tenuo/export.hpp>
#include <tenuo/limits.hpp>
#include <tenuo/public_key.hpp>
#include <tenuo/result.hpp>
#include <tenuo/signing_key.hpp>

#include <array>
#include <cstddef>
#include <cstdint>
#include <map>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

namespace tenuo {

inline constexpr std::string_view kReceiptContext = "tenuo-receipt-v1";
inline constexpr std::uint64_t kReceiptVersion = 1;
// A receipt carries a whole stack plus at most a few hundred bytes; this bounds what we decode.
inline constexpr std::size_t kMaxReceiptBytes = kMaxStackBytes + 16 * 1024;

// The same alias as in warrant.hpp (a typedef may be redeclared to the same type).
using Sha256Digest = std::array<std::uint8_t, 32>;

// The §21.2 payload. Key 0 (version) is always 1 and is not a member. Optional fields are
// omitted from the encoding when absent.
struct ReceiptPayload {
  std::optional<std::string> authorizer_id;        // 1
  Bytes warrant_chain;                             // 2: CBOR WarrantStack as presented
  std::string action;                              // 3: bare tool name
  std::string outcome;                             // 4: "allow" or "deny"
  std::int64_t timestamp = 0;                      // 5: decision instant, unix seconds
  std::optional<std::string> root_principal;       // 6
  std::optional<Sha256Digest> request_hash;            // 7
  std::optional<Signature> pop_signature;          // 8: required for an allow
  std::string request_id;                          // 9
  std::optional<std::string> decision_code;        // 10: kebab name, required for a deny
  std::optional<Sha256Digest> policy_definition_hash;  // 11
  std::optional<std::uint64_t> srl_version;        // 12
  std::optional<Sha256Digest> srl_hash;                // 13
  std::optional<Sha256Digest> prev_receipt_hash;       // 14
  std::optional<Sha256Digest> trusted_roots_hash;      // 15

  bool operator==(const ReceiptPayload&) const = default;
};

// The payload CBOR: integer keys ascending, shortest heads, byte fields as byte strings.
[[nodiscard]] TENUO_EXPORT Bytes encode_receipt_payload(const ReceiptPayload& payload);
// Decodes a payload. Errors: MalformedCbor (not a map, duplicate key, key outside 0-15,
// missing required key, wrong type or byte-field length — uint-arrays are refused, the
// stricter side of a [U]); UnsupportedPayloadVersion when key 0 is not 1.
[[nodiscard]] TENUO_EXPORT Result<ReceiptPayload> decode_receipt_payload(ByteView bytes);

// The complete §21.1 artefact {receipt_version, payload, signer_key, signature}, signed by
// `signer` over "tenuo-warrant-v1" || "tenuo-receipt-v1" || 01 || payload.
[[nodiscard]] TENUO_EXPORT Bytes sign_receipt(const SigningKey& signer,
                                              const ReceiptPayload& payload);

struct Receipt {
  Bytes bytes;           // the artefact exactly as received
  Sha256Digest hash{};       // SHA-256(bytes): what the next receipt's key 14 names
  Bytes payload_bytes;   // the payload as carried (what was signed)
  ReceiptPayload payload;
  PublicKey signer_key;
  Signature signature{};
};

// §21.4 step 1: decodes the outer map, requires receipt_version 1, verifies the signature over
// the raw payload bytes, then decodes the payload and requires key 0 == receipt_version.
// Errors: MalformedCbor (structure, weak signer key), UnsupportedEnvelopeVersion
// (receipt_version != 1), SignatureInvalid (forged or altered), then decode_receipt_payload's.
[[nodiscard]] TENUO_EXPORT Result<Receipt> verify_receipt(ByteView bytes);

// The conditional-field claims of §21.4 step 2: outcome is "allow" or "deny", an allow carries
// key 8 and a deny carries key 10 naming a known §17.1 code. Errors: InvalidPayloadStructure.
[[nodiscard]] TENUO_EXPORT Result<void> check_receipt_fields(const ReceiptPayload& payload);

// SHA-256 of the root keys' raw bytes, sorted bytewise, de-duplicated, concatenated (key 15);
// the empty set hashes nothing.
[[nodiscard]] TENUO_EXPORT Sha256Digest trusted_roots_hash(std::span<const PublicKey> roots);

// One JSONL line: {"receipt":"<lowercase hex>"} followed by '\n'.
[[nodiscard]] TENUO_EXPORT std::string receipt_jsonl_line(ByteView receipt);
// The receipt bytes of one stream line (trailing "\n" or "\r\n" allowed): a line starting with
// '{' is a JSON object with a "receipt" hex string, any other is bare hex. Blank line ->
// nullopt. Errors: InvalidInput.
[[nodiscard]] TENUO_EXPORT Result<std::optional<Bytes>> parse_receipt_line(std::string_view line);

// ---- completeness of a receipt stream (§21.4 step 3)

enum class ChainIssueKind : std::uint8_t {
  Malformed,      // not a receipt: bad line, CBOR, version or payload
  Forged,         // decodes but its signature does not verify
  Break,          // key 14 names a receipt absent from the input: one was removed
  Reordered,      // key 14 names a receipt that is not the signer's previous one
  Duplicate,      // the same receipt bytes again (a replayed line)
  UnknownSigner,  // signer not in the allowed set
  Unchained,      // warning: a signer's later receipt without key 14 (restart or chaining off)
  Empty,          // no receipt at all
};
enum class IssueSeverity : std::uint8_t { Error, Warning };

struct ChainIssue {
  ChainIssueKind kind = ChainIssueKind::Malformed;
  IssueSeverity severity = IssueSeverity::Error;
  std::size_t line = 0;                   // 1-based line (or index) given by the caller
  std::optional<std::size_t> other_line;  // the related receipt, when known
  std::string message;
};

struct ChainReport {
  std::size_t receipts = 0;  // authentic receipts seen
  std::size_t signers = 0;
  std::vector<ChainIssue> issues;  // sorted by line
  [[nodiscard]] bool ok() const noexcept {
    for (const auto& i : issues)
      if (i.severity == IssueSeverity::Error) return false;
    return true;
  }
};

// Streaming checker: feed receipts in input order, then finish(). Each key 14 must name the
// previous receipt by the same signer. Forward references are resolved at finish() (named later
// = Reordered, never named = Break). Memory: ~64 bytes per authentic receipt (its hash and line).
class TENUO_EXPORT ReceiptChainChecker {
 public:
  // `allowed_signers` empty = any signer.
  explicit ReceiptChainChecker(std::vector<PublicKey> allowed_signers = {});

  // Feeds one stream line; blank lines are skipped (nullopt), bad ones recorded as issues.
  std::optional<Result<Receipt>> add_line(std::size_t line, std::string_view text);
  // Feeds one receipt's bytes; returns what verify_receipt returned (issues are recorded too).
  Result<Receipt> add(std::size_t line, ByteView bytes);
  // Feeds what verify_receipt() (or a failed parse_receipt_line()) returned for the line, computed
  // elsewhere — e.g. on worker threads — so the signature is not verified twice. `checked` must
  // come from verify_receipt(): a SignatureInvalid error is recorded as Forged, any other error
  // as Malformed, a receipt is linked as add() links it.
  void add_result(std::size_t line, const Result<Receipt>& checked);
  // Resolves pending references and returns the report; the checker is spent afterwards.
  [[nodiscard]] ChainReport finish();

 private:
  struct Link {
    Sha256Digest hash{};
    std::size_t line = 0;
  };
  struct Pending {
    std::size_t line = 0;
    Sha256Digest prev{};
  };
  struct DigestHash {
    std::size_t operator()(const Sha256Digest& d) const noexcept;
  };
  void issue(ChainIssueKind kind, std::size_t line, std::optional<std::size_t> other,
             std::string message, IssueSeverity sev = IssueSeverity::Error);

  std::vector<PublicKey> m_allowed;
  std::unordered_map<Sha256Digest, std::size_t, DigestHash> m_seen;  // receipt hash -> line
  std::map<std::array<std::uint8_t, 32>, Link> m_last;           // signer -> last receipt
  std::vector<Pending> m_pending;
  ChainReport m_report;
};

}  // namespace tenuo
