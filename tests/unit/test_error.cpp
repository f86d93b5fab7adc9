#include <tenuo/error.hpp>

#include <doctest/doctest.h>

#include <string>

TEST_SUITE("tenuo::error") {
TEST_CASE("codes and names match WIRE.md §17.1") {
  struct Row { tenuo::ErrorCode code; int n; const char* name; int http; };
  const Row rows[] = {
      {tenuo::ErrorCode::UnsupportedEnvelopeVersion, 1000, "unsupported-envelope-version", 400},
      {tenuo::ErrorCode::SignatureInvalid, 1100, "signature-invalid", 401},
      {tenuo::ErrorCode::InvalidPayloadStructure, 1201, "invalid-payload-structure", 400},
      {tenuo::ErrorCode::MalformedCbor, 1202, "malformed-cbor", 400},
      {tenuo::ErrorCode::WarrantExpired, 1300, "warrant-expired", 401},
      {tenuo::ErrorCode::IssuedInFuture, 1302, "issued-in-future", 401},
      {tenuo::ErrorCode::TtlExceeded, 1303, "ttl-exceeded", 401},
      {tenuo::ErrorCode::InvalidIssuer, 1400, "invalid-issuer", 403},
      {tenuo::ErrorCode::ChainBroken, 1405, "chain-broken", 403},
      {tenuo::ErrorCode::UntrustedRoot, 1406, "untrusted-root", 403},
      {tenuo::ErrorCode::ToolNotAuthorized, 1500, "tool-not-authorized", 403},
      {tenuo::ErrorCode::ConstraintViolation, 1501, "constraint-violation", 403},
      {tenuo::ErrorCode::InvalidAttenuation, 1502, "invalid-attenuation", 403},
      {tenuo::ErrorCode::CapabilityExpansion, 1503, "capability-expansion", 403},
      {tenuo::ErrorCode::UnknownConstraintType, 1504, "unknown-constraint-type", 403},
      {tenuo::ErrorCode::PopSignatureInvalid, 1600, "pop-signature-invalid", 401},
      {tenuo::ErrorCode::InsufficientApprovals, 1700, "insufficient-approvals", 403},
      {tenuo::ErrorCode::ApprovalRequired, 1707, "approval-required", 403},
      {tenuo::ErrorCode::WarrantRevoked, 1800, "warrant-revoked", 401},
      {tenuo::ErrorCode::SrlVersionRollback, 1802, "srl-version-rollback", 401},
      {tenuo::ErrorCode::WarrantTooLarge, 1900, "warrant-too-large", 413},
      {tenuo::ErrorCode::TooManyConstraints, 1903, "too-many-constraints", 413},
      {tenuo::ErrorCode::ReservedExtensionKey, 2000, "reserved-extension-key", 400},
      {tenuo::ErrorCode::ReservedToolName, 2100, "reserved-tool-name", 400},
  };
  for (const auto& r : rows) {
    CAPTURE(r.n);
    CHECK(static_cast<int>(r.code) == r.n);
    CHECK(tenuo::name(r.code) == r.name);
    CHECK(tenuo::http_status(r.code) == r.http);
    CHECK(tenuo::code_from_name(r.name) == r.code);
  }
  CHECK(tenuo::name(static_cast<tenuo::ErrorCode>(1234)) == "unknown");
  CHECK(tenuo::sdk_deny_code(tenuo::ErrorCode::ToolNotAuthorized) == "tool_not_allowed");
  CHECK(tenuo::sdk_deny_code(tenuo::ErrorCode::WarrantExpired) == "warrant_expired");
}
}
