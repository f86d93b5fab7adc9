#pragma once
// Text encodings: base64 (standard and URL-safe, padded or not), hex, PEM armour, and the
// detection of every accepted warrant input form (WIRE.md §2.2-§2.3, CLI.md §1).
// All decoders are strict about what they accept and check sizes before allocating.
// Errors are ErrorCode::InvalidInput unless stated otherwise.
// Thread-safety: pure functions of their arguments with no shared state; safe to call
// concurrently. PemBlock is a plain value.

#include <tenuo/bytes.hpp>
#include <tenuo/export.hpp>
#include <tenuo/limits.hpp>
#include <tenuo/result.hpp>

#include <string>
#include <string_view>
#include <vector>

namespace tenuo {

enum class Base64Alphabet : std::uint8_t { Standard, UrlSafe };
enum class Padding : std::uint8_t { Yes, No };

[[nodiscard]] TENUO_EXPORT std::string base64_encode(ByteView data, Base64Alphabet alphabet,
                                                     Padding padding);
// Strict decode: exactly `alphabet`; padding required when Padding::Yes and forbidden when
// Padding::No; no whitespace; non-zero trailing bits rejected.
[[nodiscard]] TENUO_EXPORT Result<Bytes> base64_decode(std::string_view text,
                                                       Base64Alphabet alphabet, Padding padding);
// Lenient decode for user input: ASCII whitespace ignored, either alphabet (not mixed),
// padding optional but canonical if present, non-zero trailing bits rejected. Inputs whose
// decoded size would exceed `max_bytes` are rejected (InvalidInput) before allocating.
[[nodiscard]] TENUO_EXPORT Result<Bytes> base64_decode_any(std::string_view text,
                                                           std::size_t max_bytes = kMaxStackBytes);

[[nodiscard]] TENUO_EXPORT std::string hex_encode(ByteView data);  // lowercase
// Either case, even length, no separators.
[[nodiscard]] TENUO_EXPORT Result<Bytes> hex_decode(std::string_view text);

struct PemBlock {
  std::string label;  // e.g. "TENUO WARRANT", "PRIVATE KEY"
  std::string body;   // base64 text between the armour lines, line breaks removed
};
// Every `-----BEGIN X-----` … `-----END X-----` block of `text`, in order. Text outside the
// blocks is ignored; an unterminated or mismatched block is an error. No block -> empty list.
[[nodiscard]] TENUO_EXPORT Result<std::vector<PemBlock>> pem_parse(std::string_view text);
// Armours `body` (already base64) in 64-character lines, LF endings, trailing newline.
[[nodiscard]] TENUO_EXPORT std::string pem_armor(std::string_view label, std::string_view body);

// The binary `.tenuo` file magic: "TENU" 0x01, followed by raw CBOR.
inline constexpr std::string_view kTenuoMagic{"TENU\x01", 5};

// Turns any accepted warrant input (binary .tenuo, raw CBOR, PEM `TENUO WARRANT` blocks or one
// `TENUO WARRANT CHAIN` block, base64 in any dialect with whitespace) into the CBOR bytes of a
// SignedWarrant or a WarrantStack. Several `TENUO WARRANT` blocks become one WarrantStack; other
// PEM labels are ignored; a CHAIN block together with any other warrant block is refused.
// The CBOR itself is not checked here. Errors: InvalidInput for unreadable text;
// WarrantTooLarge when the decoded size exceeds kMaxStackBytes (checked before decoding).
[[nodiscard]] TENUO_EXPORT Result<Bytes> warrant_cbor_from_any(ByteView input);

}  // namespace tenuo
