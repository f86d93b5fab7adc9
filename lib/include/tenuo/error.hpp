#pragma once
// The one error type of the library: a Tenuo numeric code (WIRE.md §17) plus a message.
// Codes and kebab-case names go on the wire (JSON output, receipts); they are never renumbered.
// Thread-safety: Error is a plain value; the functions are pure and noexcept.

#include <tenuo/export.hpp>

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace tenuo {

enum class ErrorCode : std::uint16_t {
  UnsupportedEnvelopeVersion = 1000,
  InvalidEnvelopeStructure = 1001,
  SignatureInvalid = 1100,
  SignatureAlgorithmMismatch = 1101,
  UnsupportedAlgorithm = 1102,
  InvalidKeyLength = 1103,
  InvalidSignatureLength = 1104,
  UnsupportedPayloadVersion = 1200,
  InvalidPayloadStructure = 1201,
  MalformedCbor = 1202,
  UnknownPayloadField = 1203,
  MissingRequiredField = 1204,
  WarrantExpired = 1300,
  WarrantNotYetValid = 1301,
  IssuedInFuture = 1302,
  TtlExceeded = 1303,
  InvalidIssuer = 1400,
  ParentHashMismatch = 1401,
  DepthExceeded = 1402,
  DepthViolation = 1403,
  ChainTooLong = 1404,
  ChainBroken = 1405,
  UntrustedRoot = 1406,
  ToolNotAuthorized = 1500,
  ConstraintViolation = 1501,
  InvalidAttenuation = 1502,
  CapabilityExpansion = 1503,
  UnknownConstraintType = 1504,
  PopSignatureInvalid = 1600,
  PopExpired = 1601,
  PopChallengeInvalid = 1602,
  InsufficientApprovals = 1700,
  ApprovalInvalid = 1701,
  ApproverNotAuthorized = 1702,
  ApprovalExpired = 1703,
  UnsupportedApprovalVersion = 1704,
  ApprovalPayloadInvalid = 1705,
  ApprovalRequestHashMismatch = 1706,
  ApprovalRequired = 1707,
  WarrantRevoked = 1800,
  SrlInvalid = 1801,
  SrlVersionRollback = 1802,
  WarrantTooLarge = 1900,
  ChainTooLarge = 1901,
  TooManyTools = 1902,
  TooManyConstraints = 1903,
  ExtensionTooLarge = 1904,
  ValueTooLarge = 1905,
  ReservedExtensionKey = 2000,
  InvalidExtensionValue = 2001,
  ReservedToolName = 2100,

  // Not Tenuo protocol codes: local failures outside the wire protocol. They never appear in
  // receipts; JSON output names them like the others. 9xxx is unused by the protocol.
  InvalidInput = 9001,     // unreadable user input: file, JSON, base64, key text (exit 3)
  InvalidArguments = 9002, // call arguments are not strict JSON (exit 3)
  Io = 9003,               // filesystem or stream failure (exit 3)
  Internal = 9999,         // a bug (exit 70)
};

// Kebab-case name of `code` ("warrant-expired"); "unknown" for values outside the enum.
[[nodiscard]] TENUO_EXPORT std::string_view name(ErrorCode code) noexcept;
// HTTP status of `code` by hundreds block (WIRE.md §17.1); 400 for local codes, 500 for Internal.
[[nodiscard]] TENUO_EXPORT int http_status(ErrorCode code) noexcept;
// The SDK's snake_case deny label for a code (e.g. "constraint_violation", "tool_not_allowed").
[[nodiscard]] TENUO_EXPORT std::string_view sdk_deny_code(ErrorCode code) noexcept;
// Parses a kebab-case name back to its code.
[[nodiscard]] TENUO_EXPORT std::optional<ErrorCode> code_from_name(std::string_view name) noexcept;

struct Error {
  ErrorCode code = ErrorCode::Internal;
  std::string message;                      // what was expected vs what was found
  std::optional<std::size_t> byte_offset;   // decode errors
  std::optional<std::size_t> chain_index;   // index of the failing warrant (0 = root)

  Error() = default;
  Error(ErrorCode c, std::string m) : code(c), message(std::move(m)) {}
  [[nodiscard]] int numeric() const noexcept { return static_cast<int>(code); }
};

}  // namespace tenuo
