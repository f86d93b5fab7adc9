#include <tenuo/error.hpp>

#include <array>
#include <utility>

namespace tenuo {
namespace {

struct Entry {
  ErrorCode code;
  std::string_view name;
  std::string_view sdk;
};

constexpr std::array kTable{
    Entry{ErrorCode::UnsupportedEnvelopeVersion, "unsupported-envelope-version", "invalid_warrant"},
    Entry{ErrorCode::InvalidEnvelopeStructure, "invalid-envelope-structure", "invalid_warrant"},
    Entry{ErrorCode::SignatureInvalid, "signature-invalid", "invalid_signature"},
    Entry{ErrorCode::SignatureAlgorithmMismatch, "signature-algorithm-mismatch", "invalid_signature"},
    Entry{ErrorCode::UnsupportedAlgorithm, "unsupported-algorithm", "invalid_signature"},
    Entry{ErrorCode::InvalidKeyLength, "invalid-key-length", "invalid_signature"},
    Entry{ErrorCode::InvalidSignatureLength, "invalid-signature-length", "invalid_signature"},
    Entry{ErrorCode::UnsupportedPayloadVersion, "unsupported-payload-version", "invalid_warrant"},
    Entry{ErrorCode::InvalidPayloadStructure, "invalid-payload-structure", "invalid_warrant"},
    Entry{ErrorCode::MalformedCbor, "malformed-cbor", "invalid_warrant"},
    Entry{ErrorCode::UnknownPayloadField, "unknown-payload-field", "invalid_warrant"},
    Entry{ErrorCode::MissingRequiredField, "missing-required-field", "invalid_warrant"},
    Entry{ErrorCode::WarrantExpired, "warrant-expired", "warrant_expired"},
    Entry{ErrorCode::WarrantNotYetValid, "warrant-not-yet-valid", "warrant_not_yet_valid"},
    Entry{ErrorCode::IssuedInFuture, "issued-in-future", "warrant_not_yet_valid"},
    Entry{ErrorCode::TtlExceeded, "ttl-exceeded", "ttl_exceeded"},
    Entry{ErrorCode::InvalidIssuer, "invalid-issuer", "chain_invalid"},
    Entry{ErrorCode::ParentHashMismatch, "parent-hash-mismatch", "chain_invalid"},
    Entry{ErrorCode::DepthExceeded, "depth-exceeded", "chain_invalid"},
    Entry{ErrorCode::DepthViolation, "depth-violation", "chain_invalid"},
    Entry{ErrorCode::ChainTooLong, "chain-too-long", "chain_invalid"},
    Entry{ErrorCode::ChainBroken, "chain-broken", "chain_invalid"},
    Entry{ErrorCode::UntrustedRoot, "untrusted-root", "untrusted_issuer"},
    Entry{ErrorCode::ToolNotAuthorized, "tool-not-authorized", "tool_not_allowed"},
    Entry{ErrorCode::ConstraintViolation, "constraint-violation", "constraint_violation"},
    Entry{ErrorCode::InvalidAttenuation, "invalid-attenuation", "invalid_attenuation"},
    Entry{ErrorCode::CapabilityExpansion, "capability-expansion", "invalid_attenuation"},
    Entry{ErrorCode::UnknownConstraintType, "unknown-constraint-type", "constraint_violation"},
    Entry{ErrorCode::PopSignatureInvalid, "pop-signature-invalid", "invalid_pop"},
    Entry{ErrorCode::PopExpired, "pop-expired", "invalid_pop"},
    Entry{ErrorCode::PopChallengeInvalid, "pop-challenge-invalid", "invalid_pop"},
    Entry{ErrorCode::InsufficientApprovals, "insufficient-approvals", "insufficient_approvals"},
    Entry{ErrorCode::ApprovalInvalid, "approval-invalid", "invalid_approval"},
    Entry{ErrorCode::ApproverNotAuthorized, "approver-not-authorized", "invalid_approval"},
    Entry{ErrorCode::ApprovalExpired, "approval-expired", "invalid_approval"},
    Entry{ErrorCode::UnsupportedApprovalVersion, "unsupported-approval-version", "invalid_approval"},
    Entry{ErrorCode::ApprovalPayloadInvalid, "approval-payload-invalid", "invalid_approval"},
    Entry{ErrorCode::ApprovalRequestHashMismatch, "approval-request-hash-mismatch",
          "invalid_approval"},
    Entry{ErrorCode::ApprovalRequired, "approval-required", "approval_required"},
    Entry{ErrorCode::WarrantRevoked, "warrant-revoked", "warrant_revoked"},
    Entry{ErrorCode::SrlInvalid, "srl-invalid", "warrant_revoked"},
    Entry{ErrorCode::SrlVersionRollback, "srl-version-rollback", "warrant_revoked"},
    Entry{ErrorCode::WarrantTooLarge, "warrant-too-large", "payload_too_large"},
    Entry{ErrorCode::ChainTooLarge, "chain-too-large", "payload_too_large"},
    Entry{ErrorCode::TooManyTools, "too-many-tools", "payload_too_large"},
    Entry{ErrorCode::TooManyConstraints, "too-many-constraints", "payload_too_large"},
    Entry{ErrorCode::ExtensionTooLarge, "extension-too-large", "payload_too_large"},
    Entry{ErrorCode::ValueTooLarge, "value-too-large", "payload_too_large"},
    Entry{ErrorCode::ReservedExtensionKey, "reserved-extension-key", "invalid_warrant"},
    Entry{ErrorCode::InvalidExtensionValue, "invalid-extension-value", "invalid_warrant"},
    Entry{ErrorCode::ReservedToolName, "reserved-tool-name", "invalid_warrant"},
    Entry{ErrorCode::InvalidInput, "invalid-input", "invalid_input"},
    Entry{ErrorCode::InvalidArguments, "invalid-arguments", "invalid_arguments"},
    Entry{ErrorCode::Io, "io-error", "io_error"},
    Entry{ErrorCode::Internal, "internal-error", "internal_error"},
};

const Entry* find(ErrorCode code) noexcept {
  for (const auto& e : kTable)
    if (e.code == code) return &e;
  return nullptr;
}

}  // namespace

std::string_view name(ErrorCode code) noexcept {
  const Entry* e = find(code);
  return e ? e->name : std::string_view{"unknown"};
}

std::string_view sdk_deny_code(ErrorCode code) noexcept {
  const Entry* e = find(code);
  return e ? e->sdk : std::string_view{"unknown"};
}

int http_status(ErrorCode code) noexcept {
  const int n = static_cast<int>(code);
  if (code == ErrorCode::Internal) return 500;
  if (n >= 9000) return 400;
  switch (n / 100) {
    case 11: case 13: case 16: case 18: return 401;
    case 14: case 15: case 17: return 403;
    case 19: return 413;
    default: return 400;
  }
}

std::optional<ErrorCode> code_from_name(std::string_view n) noexcept {
  for (const auto& e : kTable)
    if (e.name == n) return e.code;
  return std::nullopt;
}

}  // namespace tenuo
