#pragma once
// Multi-signature approvals (WIRE.md §5.6, §9): the approval-gate map a warrant carries in its
// "tenuo.approval_gates" extension and its evaluation for a call; the SignedApproval and
// ApprovalPayload encodings (§9.1), signing, and the verification of the approvals presented
// with a call (§9.3). authorize() runs evaluate_approvals() as step 8 of §10.3.
//
//   auto p = make_approval_payload(leaf.payload(), "deploy", args, now, 300, "ticket-42");
//   SignedApproval a = sign_approval(approver_key, *p);        // one per approver
//   call.approvals = {a, b};                                   // then authorize / Authorizer

#include <tenuo/bytes.hpp>
#include <tenuo/constraint.hpp>
#include <tenuo/export.hpp>
#include <tenuo/public_key.hpp>
#include <tenuo/result.hpp>
#include <tenuo/signing_key.hpp>
#include <tenuo/value.hpp>
#include <tenuo/warrant.hpp>

#include <array>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace tenuo {

inline constexpr std::string_view kApprovalContext = "tenuo-approval-v1";
inline constexpr std::string_view kApprovalsHeader = "X-Tenuo-Approvals";
// One SignedApproval's CBOR, and approvals per call: the MCP bounds of §14.2 (≤ 64 of ≤ 8 KiB
// of text), applied to every path.
inline constexpr std::size_t kMaxApprovalBytes = 8 * 1024;
inline constexpr std::size_t kMaxApprovalsPerCall = 64;

// ---- Approval gates (§5.6) ----

enum class ArgGateKind : std::uint8_t {
  All,     // "all": fires whenever the tool is called
  Match,   // [type_id, value]: fires when the argument matches the constraint
  Exempt,  // {"exempt": [type_id, value]}: fires when the argument does NOT match
};

struct ArgGate {
  ArgGateKind kind = ArgGateKind::All;
  Constraint constraint;  // Match / Exempt only
  bool operator==(const ArgGate&) const = default;
};

struct ToolGate {
  // nullopt: the whole tool is gated ("args": null); else the gated arguments in byte order.
  std::optional<std::vector<std::pair<std::string, ArgGate>>> args;
  bool operator==(const ToolGate&) const = default;
};

using ApprovalGates = std::vector<std::pair<std::string, ToolGate>>;  // byte-order tool names

// The extension value: {tool: {"args": null | {arg: "all" | Constraint | {"exempt": C}}}}.
[[nodiscard]] TENUO_EXPORT Bytes encode_approval_gates(const ApprovalGates& gates);
// Strict: canonical CBOR (cbor.hpp), names in byte order, no keys but "args" and "exempt"
// ("args" absent reads as null, as the reference does: the whole tool is gated), `exempt` not
// wrapping Wildcard, Any, Not, Cel or an unknown type, anything else refused.
// Errors: MalformedCbor.
[[nodiscard]] TENUO_EXPORT Result<ApprovalGates> decode_approval_gates(ByteView bytes);
// A leaf's gates: empty when it has no tenuo.approval_gates extension.
// Errors: InvalidPayloadStructure (1201) when the extension does not decode.
[[nodiscard]] TENUO_EXPORT Result<ApprovalGates> approval_gates_of(const Payload& p);

// JSON form (mint --approval-gate, inspect): {"tool": null | {"arg": "all" | CONSTRAINT |
// {"exempt": CONSTRAINT}}}, CONSTRAINT as in constraint.hpp; null gates the whole tool.
[[nodiscard]] TENUO_EXPORT std::string to_json_text(const ApprovalGates& gates);
// Errors: InvalidInput naming the bad member (also the decode rules above).
[[nodiscard]] TENUO_EXPORT Result<ApprovalGates> approval_gates_from_json_text(std::string_view json);

struct GateDecision {
  bool gated = false;
  std::string reason;  // plain words: which gate fired, or why none did
};
// §5.6 for the call (tool, args): tool not in the map → not gated; "args" null → gated; else
// for each gated argument in byte order: absent → gated; "all" → gated; Match matching →
// gated; Exempt not matching → gated. Null-valued arguments count as absent, as in constraint
// matching (§8.1; the reference's treatment of nulls here is unconfirmed, and absent is the
// reading that gates more). Errors: those of evaluate() (they propagate, §5.6).
[[nodiscard]] TENUO_EXPORT Result<GateDecision> evaluate_gates(const ApprovalGates& gates,
                                                               std::string_view tool,
                                                               const Object& args);

// ---- SignedApproval / ApprovalPayload (§9.1) ----

struct ApprovalPayload {
  std::uint64_t version = 1;
  Sha256Digest request_hash{};
  std::array<std::uint8_t, 16> nonce{};
  std::string external_id;
  std::uint64_t approved_at = 0;
  std::uint64_t expires_at = 0;
  std::optional<ExtensionMap> extensions;  // omitted from the encoding when absent
};

struct SignedApproval {
  explicit SignedApproval(PublicKey approver) : approver_key(approver) {}
  std::uint64_t version = 1;  // "approval_version"
  Bytes payload;              // ApprovalPayload CBOR, exactly as signed
  PublicKey approver_key;
  Signature signature{};
};

// Struct maps in declaration order: version, request_hash (uint-array 32), nonce (uint-array
// 16), external_id, approved_at, expires_at[, extensions (byte-order keys, uint-array values)].
[[nodiscard]] TENUO_EXPORT Bytes encode_approval_payload(const ApprovalPayload& p);
// Keys in any order; request_hash, nonce and extension values as uint-arrays or byte strings
// (the reference accepts both); "extensions" absent or null = absent; unknown keys refused.
// Errors: UnsupportedApprovalVersion (1704) when "version" is not 1 (checked first),
// ApprovalPayloadInvalid (1705) for anything else.
[[nodiscard]] TENUO_EXPORT Result<ApprovalPayload> decode_approval_payload(ByteView bytes);

// {"approval_version", "payload" (bytes), "approver_key" [1, h'32'], "signature" [1, h'64']}.
[[nodiscard]] TENUO_EXPORT Bytes encode_signed_approval(const SignedApproval& a);
// Canonical CBOR of at most kMaxApprovalBytes, keys in any order, unknown keys refused. The
// version is not checked here (check_approval() reports it as 1704).
// Errors: ApprovalInvalid (1701, the reference's code for a malformed approval).
[[nodiscard]] TENUO_EXPORT Result<SignedApproval> decode_signed_approval(ByteView bytes);

// Approvals as carried in text (verify --approval, MCP `_meta.tenuo.approvals` items,
// X-Tenuo-Approvals): base64 of either dialect, padded or not, whitespace ignored, of a
// SignedApproval, of a CBOR array of them, or of a JSON array of such base64 strings (the SDK
// HTTP integrations' header form). At most kMaxApprovalsPerCall.
// Errors: InvalidInput (unreadable text), ApprovalInvalid (CBOR that is no SignedApproval).
[[nodiscard]] TENUO_EXPORT Result<std::vector<SignedApproval>> parse_approvals(std::string_view text);
// Standard padded base64 of the SignedApproval CBOR: the form `tenuo approve` prints.
[[nodiscard]] TENUO_EXPORT std::string approval_text(const SignedApproval& a);
// An X-Tenuo-Approvals value carrying `approvals` in the SDK HTTP integrations' form: standard
// padded base64 of a JSON array of approval_text() strings (parse_approvals() reads it back).
// Errors: InvalidInput when `approvals` is empty or holds more than kMaxApprovalsPerCall.
[[nodiscard]] TENUO_EXPORT Result<std::string> approvals_header_value(std::span<const SignedApproval> approvals);

// The signed bytes: "tenuo-warrant-v1" || "tenuo-approval-v1" || 01 || payload (§7).
[[nodiscard]] TENUO_EXPORT Bytes approval_message(ByteView payload);
// Encodes `p` and signs it with `approver` (version 1 envelope).
[[nodiscard]] TENUO_EXPORT SignedApproval sign_approval(const SigningKey& approver,
                                                        const ApprovalPayload& p);

// request_hash (§9.2) of the call under `leaf`: its prefixed id, its holder.
[[nodiscard]] TENUO_EXPORT Sha256Digest approval_request_hash(const Payload& leaf, std::string_view tool,
                                                              const Object& args);
// A payload approving (tool, args) under `leaf` from `now` for `ttl` seconds, with a random
// nonce. Errors: InvalidInput for a negative `now` or a zero `ttl`.
[[nodiscard]] TENUO_EXPORT Result<ApprovalPayload> make_approval_payload(const Payload& leaf,
                                                                         std::string_view tool,
                                                                         const Object& args,
                                                                         std::int64_t now,
                                                                         std::uint64_t ttl,
                                                                         std::string external_id);

// ---- Verification (§9.3) ----

// min(min_approvals, len(required_approvers)); len when min_approvals is absent; 0 without
// approvers.
[[nodiscard]] TENUO_EXPORT std::uint32_t approval_threshold(const Payload& leaf) noexcept;

// §9.3 step 4 for one approval, except the one-per-approver rule, in the reference's order:
// envelope version (1704), signature by approver_key (1701), payload version (1704),
// approved_at ≤ now + 30 and expires_at > approved_at (1705), approver listed in `approvers`
// (1702), not expired: expires_at + 30 ≥ now (1703), request_hash equal (1706).
[[nodiscard]] TENUO_EXPORT Result<ApprovalPayload> check_approval(const SignedApproval& a,
                                                                  const Sha256Digest& request_hash,
                                                                  std::span<const PublicKey> approvers,
                                                                  std::int64_t now);

struct ApprovalRejection {
  std::size_t index = 0;  // position among the presented approvals
  std::string approver;   // fingerprint of the key that signed it
  Error error;            // check_approval()'s error, or 1701 for a second approval by a key
};

struct ApprovalReport {
  GateDecision gate;
  Sha256Digest request_hash{};
  std::uint32_t threshold = 0;
  std::size_t presented = 0;
  std::vector<std::string> approved_by;  // fingerprints of the approvals counted, in order
  std::vector<ApprovalRejection> rejected;
  std::optional<Error> error;  // the verdict: absent = allowed (no gate fired, or threshold met)
};

// Step 8 of §10.3: the gates of `leaf` for (tool, args), and when one fires §9.3 over
// `approvals` at `now`: no required_approvers → 1701; none presented → 1707 (naming the request
// hash, approvers and threshold); more than 2 × approvers → 1701; each approval in order until
// `threshold` are counted; too few → 1700 listing every rejection, except one approval for a
// single approver, whose own reason is reported as 1701. A gate map that does not decode is
// 1201; gate evaluation errors propagate. `args` as signed (nulls kept: they are hashed).
[[nodiscard]] TENUO_EXPORT ApprovalReport evaluate_approvals(const Payload& leaf, std::string_view tool,
                                                             const Object& args,
                                                             std::span<const SignedApproval> approvals,
                                                             std::int64_t now);

}  // namespace tenuo
