#pragma once
// Proof of possession (WIRE.md §8): the holder's Ed25519 signature over
// "tenuo-warrant-v1" || "tenuo-pop-v1" || CBOR([id_hex, tool, sorted_args, window_ts]),
// with 30-second windows. Also the SDK dedup key (§8.5), the approval request_hash (§9.2) and
// the parsing of printed signatures. Arguments are the §8.1 map (see arguments.hpp); its
// members are signed sorted by name bytes and must have unique names.
// The warrant id is the 16 raw id bytes; the challenge uses them as 32 lowercase hex digits
// without the "tnu_wrt_" prefix.
// Thread-safety: every function is pure (Ed25519 signing and verification through libsodium,
// which is reentrant; key checks use a per-thread cache); safe to call concurrently, with one
// SigningKey shared by several signing threads. PopVerification and PopDiagnosis are plain
// values.

#include <tenuo/bytes.hpp>
#include <tenuo/export.hpp>
#include <tenuo/limits.hpp>
#include <tenuo/public_key.hpp>
#include <tenuo/result.hpp>
#include <tenuo/signing_key.hpp>
#include <tenuo/value.hpp>

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace tenuo {

inline constexpr std::string_view kPopContext = "tenuo-pop-v1";

// floor(`now` / 30) * 30, flooring for negative times too.
[[nodiscard]] TENUO_EXPORT std::int64_t pop_window_start(std::int64_t now) noexcept;

// CBOR([id_hex, tool, [[name, value]...], window_ts]) — the §8.2 challenge.
[[nodiscard]] TENUO_EXPORT Bytes pop_challenge(const std::array<std::uint8_t, 16>& warrant_id,
                                               std::string_view tool, const Object& args,
                                               std::int64_t window_ts);
// The signed bytes: "tenuo-warrant-v1" || "tenuo-pop-v1" || pop_challenge(...).
[[nodiscard]] TENUO_EXPORT Bytes pop_message(const std::array<std::uint8_t, 16>& warrant_id,
                                             std::string_view tool, const Object& args,
                                             std::int64_t window_ts);

// Signs the call for the window containing `now` (unix seconds).
[[nodiscard]] TENUO_EXPORT Signature pop_sign(const SigningKey& holder,
                                              const std::array<std::uint8_t, 16>& warrant_id,
                                              std::string_view tool, const Object& args,
                                              std::int64_t now);

// Window offsets a verifier tries, in order: 0, -1, +1, -2, +2, ... keeping |offset| <=
// floor(`max_windows`/2) (§8.3: 2 -> [0,-1], 4 -> [0,-1,+1,-2], 5 -> [0,-1,+1,-2,+2]).
[[nodiscard]] TENUO_EXPORT std::vector<int> pop_window_offsets(int max_windows);

struct PopVerification {
  int offset = 0;              // window offset that verified (negative = signed in the past)
  std::int64_t window_ts = 0;  // the challenge's window_ts
};

// Verifies `signature` by `holder` over the call at `now`, trying pop_window_offsets(max_windows)
// in order and returning the first that verifies. Errors: InvalidInput when `max_windows` is
// outside 2..10 (the reference has no range check; CLI.md bounds it); SignatureInvalid (1100,
// what the reference produces, §17.2) for a wrong-length or non-verifying signature.
[[nodiscard]] TENUO_EXPORT Result<PopVerification> pop_verify(
    const PublicKey& holder, const std::array<std::uint8_t, 16>& warrant_id, std::string_view tool,
    const Object& args, ByteView signature, std::int64_t now,
    int max_windows = kPopDefaultMaxWindows);

// Why a proof verifies or not. Diagnostics only: never use it to accept a proof.
enum class PopFinding : std::uint8_t {
  Valid,          // verifies in an accepted window (same as pop_verify)
  OutsideWindow,  // verifies over the same call, but `offset` windows away (clock skew/replay)
  LegacySigner,   // verifies only over the 0.2.x-style arguments (pre-0.3.2 signer)
  Invalid,        // no window within the search range verifies: wrong key, call or bytes
};
struct PopDiagnosis {
  PopFinding finding = PopFinding::Invalid;
  std::optional<int> offset;             // window offset that verified, if any
  std::optional<std::int64_t> window_ts; // its window_ts
};
// Classifies `signature`: first as pop_verify would, then over offsets up to ±`search_windows`
// (each one Ed25519 verification), then over `legacy_args` (e.g. parse_arguments_legacy of the
// same text; when null, `args` without top-level nulls) within the same search range, but only
// if it differs from `args`. Bad `max_windows` is treated as the default.
[[nodiscard]] TENUO_EXPORT PopDiagnosis pop_diagnose(
    const PublicKey& holder, const std::array<std::uint8_t, 16>& warrant_id, std::string_view tool,
    const Object& args, ByteView signature, std::int64_t now,
    int max_windows = kPopDefaultMaxWindows, int search_windows = 120,
    const Object* legacy_args = nullptr);

// hex(SHA-256(CBOR([id_hex, tool, sorted_args]))) — the SDK's dedup key (§8.5).
[[nodiscard]] TENUO_EXPORT std::string dedup_key(const std::array<std::uint8_t, 16>& warrant_id,
                                                 std::string_view tool, const Object& args);

// SHA-256(CBOR([prefixed_id, tool, bytes(CBOR map of args), bytes(holder)])) (§9.2).
// `prefixed_id` is the "tnu_wrt_..." text as given; `holder` is the leaf holder's 32 key bytes,
// or empty when unknown.
[[nodiscard]] TENUO_EXPORT std::array<std::uint8_t, 32> request_hash(std::string_view prefixed_id,
                                                                     std::string_view tool,
                                                                     const Object& args,
                                                                     ByteView holder);
// (`warrant_id` parameters are WarrantId and the 32-byte results Sha256Digest of warrant.hpp:
// the same types, spelled out so that this header stands alone.)

// A printed PoP signature: standard or URL-safe base64, padded or not (surrounding whitespace
// ignored), or 128 hex digits. Errors: InvalidInput (unreadable, or not 64 bytes).
[[nodiscard]] TENUO_EXPORT Result<Signature> parse_pop_signature(std::string_view text);

}  // namespace tenuo
