#include <tenuo/pop.hpp>

#include <tenuo/arguments.hpp>
#include <tenuo/cbor.hpp>
#include <tenuo/encoding.hpp>

#include "detail/crypto.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <optional>
#include <span>

namespace tenuo {
namespace {

constexpr std::string_view kWarrantDomain = "tenuo-warrant-v1";

std::vector<const Member*> sorted_members(const Object& args) {
  std::vector<const Member*> v;
  v.reserve(args.size());
  for (const auto& m : args) v.push_back(&m);
  std::stable_sort(v.begin(), v.end(),
                   [](const Member* a, const Member* b) { return a->key < b->key; });
  return v;
}

// [[name, value], ...] sorted by name bytes (§8.2).
void write_arg_pairs(Bytes& out, const Object& args) {
  const auto members = sorted_members(args);
  cbor::write_head(out, 4, members.size());
  for (const Member* m : members) {
    cbor::write_head(out, 4, 2);
    cbor::write_text(out, m->key);
    cbor::encode_to(out, to_cbor(m->value));
  }
}

// {name: value, ...} sorted by name bytes (§9.2).
void write_arg_map(Bytes& out, const Object& args) {
  const auto members = sorted_members(args);
  cbor::write_head(out, 5, members.size());
  for (const Member* m : members) {
    cbor::write_text(out, m->key);
    cbor::encode_to(out, to_cbor(m->value));
  }
}

// Everything of the signed message except the trailing window_ts.
Bytes message_prefix(const std::array<std::uint8_t, 16>& id, std::string_view tool,
                     const Object& args) {
  Bytes out;
  out.insert(out.end(), kWarrantDomain.begin(), kWarrantDomain.end());
  out.insert(out.end(), kPopContext.begin(), kPopContext.end());
  cbor::write_head(out, 4, 4);
  cbor::write_text(out, hex_encode(id));
  cbor::write_text(out, tool);
  write_arg_pairs(out, args);
  return out;
}

// floor(now / 30), exact for negative `now`.
std::int64_t window_index(std::int64_t now) noexcept {
  std::int64_t q = now / kPopWindowSeconds;
  if (now % kPopWindowSeconds != 0 && now < 0) --q;
  return q;
}

// (index + offset) * 30, or nothing when that leaves the i64 range.
std::optional<std::int64_t> window_at(std::int64_t index, int offset) noexcept {
  std::int64_t i = 0;
  std::int64_t ts = 0;
  if (__builtin_add_overflow(index, static_cast<std::int64_t>(offset), &i)) return std::nullopt;
  if (__builtin_mul_overflow(i, kPopWindowSeconds, &ts)) return std::nullopt;
  return ts;
}

// Verifies `sig` over `prefix` || window_ts; `buf` is scratch to avoid reallocations.
bool verifies_at(const PublicKey& holder, const Bytes& prefix, Bytes& buf, std::int64_t window_ts,
                 ByteView sig) {
  buf.assign(prefix.begin(), prefix.end());
  cbor::write_int(buf, window_ts);
  return holder.verify(buf, sig);
}

bool same_args(const Object& a, const Object& b) {
  if (a.size() != b.size()) return false;
  const auto sa = sorted_members(a);
  const auto sb = sorted_members(b);
  for (std::size_t i = 0; i < sa.size(); ++i)
    if (sa[i]->key != sb[i]->key || !(sa[i]->value == sb[i]->value)) return false;
  return true;
}

// Nearest-first search of offsets within ±`range` that are not in `skip`.
std::optional<PopDiagnosis> search(const PublicKey& holder, const Bytes& prefix,
                                   std::int64_t index, ByteView sig, int range,
                                   const std::vector<int>& skip, PopFinding finding) {
  Bytes buf;
  buf.reserve(prefix.size() + 9);
  for (int k = 0; k <= range; ++k) {
    const std::array<int, 2> candidates{-k, k};
    for (int offset : std::span<const int>(candidates.data(), k == 0 ? 1 : 2)) {
      if (std::find(skip.begin(), skip.end(), offset) != skip.end()) continue;
      const auto ts = window_at(index, offset);
      if (ts && verifies_at(holder, prefix, buf, *ts, sig))
        return PopDiagnosis{finding, offset, *ts};
    }
  }
  return std::nullopt;
}

}  // namespace

std::int64_t pop_window_start(std::int64_t now) noexcept {
  const std::int64_t q = window_index(now);
  if (auto ts = window_at(q, 0)) return *ts;
  return (q + 1) * kPopWindowSeconds;  // only at the very bottom of the i64 range
}

Bytes pop_challenge(const std::array<std::uint8_t, 16>& warrant_id, std::string_view tool,
                    const Object& args, std::int64_t window_ts) {
  Bytes out;
  cbor::write_head(out, 4, 4);
  cbor::write_text(out, hex_encode(warrant_id));
  cbor::write_text(out, tool);
  write_arg_pairs(out, args);
  cbor::write_int(out, window_ts);
  return out;
}

Bytes pop_message(const std::array<std::uint8_t, 16>& warrant_id, std::string_view tool,
                  const Object& args, std::int64_t window_ts) {
  Bytes out = message_prefix(warrant_id, tool, args);
  cbor::write_int(out, window_ts);
  return out;
}

Signature pop_sign(const SigningKey& holder, const std::array<std::uint8_t, 16>& warrant_id,
                   std::string_view tool, const Object& args, std::int64_t now) {
  return holder.sign(pop_message(warrant_id, tool, args, pop_window_start(now)));
}

std::vector<int> pop_window_offsets(int max_windows) {
  // §8.3: i = 0..max_windows-1 -> 0, -1, +1, -2, +2, ...; skip |offset| > floor(max/2).
  std::vector<int> out;
  const int half = max_windows / 2;
  for (int i = 0; i < max_windows; ++i) {
    const int mag = (i + 1) / 2;
    const int offset = i % 2 == 1 ? -mag : mag;
    if (mag > half) continue;
    out.push_back(offset);
  }
  return out;
}

Result<PopVerification> pop_verify(const PublicKey& holder,
                                   const std::array<std::uint8_t, 16>& warrant_id,
                                   std::string_view tool, const Object& args, ByteView signature,
                                   std::int64_t now, int max_windows) {
  if (max_windows < kPopMinWindows || max_windows > kPopMaxWindows)
    return fail(ErrorCode::InvalidInput,
                fmt::format("PoP max_windows must be {}..{}, got {}", kPopMinWindows,
                            kPopMaxWindows, max_windows));
  if (signature.size() != std::tuple_size_v<Signature>)
    return fail(ErrorCode::SignatureInvalid,
                fmt::format("PoP signature is {} bytes, expected 64", signature.size()));
  const Bytes prefix = message_prefix(warrant_id, tool, args);
  Bytes buf;
  buf.reserve(prefix.size() + 9);
  const std::int64_t index = window_index(now);
  for (int offset : pop_window_offsets(max_windows)) {
    const auto ts = window_at(index, offset);
    if (ts && verifies_at(holder, prefix, buf, *ts, signature))
      return PopVerification{offset, *ts};
  }
  return fail(ErrorCode::SignatureInvalid,
              fmt::format("PoP signature for tool '{}' does not verify against the holder key in "
                          "any of the {} windows around {}",
                          tool, max_windows, now));
}

PopDiagnosis pop_diagnose(const PublicKey& holder, const std::array<std::uint8_t, 16>& warrant_id,
                          std::string_view tool, const Object& args, ByteView signature,
                          std::int64_t now, int max_windows, int search_windows,
                          const Object* legacy_args) {
  if (signature.size() != std::tuple_size_v<Signature>) return {};
  if (max_windows < kPopMinWindows || max_windows > kPopMaxWindows)
    max_windows = kPopDefaultMaxWindows;
  search_windows = std::max(search_windows, max_windows / 2);
  const std::int64_t index = window_index(now);
  const std::vector<int> accepted = pop_window_offsets(max_windows);
  const Bytes prefix = message_prefix(warrant_id, tool, args);
  {
    Bytes buf;
    for (int offset : accepted) {
      const auto ts = window_at(index, offset);
      if (ts && verifies_at(holder, prefix, buf, *ts, signature))
        return PopDiagnosis{PopFinding::Valid, offset, *ts};
    }
  }
  if (auto d = search(holder, prefix, index, signature, search_windows, accepted,
                      PopFinding::OutsideWindow))
    return *d;
  const Object stripped = legacy_args != nullptr ? Object{} : without_nulls(args);
  const Object& legacy = legacy_args != nullptr ? *legacy_args : stripped;
  if (!same_args(legacy, args)) {
    const Bytes legacy_prefix = message_prefix(warrant_id, tool, legacy);
    if (auto d = search(holder, legacy_prefix, index, signature, search_windows, {},
                        PopFinding::LegacySigner))
      return *d;
  }
  return {};
}

std::string dedup_key(const std::array<std::uint8_t, 16>& warrant_id, std::string_view tool,
                      const Object& args) {
  Bytes out;
  cbor::write_head(out, 4, 3);
  cbor::write_text(out, hex_encode(warrant_id));
  cbor::write_text(out, tool);
  write_arg_pairs(out, args);
  return hex_encode(detail::sha256(out));
}

std::array<std::uint8_t, 32> request_hash(std::string_view prefixed_id, std::string_view tool,
                                          const Object& args, ByteView holder) {
  Bytes map;
  write_arg_map(map, args);
  Bytes out;
  cbor::write_head(out, 4, 4);
  cbor::write_text(out, prefixed_id);
  cbor::write_text(out, tool);
  cbor::write_bytes(out, map);
  cbor::write_bytes(out, holder);
  return detail::sha256(out);
}

Result<Signature> parse_pop_signature(std::string_view text) {
  auto is_ws = [](char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r'; };
  while (!text.empty() && is_ws(text.front())) text.remove_prefix(1);
  while (!text.empty() && is_ws(text.back())) text.remove_suffix(1);
  if (text.empty()) return fail(ErrorCode::InvalidInput, "PoP signature is empty");
  Bytes raw;
  const bool all_hex = std::all_of(text.begin(), text.end(), [](char c) {
    return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
  });
  // 128 hex digits would also be valid base64 (of 96 bytes), so hex is tried first at that size.
  if (text.size() == 128 && all_hex) {
    TENUO_TRY_ASSIGN(raw, hex_decode(text));
  } else {
    auto b = base64_decode_any(text, 4096);
    if (!b)
      return fail(ErrorCode::InvalidInput,
                  "PoP signature is neither base64 (standard or URL-safe) nor 128 hex digits");
    raw = std::move(b).value();
  }
  if (raw.size() != std::tuple_size_v<Signature>)
    return fail(ErrorCode::InvalidInput,
                fmt::format("PoP signature is {} bytes, expected 64", raw.size()));
  Signature sig{};
  std::copy(raw.begin(), raw.end(), sig.begin());
  return sig;
}

}  // namespace tenuo
