#include <tenuo/srl.hpp>

#include <tenuo/cbor.hpp>
#include <tenuo/encoding.hpp>

#include "detail/civil_time.hpp"
#include "detail/crypto.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <charconv>

namespace tenuo {
namespace {

using detail::days_from_civil;
using detail::days_in_month;
using detail::digits;

constexpr std::string_view kWarrantDomain = "tenuo-warrant-v1";

Unexpected invalid(std::string msg) { return fail(ErrorCode::SrlInvalid, "revocation list: " + std::move(msg)); }

cbor::Value key_array(const PublicKey& k) {
  return cbor::Value::array({cbor::Value::integer(1), cbor::Value::bytes(ByteView(k.bytes()))});
}

template <std::size_t N>
Result<std::array<std::uint8_t, N>> alg_array(const cbor::Value& v, std::string_view what) {
  if (!v.is(cbor::Kind::Array) || v.as_array().size() != 2) return invalid(fmt::format("{} must be [1, bytes]", what));
  const auto& a = v.as_array();
  if (!a[0].is(cbor::Kind::Integer) || a[0].as_int() != 1)
    return invalid(fmt::format("{}: algorithm must be 1 (Ed25519)", what));
  if (!a[1].is(cbor::Kind::Bytes) || a[1].as_bytes().size() != N)
    return invalid(fmt::format("{} must hold {} bytes", what, N));
  std::array<std::uint8_t, N> out{};
  std::copy(a[1].as_bytes().begin(), a[1].as_bytes().end(), out.begin());
  return out;
}

// A struct map with exactly `names` (any order; the reference's serde accepts any order, and
// an unknown or repeated field is refused here — the stricter reading).
Result<std::vector<const cbor::Value*>> struct_fields(const cbor::Value& v, std::span<const std::string_view> names,
                                                      std::string_view what) {
  if (!v.is(cbor::Kind::Map)) return invalid(fmt::format("{} must be a map", what));
  std::vector<const cbor::Value*> out(names.size(), nullptr);
  for (const auto& e : v.as_map()) {
    if (!e.key.is(cbor::Kind::Text)) return invalid(fmt::format("{} has a non-text key", what));
    const auto it = std::find(names.begin(), names.end(), e.key.as_text());
    if (it == names.end()) return invalid(fmt::format("{} has an unknown field '{}'", what, e.key.as_text()));
    out[static_cast<std::size_t>(it - names.begin())] = &e.value;  // duplicates: rejected by cbor::decode
  }
  for (std::size_t i = 0; i < names.size(); ++i)
    if (out[i] == nullptr) return invalid(fmt::format("{} is missing '{}'", what, names[i]));
  return out;
}

}  // namespace

bool SignedRevocationList::revokes(std::string_view prefixed_id) const noexcept {
  return std::find(payload.revoked_ids.begin(), payload.revoked_ids.end(), prefixed_id) != payload.revoked_ids.end();
}

std::string srl_time_text(std::int64_t t, std::uint32_t nanos) {
  std::string out = detail::utc_date_time(t);
  if (nanos != 0) {
    if (nanos % 1'000'000 == 0)
      out += fmt::format(".{:03}", nanos / 1'000'000);
    else if (nanos % 1000 == 0)
      out += fmt::format(".{:06}", nanos / 1000);
    else
      out += fmt::format(".{:09}", nanos);
  }
  return out + "Z";
}

Result<std::pair<std::int64_t, std::uint32_t>> parse_srl_time(std::string_view s) {
  auto bad = [&] { return invalid(fmt::format("issued_at '{}' is not an RFC 3339 time", s)); };
  int Y, M, D, h, mi, sec;
  if (!digits(s, 0, 4, Y) || s.size() < 20 || s[4] != '-' || !digits(s, 5, 2, M) || s[7] != '-' ||
      !digits(s, 8, 2, D) || (s[10] != 'T' && s[10] != 't' && s[10] != ' ') || !digits(s, 11, 2, h) ||
      s[13] != ':' || !digits(s, 14, 2, mi) || s[16] != ':' || !digits(s, 17, 2, sec))
    return bad();
  // Leap seconds (60) are refused: the stricter reading of an edge the reference maps to :59.
  if (M < 1 || M > 12 || D < 1 || static_cast<unsigned>(D) > days_in_month(Y, M) || h > 23 || mi > 59 || sec > 59)
    return bad();
  std::size_t i = 19;
  std::uint32_t nanos = 0;
  if (i < s.size() && s[i] == '.') {
    ++i;
    std::size_t n = 0;
    while (i < s.size() && s[i] >= '0' && s[i] <= '9') {
      if (++n > 9) return bad();
      nanos = nanos * 10 + static_cast<std::uint32_t>(s[i] - '0');
      ++i;
    }
    if (n == 0) return bad();
    for (; n < 9; ++n) nanos *= 10;
  }
  std::int64_t offset = 0;
  if (i < s.size() && (s[i] == 'Z' || s[i] == 'z')) {
    ++i;
  } else if (i + 6 == s.size() && (s[i] == '+' || s[i] == '-') && s[i + 3] == ':') {
    int oh, om;
    if (!digits(s, i + 1, 2, oh) || !digits(s, i + 4, 2, om) || oh > 23 || om > 59) return bad();
    offset = (static_cast<std::int64_t>(oh) * 3600 + om * 60) * (s[i] == '-' ? -1 : 1);
    i += 6;
  } else {
    return bad();
  }
  if (i != s.size()) return bad();
  const std::int64_t t = days_from_civil(Y, static_cast<unsigned>(M), static_cast<unsigned>(D)) * 86400 +
                         h * 3600 + mi * 60 + sec - offset;
  // The instant must be writable back as a four-digit UTC year (encode_srl_payload writes "Z"):
  // "0000-01-01T01:00:00+21:00" is in year -1, "9999-12-31T23:00:00-02:00" in 10000.
  static const std::int64_t kFirst = days_from_civil(0, 1, 1) * 86400;
  static const std::int64_t kLast = days_from_civil(9999, 12, 31) * 86400 + 86399;
  if (t < kFirst || t > kLast) return bad();
  return std::pair{t, nanos};
}

Bytes encode_srl_payload(const SrlPayload& p) {
  cbor::Array ids;
  ids.reserve(p.revoked_ids.size());
  for (const auto& id : p.revoked_ids) ids.push_back(cbor::Value::text(id));
  cbor::Map m;
  m.push_back({cbor::Value::text("revoked_ids"), cbor::Value::array(std::move(ids))});
  m.push_back({cbor::Value::text("version"), cbor::Value::integer(static_cast<std::int64_t>(p.version))});
  m.push_back({cbor::Value::text("issued_at"), cbor::Value::text(srl_time_text(p.issued_at, p.issued_at_nanos))});
  m.push_back({cbor::Value::text("issuer"), key_array(p.issuer)});
  return cbor::encode(cbor::Value::map(std::move(m)));
}

Bytes srl_signing_message(const SrlPayload& p) {
  const Bytes body = encode_srl_payload(p);
  Bytes out;
  out.reserve(kWarrantDomain.size() + kSrlContext.size() + body.size());
  out.insert(out.end(), kWarrantDomain.begin(), kWarrantDomain.end());
  out.insert(out.end(), kSrlContext.begin(), kSrlContext.end());
  out.insert(out.end(), body.begin(), body.end());
  return out;
}

Bytes sign_srl(const SigningKey& signer, const SrlPayload& payload) {
  const Signature sig = signer.sign(srl_signing_message(payload));
  Bytes out;
  cbor::write_head(out, 5, 2);
  cbor::write_text(out, "payload");
  const Bytes body = encode_srl_payload(payload);
  out.insert(out.end(), body.begin(), body.end());
  cbor::write_text(out, "signature");
  cbor::write_head(out, 4, 2);
  cbor::write_int(out, 1);
  cbor::write_bytes(out, sig);
  return out;
}

Result<SignedRevocationList> decode_srl(ByteView bytes) {
  if (bytes.size() > kMaxSrlBytes)
    return invalid(fmt::format("{} bytes, over the {}-byte limit", bytes.size(), kMaxSrlBytes));
  cbor::DecodeOptions opts;
  opts.max_bytes = kMaxSrlBytes;
  opts.max_depth = 8;
  auto root = cbor::decode(bytes, opts);
  if (!root) return invalid(root.error().message);
  static constexpr std::string_view kOuter[] = {"payload", "signature"};
  TENUO_TRY_ASSIGN(auto outer, struct_fields(*root, kOuter, "the list"));
  static constexpr std::string_view kInner[] = {"revoked_ids", "version", "issued_at", "issuer"};
  TENUO_TRY_ASSIGN(auto f, struct_fields(*outer[0], kInner, "the payload"));
  if (!f[0]->is(cbor::Kind::Array)) return invalid("revoked_ids must be an array of text");
  std::vector<std::string> ids;
  ids.reserve(f[0]->as_array().size());
  for (const auto& v : f[0]->as_array()) {
    if (!v.is(cbor::Kind::Text)) return invalid("revoked_ids must be an array of text");
    ids.push_back(v.as_text());
  }
  if (!f[1]->is(cbor::Kind::Integer) || f[1]->as_int() < 0) return invalid("version must be an unsigned integer");
  if (!f[2]->is(cbor::Kind::Text)) return invalid("issued_at must be RFC 3339 text");
  TENUO_TRY_ASSIGN(auto when, parse_srl_time(f[2]->as_text()));
  TENUO_TRY_ASSIGN(auto key_bytes, alg_array<32>(*f[3], "issuer"));
  auto issuer = PublicKey::from_bytes(key_bytes);
  if (!issuer) return invalid("issuer is not a valid Ed25519 public key");
  TENUO_TRY_ASSIGN(auto sig, alg_array<64>(*outer[1], "signature"));
  SrlPayload p(*issuer);
  p.revoked_ids = std::move(ids);
  p.version = static_cast<std::uint64_t>(f[1]->as_int());
  p.issued_at = when.first;
  p.issued_at_nanos = when.second;
  return SignedRevocationList{std::move(p), sig, detail::sha256(bytes)};
}

Result<SignedRevocationList> verify_srl(ByteView bytes, std::span<const PublicKey> accepted,
                                        std::optional<std::uint64_t> min_version) {
  TENUO_TRY_ASSIGN(SignedRevocationList srl, decode_srl(bytes));
  if (std::find(accepted.begin(), accepted.end(), srl.payload.issuer) == accepted.end())
    return invalid(fmt::format("issuer {} is not an accepted revocation authority", srl.payload.issuer.hex()));
  // The reference verifies over the re-encoded payload, not the bytes as received.
  if (!srl.payload.issuer.verify(srl_signing_message(srl.payload), srl.signature))
    return invalid(fmt::format("signature does not verify under issuer {}", srl.payload.issuer.hex()));
  if (min_version && srl.payload.version < *min_version)
    return fail(ErrorCode::SrlVersionRollback,
                fmt::format("revocation list version {} is older than the required minimum {}", srl.payload.version,
                            *min_version));
  return srl;
}

Result<Bytes> srl_bytes_from_any(ByteView file) {
  if (file.empty()) return invalid("empty input");
  // A CBOR map head (major type 5) cannot be the first byte of hex or base64 text.
  if ((file[0] >> 5) == 5) {
    if (file.size() > kMaxSrlBytes) return invalid(fmt::format("over the {}-byte limit", kMaxSrlBytes));
    return Bytes(file.begin(), file.end());
  }
  if (file.size() > 2 * kMaxSrlBytes + 1024) return invalid(fmt::format("over the {}-byte limit", kMaxSrlBytes));
  std::string text;
  text.reserve(file.size());
  for (auto b : file)
    if (b != ' ' && b != '\n' && b != '\r' && b != '\t') text.push_back(static_cast<char>(b));
  // Hex first, but only when it yields a map: a base64 text made of hex digits is base64.
  if (auto h = hex_decode(text); h && !h->empty() && ((*h)[0] >> 5) == 5) return std::move(*h);
  if (auto b = base64_decode_any(text, kMaxSrlBytes)) return std::move(*b);
  return invalid("not CBOR, hex or base64");
}

}  // namespace tenuo
